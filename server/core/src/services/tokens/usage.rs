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
    client::ClientInfo,
    token::{Expiry, USAGE_KEPT_DAYS},
};

use super::tally::{Call, CallTally, TokenTally};
use crate::{
    services::audit::{self, Action, Event},
    storage::{Database, Result, StorageError, tokens, usage as counts},
};

pub const FLUSH_INTERVAL: Duration = Duration::from_secs(2);
/// Refusals itemised per flush; more are summed up in one event (a flood of bad tokens must
/// not become a flood of writes).
const MAX_ITEMISED_REFUSALS: usize = 200;
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
    calls: CallTally,
    /// The calls a write has taken and not yet committed: reports still count them.
    writing: Option<CallTally>,
    /// When the oldest record still waiting was made.
    oldest_at: Option<i64>,
}

/// What waits to be written (for metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    pub records: u64,
    pub oldest_at: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct UsageRecorder {
    pending: Arc<Mutex<Pending>>,
    /// One write at a time (the periodic one and the last one at shutdown may meet).
    writer: Arc<tokio::sync::Mutex<()>>,
    /// Held shared by a report across its database read and its look at memory, and
    /// exclusively by a write across its commit and forgetting what it wrote: a report sees
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
        let mut pending = self.lock();
        pending.oldest_at.get_or_insert(call.at);
        pending.calls.count(call);
    }

    /// Held while a report reads the stored counts and then [`Self::unwritten`].
    pub async fn report_gate(&self) -> tokio::sync::RwLockReadGuard<'_, ()> {
        self.report_gate.read().await
    }

    /// A token's calls not yet committed (a report adds them to the stored ones).
    pub fn unwritten(&self, token_id: i64) -> Vec<TokenTally> {
        let pending = self.lock();
        [Some(&pending.calls), pending.writing.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|calls| calls.of(token_id).cloned())
            .collect()
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
            records: (pending.uses.len() + pending.refusals.len() + pending.calls.records()) as u64
                + pending.uncounted_refusals,
            oldest_at: pending.oldest_at,
        }
    }

    /// Writes what is pending in one transaction. On failure it is put back for next time.
    /// True when it moved an auto-refresh token's stored expiry.
    pub async fn flush(&self, database: &Database) -> Result<bool> {
        let _writer = self.writer.lock().await;
        let taken = {
            let mut pending = self.lock();
            let taken = std::mem::take(&mut *pending);
            pending.writing = Some(taken.calls.clone());
            taken
        };
        if taken.uses.is_empty()
            && taken.refusals.is_empty()
            && taken.uncounted_refusals == 0
            && taken.calls.is_empty()
        {
            self.lock().writing = None;
            return Ok(false);
        }
        if taken.calls.uncounted() > 0 {
            tracing::warn!(
                calls = taken.calls.uncounted(),
                "token calls beyond the bound of distinct counts between two writes were not counted"
            );
        }
        let slid = taken
            .uses
            .values()
            .any(|used| matches!(used.expiry, Expiry::AutoRefresh { .. }));
        let written = match write(database, &taken).await {
            Ok(tx) => {
                let _gate = self.report_gate.write().await;
                let committed = tx.commit().await.map_err(StorageError::from);
                if committed.is_ok() {
                    self.lock().writing = None;
                }
                committed
            }
            Err(error) => Err(error),
        };
        match written {
            Ok(()) => Ok(slid),
            Err(error) => {
                let _gate = self.report_gate.write().await;
                self.put_back(taken);
                Err(error)
            }
        }
    }

    fn put_back(&self, taken: Pending) {
        let mut pending = self.lock();
        pending.writing = None;
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
        pending.calls.merge(taken.calls);
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
    let tokens = pending.calls.sorted();
    for (token_id, tally) in &tokens {
        for (count, calls) in tally.counts() {
            counts::add_calls(&mut **tx, *token_id, &count, calls).await?;
        }
        let mut sources = tally.sources.clone();
        sources.sort_by(|a, b| a.0.cmp(&b.0));
        for (source, seen) in &sources {
            counts::add_source(&mut **tx, *token_id, source, *seen).await?;
        }
        if !sources.is_empty() {
            counts::trim_sources(&mut **tx, *token_id).await?;
        }
    }
    if let Some(today) = pending.calls.last_day() {
        counts::prune_before(&mut **tx, today - USAGE_KEPT_DAYS).await?;
    }
    Ok(())
}
