//! Access-token rules both sides share: the secret's format, descriptions, lifetimes, expiry
//! dates, resource scopes, and the token as lists show it.

mod access;
mod attention;
mod description;
mod expiration;
mod expiry;
mod input;
mod lifetime;
mod limits;
mod policy;
mod renewal;
mod request;
mod rotation;
mod scope;
mod secret;
mod usage;
mod view;

pub use access::effective_access;
pub use attention::{ATTENTION_SHOWN, Attention, EXPIRES_SOON_SECS, TokenOverview, UNUSED_SECS};
pub use description::{Description, DescriptionError};
pub use expiration::{ExpirationModel, Expiry};
pub use expiry::{DateError, ExpiryDate};
pub use input::{
    ApiInput, Basis, DecidedToken, ExpiryInput, TokenInput, TokenInputErrors, TokenRules,
    latest_date, resolve_api,
};
pub use lifetime::{Lifetime, LifetimeError};
pub use limits::{
    AddressRange, LimitError, MAX_ADDRESS_RANGES, MAX_RATE_CALLS, MAX_USES, RateLimit, RatePeriod,
    addresses_allow, parse_uses,
};
pub use policy::{ComplianceReport, NonCompliantToken, PolicyPage, PolicyViolation, TokenPolicy};
pub use renewal::{ENDED_SHOWN_SECS, EXTEND_BY_SECS, ending_near, extension};
pub use request::TokenRequest;
pub use rotation::{GRACE_CHOICES, GraceError, MAX_GRACE_SECS, RotationGrace};
pub use scope::{EnvName, Scope, ScopeError, scopes_allow};
pub use secret::{RANDOM_CHARS, TOKEN_PREFIX, TOKEN_REGEX, TokenFormatError, TokenSecret};
pub use usage::{
    CallCount, DayUsage, MAX_USAGE_DAYS, Narrowing, SOURCES_KEPT, SUCCESS, TokenUsage, USAGE_DAYS,
    USAGE_KEPT_DAYS, UsageCount, UsageSource,
};
pub use view::{
    ExpiryDateWire, ExpirySpec, IssuedTokenView, LastUse, LeakReport, TOKENS_PER_PAGE, TokenPage,
    TokenStatus, TokenView,
};
