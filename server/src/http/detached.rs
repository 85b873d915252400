//! Every request's work runs to its end, even when its client goes away first.
//!
//! Without this, a client that hangs up (a closed tab, a dropped connection, a proxy's
//! timeout) makes hyper drop the handler's future wherever it stands: in the middle of a write
//! transaction, sqlx can hand the connection back to the pool with the transaction still open,
//! and on SQLite that connection keeps the database's write lock until it is next used. Every
//! other writer then waits out its 5 s busy timeout and fails with "database is locked", and
//! the next request on that connection fails with "begin_with at non-zero transaction depth"
//! (`scripts/robustness/contention.py` reproduced both). It would also strand half-done work
//! that is meant to finish together, such as a sign-in's failure counted in advance and taken
//! back once the password proves right.

use axum::{extract::Request, middleware::Next, response::Response};

pub async fn run_to_completion(request: Request, next: Next) -> Response {
    match tokio::spawn(next.run(request)).await {
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
