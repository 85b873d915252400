//! `token.used_after_grace`: a value that regeneration replaced was presented after its grace
//! ended, so something still uses it. Announced to webhooks at most once per token every
//! [`QUIET_FOR`] on each server, queued off the request's path (the refusal is answered at
//! once; a client retrying the old value in a loop costs no write per call).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use domain::webhook::WebhookEvent;
use serde_json::json;

use crate::{
    services::webhooks::events::{TokenAbout, queue_token_event},
    storage::{Database, StorageError, tokens::TokenRecord},
};

/// How long a token's announcement keeps further ones quiet.
pub const QUIET_FOR: Duration = Duration::from_secs(15 * 60);
/// Tokens remembered at most (more: the memory starts over).
const REMEMBERED: usize = 10_000;

#[derive(Debug, Default)]
pub struct AfterGrace {
    announced: Mutex<HashMap<i64, Instant>>,
}

impl AfterGrace {
    /// Queues the announcement for `token`, unless it was made within [`QUIET_FOR`].
    pub fn announce(&self, database: &Database, token: &TokenRecord, now: i64) {
        if !self.first_in_a_while(token.token_id, Instant::now()) {
            return;
        }
        let database = database.clone();
        let token = token.clone();
        tokio::spawn(async move {
            if let Err(error) = queue(&database, &token, now).await {
                tracing::warn!(%error, token_id = token.token_id, "a use after the grace period could not be announced");
            }
        });
    }

    fn first_in_a_while(&self, token_id: i64, at: Instant) -> bool {
        let mut announced = self.announced.lock().unwrap_or_else(|e| e.into_inner());
        if announced
            .get(&token_id)
            .is_some_and(|last| at.duration_since(*last) < QUIET_FOR)
        {
            return false;
        }
        if announced.len() >= REMEMBERED {
            announced.clear();
        }
        announced.insert(token_id, at);
        true
    }
}

async fn queue(database: &Database, token: &TokenRecord, now: i64) -> Result<(), StorageError> {
    let mut tx = database.begin_write().await?;
    let about = TokenAbout {
        token_id: token.token_id,
        owner_user_id: token.user_id,
        owner_login: &token.owner_login,
        description: &token.description,
        hint: &token.hint,
    };
    queue_token_event(
        &mut tx,
        WebhookEvent::TokenUsedAfterGrace,
        &about,
        json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_announced_once_in_a_while() {
        let after_grace = AfterGrace::default();
        let start = Instant::now();
        assert!(after_grace.first_in_a_while(1, start));
        assert!(!after_grace.first_in_a_while(1, start + Duration::from_secs(60)));
        assert!(after_grace.first_in_a_while(2, start + Duration::from_secs(60)));
        assert!(after_grace.first_in_a_while(1, start + QUIET_FOR));
    }
}
