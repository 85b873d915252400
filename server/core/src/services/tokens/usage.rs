//! Token uses and refusals, buffered in memory and written in batches: a token check costs no
//! database write. The server flushes every [`FLUSH_INTERVAL`] and at shutdown. Besides each
//! token's last use and the refusals for the audit log, every call of a known token is counted
//! per day, method, environment and outcome, with the addresses it came from.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use domain::{
    catalog::MethodName,
    client::ClientInfo,
    token::{EnvName, Expiry, USAGE_KEPT_DAYS},
};

use crate::{
    services::audit::{self, Action, Event},
    storage::{
        Database, Result, StorageError, tokens,
        usage::{self as counts, CountKey, Seen, SourceKey},
    },
};

pub const FLUSH_INTERVAL: Duration = Duration::from_secs(2);
/// Refusals itemised per flush; more are summed up in one event (a flood of bad tokens must
/// not become a flood of writes).
const MAX_ITEMISED_REFUSALS: usize = 200;
/// Distinct counts and sources held between two flushes. Past them a call is still counted
/// without its environment (names a caller makes up must not grow memory), then not at all.
const MAX_PENDING_COUNTS: usize = 50_000;
const MAX_PENDING_SOURCES: usize = 10_000;

/// One call of a known token, for its counts.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub token_id: i64,
    pub at: i64,
    pub method: Option<&'a MethodName>,
    pub env: Option<&'a EnvName>,
    /// `success` or the refusal's code.
    pub outcome: &'static str,
    pub client: &'a ClientInfo,
}

#[derive(Debug, Clone)]
pub struct Use {
    pub at: i64,
    pub client: ClientInfo,
    /// The token's expiry after this use (an auto-refresh token's has slid).
    pub expiry: Expiry,
}

#[derive(Debug, Clone)]
pub struct RefusedUse {
    pub at: i64,
    pub owner_login: Option<String>,
    pub detail: String,
    pub client: ClientInfo,
}

#[derive(Debug, Default)]
struct Pending {
    uses: HashMap<i64, Use>,
    refusals: Vec<RefusedUse>,
    uncounted_refusals: u64,
    counts: HashMap<CountKey, u64>,
    sources: HashMap<SourceKey, Seen>,
    /// Calls past the bounds above, not counted.
    uncounted_calls: u64,
    /// When the oldest record still waiting was made.
    oldest_at: Option<i64>,
}

/// What waits to be written (for metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    pub records: u64,
    pub oldest_at: Option<i64>,
}

/// One token's counts and sources not yet committed.
#[derive(Debug, Default)]
pub struct Unwritten {
    pub counts: Vec<(CountKey, u64)>,
    pub sources: Vec<(SourceKey, Seen)>,
}

/// Counts and sources a flush has taken and not yet committed.
type Writing = (HashMap<CountKey, u64>, HashMap<SourceKey, Seen>);

#[derive(Debug, Clone, Default)]
pub struct UsageRecorder {
    pending: Arc<Mutex<Pending>>,
    /// What a flush is writing: reports still count it until it is committed.
    writing: Arc<Mutex<Option<Writing>>>,
    /// Held shared by a report across its database read and its look at memory, and
    /// exclusively by a flush across its commit and forgetting what it wrote: a report sees
    /// every call exactly once, stored or in memory.
    report_gate: Arc<tokio::sync::RwLock<()>>,
}

impl UsageRecorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A use at `at` of a token whose stored expiry is `expiry`.
    pub fn record_use(&self, token_id: i64, at: i64, client: &ClientInfo, expiry: Expiry) {
        let mut pending = self.lock();
        pending.oldest_at.get_or_insert(at);
        match pending.uses.get_mut(&token_id) {
            Some(last) if last.at > at => {}
            Some(last) => {
                last.at = at;
                last.expiry = expiry.after_use(at);
                if last.client != *client {
                    last.client = client.clone();
                }
            }
            None => {
                pending.uses.insert(
                    token_id,
                    Use {
                        at,
                        client: client.clone(),
                        expiry: expiry.after_use(at),
                    },
                );
            }
        }
    }

    /// The latest use not yet written, if any.
    pub fn pending_use(&self, token_id: i64) -> Option<Use> {
        self.lock().uses.get(&token_id).cloned()
    }

    /// Counts a call of a known token, allowed or refused.
    pub fn count_call(&self, call: Call<'_>) {
        let day = call.at.div_euclid(86_400);
        let key = |env: Option<&EnvName>| CountKey {
            token_id: call.token_id,
            day,
            method: call
                .method
                .map_or_else(String::new, |m| m.as_str().to_owned()),
            env: env.map_or_else(String::new, |e| e.as_str().to_owned()),
            outcome: call.outcome,
        };
        let source = SourceKey {
            token_id: call.token_id,
            ip: call.client.ip.clone().unwrap_or_default(),
            user_agent: call.client.user_agent.clone().unwrap_or_default(),
        };
        let mut pending = self.lock();
        pending.oldest_at.get_or_insert(call.at);
        let full = pending.counts.len() >= MAX_PENDING_COUNTS;
        let key = [key(call.env), key(None)]
            .into_iter()
            .find(|key| !full || pending.counts.contains_key(key));
        match key {
            Some(key) => *pending.counts.entry(key).or_default() += 1,
            None => pending.uncounted_calls += 1,
        }
        let room = pending.sources.len() < MAX_PENDING_SOURCES;
        match pending.sources.get_mut(&source) {
            Some(seen) => {
                seen.first = seen.first.min(call.at);
                seen.last = seen.last.max(call.at);
                seen.calls += 1;
            }
            None if room => {
                let seen = Seen {
                    first: call.at,
                    last: call.at,
                    calls: 1,
                };
                pending.sources.insert(source, seen);
            }
            None => {}
        }
    }

    /// Held while a report reads the stored counts and then [`Self::pending_counts`].
    pub async fn report_gate(&self) -> tokio::sync::RwLockReadGuard<'_, ()> {
        self.report_gate.read().await
    }

    /// Counts not yet committed for one token (a report adds them to the stored ones).
    pub fn pending_counts(&self, token_id: i64) -> Unwritten {
        let mut counts = Vec::new();
        let mut sources = Vec::new();
        let mut add = |held: (&HashMap<CountKey, u64>, &HashMap<SourceKey, Seen>)| {
            counts.extend(
                held.0
                    .iter()
                    .filter(|(key, _)| key.token_id == token_id)
                    .map(|(key, calls)| (key.clone(), *calls)),
            );
            sources.extend(
                held.1
                    .iter()
                    .filter(|(key, _)| key.token_id == token_id)
                    .map(|(key, seen)| (key.clone(), *seen)),
            );
        };
        {
            let pending = self.lock();
            add((&pending.counts, &pending.sources));
        }
        if let Some(writing) = &*self.writing.lock().unwrap_or_else(PoisonError::into_inner) {
            add((&writing.0, &writing.1));
        }
        Unwritten { counts, sources }
    }

    pub fn record_refusal(&self, refusal: RefusedUse) {
        let mut pending = self.lock();
        pending.oldest_at.get_or_insert(refusal.at);
        if pending.refusals.len() < MAX_ITEMISED_REFUSALS {
            pending.refusals.push(refusal);
        } else {
            pending.uncounted_refusals += 1;
        }
    }

    pub fn backlog(&self) -> Backlog {
        let pending = self.lock();
        Backlog {
            records: (pending.uses.len()
                + pending.refusals.len()
                + pending.counts.len()
                + pending.sources.len()) as u64
                + pending.uncounted_refusals,
            oldest_at: pending.oldest_at,
        }
    }

    /// Writes what is pending in one transaction. On failure it is put back for next time.
    /// True when it moved an auto-refresh token's stored expiry.
    pub async fn flush(&self, database: &Database) -> Result<bool> {
        let taken = std::mem::take(&mut *self.lock());
        if taken.uses.is_empty()
            && taken.refusals.is_empty()
            && taken.uncounted_refusals == 0
            && taken.counts.is_empty()
            && taken.sources.is_empty()
        {
            return Ok(false);
        }
        if taken.uncounted_calls > 0 {
            tracing::warn!(
                calls = taken.uncounted_calls,
                "token calls beyond the bound of distinct counts between two writes were not counted"
            );
        }
        let slid = taken
            .uses
            .values()
            .any(|used| matches!(used.expiry, Expiry::AutoRefresh { .. }));
        self.set_writing(Some((taken.counts.clone(), taken.sources.clone())));
        let written = match write(database, &taken).await {
            Ok(tx) => {
                let _gate = self.report_gate.write().await;
                let committed = tx.commit().await.map_err(StorageError::from);
                if committed.is_ok() {
                    self.set_writing(None);
                }
                committed
            }
            Err(error) => Err(error),
        };
        match written {
            Ok(()) => Ok(slid),
            Err(error) => {
                let _gate = self.report_gate.write().await;
                self.set_writing(None);
                self.put_back(taken);
                Err(error)
            }
        }
    }

    fn set_writing(&self, writing: Option<Writing>) {
        *self.writing.lock().unwrap_or_else(PoisonError::into_inner) = writing;
    }

    fn put_back(&self, taken: Pending) {
        let mut pending = self.lock();
        pending.oldest_at = match (pending.oldest_at, taken.oldest_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for (token_id, used) in taken.uses {
            let newer = pending.uses.get(&token_id).is_some_and(|u| u.at >= used.at);
            if !newer {
                pending.uses.insert(token_id, used);
            }
        }
        let room = MAX_ITEMISED_REFUSALS.saturating_sub(pending.refusals.len());
        let kept = taken.refusals.len().min(room);
        pending.uncounted_refusals += (taken.refusals.len() - kept) as u64;
        pending.uncounted_refusals += taken.uncounted_refusals;
        pending
            .refusals
            .extend(taken.refusals.into_iter().take(kept));
        for (key, calls) in taken.counts {
            *pending.counts.entry(key).or_default() += calls;
        }
        for (key, seen) in taken.sources {
            let merged = match pending.sources.get(&key) {
                Some(newer) => Seen {
                    first: newer.first.min(seen.first),
                    last: newer.last.max(seen.last),
                    calls: newer.calls + seen.calls,
                },
                None => seen,
            };
            pending.sources.insert(key, merged);
        }
    }
}

/// Everything but the commit, which the caller makes (see `report_gate`).
async fn write(
    database: &Database,
    pending: &Pending,
) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    let mut tx = database.begin_write().await?;
    for (token_id, used) in &pending.uses {
        tokens::record_use(&mut *tx, *token_id, used.at, &used.client, used.expiry).await?;
    }
    for refusal in &pending.refusals {
        audit::record(
            &mut *tx,
            Event {
                action: Action::TokenUseDenied,
                actor: None,
                subject_login: refusal.owner_login.as_deref(),
                client: &refusal.client,
                detail: Some(&refusal.detail),
            },
        )
        .await?;
    }
    write_counts(&mut tx, pending).await?;
    if pending.uncounted_refusals > 0 {
        let detail = format!(
            "{} more refused token uses in {} s, not itemised",
            pending.uncounted_refusals,
            FLUSH_INTERVAL.as_secs()
        );
        audit::record(
            &mut *tx,
            Event {
                action: Action::TokenUseDenied,
                actor: None,
                subject_login: None,
                client: &ClientInfo::default(),
                detail: Some(&detail),
            },
        )
        .await?;
    }
    Ok(tx)
}

async fn write_counts(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    pending: &Pending,
) -> Result<()> {
    // Sorted, so that replicas flushing at once take the rows' locks in the same order.
    let mut keys: Vec<(&CountKey, &u64)> = pending.counts.iter().collect();
    keys.sort_by_key(|(key, _)| (key.token_id, key.day, &key.method, &key.env, key.outcome));
    for (key, calls) in keys {
        counts::add_calls(&mut **tx, key, *calls).await?;
    }
    let mut sources: Vec<(&SourceKey, &Seen)> = pending.sources.iter().collect();
    sources.sort_by_key(|(key, _)| (key.token_id, &key.ip, &key.user_agent));
    for (key, seen) in &sources {
        counts::add_source(&mut **tx, key, **seen).await?;
    }
    let mut tokens: Vec<i64> = sources.iter().map(|(key, _)| key.token_id).collect();
    tokens.dedup();
    for token_id in tokens {
        counts::trim_sources(&mut **tx, token_id).await?;
    }
    if let Some(today) = pending.counts.keys().map(|key| key.day).max() {
        counts::prune_before(&mut **tx, today - USAGE_KEPT_DAYS).await?;
    }
    Ok(())
}
