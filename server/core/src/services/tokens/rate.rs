//! Rate limits, per token and per owner, kept in this process's memory: no database access on
//! a check's path. With several replicas each enforces the limit on its own share of calls.
//!
//! Each limit is a generic cell rate algorithm (GCRA): `calls` per `period` may come as one
//! burst or spread out, and a refused call waits only until one call's worth has drained.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use domain::token::RateLimit;

/// Beyond this many tracked tokens and owners, those whose buckets have drained are dropped.
const PRUNE_ABOVE: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limited {
    Token(i64),
    Owner(i64),
}

#[derive(Debug)]
pub struct RateLimiter {
    started: Instant,
    /// Per limited key, the nanoseconds after `started` at which its bucket is empty again.
    drained_at: Mutex<HashMap<Limited, u64>>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            drained_at: Mutex::new(HashMap::new()),
        }
    }
}

impl RateLimiter {
    /// Admits one call under every limit given, or none: a call refused by one limit costs
    /// the others nothing. `Err` holds how long until the call would be admitted.
    pub fn admit(&self, limits: &[(Limited, RateLimit)], now: Instant) -> Result<(), Duration> {
        if limits.is_empty() {
            return Ok(());
        }
        let now = u64::try_from(now.saturating_duration_since(self.started).as_nanos())
            .unwrap_or(u64::MAX);
        let mut drained_at = self.drained_at.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = 0;
        let mut next = [0u64; 2];
        for (i, (key, limit)) in limits.iter().enumerate() {
            let (interval, tolerance) = cell(*limit);
            let stored = drained_at.get(key).copied().unwrap_or(0).max(now);
            // Under one limit a bucket is never more than a period ahead; further means the
            // limit was raised since (a day's single call, then 1000/s): start afresh.
            let start = if stored > now.saturating_add(interval + tolerance) {
                now
            } else {
                stored
            };
            let ahead = start - now;
            if ahead > tolerance {
                wait = wait.max(ahead - tolerance);
            }
            if let Some(slot) = next.get_mut(i) {
                *slot = start + interval;
            }
        }
        if wait > 0 {
            return Err(Duration::from_nanos(wait));
        }
        if drained_at.len() > PRUNE_ABOVE {
            drained_at.retain(|_, at| *at > now);
        }
        for ((key, _), at) in limits.iter().zip(next) {
            drained_at.insert(*key, at);
        }
        Ok(())
    }
}

impl RateLimiter {
    /// Gives back the charge [`Self::admit`] made for a call that was then refused (a spent
    /// token's, say), so that such calls cannot drain an owner's shared allowance.
    pub fn refund(&self, limits: &[(Limited, RateLimit)]) {
        let mut drained_at = self.drained_at.lock().unwrap_or_else(|e| e.into_inner());
        for (key, limit) in limits {
            if let Some(at) = drained_at.get_mut(key) {
                *at = at.saturating_sub(cell(*limit).0);
            }
        }
    }
}

/// One call's share of the period, and how far ahead of now the bucket may run (a full
/// period's burst, less the call being admitted).
fn cell(limit: RateLimit) -> (u64, u64) {
    let period = limit.period().as_secs() * 1_000_000_000;
    let interval = period / u64::from(limit.calls());
    (interval, period - interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(text: &str) -> RateLimit {
        text.parse().unwrap()
    }

    #[test]
    fn a_full_burst_passes_then_one_call_per_interval() {
        let limiter = RateLimiter::default();
        let t0 = limiter.started;
        let key = [(Limited::Token(1), limit("3/s"))];
        for _ in 0..3 {
            assert_eq!(limiter.admit(&key, t0), Ok(()));
        }
        let wait = limiter.admit(&key, t0).unwrap_err();
        assert!(
            wait > Duration::from_millis(330) && wait <= Duration::from_millis(334),
            "{wait:?}"
        );
        assert!(limiter.admit(&key, t0 + wait).is_ok());
        assert!(limiter.admit(&key, t0 + wait).is_err());
        assert!(
            limiter
                .admit(&[(Limited::Token(2), limit("3/s"))], t0)
                .is_ok()
        );
    }

    #[test]
    fn a_refunded_call_costs_nothing() {
        let limiter = RateLimiter::default();
        let t0 = limiter.started;
        let owner = [(Limited::Owner(7), limit("1/h"))];
        assert!(limiter.admit(&owner, t0).is_ok());
        limiter.refund(&owner);
        assert!(limiter.admit(&owner, t0).is_ok());
        assert!(limiter.admit(&owner, t0).is_err());
    }

    #[test]
    fn a_raised_limit_applies_at_once() {
        let limiter = RateLimiter::default();
        let t0 = limiter.started;
        assert!(
            limiter
                .admit(&[(Limited::Token(1), limit("1/d"))], t0)
                .is_ok()
        );
        assert!(
            limiter
                .admit(&[(Limited::Token(1), limit("1/d"))], t0)
                .is_err()
        );
        assert!(
            limiter
                .admit(&[(Limited::Token(1), limit("1000/s"))], t0)
                .is_ok()
        );
    }

    #[test]
    fn a_call_refused_by_one_limit_costs_the_other_nothing() {
        let limiter = RateLimiter::default();
        let t0 = limiter.started;
        let owner = (Limited::Owner(7), limit("2/min"));
        assert!(limiter.admit(&[owner], t0).is_ok());
        assert!(limiter.admit(&[owner], t0).is_ok());
        let token = (Limited::Token(1), limit("1/min"));
        assert!(limiter.admit(&[token, owner], t0).is_err());
        assert!(
            limiter.admit(&[token], t0).is_ok(),
            "the token's own bucket was not charged"
        );
    }
}
