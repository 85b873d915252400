//! Every request's work runs to its end, even when its client goes away first.
//!
//! Without this, a client that hangs up (a closed tab, a dropped connection, a proxy's
//! timeout) makes hyper drop the handler's future wherever it stands: in the middle of a write
//! transaction, sqlx can hand the connection back to the pool with the transaction still open,
//! and on SQLite that connection keeps the database's write lock until it is next used. Every
//! other writer then waits out its 5 s busy timeout and fails with "database is locked", and
//! the next request on that connection fails with "begin_with at non-zero transaction depth"
//! (`tests/api/abandoned.rs`; `scripts/robustness/contention.py` found it). It would also
//! strand half-done work that is meant to finish together, such as a sign-in's failure counted
//! in advance and taken back once the password proves right.
//!
//! Work that outlives its connection must still be bounded: at most [`MAX_IN_FLIGHT`]
//! requests are handled at once (more are answered 503 at once), and shutdown waits for them.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

/// Far above what two cores get through in the time a client waits, far below what would
/// exhaust memory.
pub const MAX_IN_FLIGHT: usize = 1024;

/// The requests being handled.
#[derive(Clone, Debug)]
pub struct InFlight {
    tasks: TaskTracker,
    room: Arc<Semaphore>,
}

impl Default for InFlight {
    fn default() -> Self {
        Self {
            tasks: TaskTracker::new(),
            room: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        }
    }
}

impl InFlight {
    /// Waits until every request taken has been handled; no new one starts after this.
    pub async fn drained(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }

    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

pub async fn run_to_completion(
    State(in_flight): State<InFlight>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(room) = in_flight.room.clone().try_acquire_owned() else {
        let mut busy = super::error::json_error(
            http::StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "The server is handling as many requests as it takes; try again in a second.",
        );
        busy.headers_mut().insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("1"),
        );
        return busy;
    };
    let handled = in_flight.tasks.spawn(async move {
        let _room = room;
        next.run(request).await
    });
    match handled.await {
        Ok(response) => response,
        Err(failure) => {
            tracing::error!(error = %failure, "a request handler failed");
            super::error::json_error(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on the server. It has been logged.",
            )
        }
    }
}
