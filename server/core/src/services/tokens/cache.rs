//! Checked tokens kept in memory, so that a call with a known token costs no database read.
//!
//! Staleness is bounded three ways:
//! - a change this process makes drops the whole cache before it is acknowledged
//!   ([`CheckCache::invalidate`]), so the very next request reads the database;
//! - a change made elsewhere (another replica, the CLI) moves the database's token revision,
//!   which a background task polls every [`REVISION_POLL`] ([`CheckCache::observe_revision`]);
//! - no entry is used after [`ENTRY_LIFETIME`], in case the poll fails.
//!
//! Only tokens found in the database are kept (values that match nothing are not), and at most
//! [`MAX_ENTRIES`] of them, so presenting made-up values cannot grow memory.

use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use crate::storage::tokens::TokenRecord;

/// How often the database's token revision is read.
pub const REVISION_POLL: Duration = Duration::from_millis(250);
/// The longest an entry is trusted without the revision having been read.
pub const ENTRY_LIFETIME: Duration = Duration::from_secs(10);
/// Beyond this many tokens the cache starts over (a server with more live tokens than this
/// reads the database for some of them).
pub const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Default)]
pub struct CheckCache {
    entries: RwLock<HashMap<String, Entry>>,
    /// Moves on every invalidation: a record read from the database before it is not kept.
    generation: AtomicU64,
    /// The database's token revision last seen; `i64::MIN` before the first poll.
    revision: AtomicI64,
}

#[derive(Debug)]
struct Entry {
    record: Arc<TokenRecord>,
    stored: Instant,
}

/// The cache's state when a database read began: [`CheckCache::insert`] keeps the record only
/// if nothing was invalidated since.
#[derive(Debug, Clone, Copy)]
pub struct ReadTicket(u64);

impl CheckCache {
    pub fn new() -> Self {
        Self {
            revision: AtomicI64::new(i64::MIN),
            ..Self::default()
        }
    }

    pub fn get(&self, digest: &str) -> Option<Arc<TokenRecord>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(digest)
            .filter(|entry| entry.stored.elapsed() < ENTRY_LIFETIME)
            .map(|entry| entry.record.clone())
    }

    /// Taken before reading a token from the database.
    pub fn ticket(&self) -> ReadTicket {
        ReadTicket(self.generation.load(Ordering::Acquire))
    }

    /// Keeps a record read from the database, unless the cache was invalidated since `ticket`
    /// (the record may predate that change).
    pub fn insert(&self, ticket: ReadTicket, digest: String, record: Arc<TokenRecord>) {
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
                record,
                stored: Instant::now(),
            },
        );
    }

    /// Forgets every entry: called after any change that can alter a token check has been
    /// committed, and before it is acknowledged.
    pub fn invalidate(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
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

    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use domain::{account::Role, catalog::ApiSelection, token::Expiry};

    use super::*;

    fn record() -> Arc<TokenRecord> {
        Arc::new(TokenRecord {
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
        })
    }

    #[test]
    fn a_read_that_began_before_an_invalidation_is_not_kept() {
        let cache = CheckCache::new();
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
        let cache = CheckCache::new();
        cache.observe_revision(7);
        cache.insert(cache.ticket(), "digest".into(), record());
        cache.observe_revision(7);
        assert_eq!(cache.len(), 1);
        cache.observe_revision(8);
        assert!(cache.is_empty());
    }

    #[test]
    fn it_never_holds_more_than_its_bound() {
        let cache = CheckCache::new();
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
