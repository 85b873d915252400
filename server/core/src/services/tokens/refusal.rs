//! Why a presented token was refused. Each reason has a stable code and a platform-API
//! `result` number (its HTTP status is the HTTP layer's: `http::error::refusal_status`),
//! documented in the README and the OpenAPI document.

use domain::token::TokenFormatError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "This call needs an access token: pass it as the session parameter, as \
         Authorization: Bearer, as X-Auth-Token, or as the password of HTTP Basic auth."
    )]
    NoCredential,
    #[error("The request carries different access tokens; send one.")]
    ConflictingCredentials,
    #[error("{0}")]
    Malformed(TokenFormatError),
    // One answer for a wrong value and for a Basic-auth login that is not the owner's: it
    // must not tell which.
    #[error(
        "This access token is not known: it may have been mistyped or, with HTTP Basic auth, \
         sent with a user name other than its owner's login."
    )]
    Unknown,
    #[error("This access token was regenerated: its old value no longer works. Use the new one.")]
    Regenerated,
    #[error("This access token was removed.")]
    Removed,
    #[error("This access token has expired.")]
    Expired,
    #[error("The account this access token belongs to is disabled.")]
    OwnerDisabled,
    #[error("This access token may not call {0}.")]
    MethodNotAllowed(String),
    #[error("This access token's scopes do not allow {access} access to the environment {env}.")]
    OutOfScope { env: String, access: &'static str },
    #[error("This access token is suspended: its owner or an admin can resume it.")]
    Suspended,
    #[error("This access token may not be used from this address.")]
    AddressNotAllowed,
    #[error("Too many calls with this access token: try again in {retry_after_secs} s.")]
    RateLimited { retry_after_secs: u64 },
    #[error("This access token has no uses left.")]
    Exhausted,
    #[error(
        "This access token was reported found in public and is revoked: regenerate it for a \
         new value, or remove it."
    )]
    Leaked,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoCredential => "token_required",
            Self::ConflictingCredentials => "token_conflict",
            Self::Malformed(_) => "token_malformed",
            Self::Unknown => "token_unknown",
            Self::Regenerated => "token_regenerated",
            Self::Removed => "token_removed",
            Self::Expired => "token_expired",
            Self::OwnerDisabled => "owner_disabled",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::OutOfScope { .. } => "out_of_scope",
            Self::Suspended => "token_suspended",
            Self::AddressNotAllowed => "address_not_allowed",
            Self::RateLimited { .. } => "rate_limited",
            Self::Exhausted => "token_exhausted",
            Self::Leaked => "token_leaked",
        }
    }

    /// The platform API's `result` number.
    pub fn result(&self) -> i64 {
        match self {
            Self::NoCredential => 701,
            Self::ConflictingCredentials => 702,
            Self::Malformed(_) => 703,
            Self::Unknown => 704,
            Self::Regenerated => 705,
            Self::Removed => 706,
            Self::Expired => 707,
            Self::OwnerDisabled => 708,
            Self::MethodNotAllowed(_) => 709,
            Self::OutOfScope { .. } => 710,
            Self::Suspended => 711,
            Self::AddressNotAllowed => 712,
            Self::RateLimited { .. } => 713,
            Self::Exhausted => 714,
            Self::Leaked => 715,
        }
    }

    /// Every refusal, for documentation and tests.
    pub fn all() -> Vec<Self> {
        vec![
            Self::NoCredential,
            Self::ConflictingCredentials,
            Self::Malformed(TokenFormatError::BadChecksum),
            Self::Unknown,
            Self::Regenerated,
            Self::Removed,
            Self::Expired,
            Self::OwnerDisabled,
            Self::MethodNotAllowed("environment.control.StopEnv".into()),
            Self::OutOfScope {
                env: "my-project".into(),
                access: "write",
            },
            Self::Suspended,
            Self::AddressNotAllowed,
            Self::RateLimited {
                retry_after_secs: 1,
            },
            Self::Exhausted,
            Self::Leaked,
        ]
    }
}
