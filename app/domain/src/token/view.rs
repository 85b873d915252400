//! Tokens as the dashboard and the REST API show them: never the value, only its hint.

use serde::{Deserialize, Serialize};

use super::{AddressRange, ExpirationModel, ExpiryDate, Lifetime, RateLimit};
use crate::catalog::ApiSelection;

/// How a token expires, as chosen when it is made or edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ExpirySpec {
    /// Valid until revoked (where policy allows).
    Never,
    /// Hard limit: valid through the end of a date (UTC).
    Until { date: ExpiryDateWire },
    /// Hard limit: valid for a duration from now.
    For { secs: u64 },
    /// Auto refresh: each use before expiry pushes it to now + the window, never past
    /// `not_after` (Unix seconds) when that is set.
    AutoRefresh {
        window_secs: u64,
        #[serde(default)]
        not_after: Option<i64>,
    },
}

/// An [`ExpiryDate`] on the wire, as ISO 8601.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExpiryDateWire(pub ExpiryDate);

impl TryFrom<String> for ExpiryDateWire {
    type Error = super::DateError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        ExpiryDate::parse_iso(&value).map(Self)
    }
}

impl From<ExpiryDateWire> for String {
    fn from(value: ExpiryDateWire) -> Self {
        value.0.to_iso()
    }
}

impl ExpirySpec {
    pub fn until(date: ExpiryDate) -> Self {
        Self::Until {
            date: ExpiryDateWire(date),
        }
    }

    pub fn lasting(lifetime: Lifetime) -> Self {
        Self::For {
            secs: lifetime.as_secs(),
        }
    }

    pub fn auto_refresh(window: Lifetime, not_after: Option<i64>) -> Self {
        Self::AutoRefresh {
            window_secs: window.as_secs(),
            not_after,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    Active,
    /// Refused until resumed; keeps its value and settings.
    Suspended,
    Expired,
    Removed,
    /// Reported found in public and revoked: refused until regenerated.
    Leaked,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LastUse {
    /// Unix seconds.
    pub at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// `Hash`: a list keys its rows by the whole token, so that any change redraws its row.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TokenView {
    pub id: i64,
    pub owner: String,
    pub description: String,
    /// The value's last four characters.
    pub hint: String,
    pub api: ApiSelection,
    /// The set's title, or "Custom (N methods)".
    pub api_label: String,
    pub scopes: Vec<String>,
    pub expiration: ExpirationModel,
    /// Unix seconds; `None` when the token never expires.
    pub expires_at: Option<i64>,
    pub refresh_window_secs: Option<i64>,
    /// Unix seconds: an auto-refresh token's absolute end, which no use moves.
    pub not_after: Option<i64>,
    pub status: TokenStatus,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub last_used: Option<LastUse>,
    /// Unix seconds; `None` unless suspended.
    pub suspended_at: Option<i64>,
    /// The allowance last given (`None`: unlimited), and how much of it is left.
    pub max_uses: Option<u64>,
    pub uses_left: Option<u64>,
    pub rate_limit: Option<RateLimit>,
    /// None: any address.
    pub allowed_ips: Vec<AddressRange>,
    /// Unix seconds: regenerated with a grace period, the previous value still works until
    /// then at the latest (its first use of the new value ends it sooner); `None` otherwise.
    pub old_value_expires_at: Option<i64>,
    /// A secret scanner reported the current value found in public.
    pub leak: Option<LeakReport>,
}

/// Where a token's value was found in public, and what the report did.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LeakReport {
    /// Unix seconds.
    pub reported_at: i64,
    /// Where the scanner found it (a commit, a paste), as the scanner said.
    pub url: Option<String>,
    /// Which scanner or site (`github`, `gitleaks`...), as the scanner said.
    pub source: Option<String>,
    /// Refused since the report; otherwise the owner was only told.
    pub revoked: bool,
}

/// Rows per page in the Access Tokens list and an admin's person page.
pub const TOKENS_PER_PAGE: u32 = 50;

/// What the Access Tokens tab shows: a page of the caller's tokens, the catalog to pick
/// methods from, and the server's clock (dates are checked against the server's today, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPage {
    pub tokens: Vec<TokenView>,
    pub paging: crate::paging::Paging,
    pub catalog: crate::catalog::Catalog,
    pub policy: super::TokenPolicy,
    /// Every live token of the caller's whose end is near or just past (see
    /// [`ending_near`](super::ending_near)), whatever page it is on; the soonest first.
    pub ending: Vec<TokenView>,
    /// Unix seconds.
    pub now: i64,
}

/// A token just generated, regenerated or copied, with its value: shown once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedTokenView {
    pub token: TokenView,
    pub value: String,
}

impl std::fmt::Debug for IssuedTokenView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedTokenView")
            .field("token", &self.token)
            .field("value", &"<redacted>")
            .finish()
    }
}

/// A live token for tests: Maven Plugin, no scopes, never expiring, made at 0 by its owner
/// "ann", never used.
#[cfg(test)]
impl TokenView {
    pub(crate) fn sample() -> Self {
        Self {
            id: 1,
            owner: "ann".into(),
            description: "CI".into(),
            hint: "WXYZ".into(),
            api: ApiSelection::Set("maven_plugin".into()),
            api_label: "Maven Plugin".into(),
            scopes: Vec::new(),
            expiration: ExpirationModel::Never,
            expires_at: None,
            refresh_window_secs: None,
            not_after: None,
            status: TokenStatus::Active,
            created_at: 0,
            created_by: "ann".into(),
            updated_at: 0,
            last_used: None,
            suspended_at: None,
            max_uses: None,
            uses_left: None,
            rate_limit: None,
            allowed_ips: Vec::new(),
            old_value_expires_at: None,
            leak: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_travel_as_iso() {
        let date = ExpiryDate::parse_dmy("31-12-2027").unwrap();
        assert_eq!(String::from(ExpiryDateWire(date)), "2027-12-31");
        assert_eq!(
            ExpiryDateWire::try_from("2027-12-31".to_owned()),
            Ok(ExpiryDateWire(date))
        );
    }

    #[test]
    fn an_issued_token_never_shows_its_value_in_debug() {
        let issued = IssuedTokenView {
            token: TokenView::sample(),
            value: "tsr_secretvaluesecretvaluesecretvalueWXYZ".into(),
        };
        let shown = format!("{issued:?}");
        assert!(shown.contains("<redacted>"), "{shown}");
        assert!(shown.contains("description: \"CI\""), "{shown}");
        assert!(!shown.contains("secretvalue"), "{shown}");
    }
}
