//! Tells this process's check cache about token changes made elsewhere (another replica, the
//! CLI), and shows it that it still would: SQLite's `token_revision` counter, polled;
//! PostgreSQL's `tessera_token_check` notifications, delivered at commit, with a ping through
//! the same channel to prove the connection still hears them.

use std::time::Duration;

use domain::status::StorageEngine;
use sqlx::postgres::PgListener;

use super::{REVISION_POLL, TokenService};
use crate::storage::tokens;

const CHANNEL: &str = "tessera_token_check";
/// The payload of the watcher's own pings; a change notifies with an empty one.
const PING: &str = "ping";
/// After a lost PostgreSQL connection, the wait before connecting again.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);
/// A listening connection that hears nothing (not even the pings) for this long is replaced.
const STALLED_AFTER: Duration = Duration::from_secs(5);

impl TokenService {
    /// Runs for as long as the server does. Until it has shown it works, the check cache
    /// answers nothing.
    pub async fn watch_changes(&self) {
        match self.database.engine() {
            StorageEngine::Sqlite => self.poll_revision().await,
            StorageEngine::Postgres => loop {
                self.listen_for_changes().await;
                tokio::time::sleep(RECONNECT_DELAY).await;
            },
        }
    }

    async fn poll_revision(&self) {
        let mut ticks = tokio::time::interval(REVISION_POLL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match tokens::revision(self.database.pool()).await {
                Ok(revision) => {
                    self.cache.observe_revision(revision);
                    self.cache.confirm_watching();
                }
                Err(error) => tracing::warn!(%error, "cannot read the token revision"),
            }
        }
    }

    /// Returns when the connection fails or stops hearing the pings; every change it may
    /// have missed meanwhile is covered by dropping the cache.
    async fn listen_for_changes(&self) {
        let mut listener = match PgListener::connect(self.database.url().expose()).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(error = %error_without_url(&error), "cannot listen for token changes");
                return;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %error_without_url(&error), "cannot listen for token changes");
            return;
        }
        // Whatever changed before the LISTEN took effect is unknown.
        self.cache.invalidate();
        let pinger = AbortOnDrop(tokio::spawn(ping(self.clone())));
        loop {
            // A half-open connection waits forever: without a ping for this long, start over.
            let received = tokio::time::timeout(STALLED_AFTER, listener.try_recv()).await;
            match received {
                // Anyone's ping proves this connection hears the channel.
                Ok(Ok(Some(notification))) if notification.payload() == PING => {
                    self.cache.confirm_watching();
                }
                Ok(Ok(Some(_))) => self.cache.invalidate(),
                // The connection was lost: start over with a new one, which drops the cache
                // once it listens again.
                Ok(Ok(None)) => break,
                Ok(Err(error)) => {
                    tracing::warn!(error = %error_without_url(&error), "stopped listening for token changes");
                    break;
                }
                Err(_) => {
                    tracing::warn!("no notification for {STALLED_AFTER:?}: listening again");
                    break;
                }
            }
        }
        self.cache.invalidate();
        drop(pinger);
    }
}

/// Sends a ping through the channel every [`REVISION_POLL`], for the listeners of every
/// server to hear.
async fn ping(tokens: TokenService) {
    let mut ticks = tokio::time::interval(REVISION_POLL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let sent = sqlx::query("select pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(PING)
            .execute(tokens.database.pool())
            .await;
        if let Err(error) = sent {
            tracing::warn!(error = %error_without_url(&error), "cannot ping the token-change channel");
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A database error in words, never with the URL (which may hold a password).
fn error_without_url(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::PoolTimedOut => "no connection free in time".to_owned(),
        _ => "connection failed".to_owned(),
    }
}
