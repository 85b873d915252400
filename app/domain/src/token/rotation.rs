//! Rotation with a grace period: after a regeneration the old value may keep working for a
//! while, so that whatever still uses it can be updated without a break. The grace ends when
//! its time is up or when the new value is first used, whichever comes first.

use std::fmt;

use super::{Lifetime, LifetimeError};

/// How long a regenerated token's old value keeps working at most; `none` ends it at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct RotationGrace {
    secs: u64,
}

/// The longest grace any server allows (a policy may lower it).
pub const MAX_GRACE_SECS: u64 = 7 * 86_400;

/// The dashboard's choices: what a person reads, and the value sent.
pub const GRACE_CHOICES: [(&str, &str); 4] = [
    ("no time", ""),
    ("1 hour", "1h"),
    ("1 day", "1d"),
    ("7 days", "7d"),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraceError {
    #[error("Grace period: {0}")]
    Duration(LifetimeError),
    #[error("The old value can keep working for at most {max}.")]
    TooLong { max: RotationGrace },
}

impl RotationGrace {
    /// The old value stops at once.
    pub const NONE: Self = Self { secs: 0 };

    /// A duration such as `1h`, `90m` or `7d`, at most 7 days; empty or `0` for none.
    pub fn parse(raw: &str) -> Result<Self, GraceError> {
        let raw = raw.trim();
        if raw.is_empty() || raw == "0" {
            return Ok(Self::NONE);
        }
        match Lifetime::parse(raw) {
            Ok(lifetime) => Self::within(lifetime.as_secs(), MAX_GRACE_SECS),
            // `0s`, `0h`: none, as `0` is.
            Err(LifetimeError::Zero) => Ok(Self::NONE),
            Err(error) => Err(GraceError::Duration(error)),
        }
    }

    /// The longest grace a policy allowing at most `max_secs` (`None`: the server's longest)
    /// gives.
    pub fn longest(max_secs: Option<u64>) -> Self {
        Self {
            secs: max_secs.unwrap_or(MAX_GRACE_SECS).min(MAX_GRACE_SECS),
        }
    }

    /// This grace if a policy allowing at most `max_secs` (`None`: the server's longest) lets
    /// it be.
    pub fn allowed_by(self, max_secs: Option<u64>) -> Result<Self, GraceError> {
        Self::within(self.secs, Self::longest(max_secs).secs)
    }

    fn within(secs: u64, max_secs: u64) -> Result<Self, GraceError> {
        if secs > max_secs {
            return Err(GraceError::TooLong {
                max: Self { secs: max_secs },
            });
        }
        Ok(Self { secs })
    }

    pub fn as_secs(self) -> u64 {
        self.secs
    }

    /// As it would be typed back: `0` for none, else the duration (`1h`, `7d`).
    pub fn typed(self) -> String {
        if self.is_none() {
            "0".to_owned()
        } else {
            self.to_string()
        }
    }

    pub fn is_none(self) -> bool {
        self.secs == 0
    }

    /// When an old value replaced at `now` stops working at the latest; `None`: at once.
    pub fn ends_at(self, now: i64) -> Option<i64> {
        (!self.is_none()).then(|| now.saturating_add(i64::try_from(self.secs).unwrap_or(i64::MAX)))
    }
}

/// `no time`, or the duration as it is typed (`1h`, `7d`).
impl fmt::Display for RotationGrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Lifetime::from_secs(self.secs) {
            Ok(lifetime) => lifetime.fmt(f),
            Err(_) => f.write_str("no time"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_typed_means_no_grace() {
        assert_eq!(RotationGrace::parse(""), Ok(RotationGrace::NONE));
        assert_eq!(RotationGrace::parse(" 0 "), Ok(RotationGrace::NONE));
        assert_eq!(RotationGrace::parse("0h"), Ok(RotationGrace::NONE));
        assert_eq!(RotationGrace::NONE.ends_at(100), None);
        assert_eq!(RotationGrace::NONE.to_string(), "no time");
        assert_eq!(
            RotationGrace::parse(&RotationGrace::NONE.typed()),
            Ok(RotationGrace::NONE)
        );
    }

    #[test]
    fn a_duration_up_to_seven_days_is_a_grace() {
        let hour = RotationGrace::parse("1h").unwrap();
        assert_eq!(hour.as_secs(), 3600);
        assert_eq!(hour.ends_at(100), Some(3700));
        assert_eq!(hour.to_string(), "1h");
        assert_eq!(RotationGrace::parse(&hour.typed()), Ok(hour));
        assert_eq!(
            RotationGrace::parse("7d").unwrap().as_secs(),
            MAX_GRACE_SECS
        );
        assert_eq!(
            RotationGrace::parse("8d"),
            Err(GraceError::TooLong {
                max: RotationGrace {
                    secs: MAX_GRACE_SECS
                }
            })
        );
        assert!(matches!(
            RotationGrace::parse("soon"),
            Err(GraceError::Duration(_))
        ));
        assert_eq!(
            RotationGrace::parse("8d").unwrap_err().to_string(),
            "The old value can keep working for at most 7d."
        );
    }

    #[test]
    fn a_policy_may_lower_the_longest_grace_but_not_raise_it() {
        let day = RotationGrace::parse("1d").unwrap();
        assert_eq!(day.allowed_by(None), Ok(day));
        assert_eq!(day.allowed_by(Some(86_400)), Ok(day));
        assert!(day.allowed_by(Some(3600)).is_err());
        let week = RotationGrace::parse("7d").unwrap();
        assert_eq!(week.allowed_by(Some(30 * 86_400)), Ok(week));
        assert_eq!(
            RotationGrace::NONE.allowed_by(Some(0)),
            Ok(RotationGrace::NONE)
        );
    }

    #[test]
    fn every_dashboard_choice_parses() {
        for (label, value) in GRACE_CHOICES {
            let grace = RotationGrace::parse(value).unwrap();
            assert_eq!(grace.is_none(), value.is_empty(), "{label}");
        }
    }
}
