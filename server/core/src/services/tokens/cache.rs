//! Checked tokens kept in memory, so that a call with a known token costs no database read.
//!
//! Staleness is bounded three ways:
//! - a change this process makes drops the whole cache before it is acknowledged, even when
//!   the request is cancelled mid-commit ([`CheckCache::invalidate_on_drop`]), so the very
//!   next request reads the database;
//! - a change made elsewhere (another replica, the CLI) reaches the watcher (`watch`), which
//!   drops the cache; and the cache answers only while the watcher has shown, within
//!   [`WATCH_FRESHNESS`], that it is working ([`CheckCache::confirm_watching`]): a stalled
//!   poll or a half-open LISTEN connection means database reads, not stale answers;
//! - no entry is used after [`ENTRY_LIFETIME`].
//!
//! At most [`MAX_ENTRIES`] tokens are kept. Values that match nothing are remembered apart,
//! at most [`MAX_UNKNOWN`] of them and under the same three bounds, so that a client retrying
//! a removed or mistyped value, or someone replaying one, costs one read per
//! [`ENTRY_LIFETIME`] and is refused as fast as a known token (whose refusal it would otherwise
//! be told from by its time); made-up values cannot grow memory. A value is only ever unknown
//! before it exists by chance (new values are 178 random bits), and every change that gives a
//! token another value moves the revision and so drops what was remembered.

use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use crate::storage::tokens::TokenRecord;

/// How often the watcher reads SQLite's token revision, or pings itself through PostgreSQL.
pub const REVISION_POLL: Duration = Duration::from_millis(250);
/// The cache answers only if the watcher has shown it works within this long.
pub const WATCH_FRESHNESS: Duration = Duration::from_secs(1);
/// The longest an entry is trusted without the revision having been read.
pub const ENTRY_LIFETIME: Duration = Duration::from_secs(10);
/// Beyond this many tokens the cache starts over (a server with more live tokens than this
/// reads the database for some of them).
pub const MAX_ENTRIES: usize = 100_000;
/// Unknown values remembered; beyond this the list starts over.
pub const MAX_UNKNOWN: usize = 10_000;

pub struct CheckCache {
    entries: RwLock<HashMap<String, Entry>>,
    /// Digests the database did not know, and when that was read.
    unknown: RwLock<HashMap<String, Instant>>,
    /// Moves on every invalidation: a record read from the database before it is not kept.
    generation: AtomicU64,
    /// The database's token revision last seen; `i64::MIN` before the first poll.
    revision: AtomicI64,
    started: Instant,
    /// Milliseconds after `started` when the watcher last showed it works; 0: never.
    watched_at_ms: AtomicU64,
}

/// Only the size: the entries hold owners' logins and addresses.
impl std::fmt::Debug for CheckCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckCache")
            .field("entries", &self.len())
            .field("unknown", &self.unknown_len())
            .finish_non_exhaustive()
    }
}

/// A presented value the database knows: its token, and whether it is the token's current
/// value or one that regeneration replaced and that still works for a grace period.
#[derive(Debug, Clone)]
pub struct KnownValue {
    pub token: Arc<TokenRecord>,
    /// `Some(until)`: a replaced value, working until then (Unix seconds).
    pub replaced_until: Option<i64>,
}

impl KnownValue {
    pub fn current(token: TokenRecord) -> Self {
        Self {
            token: Arc::new(token),
            replaced_until: None,
        }
    }
}

struct Entry {
    value: KnownValue,
    stored: Instant,
}

/// The cache's state when a database read began: [`CheckCache::insert`] keeps the record only
/// if nothing was invalidated since.
#[derive(Debug, Clone, Copy)]
pub struct ReadTicket(u64);

impl Default for CheckCache {
    fn default() -> Self {
        Self::new()
    }
}

/// Drops the cache when it goes out of scope: see [`CheckCache::invalidate_on_drop`].
pub struct InvalidateOnDrop<'a>(&'a CheckCache);

impl Drop for InvalidateOnDrop<'_> {
    fn drop(&mut self) {
        self.0.invalidate();
    }
}

impl CheckCache {
    pub fn new() -> Self {
        Self {
            entries: RwLock::default(),
            unknown: RwLock::default(),
            generation: AtomicU64::new(0),
            revision: AtomicI64::new(i64::MIN),
            started: Instant::now(),
            watched_at_ms: AtomicU64::new(0),
        }
    }

    /// A kept value, if the watcher is working and the entry is young enough.
    pub fn get(&self, digest: &str) -> Option<KnownValue> {
        if !self.watched() {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(digest)
            .filter(|entry| entry.stored.elapsed() < ENTRY_LIFETIME)
            .map(|entry| entry.value.clone())
    }

    /// Whether `digest` was read as unknown recently (same conditions as [`Self::get`]).
    pub fn is_known_unknown(&self, digest: &str) -> bool {
        if !self.watched() {
            return false;
        }
        let unknown = self.unknown.read().unwrap_or_else(|e| e.into_inner());
        unknown
            .get(digest)
            .is_some_and(|read_at| read_at.elapsed() < ENTRY_LIFETIME)
    }

    /// Remembers that the database did not know `digest`, unless the cache was invalidated
    /// since `ticket`.
    pub fn insert_unknown(&self, ticket: ReadTicket, digest: String) {
        let mut unknown = self.unknown.write().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::Acquire) != ticket.0 {
            return;
        }
        if unknown.len() >= MAX_UNKNOWN && !unknown.contains_key(&digest) {
            unknown.clear();
        }
        unknown.insert(digest, Instant::now());
    }

    /// Taken before reading a token from the database.
    pub fn ticket(&self) -> ReadTicket {
        ReadTicket(self.generation.load(Ordering::Acquire))
    }

    /// Keeps a record read from the database, unless the cache was invalidated since `ticket`
    /// (the record may predate that change).
    pub fn insert(&self, ticket: ReadTicket, digest: String, value: KnownValue) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        // Under the write lock: an invalidation either happened before (and is seen here) or
        // waits for this insert and then drops it.
        if self.generation.load(Ordering::Acquire) != ticket.0 {
            return;
        }
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&digest) {
            entries.clear();
        }
        entries.insert(
            digest,
            Entry {
                value,
                stored: Instant::now(),
            },
        );
    }

    /// Taken by a change before it commits: whatever happens next (an answer, an error, the
    /// request cancelled while the commit was in flight), the cache is dropped.
    pub fn invalidate_on_drop(&self) -> InvalidateOnDrop<'_> {
        InvalidateOnDrop(self)
    }

    /// Forgets every entry.
    pub fn invalidate(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        let mut unknown = self.unknown.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
        unknown.clear();
    }

    /// Takes the database's token revision as just read: when it moved, something changed
    /// tokens or their owners elsewhere, and the cache starts over. Entries also live no
    /// longer than [`ENTRY_LIFETIME`] if this stops being called.
    pub fn observe_revision(&self, revision: i64) {
        let seen = self.revision.swap(revision, Ordering::AcqRel);
        if seen != revision {
            self.invalidate();
        }
    }

    /// The watcher has just shown that it would hear of changes made elsewhere.
    pub fn confirm_watching(&self) {
        let now_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.watched_at_ms.store(now_ms.max(1), Ordering::Release);
    }

    /// Whether kept records are answered now (the watcher has shown it works).
    pub fn watched(&self) -> bool {
        let at = self.watched_at_ms.load(Ordering::Acquire);
        at != 0
            && self.started.elapsed() < Duration::from_millis(at).saturating_add(WATCH_FRESHNESS)
    }

    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn unknown_len(&self) -> usize {
        self.unknown.read().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use domain::{account::Role, catalog::ApiSelection, token::Expiry};

    use std::future::Future as _;

    use super::*;

    fn record() -> KnownValue {
        KnownValue::current(TokenRecord {
            token_id: 1,
            user_id: 1,
            hint: "abcd".into(),
            description: "CI".into(),
            api: ApiSelection::Set("maven_plugin".into()),
            scopes: Vec::new(),
            expiry: Expiry::Never,
            created_at: 0,
            created_by_login: "ann".into(),
            updated_at: 0,
            last_used_at: None,
            last_used_ip: None,
            last_used_user_agent: None,
            removed_at: None,
            owner_login: "ann".into(),
            owner_role: Role::User,
            owner_disabled_at: None,
            suspended_at: None,
            max_uses: None,
            uses_left: None,
            rate_limit: None,
            allowed_ips: Vec::new(),
            owner_rate_limit: None,
            old_value_expires_at: None,
            leak: None,
        })
    }

    fn watched_cache() -> CheckCache {
        let cache = CheckCache::new();
        cache.confirm_watching();
        cache
    }

    #[test]
    fn nothing_is_answered_until_the_watcher_shows_it_works() {
        let cache = CheckCache::new();
        cache.insert(cache.ticket(), "digest".into(), record());
        assert!(cache.get("digest").is_none());
        cache.confirm_watching();
        assert!(cache.get("digest").is_some());
    }

    #[test]
    fn a_change_that_is_cancelled_mid_commit_still_drops_the_cache() {
        let cache = watched_cache();
        cache.insert(cache.ticket(), "digest".into(), record());
        let change = async {
            let _invalidate = cache.invalidate_on_drop();
            std::future::pending::<()>().await;
        };
        // Polled once (the commit in flight), then dropped, as a cancelled request is.
        let mut change = Box::pin(change);
        let waker = std::task::Waker::noop();
        let _ = change
            .as_mut()
            .poll(&mut std::task::Context::from_waker(waker));
        drop(change);
        assert!(cache.get("digest").is_none());
    }

    #[test]
    fn a_read_that_began_before_an_invalidation_is_not_kept() {
        let cache = watched_cache();
        let before = cache.ticket();
        cache.invalidate();
        cache.insert(before, "digest".into(), record());
        assert!(cache.get("digest").is_none());

        let after = cache.ticket();
        cache.insert(after, "digest".into(), record());
        assert!(cache.get("digest").is_some());
        cache.invalidate();
        assert!(cache.get("digest").is_none());
    }

    #[test]
    fn a_moved_revision_drops_everything_and_an_unmoved_one_nothing() {
        let cache = watched_cache();
        cache.observe_revision(7);
        cache.insert(cache.ticket(), "digest".into(), record());
        cache.observe_revision(7);
        assert_eq!(cache.len(), 1);
        cache.observe_revision(8);
        assert!(cache.is_empty());
    }

    #[test]
    fn an_unknown_value_is_remembered_until_any_change_or_its_lifetime() {
        let cache = watched_cache();
        cache.insert_unknown(cache.ticket(), "made-up".into());
        assert!(cache.is_known_unknown("made-up"));
        assert!(!cache.is_known_unknown("other"));
        cache.observe_revision(3);
        cache.observe_revision(4);
        assert!(
            !cache.is_known_unknown("made-up"),
            "a change elsewhere forgets it"
        );

        let before = cache.ticket();
        cache.invalidate();
        cache.insert_unknown(before, "made-up".into());
        assert!(
            !cache.is_known_unknown("made-up"),
            "a read older than a change is not kept"
        );

        let silent = CheckCache::new();
        silent.insert_unknown(silent.ticket(), "made-up".into());
        assert!(
            !silent.is_known_unknown("made-up"),
            "not while the watcher is unproven"
        );
    }

    #[test]
    fn unknown_values_never_hold_more_than_their_bound() {
        let cache = watched_cache();
        for n in 0..=MAX_UNKNOWN {
            cache.insert_unknown(cache.ticket(), n.to_string());
        }
        assert!(
            cache.unknown_len() <= MAX_UNKNOWN,
            "{}",
            cache.unknown_len()
        );
        assert!(
            cache.is_known_unknown(&MAX_UNKNOWN.to_string()),
            "the newest stays"
        );
    }

    #[test]
    fn it_never_holds_more_than_its_bound() {
        let cache = watched_cache();
        let shared = record();
        for n in 0..=MAX_ENTRIES {
            cache.insert(cache.ticket(), n.to_string(), shared.clone());
        }
        assert!(cache.len() <= MAX_ENTRIES, "{}", cache.len());
        assert!(
            cache.get(&MAX_ENTRIES.to_string()).is_some(),
            "the newest stays"
        );
    }
}
