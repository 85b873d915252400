//! The service layer's measurements, through the `metrics` facade: free when no recorder is
//! installed (`tessera serve` installs one with `--metrics-addr`). Labels are closed sets
//! (outcome codes, transports), never a token, login or address.

use std::time::Duration;

pub const TOKEN_CHECKS: &str = "tessera_token_checks_total";
pub const TOKEN_CHECK_SECONDS: &str = "tessera_token_check_duration_seconds";
pub const SIGN_INS: &str = "tessera_sign_ins_total";
pub const POOL_TIMEOUTS: &str = "tessera_db_pool_timeouts_total";

pub fn token_checked(outcome: &'static str, transport: &'static str, took: Duration) {
    metrics::counter!(TOKEN_CHECKS, "outcome" => outcome, "transport" => transport).increment(1);
    metrics::histogram!(TOKEN_CHECK_SECONDS).record(took.as_secs_f64());
}

pub fn signed_in(outcome: &'static str) {
    metrics::counter!(SIGN_INS, "outcome" => outcome).increment(1);
}

/// A request waited the whole acquire timeout (5 s) for a database connection and got none.
pub fn pool_timed_out() {
    metrics::counter!(POOL_TIMEOUTS).increment(1);
}
