//! A token lifetime typed as a number and a unit: `90s`, `15m`, `12h`, `30d`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Lifetime {
    secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifetimeError {
    #[error("Enter a duration such as 90s, 15m, 12h or 30d.")]
    Empty,
    #[error(
        "“{0}” is not a duration: use a whole number and a unit, such as 90s, 15m, 12h or 30d."
    )]
    Malformed(String),
    #[error("“{0}” has an unknown unit: use s (seconds), m (minutes), h (hours) or d (days).")]
    UnknownUnit(String),
    #[error("A duration must be longer than zero.")]
    Zero,
    #[error("A duration is at most {} days.", Lifetime::MAX_DAYS)]
    TooLong,
}

impl Lifetime {
    pub const MAX_DAYS: u64 = 3650;

    pub fn parse(raw: &str) -> Result<Self, LifetimeError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(LifetimeError::Empty);
        }
        let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
        let (number, unit) = raw.split_at(split);
        if number.is_empty() || unit.is_empty() {
            return Err(LifetimeError::Malformed(raw.to_owned()));
        }
        let multiplier = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ if unit.chars().all(char::is_alphabetic) => {
                return Err(LifetimeError::UnknownUnit(raw.to_owned()));
            }
            _ => return Err(LifetimeError::Malformed(raw.to_owned())),
        };
        let number: u64 = number.parse().map_err(|_| LifetimeError::TooLong)?;
        let secs = number
            .checked_mul(multiplier)
            .ok_or(LifetimeError::TooLong)?;
        Self::from_secs(secs)
    }

    /// A duration (`12h`) or a bare number of seconds (`3600`, as the CLI's `-a` takes it).
    pub fn parse_or_secs(raw: &str) -> Result<Self, LifetimeError> {
        let raw = raw.trim();
        if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
            raw.parse::<u64>()
                .map_err(|_| LifetimeError::TooLong)
                .and_then(Self::from_secs)
        } else {
            Self::parse(raw)
        }
    }

    pub fn from_secs(secs: u64) -> Result<Self, LifetimeError> {
        match secs {
            0 => Err(LifetimeError::Zero),
            s if s > Self::MAX_DAYS * 86_400 => Err(LifetimeError::TooLong),
            secs => Ok(Self { secs }),
        }
    }

    pub fn as_secs(self) -> u64 {
        self.secs
    }
}

/// The largest whole unit: `30d`, `36h`, `90s`.
impl fmt::Display for Lifetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.secs;
        let (amount, unit) = [(86_400, "d"), (3600, "h"), (60, "m")]
            .into_iter()
            .find(|(unit_secs, _)| secs.is_multiple_of(*unit_secs))
            .map_or((secs, "s"), |(unit_secs, unit)| (secs / unit_secs, unit));
        write!(f, "{amount}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_documented_examples() {
        assert_eq!(Lifetime::parse("90s").unwrap().as_secs(), 90);
        assert_eq!(Lifetime::parse("15m").unwrap().as_secs(), 900);
        assert_eq!(Lifetime::parse("12h").unwrap().as_secs(), 43_200);
        assert_eq!(Lifetime::parse(" 30d ").unwrap().as_secs(), 2_592_000);
    }

    #[test]
    fn errors_say_which_part_is_wrong() {
        assert_eq!(Lifetime::parse(""), Err(LifetimeError::Empty));
        assert_eq!(
            Lifetime::parse("30"),
            Err(LifetimeError::Malformed("30".into()))
        );
        assert_eq!(
            Lifetime::parse("d"),
            Err(LifetimeError::Malformed("d".into()))
        );
        assert_eq!(
            Lifetime::parse("3w"),
            Err(LifetimeError::UnknownUnit("3w".into()))
        );
        assert_eq!(
            Lifetime::parse("-3d"),
            Err(LifetimeError::Malformed("-3d".into()))
        );
        assert_eq!(
            Lifetime::parse("1.5h"),
            Err(LifetimeError::Malformed("1.5h".into()))
        );
        assert_eq!(Lifetime::parse("0s"), Err(LifetimeError::Zero));
        assert_eq!(Lifetime::parse("3651d"), Err(LifetimeError::TooLong));
        assert_eq!(
            Lifetime::parse("99999999999999999999999d"),
            Err(LifetimeError::TooLong)
        );
    }

    proptest! {
        #[test]
        fn number_and_unit_round_trip(n in 1u64..=3650, unit in proptest::sample::select(vec![("s", 1u64), ("m", 60), ("h", 3600), ("d", 86_400)])) {
            let parsed = Lifetime::parse(&format!("{n}{}", unit.0)).unwrap();
            prop_assert_eq!(parsed.as_secs(), n * unit.1);
            prop_assert_eq!(Lifetime::parse(&parsed.to_string()).unwrap(), parsed);
        }

        #[test]
        fn arbitrary_text_never_panics(raw in ".{0,30}") {
            let _ = Lifetime::parse(&raw);
        }
    }

    #[test]
    fn the_longest_lifetime_is_allowed_and_a_second_more_is_not() {
        let longest = Lifetime::MAX_DAYS * 86_400;
        assert_eq!(Lifetime::from_secs(longest).unwrap().as_secs(), longest);
        assert_eq!(
            Lifetime::from_secs(longest + 1),
            Err(LifetimeError::TooLong)
        );
    }
}
