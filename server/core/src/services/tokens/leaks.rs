//! Token values found in public, as secret scanners report them (GitHub's secret-scanning
//! partner format: `{"token", "type", "url", "source"}`). A known value is handled by the
//! server's leak policy: revoked (refused from then on as `token_leaked`) or its owner only
//! told. Either way the owner sees it on the token, in the audit log and through webhooks.
//!
//! What the reporter learns is what the format already tells: whether each value is shaped
//! like a Tessera token. Nothing says whether it exists or whose it is; and anyone who holds
//! a value can learn that much by calling the API with it anyway.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use domain::{client::ClientInfo, token::TokenSecret, webhook::WebhookEvent};
use serde_json::json;

use super::TokenService;
use crate::{
    auth::secret,
    clock,
    services::{
        audit::{self, Action, Event},
        webhooks::events::{TokenAbout, queue_token_event},
    },
    storage::{StorageError, tokens},
};

/// What a report of a known value does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeakAction {
    /// Refuse the token from now on; the owner regenerates it for a new value.
    #[default]
    Revoke,
    /// Tell the owner (dashboard, audit log, webhooks) and leave the token working.
    Notify,
}

impl LeakAction {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "revoke" => Some(Self::Revoke),
            "notify" => Some(Self::Notify),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revoke => "revoke",
            Self::Notify => "notify",
        }
    }
}

impl std::str::FromStr for LeakAction {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw).ok_or_else(|| format!("“{raw}” is neither revoke nor notify"))
    }
}

/// How this server handles reports: the action, and the secret scanners sign reports with,
/// when one is set (then unsigned reports are refused).
#[derive(Clone, Default)]
pub struct LeakPolicy {
    pub action: LeakAction,
    pub secret: Option<std::sync::Arc<str>>,
}

impl std::fmt::Debug for LeakPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeakPolicy")
            .field("action", &self.action)
            .field("secret", &self.secret.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl LeakPolicy {
    /// Whether `signature` (`sha256=<hex>` of HMAC-SHA256 over `body`) is right; true when
    /// no secret is set.
    pub fn signed(&self, body: &[u8], signature: Option<&str>) -> bool {
        use hmac::{Hmac, Mac as _};
        let Some(secret) = &self.secret else {
            return true;
        };
        let Some(hex) = signature.and_then(|s| s.trim().strip_prefix("sha256=")) else {
            return false;
        };
        let Some(expected) = decode_hex(hex) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// One value a scanner found. `Debug` leaves the value out.
pub struct FoundValue {
    pub token: String,
    pub url: Option<String>,
    pub source: Option<String>,
}

impl Drop for FoundValue {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.token);
    }
}

impl std::fmt::Debug for FoundValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FoundValue")
            .field("token", &"<redacted>")
            .field("url", &self.url)
            .field("source", &self.source)
            .finish()
    }
}

/// The most values one report may carry, and the longest place kept.
pub const MAX_VALUES_PER_REPORT: usize = 100;
const MAX_URL_CHARS: usize = 2048;
const MAX_SOURCE_CHARS: usize = 100;

/// Reports per sender and minute: an IPv4 address, or an IPv6 /64 (one host holds a /64).
pub const REPORTS_PER_MINUTE: u32 = 30;
/// Reports per minute from everyone together: each may cost up to 100 reads.
pub const ALL_REPORTS_PER_MINUTE: u32 = 600;
const WINDOW: Duration = Duration::from_secs(60);
/// Senders remembered at most; while this many have reported within the minute, new ones
/// wait (memory stays bounded whatever the addresses).
const MAX_SENDERS: usize = 10_000;

type Window = (Instant, u32);

/// Counts reports in one-minute windows: each sender's, and everyone's.
#[derive(Debug, Default)]
pub struct ReportWindows(Mutex<Windows>);

#[derive(Debug, Default)]
struct Windows {
    senders: HashMap<String, Window>,
    everyone: Option<Window>,
}

/// Counts one report in `window`, started afresh once a minute old; the wait when full.
fn count(window: &mut Window, limit: u32, now: Instant) -> Result<(), Duration> {
    if now.duration_since(window.0) >= WINDOW {
        *window = (now, 0);
    }
    if window.1 >= limit {
        return Err(WINDOW.saturating_sub(now.duration_since(window.0)));
    }
    window.1 += 1;
    Ok(())
}

/// Who a report counts against: the address, or its /64 for IPv6.
fn sender_key(sender: Option<&str>) -> String {
    match sender.and_then(|raw| raw.parse::<std::net::IpAddr>().ok()) {
        Some(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(ip) => ip.to_canonical().to_string(),
        None => String::new(),
    }
}

impl ReportWindows {
    /// Counts a report from `sender`; how long to wait when over a limit.
    pub fn admit(&self, sender: Option<&str>, now: Instant) -> Result<(), Duration> {
        let mut windows = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = sender_key(sender);
        if !windows.senders.contains_key(&key) && windows.senders.len() >= MAX_SENDERS {
            windows
                .senders
                .retain(|_, (started, _)| now.duration_since(*started) < WINDOW);
            if windows.senders.len() >= MAX_SENDERS {
                return Err(WINDOW);
            }
        }
        let everyone = windows.everyone.get_or_insert((now, 0));
        count(everyone, ALL_REPORTS_PER_MINUTE, now)?;
        let mine = windows.senders.entry(key).or_insert((now, 0));
        count(mine, REPORTS_PER_MINUTE, now).inspect_err(|_| {
            if let Some(everyone) = windows.everyone.as_mut() {
                everyone.1 = everyone.1.saturating_sub(1);
            }
        })
    }
}

impl TokenService {
    pub fn leak_policy(&self) -> &LeakPolicy {
        &self.leak_policy
    }

    /// Counts a report from `sender` (its address) against [`REPORTS_PER_MINUTE`]; how long
    /// to wait when over.
    pub fn admit_leak_report(&self, sender: Option<&str>) -> Result<(), Duration> {
        self.leak_reports.admit(sender, Instant::now())
    }

    /// Handles a report; for each value, whether it is shaped like a Tessera token.
    pub async fn report_leaks(
        &self,
        found: &[FoundValue],
        action: LeakAction,
        client: &ClientInfo,
    ) -> Result<Vec<bool>, StorageError> {
        let mut shaped = Vec::with_capacity(found.len());
        let mut seen = Vec::with_capacity(found.len());
        for value in found {
            let Ok(secret) = TokenSecret::parse(value.token.trim()) else {
                shaped.push(false);
                continue;
            };
            shaped.push(true);
            let digest = secret::digest(secret.expose());
            if seen.contains(&digest) {
                continue;
            }
            self.handle_leak(&digest, value, action, client).await?;
            seen.push(digest);
        }
        Ok(shaped)
    }

    async fn handle_leak(
        &self,
        digest: &str,
        value: &FoundValue,
        action: LeakAction,
        client: &ClientInfo,
    ) -> Result<(), StorageError> {
        let now = clock::now();
        let pool = self.database.pool();
        let leak = tokens::TokenLeak {
            reported_at: now,
            url: bounded(value.url.as_deref(), MAX_URL_CHARS),
            source: bounded(value.source.as_deref(), MAX_SOURCE_CHARS),
            revoked_at: (action == LeakAction::Revoke).then_some(now),
        };
        if let Some(row) = tokens::find_by_digest(pool, digest).await? {
            // Once public, a value may be reported again and again: the first report stands
            // (its place, one announcement), unless a later one revokes what was only told.
            let already = row
                .leak
                .as_ref()
                .is_some_and(|earlier| earlier.revoked_at.is_some() || leak.revoked_at.is_none());
            if row.removed_at.is_some() || already {
                return Ok(());
            }
            let mut tx = self.database.begin_write().await?;
            if !tokens::mark_leaked(&mut tx, row.token_id, digest, &leak).await? {
                return Ok(());
            }
            let about = TokenAbout {
                token_id: row.token_id,
                owner_user_id: row.user_id,
                owner_login: &row.owner_login,
                description: &row.description,
                hint: &row.hint,
            };
            let details = json!({ "url": leak.url, "source": leak.source, "revoked": leak.revoked_at.is_some() });
            queue_token_event(&mut tx, WebhookEvent::TokenLeaked, &about, details, now).await?;
            let outcome = match action {
                LeakAction::Revoke => "revoked",
                LeakAction::Notify => "owner told, still working",
            };
            let detail = format!(
                "token {} (…{}) reported found in public{}: {outcome}",
                row.token_id,
                row.hint,
                leak.url
                    .as_deref()
                    .map(|url| format!(" at {url}"))
                    .unwrap_or_default()
            );
            record_leak(&mut tx, &row.owner_login, &detail, client).await?;
            self.commit_invalidating(tx).await?;
            return Ok(());
        }
        // A value regeneration replaced, still in its grace period: the grace ends now, and
        // the current value goes on working.
        if let Some(retired) = tokens::find_retired(pool, digest).await?
            && retired.works_until.is_some_and(|until| until > now)
        {
            let row = &retired.token;
            let mut tx = self.database.begin_write().await?;
            tokens::end_grace(&mut tx, row.token_id, now).await?;
            let detail = format!(
                "token {} (…{}): its replaced value, in its grace period, reported found in \
                 public: the grace ended",
                row.token_id, row.hint
            );
            record_leak(&mut tx, &row.owner_login, &detail, client).await?;
            self.commit_invalidating(tx).await?;
        }
        Ok(())
    }
}

impl TokenService {
    /// Commits a change a check reads, so that no server answers from what it kept.
    async fn commit_invalidating(
        &self,
        tx: sqlx::Transaction<'static, sqlx::Any>,
    ) -> Result<(), StorageError> {
        let invalidate = self.cache.invalidate_on_drop();
        tx.commit().await?;
        drop(invalidate);
        Ok(())
    }
}

async fn record_leak(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    owner_login: &str,
    detail: &str,
    client: &ClientInfo,
) -> Result<(), StorageError> {
    audit::record(
        &mut **tx,
        Event {
            action: Action::TokenLeaked,
            actor: None,
            subject_login: Some(owner_login),
            client,
            detail: Some(detail),
        },
    )
    .await
}

/// A scanner's free text, trimmed, without control characters, at most `max` characters.
fn bounded(text: Option<&str>, max: usize) -> Option<String> {
    let kept: String = text?
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect();
    (!kept.is_empty()).then_some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sender_has_its_own_minute() {
        let windows = ReportWindows::default();
        let start = Instant::now();
        for _ in 0..REPORTS_PER_MINUTE {
            assert!(windows.admit(Some("192.0.2.1"), start).is_ok());
        }
        let wait = windows.admit(Some("192.0.2.1"), start).unwrap_err();
        assert_eq!(wait, WINDOW);
        assert!(windows.admit(Some("192.0.2.2"), start).is_ok());
        assert!(windows.admit(Some("192.0.2.1"), start + WINDOW).is_ok());
    }

    #[test]
    fn an_ipv6_host_is_one_sender_and_everyone_shares_a_limit() {
        let windows = ReportWindows::default();
        let start = Instant::now();
        for host in 0..REPORTS_PER_MINUTE {
            let address = format!("2001:db8:1:2::{host:x}");
            assert!(windows.admit(Some(&address), start).is_ok());
        }
        assert!(windows.admit(Some("2001:db8:1:2:ffff::1"), start).is_err());
        assert!(windows.admit(Some("2001:db8:1:3::1"), start).is_ok());
        let windows = ReportWindows::default();
        let mut admitted = 0;
        for sender in 0..ALL_REPORTS_PER_MINUTE + 10 {
            let address = format!("10.0.{}.{}", sender / 256, sender % 256);
            admitted += u32::from(windows.admit(Some(&address), start).is_ok());
        }
        assert_eq!(admitted, ALL_REPORTS_PER_MINUTE);
    }

    #[test]
    fn a_signed_report_needs_the_right_hmac() {
        use hmac::{Hmac, Mac as _};
        let policy = LeakPolicy {
            action: LeakAction::Revoke,
            secret: Some("s3cret".into()),
        };
        let body = br#"[{"token":"x"}]"#;
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(policy.signed(body, Some(&format!("sha256={hex}"))));
        assert!(!policy.signed(b"[]", Some(&format!("sha256={hex}"))));
        assert!(!policy.signed(body, Some(&hex)));
        assert!(!policy.signed(body, None));
        assert!(!policy.signed(body, Some("sha256=zz")));
        assert!(LeakPolicy::default().signed(body, None));
        assert!(!format!("{policy:?}").contains("s3cret"));
    }

    #[test]
    fn a_scanners_text_is_bounded_and_printable() {
        assert_eq!(bounded(Some("  a\u{0}b\n "), 10).as_deref(), Some("ab"));
        assert_eq!(bounded(Some(&"x".repeat(50)), 10).unwrap().len(), 10);
        assert_eq!(bounded(Some("  "), 10), None);
        assert!(
            !format!(
                "{:?}",
                FoundValue {
                    token: "tsr_secret".into(),
                    url: None,
                    source: None
                }
            )
            .contains("tsr_secret")
        );
    }
}
