//! One password check at a time per login, within this process.
//!
//! Every attempt is counted before its password is verified (see `verify_throttled`), so
//! concurrent attempts see each other and the limits hold exactly. Without turns, a person's
//! own parallel requests with the right password would then throttle each other while their
//! checks are in flight; taking turns per login lets each see the one before it finished.
//! Across replicas the advance count alone keeps the limits exact.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

#[derive(Debug, Default, Clone)]
pub struct Turns {
    queues: Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>,
}

/// The holder's turn; the next attempt for the same key goes when it is dropped.
pub struct Turn {
    key: String,
    turns: Turns,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Turns {
    pub async fn take(&self, key: &str) -> Turn {
        let queue = {
            let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
            queues.entry(key.to_owned()).or_default().clone()
        };
        let guard = queue.lock_owned().await;
        Turn {
            key: key.to_owned(),
            turns: self.clone(),
            guard: Some(guard),
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut queues = self.turns.queues.lock().unwrap_or_else(|e| e.into_inner());
        // Forget a key nobody waits for, so the map does not grow with every login tried.
        if queues
            .get(&self.key)
            .is_some_and(|queue| Arc::strong_count(queue) == 1)
        {
            queues.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_are_taken_one_at_a_time_per_key_and_forgotten_after() {
        let turns = Turns::default();
        let first = turns.take("account:a").await;
        let other = turns.take("account:b").await;
        let waiting = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            turns.take("account:a"),
        )
        .await;
        assert!(waiting.is_err(), "a second turn for the same key waits");
        drop(first);
        drop(turns.take("account:a").await);
        drop(other);
        assert!(turns.queues.lock().unwrap().is_empty());
    }
}
