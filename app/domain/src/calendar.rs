//! Calendar dates from unix time, without a time-zone database: all dates are UTC.

/// `(year, month, day)` of a unix time in seconds (proleptic Gregorian, UTC).
pub fn civil_date(unix_secs: i64) -> (i64, u32, u32) {
    // Howard Hinnant's days-to-civil algorithm.
    let days = unix_secs.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Unix seconds at 00:00 UTC of a date (the inverse of [`civil_date`]).
pub fn unix_midnight(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_index = i64::from(if month > 2 { month - 3 } else { month + 9 });
    let day_of_year = (153 * month_index + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era - 719_468) * 86_400
}

pub fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The date as the dashboard shows it: `dd-mm-yyyy`.
pub fn format_dmy(unix_secs: i64) -> String {
    let (year, month, day) = civil_date(unix_secs);
    format!("{day:02}-{month:02}-{year:04}")
}

/// An instant as RFC 3339 in UTC, to the second: `2027-06-30T00:00:00Z`.
pub fn format_rfc3339(unix_secs: i64) -> String {
    let (year, month, day) = civil_date(unix_secs);
    let secs = unix_secs.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn instants_print_as_rfc3339_utc() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_rfc3339(1_803_902_400 + 3_723),
            "2027-03-01T13:02:03Z"
        );
    }

    proptest! {
        #[test]
        fn unix_midnight_inverts_civil_date(days in -800_000i64..800_000) {
            let midnight = days * 86_400;
            let (year, month, day) = civil_date(midnight + 12_345);
            prop_assert_eq!(unix_midnight(year, month, day), midnight);
            prop_assert!(day <= days_in_month(year, month));
        }
    }

    #[test]
    fn known_dates() {
        assert_eq!(format_dmy(0), "01-01-1970");
        assert_eq!(format_dmy(951_782_400), "29-02-2000");
        assert_eq!(format_dmy(1_795_996_799), "29-11-2026");
        assert_eq!(format_dmy(-86_400), "31-12-1969");
    }
}
