//! When a token stops working: its expiration model, and the one rule for how a use moves an
//! auto-refresh token's expiry.

use serde::{Deserialize, Serialize};

use super::ExpirySpec;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpirationModel {
    Never,
    HardLimit,
    AutoRefresh,
}

impl ExpirationModel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Never => "never",
            Self::HardLimit => "hard_limit",
            Self::AutoRefresh => "auto_refresh",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "never" => Some(Self::Never),
            "hard_limit" => Some(Self::HardLimit),
            "auto_refresh" => Some(Self::AutoRefresh),
            _ => None,
        }
    }
}

/// A token's expiry as stored. Storage parses its three columns into this at the edge; every
/// "is it expired" and "where does a use slide it" question is answered here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Never,
    /// Through `at` (unix seconds), whatever happens.
    HardLimit {
        at: i64,
    },
    /// At `at`, unless used before: each use moves `at` to the use plus `window_secs`, but
    /// never past `not_after`, the absolute end, when there is one.
    AutoRefresh {
        at: i64,
        window_secs: i64,
        not_after: Option<i64>,
    },
}

impl Expiry {
    /// The stored columns, if they agree with each other.
    pub fn from_columns(
        model: &str,
        at: Option<i64>,
        window_secs: Option<i64>,
        not_after: Option<i64>,
    ) -> Option<Self> {
        match (ExpirationModel::parse(model)?, at, window_secs, not_after) {
            (ExpirationModel::Never, None, None, None) => Some(Self::Never),
            (ExpirationModel::HardLimit, Some(at), None, None) => Some(Self::HardLimit { at }),
            (ExpirationModel::AutoRefresh, Some(at), Some(window_secs), not_after)
                if window_secs > 0 && not_after.is_none_or(|end| at <= end) =>
            {
                Some(Self::AutoRefresh {
                    at,
                    window_secs,
                    not_after,
                })
            }
            _ => None,
        }
    }

    pub fn model(self) -> ExpirationModel {
        match self {
            Self::Never => ExpirationModel::Never,
            Self::HardLimit { .. } => ExpirationModel::HardLimit,
            Self::AutoRefresh { .. } => ExpirationModel::AutoRefresh,
        }
    }

    /// Unix seconds; `None` for a token that never expires.
    pub fn at(self) -> Option<i64> {
        match self {
            Self::Never => None,
            Self::HardLimit { at } | Self::AutoRefresh { at, .. } => Some(at),
        }
    }

    pub fn window_secs(self) -> Option<i64> {
        match self {
            Self::AutoRefresh { window_secs, .. } => Some(window_secs),
            _ => None,
        }
    }

    /// An auto-refresh token's absolute end, if it has one.
    pub fn not_after(self) -> Option<i64> {
        match self {
            Self::AutoRefresh { not_after, .. } => not_after,
            _ => None,
        }
    }

    pub fn has_passed(self, now: i64) -> bool {
        self.at().is_some_and(|at| at <= now)
    }

    /// The expiry after a use at `used_at`: an auto-refresh token's moves to the use plus its
    /// window, never back (uses may be recorded out of order) and never past its absolute end.
    pub fn after_use(self, used_at: i64) -> Self {
        match self {
            Self::AutoRefresh {
                at,
                window_secs,
                not_after,
            } => Self::AutoRefresh {
                at: at
                    .max(used_at.saturating_add(window_secs))
                    .min(not_after.unwrap_or(i64::MAX)),
                window_secs,
                not_after,
            },
            other => other,
        }
    }
}

impl ExpirySpec {
    /// The expiry this choice gives a token made or edited at `now`.
    pub fn starting_at(self, now: i64) -> Expiry {
        let secs = |secs: u64| i64::try_from(secs).unwrap_or(i64::MAX);
        match self {
            Self::Never => Expiry::Never,
            Self::Until { date } => Expiry::HardLimit {
                at: date.0.expires_at_unix(),
            },
            Self::For { secs: lifetime } => Expiry::HardLimit {
                at: now.saturating_add(secs(lifetime)),
            },
            Self::AutoRefresh {
                window_secs,
                not_after,
            } => Expiry::AutoRefresh {
                at: now
                    .saturating_add(secs(window_secs))
                    .min(not_after.unwrap_or(i64::MAX)),
                window_secs: secs(window_secs),
                not_after,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_use_slides_only_auto_refresh_and_never_back() {
        let sliding = Expiry::AutoRefresh {
            at: 1_000,
            window_secs: 600,
            not_after: None,
        };
        assert_eq!(sliding.after_use(900).at(), Some(1_500));
        assert_eq!(sliding.after_use(100).at(), Some(1_000));
        assert_eq!(
            Expiry::HardLimit { at: 1_000 }.after_use(900).at(),
            Some(1_000)
        );
        assert_eq!(Expiry::Never.after_use(900), Expiry::Never);
    }

    #[test]
    fn an_absolute_end_caps_every_slide() {
        let capped = Expiry::AutoRefresh {
            at: 1_000,
            window_secs: 600,
            not_after: Some(1_200),
        };
        assert_eq!(capped.after_use(900).at(), Some(1_200));
        assert_eq!(capped.after_use(5_000).at(), Some(1_200));
        assert!(capped.after_use(5_000).has_passed(1_200));
        assert_eq!(capped.not_after(), Some(1_200));
        assert_eq!(Expiry::HardLimit { at: 5 }.not_after(), None);
        let spec = ExpirySpec::AutoRefresh {
            window_secs: 600,
            not_after: Some(1_300),
        };
        assert_eq!(spec.starting_at(1_000).at(), Some(1_300));
        assert_eq!(spec.starting_at(100).at(), Some(700));
    }

    #[test]
    fn columns_that_disagree_are_refused() {
        assert_eq!(
            Expiry::from_columns("never", None, None, None),
            Some(Expiry::Never)
        );
        assert_eq!(Expiry::from_columns("hard_limit", None, None, None), None);
        assert_eq!(
            Expiry::from_columns("hard_limit", Some(5), None, Some(9)),
            None
        );
        assert_eq!(
            Expiry::from_columns("auto_refresh", Some(5), None, None),
            None
        );
        assert_eq!(
            Expiry::from_columns("auto_refresh", Some(5), Some(0), None),
            None
        );
        assert_eq!(
            Expiry::from_columns("auto_refresh", Some(5), Some(60), Some(4)),
            None
        );
        assert_eq!(Expiry::from_columns("forever", None, None, None), None);
        assert_eq!(
            Expiry::from_columns("auto_refresh", Some(5), Some(60), Some(5)),
            Some(Expiry::AutoRefresh {
                at: 5,
                window_secs: 60,
                not_after: Some(5),
            })
        );
    }

    #[test]
    fn it_has_passed_at_its_instant() {
        let hard = Expiry::HardLimit { at: 10 };
        assert!(!hard.has_passed(9));
        assert!(hard.has_passed(10));
        assert!(!Expiry::Never.has_passed(i64::MAX));
    }

    #[test]
    fn models_read_back_as_stored() {
        for model in [
            ExpirationModel::Never,
            ExpirationModel::HardLimit,
            ExpirationModel::AutoRefresh,
        ] {
            assert_eq!(ExpirationModel::parse(model.as_str()), Some(model));
        }
        assert_eq!(ExpirationModel::HardLimit.as_str(), "hard_limit");
        assert_eq!(
            Expiry::from_columns("hard_limit", Some(5), None, None),
            Some(Expiry::HardLimit { at: 5 })
        );
        let sliding = Expiry::AutoRefresh {
            at: 5,
            window_secs: 60,
            not_after: None,
        };
        assert_eq!(sliding.window_secs(), Some(60));
        assert_eq!(Expiry::HardLimit { at: 5 }.window_secs(), None);
        assert_eq!(Expiry::Never.window_secs(), None);
    }
}
