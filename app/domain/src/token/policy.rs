//! What admins allow: the longest a token may live, whether it must expire, and which API
//! sets may be chosen. Checked in the browser as you type and on every path that makes or
//! changes a token (dashboard, REST API, CLI).

use serde::{Deserialize, Serialize};

use super::{
    DateError, ExpirationModel, ExpiryDate, ExpirySpec, Lifetime, RateLimit, RotationGrace,
    TokenView,
};
use crate::{
    calendar::format_dmy,
    catalog::{ApiSelection, Catalog},
};

/// Missing fields take the defaults (no limit); unknown ones are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenPolicy {
    /// The longest a token may live from when its expiry is set; for auto-refresh tokens, the
    /// longest window. `None`: no limit.
    pub max_lifetime_secs: Option<u64>,
    /// Tokens must expire (no "Never").
    pub expiry_required: bool,
    /// The predefined API sets that may be chosen, by id; `None`: all of them.
    pub api_sets: Option<Vec<String>>,
    /// Whether a hand-picked list of methods may be chosen.
    pub custom_allowed: bool,
    /// Calls per period shared by all of one person's tokens; `None`: no limit.
    pub owner_rate_limit: Option<RateLimit>,
    /// API sets, by id, whose tokens must list the addresses they may be used from.
    pub allowed_ips_required_for: Vec<String>,
    /// The longest a regenerated token's old value may keep working; `None`: the server's
    /// longest, [`MAX_GRACE_SECS`](super::MAX_GRACE_SECS).
    pub max_rotation_grace_secs: Option<u64>,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            max_lifetime_secs: None,
            expiry_required: false,
            api_sets: None,
            custom_allowed: true,
            owner_rate_limit: None,
            allowed_ips_required_for: Vec::new(),
            max_rotation_grace_secs: None,
        }
    }
}

/// An existing token the current policy would not allow, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonCompliantToken {
    pub token: TokenView,
    pub objections: Vec<String>,
}

/// The live tokens the current policy would not allow, the first [`Self::MAX_LISTED`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceReport {
    pub tokens: Vec<NonCompliantToken>,
    /// How many live tokens were looked at.
    pub checked: u64,
    /// More were found than listed.
    pub truncated: bool,
}

impl ComplianceReport {
    pub const MAX_LISTED: usize = 500;
}

/// The policy with the catalog whose sets it names, for the admin's Policies page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyPage {
    pub policy: TokenPolicy,
    pub catalog: Catalog,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyViolation {
    #[error("Choose an expiry: this server's policy does not allow tokens that never expire.")]
    ExpiryRequired,
    #[error("This server's policy allows tokens to live at most {max}.")]
    TooLong { max: Lifetime },
    #[error(transparent)]
    DateTooFar(DateError),
    #[error("This server's policy lets a token live at most until the end of {latest}.")]
    EndTooFar { latest: ExpiryDate },
    #[error("This server's policy does not allow the API set “{0}”.")]
    SetNotAllowed(String),
    #[error(
        "This server's policy does not allow hand-picked API methods: choose a predefined API set."
    )]
    CustomNotAllowed,
}

impl TokenPolicy {
    /// False when no API set and no hand-picked list may be chosen: nobody could make a token.
    pub fn allows_some_api(&self) -> bool {
        self.custom_allowed || self.api_sets.as_ref().is_none_or(|sets| !sets.is_empty())
    }

    pub fn max_lifetime(&self) -> Option<Lifetime> {
        self.max_lifetime_secs
            .and_then(|secs| Lifetime::from_secs(secs).ok())
    }

    /// The last date a token made at `now` may be valid through (its end must fall within
    /// the maximum lifetime).
    pub fn latest_date(&self, now: i64) -> Option<ExpiryDate> {
        let max = self.max_lifetime()?.as_secs() as i64;
        Some(ExpiryDate::of_unix(now + max - 86_400))
    }

    /// The last date a token made at `now` may be valid through: the policy's latest date,
    /// within the longest lifetime any token may have.
    pub fn latest_allowed_date(&self, now: i64) -> ExpiryDate {
        let absolute = super::latest_date(now);
        self.latest_date(now)
            .map_or(absolute, |latest| latest.min(absolute))
    }

    /// Checks an expiry chosen at `now`.
    pub fn check_expiry(&self, expiry: &ExpirySpec, now: i64) -> Result<(), PolicyViolation> {
        let max = self.max_lifetime();
        let too_long = |secs: u64| match max {
            Some(max) if secs > max.as_secs() => Err(PolicyViolation::TooLong { max }),
            _ => Ok(()),
        };
        match expiry {
            ExpirySpec::Never if self.expiry_required || max.is_some() => {
                Err(PolicyViolation::ExpiryRequired)
            }
            ExpirySpec::Never => Ok(()),
            ExpirySpec::Until { date } => {
                let Some(latest) = self.latest_date(now) else {
                    return Ok(());
                };
                date.0
                    .check_range(ExpiryDate::of_unix(now).min(date.0), Some(latest))
                    .map(drop)
                    .map_err(PolicyViolation::DateTooFar)
            }
            ExpirySpec::For { secs } => too_long(*secs),
            ExpirySpec::AutoRefresh {
                window_secs,
                not_after,
            } => {
                too_long(*window_secs)?;
                match (not_after, self.latest_date(now)) {
                    (Some(end), Some(latest)) if *end > latest.expires_at_unix() => {
                        Err(PolicyViolation::EndTooFar { latest })
                    }
                    _ => Ok(()),
                }
            }
        }
    }

    /// An auto-refresh token's absolute end under the maximum lifetime: no use lets a token
    /// chosen at `now` live past `now` plus the maximum, so a token used often enough no
    /// longer lives for ever.
    pub fn cap_total_age(&self, expiry: ExpirySpec, now: i64) -> ExpirySpec {
        match (expiry, self.max_lifetime()) {
            (
                ExpirySpec::AutoRefresh {
                    window_secs,
                    not_after,
                },
                Some(max),
            ) => {
                let cap = now.saturating_add(i64::try_from(max.as_secs()).unwrap_or(i64::MAX));
                ExpirySpec::AutoRefresh {
                    window_secs,
                    not_after: Some(not_after.map_or(cap, |end| end.min(cap))),
                }
            }
            (other, _) => other,
        }
    }

    /// The longest a regeneration may keep the old value working.
    pub fn max_grace(&self) -> RotationGrace {
        RotationGrace::longest(self.max_rotation_grace_secs)
    }

    /// Whether tokens with the API set `id` must list the addresses they may be used from.
    pub fn requires_allowed_ips(&self, id: &str) -> bool {
        self.allowed_ips_required_for.iter().any(|set| set == id)
    }

    pub fn allows_set(&self, id: &str) -> bool {
        self.api_sets
            .as_ref()
            .is_none_or(|allowed| allowed.iter().any(|a| a == id))
    }

    /// What a new token's API starts as when none is chosen: the narrowest predefined set the
    /// policy allows (fewest methods; the catalog's order breaks ties), so that leaving the
    /// choice alone grants least; else an empty hand-picked list.
    pub fn default_api(&self, catalog: &Catalog) -> ApiSelection {
        catalog
            .sets()
            .iter()
            .filter(|set| self.allows_set(&set.id))
            .min_by_key(|set| set.methods.len())
            .map_or_else(
                || ApiSelection::Custom(Vec::new()),
                |set| ApiSelection::Set(set.id.clone()),
            )
    }

    pub fn check_api(
        &self,
        selection: &ApiSelection,
        catalog: &Catalog,
    ) -> Result<(), PolicyViolation> {
        match selection {
            ApiSelection::Set(id) if !self.allows_set(id) => Err(PolicyViolation::SetNotAllowed(
                catalog
                    .set(id)
                    .map_or_else(|| id.clone(), |set| set.title.clone()),
            )),
            ApiSelection::Custom(_) if !self.custom_allowed => {
                Err(PolicyViolation::CustomNotAllowed)
            }
            _ => Ok(()),
        }
    }

    /// What in an existing token the policy would not allow were it made now, in words;
    /// empty when nothing. Tokens made before a policy change keep working: this is for an
    /// admin deciding what to do about them.
    pub fn objections(&self, token: &TokenView, catalog: &Catalog, now: i64) -> Vec<String> {
        let mut objections = Vec::new();
        if let Err(violation) = self.check_api(&token.api, catalog) {
            objections.push(violation.to_string());
        }
        let max = self.max_lifetime();
        match (token.expiration, token.expires_at) {
            (ExpirationModel::Never, _) | (_, None) if self.expiry_required || max.is_some() => {
                objections.push("It never expires; the policy requires an expiry.".to_owned());
            }
            (ExpirationModel::HardLimit, Some(end)) => {
                if let Some(max) = max
                    && end - now > max.as_secs() as i64
                {
                    objections.push(format!(
                        "It ends on {}, later than the policy's {max} from now.",
                        format_dmy(end - 1)
                    ));
                }
            }
            (ExpirationModel::AutoRefresh, Some(_)) => {
                if let Some(max) = max {
                    if token
                        .refresh_window_secs
                        .is_some_and(|window| window > max.as_secs() as i64)
                    {
                        objections.push(format!(
                            "Its auto-refresh window is longer than the policy's {max}."
                        ));
                    }
                    if token.not_after.is_none() {
                        objections.push(
                            "Used often enough, it never ends; the policy caps a token's life."
                                .to_owned(),
                        );
                    }
                }
            }
            _ => {}
        }
        if let ApiSelection::Set(id) = &token.api
            && self.requires_allowed_ips(id)
            && token.allowed_ips.is_empty()
        {
            objections.push(
                "It may be used from any address; the policy requires a list for its API set."
                    .to_owned(),
            );
        }
        objections
    }

    /// One line per rule, for people reading the policy.
    pub fn summary(&self, catalog: &Catalog) -> Vec<String> {
        let mut lines = vec![match self.max_lifetime() {
            Some(max) => format!("Tokens live at most {max}."),
            None if self.expiry_required => "Tokens must have an expiry.".to_owned(),
            None => "Tokens may live without an expiry.".to_owned(),
        }];
        lines.push(match &self.api_sets {
            None => "Every predefined API set may be chosen.".to_owned(),
            Some(ids) if ids.is_empty() => "No predefined API set may be chosen.".to_owned(),
            Some(ids) => format!(
                "API sets allowed: {}.",
                ids.iter()
                    .map(|id| catalog.set(id).map_or(id.as_str(), |s| s.title.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        lines.push(if self.custom_allowed {
            "Hand-picked methods (Custom) are allowed.".to_owned()
        } else {
            "Hand-picked methods (Custom) are not allowed.".to_owned()
        });
        if let Some(limit) = self.owner_rate_limit {
            lines.push(format!(
                "Each person's tokens together make at most {limit} calls."
            ));
        }
        if !self.allowed_ips_required_for.is_empty() {
            lines.push(format!(
                "Tokens must list their allowed addresses for: {}.",
                self.allowed_ips_required_for
                    .iter()
                    .map(|id| catalog.set(id).map_or(id.as_str(), |s| s.title.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if self.max_rotation_grace_secs.is_some() {
            lines.push(format!(
                "A regenerated token's old value keeps working for at most {}.",
                self.max_grace()
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::ExpiryDateWire;

    const NOON_1_MARCH_2027: i64 = 1_803_902_400;

    fn limited(days: u64) -> TokenPolicy {
        TokenPolicy {
            max_lifetime_secs: Some(days * 86_400),
            ..TokenPolicy::default()
        }
    }

    fn until(raw: &str) -> ExpirySpec {
        ExpirySpec::Until {
            date: ExpiryDateWire(ExpiryDate::parse_dmy(raw).unwrap()),
        }
    }

    #[test]
    fn the_default_allows_everything() {
        let policy = TokenPolicy::default();
        assert_eq!(policy.check_expiry(&ExpirySpec::Never, 0), Ok(()));
        assert!(policy.allows_set("anything"));
    }

    #[test]
    fn a_maximum_lifetime_bounds_dates_durations_and_windows() {
        let now = NOON_1_MARCH_2027;
        assert_eq!(ExpiryDate::of_unix(now).to_string(), "01-03-2027");
        let policy = limited(30);
        // Valid through 30-03 ends at 31-03 00:00, within 30 days of 01-03 noon.
        assert_eq!(policy.latest_date(now).unwrap().to_string(), "30-03-2027");
        assert_eq!(policy.check_expiry(&until("30-03-2027"), now), Ok(()));
        assert!(matches!(
            policy.check_expiry(&until("31-03-2027"), now),
            Err(PolicyViolation::DateTooFar(DateError::TooFar { .. }))
        ));
        let day = 86_400;
        assert_eq!(
            policy.check_expiry(&ExpirySpec::For { secs: 30 * day }, now),
            Ok(())
        );
        assert!(matches!(
            policy.check_expiry(&ExpirySpec::For { secs: 30 * day + 1 }, now),
            Err(PolicyViolation::TooLong { .. })
        ));
        assert!(matches!(
            policy.check_expiry(
                &ExpirySpec::AutoRefresh {
                    window_secs: 31 * day,
                    not_after: None,
                },
                now
            ),
            Err(PolicyViolation::TooLong { .. })
        ));
        assert_eq!(
            policy.check_expiry(&ExpirySpec::Never, now),
            Err(PolicyViolation::ExpiryRequired)
        );
    }

    #[test]
    fn an_expiry_can_be_required_without_a_limit() {
        let policy = TokenPolicy {
            expiry_required: true,
            ..TokenPolicy::default()
        };
        assert_eq!(
            policy.check_expiry(&ExpirySpec::Never, 0),
            Err(PolicyViolation::ExpiryRequired)
        );
        assert_eq!(
            policy.check_expiry(&until("31-12-2099"), NOON_1_MARCH_2027),
            Ok(())
        );
    }

    #[test]
    fn sets_and_custom_selections_can_be_closed() {
        let policy = TokenPolicy {
            api_sets: Some(vec!["marketplace".into()]),
            custom_allowed: false,
            ..TokenPolicy::default()
        };
        assert!(policy.allows_set("marketplace"));
        assert!(!policy.allows_set("extended_access"));
        let catalog = crate::catalog::tests::shipped();
        assert_eq!(
            policy.default_api(&catalog),
            ApiSelection::Set("marketplace".into())
        );
        let open = TokenPolicy::default();
        let narrowest = catalog
            .sets()
            .iter()
            .min_by_key(|set| set.methods.len())
            .unwrap();
        assert_eq!(
            open.default_api(&catalog),
            ApiSelection::Set(narrowest.id.clone())
        );
        assert_ne!(
            narrowest.id, "extended_access",
            "the broadest set is never the default"
        );
        assert_eq!(
            policy.check_api(&ApiSelection::Set("ide_plugins".into()), &catalog),
            Err(PolicyViolation::SetNotAllowed("IDE Plugins".into()))
        );
        assert_eq!(
            policy.check_api(&ApiSelection::Custom(Vec::new()), &catalog),
            Err(PolicyViolation::CustomNotAllowed)
        );
    }

    #[test]
    fn a_custom_selection_is_allowed_where_custom_is_open() {
        let catalog = crate::catalog::tests::shipped();
        let open = TokenPolicy::default();
        assert_eq!(
            open.check_api(&ApiSelection::Custom(Vec::new()), &catalog),
            Ok(())
        );
        assert_eq!(
            open.check_api(&ApiSelection::Set("marketplace".into()), &catalog),
            Ok(())
        );
    }

    #[test]
    fn some_api_is_allowed_unless_every_set_and_custom_are_closed() {
        let policy = |api_sets: Option<Vec<String>>, custom_allowed| TokenPolicy {
            api_sets,
            custom_allowed,
            ..TokenPolicy::default()
        };
        assert!(policy(None, false).allows_some_api());
        assert!(policy(Some(vec!["marketplace".into()]), false).allows_some_api());
        assert!(policy(Some(Vec::new()), true).allows_some_api());
        assert!(!policy(Some(Vec::new()), false).allows_some_api());
    }

    #[test]
    fn the_summary_has_a_line_per_rule() {
        let catalog = crate::catalog::tests::shipped();
        assert_eq!(
            TokenPolicy::default().summary(&catalog),
            [
                "Tokens may live without an expiry.",
                "Every predefined API set may be chosen.",
                "Hand-picked methods (Custom) are allowed.",
            ]
        );
        let strict = TokenPolicy {
            max_lifetime_secs: Some(30 * 86_400),
            api_sets: Some(vec!["marketplace".into(), "maven_plugin".into()]),
            custom_allowed: false,
            ..TokenPolicy::default()
        };
        assert_eq!(
            strict.summary(&catalog),
            [
                "Tokens live at most 30d.",
                "API sets allowed: Marketplace, Maven Plugin.",
                "Hand-picked methods (Custom) are not allowed.",
            ]
        );
        let closed = TokenPolicy {
            expiry_required: true,
            api_sets: Some(Vec::new()),
            ..TokenPolicy::default()
        };
        assert_eq!(
            closed.summary(&catalog)[..2],
            [
                "Tokens must have an expiry.",
                "No predefined API set may be chosen.",
            ]
        );
    }

    #[test]
    fn objections_name_each_rule_an_existing_token_breaks() {
        let catalog = crate::catalog::tests::shipped();
        let now = NOON_1_MARCH_2027;
        let never = TokenView::sample();
        assert!(
            TokenPolicy::default()
                .objections(&never, &catalog, now)
                .is_empty()
        );

        let strict = TokenPolicy {
            api_sets: Some(vec!["marketplace".to_owned()]),
            allowed_ips_required_for: vec!["maven_plugin".to_owned()],
            ..limited(30)
        };
        let objections = strict.objections(&never, &catalog, now);
        assert_eq!(objections.len(), 3, "{objections:?}");
        assert!(objections[0].contains("Maven Plugin"));
        assert!(objections[1].contains("never expires"));
        assert!(objections[2].contains("any address"));

        let long = TokenView {
            api: ApiSelection::Set("marketplace".into()),
            expiration: ExpirationModel::HardLimit,
            expires_at: Some(now + 40 * 86_400),
            ..TokenView::sample()
        };
        let objections = strict.objections(&long, &catalog, now);
        assert_eq!(objections.len(), 1, "{objections:?}");
        assert!(objections[0].contains("later than"));
        let short = TokenView {
            expires_at: Some(now + 20 * 86_400),
            ..long
        };
        assert!(strict.objections(&short, &catalog, now).is_empty());
    }
}
