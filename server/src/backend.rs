//! The server's side of `app::backend::Backend`: how server functions reach the services.

use app::{backend::Backend, error::ServerError, status::DatabaseReport};

use crate::{services::Services, storage::StorageError};

#[async_trait::async_trait]
impl Backend for Services {
    async fn database_report(&self) -> Result<DatabaseReport, ServerError> {
        self.system.database_report().await.map_err(server_error)
    }
}

/// Expected failures keep their meaning; anything else is logged here and answered opaquely.
fn server_error(error: StorageError) -> ServerError {
    match error {
        StorageError::Unavailable(_) => {
            tracing::warn!(%error, "database unavailable");
            ServerError::DatabaseUnavailable
        }
        other => {
            tracing::error!(error = %other, "server function failed");
            ServerError::Internal
        }
    }
}
