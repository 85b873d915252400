use leptos::prelude::*;

use crate::{error::ServerError, status::DatabaseReport};

/// Asks the server to query its database and report the answer.
#[server(prefix = "/_fn", endpoint = "check_database")]
pub async fn check_database() -> Result<DatabaseReport, ServerError> {
    super::with_status(async { crate::backend::backend()?.database_report().await }.await)
}
