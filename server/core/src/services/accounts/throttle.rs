//! How long failed password checks make a key wait.
//!
//! Per account (keyed by the login as typed, whether or not it exists, so throttling says
//! nothing about which logins exist): five free failures, then a wait that doubles with each
//! failure up to a minute, and after 20 consecutive failures (NIST SP 800-63B allows up to
//! 100) a 15-minute lockout. Per client address: a 15-minute lockout after 100 failures.
//! A count with no failure for an hour starts again; a success clears the account's count.

use crate::storage::throttle::ThrottleRow;

pub const FORGET_AFTER_SECS: i64 = 60 * 60;
pub const LOCKOUT_SECS: i64 = 15 * 60;
pub const ACCOUNT_FREE_FAILURES: i64 = 5;
pub const ACCOUNT_MAX_DELAY_SECS: i64 = 60;
pub const ACCOUNT_LOCKOUT_FAILURES: i64 = 20;
pub const CLIENT_LOCKOUT_FAILURES: i64 = 100;

pub fn account_key(login_key: &str) -> String {
    format!("account:{login_key}")
}

pub fn client_key(ip: Option<&str>) -> String {
    format!("client:{}", ip.unwrap_or("unknown"))
}

/// Seconds to wait before the next attempt is looked at; 0 when it may go ahead.
pub fn wait_secs(rows: &[ThrottleRow], now: i64) -> i64 {
    rows.iter()
        .map(|row| {
            if now - row.last_failure_at >= FORGET_AFTER_SECS {
                return 0;
            }
            let penalty = if row.throttle_key.starts_with("account:") {
                account_penalty_secs(row.failures)
            } else {
                client_penalty_secs(row.failures)
            };
            if penalty == 0 {
                return 0;
            }
            // Times are whole seconds and the failure may have come at the very end of its
            // second: the wait counts from the end of it, so it is never shorter than promised.
            (row.last_failure_at + 1 + penalty - now).max(0)
        })
        .max()
        .unwrap_or(0)
}

fn account_penalty_secs(failures: i64) -> i64 {
    if failures >= ACCOUNT_LOCKOUT_FAILURES {
        LOCKOUT_SECS
    } else if failures >= ACCOUNT_FREE_FAILURES {
        let doublings = u32::try_from(failures - ACCOUNT_FREE_FAILURES)
            .unwrap_or(u32::MAX)
            .min(16);
        (1_i64 << doublings).min(ACCOUNT_MAX_DELAY_SECS)
    } else {
        0
    }
}

fn client_penalty_secs(failures: i64) -> i64 {
    if failures >= CLIENT_LOCKOUT_FAILURES {
        LOCKOUT_SECS
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    // The policy's figures as the module comment states them, written out rather than read
    // from the constants, so that changing a constant fails here.
    use super::*;

    fn row(key: &str, failures: i64, last_failure_at: i64) -> ThrottleRow {
        ThrottleRow {
            throttle_key: key.into(),
            failures,
            last_failure_at,
        }
    }

    #[test]
    fn accounts_get_free_failures_then_doubling_waits_then_a_lockout() {
        let now = 1_000_000;
        assert_eq!(wait_secs(&[row("account:a", 4, now)], now), 0);
        assert_eq!(wait_secs(&[row("account:a", 5, now)], now), 2);
        assert_eq!(wait_secs(&[row("account:a", 5, now - 1)], now), 1);
        assert_eq!(wait_secs(&[row("account:a", 5, now - 2)], now), 0);
        assert_eq!(wait_secs(&[row("account:a", 7, now)], now), 5);
        assert_eq!(wait_secs(&[row("account:a", 19, now)], now), 61);
        assert_eq!(wait_secs(&[row("account:a", 20, now)], now), 15 * 60 + 1);
        assert_eq!(
            wait_secs(&[row("account:a", 20, now - 100)], now),
            15 * 60 - 99
        );
    }

    #[test]
    fn clients_are_locked_out_after_a_hundred_failures() {
        let now = 1_000_000;
        assert_eq!(wait_secs(&[row("client:1.2.3.4", 99, now)], now), 0);
        assert_eq!(
            wait_secs(&[row("client:1.2.3.4", 100, now)], now),
            15 * 60 + 1
        );
    }

    #[test]
    fn old_failures_are_forgotten_and_the_longest_wait_wins() {
        let now = 1_000_000;
        assert_eq!(wait_secs(&[row("account:a", 50, now - 3600)], now), 0);
        let rows = [row("account:a", 6, now), row("client:x", 100, now)];
        assert_eq!(wait_secs(&rows, now), 15 * 60 + 1);
    }
}
