//! The date a token is valid through, typed as `dd-mm-yyyy` in the dashboard or ISO 8601
//! (`yyyy-mm-dd`) in the API. All dates are UTC: a token is valid until the end of its date.

use std::fmt;

use crate::calendar::{MONTH_NAMES, civil_date, days_in_month, unix_midnight};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpiryDate {
    year: i64,
    month: u32,
    day: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("Enter a date as dd-mm-yyyy, for example 31-12-2027.")]
    Empty,
    #[error("“{0}” is not a date: write dd-mm-yyyy, for example 31-12-2027 (or yyyy-mm-dd).")]
    Malformed(String),
    #[error("“{0}” is not in the yyyy-mm-dd format, for example 2027-12-31.")]
    MalformedIso(String),
    #[error("{month} is not a month: months go from 01 to 12.")]
    NoSuchMonth { month: u32 },
    #[error("{shown} is not a date: {month_name} {year} has {days} days.")]
    NoSuchDay {
        shown: String,
        month_name: &'static str,
        year: i64,
        days: u32,
    },
    #[error("{0} is in the past: choose today or a later date.")]
    InPast(String),
    #[error("{shown} is too far ahead: the latest allowed date is {latest}.")]
    TooFar { shown: String, latest: String },
}

impl ExpiryDate {
    /// `dd-mm-yyyy`, as typed in the dashboard (one-digit day and month are accepted).
    pub fn parse_dmy(raw: &str) -> Result<Self, DateError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(DateError::Empty);
        }
        let malformed = || DateError::Malformed(raw.to_owned());
        let [day, month, year] = split_numbers(raw, [2, 2, 4]).ok_or_else(malformed)?;
        Self::new(year, month, day)
    }

    /// Either form, told apart by the first group: four digits for `yyyy-mm-dd`, else
    /// `dd-mm-yyyy`. What every surface that takes a date from a person or client uses.
    pub fn parse(raw: &str) -> Result<Self, DateError> {
        let trimmed = raw.trim();
        let iso = trimmed
            .split('-')
            .next()
            .is_some_and(|first| first.len() == 4);
        let parsed = if iso {
            Self::parse_iso(trimmed)
        } else {
            Self::parse_dmy(trimmed)
        };
        parsed.map_err(|e| match e {
            DateError::MalformedIso(raw) => DateError::Malformed(raw),
            other => other,
        })
    }

    /// `yyyy-mm-dd`, as sent to the REST API.
    pub fn parse_iso(raw: &str) -> Result<Self, DateError> {
        let raw = raw.trim();
        let malformed = || DateError::MalformedIso(raw.to_owned());
        let [year, month, day] = split_numbers(raw, [4, 2, 2]).ok_or_else(malformed)?;
        Self::new(year, month, day)
    }

    fn new(year: u32, month: u32, day: u32) -> Result<Self, DateError> {
        let year = i64::from(year);
        if !(1..=12).contains(&month) {
            return Err(DateError::NoSuchMonth { month });
        }
        let days = days_in_month(year, month);
        if day == 0 || day > days {
            return Err(DateError::NoSuchDay {
                shown: format!("{day:02}-{month:02}-{year:04}"),
                month_name: MONTH_NAMES[month as usize - 1],
                year,
                days,
            });
        }
        Ok(Self { year, month, day })
    }

    /// The UTC date of a unix time.
    pub fn of_unix(unix_secs: i64) -> Self {
        let (year, month, day) = civil_date(unix_secs);
        Self { year, month, day }
    }

    /// Refuses dates before `today`, or after `latest` when a policy sets one.
    pub fn check_range(self, today: Self, latest: Option<Self>) -> Result<Self, DateError> {
        if self < today {
            return Err(DateError::InPast(self.to_string()));
        }
        match latest {
            Some(latest) if self > latest => Err(DateError::TooFar {
                shown: self.to_string(),
                latest: latest.to_string(),
            }),
            _ => Ok(self),
        }
    }

    /// The instant the token stops working: the start of the next day, UTC.
    pub fn expires_at_unix(self) -> i64 {
        unix_midnight(self.year, self.month, self.day) + 86_400
    }

    pub fn year(self) -> i64 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn to_iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// `dd-mm-yyyy`.
impl fmt::Display for ExpiryDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}-{:04}", self.day, self.month, self.year)
    }
}

/// Three `-`-separated groups of digits, each at most (and for a year exactly) as long as
/// `widths` says; a single-digit day or month is fine.
fn split_numbers(raw: &str, widths: [usize; 3]) -> Option<[u32; 3]> {
    let parts: Vec<&str> = raw.split('-').collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let mut out = [0u32; 3];
    for (i, (part, width)) in [a, b, c].into_iter().zip(widths).enumerate() {
        let fits = if width == 4 {
            part.len() == 4
        } else {
            (1..=width).contains(&part.len())
        };
        if !fits || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out[i] = part.parse().ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn date(raw: &str) -> ExpiryDate {
        ExpiryDate::parse_dmy(raw).unwrap()
    }

    #[test]
    fn impossible_dates_say_why() {
        assert_eq!(
            ExpiryDate::parse_dmy("31-02-2027").unwrap_err().to_string(),
            "31-02-2027 is not a date: February 2027 has 28 days."
        );
        assert_eq!(
            ExpiryDate::parse_dmy("29-02-2100").unwrap_err().to_string(),
            "29-02-2100 is not a date: February 2100 has 28 days."
        );
        assert!(ExpiryDate::parse_dmy("29-02-2028").is_ok());
        assert_eq!(
            ExpiryDate::parse_dmy("10-13-2027"),
            Err(DateError::NoSuchMonth { month: 13 })
        );
        assert!(matches!(
            ExpiryDate::parse_dmy("00-01-2027"),
            Err(DateError::NoSuchDay { .. })
        ));
    }

    #[test]
    fn malformed_input_is_named() {
        for raw in [
            "2027-12-31",
            "31/12/2027",
            "31-12-27",
            "31-12-2027-1",
            "a1-12-2027",
            "+1-12-2027",
        ] {
            assert_eq!(
                ExpiryDate::parse_dmy(raw),
                Err(DateError::Malformed(raw.into())),
                "{raw}"
            );
        }
        assert_eq!(ExpiryDate::parse_dmy("  "), Err(DateError::Empty));
        assert_eq!(date("1-2-2027"), date("01-02-2027"));
        assert_eq!(
            ExpiryDate::parse_iso("2027-12-31").unwrap(),
            date("31-12-2027")
        );
        assert!(matches!(
            ExpiryDate::parse_iso("31-12-2027"),
            Err(DateError::MalformedIso(_))
        ));
        assert_eq!(ExpiryDate::parse("2027-12-31"), Ok(date("31-12-2027")));
        assert_eq!(ExpiryDate::parse(" 31-12-2027"), Ok(date("31-12-2027")));
        assert_eq!(
            ExpiryDate::parse("2027/12/31"),
            Err(DateError::Malformed("2027/12/31".into()))
        );
        assert_eq!(
            ExpiryDate::parse("2027-12-3x"),
            Err(DateError::Malformed("2027-12-3x".into()))
        );
    }

    #[test]
    fn past_and_beyond_policy_dates_are_refused() {
        let today = date("24-11-2026");
        assert_eq!(date("24-11-2026").check_range(today, None), Ok(today));
        assert_eq!(
            date("23-11-2026")
                .check_range(today, None)
                .unwrap_err()
                .to_string(),
            "23-11-2026 is in the past: choose today or a later date."
        );
        let latest = Some(date("24-12-2026"));
        assert!(matches!(
            date("25-12-2026").check_range(today, latest),
            Err(DateError::TooFar { .. })
        ));
    }

    #[test]
    fn a_token_lives_through_the_end_of_its_date() {
        let expires = date("31-12-2026").expires_at_unix();
        assert_eq!(ExpiryDate::of_unix(expires - 1), date("31-12-2026"));
        assert_eq!(ExpiryDate::of_unix(expires), date("01-01-2027"));
    }

    proptest! {
        #[test]
        fn valid_dates_round_trip(year in 1970u32..=9999, month in 1u32..=12, day in 1u32..=31) {
            let raw = format!("{day:02}-{month:02}-{year:04}");
            match ExpiryDate::parse_dmy(&raw) {
                Ok(parsed) => {
                    prop_assert_eq!(parsed.to_string(), raw);
                    prop_assert_eq!(ExpiryDate::parse_iso(&parsed.to_iso()).unwrap(), parsed);
                    prop_assert_eq!(ExpiryDate::of_unix(parsed.expires_at_unix() - 1), parsed);
                }
                Err(DateError::NoSuchDay { days, .. }) => prop_assert!(day > days),
                Err(other) => prop_assert!(false, "{raw}: {other}"),
            }
        }

        #[test]
        fn arbitrary_text_never_panics(raw in ".{0,20}") {
            let _ = ExpiryDate::parse_dmy(&raw);
            let _ = ExpiryDate::parse_iso(&raw);
        }
    }

    #[test]
    fn a_date_tells_its_year_and_month() {
        let date = ExpiryDate::parse_dmy("31-12-2027").unwrap();
        assert_eq!((date.year(), date.month()), (2027, 12));
    }
}
