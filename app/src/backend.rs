//! The server's services as server functions see them.
//!
//! `app` cannot depend on `server`, so the server implements this trait and provides it as a
//! Leptos context value; server functions fetch it with [`backend`].

use std::sync::Arc;

use crate::{error::ServerError, status::DatabaseReport};

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Runs a read against the database and reports what it answered.
    async fn database_report(&self) -> Result<DatabaseReport, ServerError>;
}

pub type SharedBackend = Arc<dyn Backend>;

/// The backend the server provided for this request.
pub fn backend() -> Result<SharedBackend, ServerError> {
    leptos::prelude::use_context::<SharedBackend>().ok_or(ServerError::Internal)
}
