//! Tells this process's check cache about token changes made elsewhere (another replica, the
//! CLI): SQLite's `token_revision` counter, polled; PostgreSQL's `tessera_token_check`
//! notifications, delivered at commit.

use std::time::Duration;

use domain::status::StorageEngine;
use sqlx::postgres::PgListener;

use super::{REVISION_POLL, TokenService};
use crate::storage::tokens;

const CHANNEL: &str = "tessera_token_check";
/// After a lost PostgreSQL connection, the wait before connecting again.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

impl TokenService {
    /// Runs for as long as the server does.
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
                Ok(revision) => self.cache.observe_revision(revision),
                Err(error) => tracing::warn!(%error, "cannot read the token revision"),
            }
        }
    }

    /// Returns when the connection fails; every change it may have missed meanwhile is
    /// covered by dropping the cache.
    async fn listen_for_changes(&self) {
        let mut listener = match PgListener::connect(self.database.url().expose()).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(error = %error_without_url(&error), "cannot listen for token changes");
                return;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(%error, "cannot listen for token changes");
            return;
        }
        // Whatever changed before the LISTEN took effect is unknown.
        self.cache.invalidate();
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => self.cache.invalidate(),
                // The connection was lost: start over with a new one, which drops the cache
                // once it listens again.
                Ok(None) => {
                    self.cache.invalidate();
                    return;
                }
                Err(error) => {
                    tracing::warn!(%error, "stopped listening for token changes");
                    self.cache.invalidate();
                    return;
                }
            }
        }
    }
}

/// A connection error in words, never with the URL (which may hold a password).
fn error_without_url(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::Io(io) => io.to_string(),
        _ => "connection failed".to_owned(),
    }
}
