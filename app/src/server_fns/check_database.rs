use leptos::prelude::*;

use super::codec::Json;

use crate::{error::ServerError, status::DatabaseReport};

/// Asks the server to query its database and report the answer (signed-in users only: the
/// engine's version is nobody else's business).
#[server(prefix = "/_fn", endpoint = "check_database", input = Json, output = Json)]
pub async fn check_database() -> Result<DatabaseReport, ServerError> {
    use super::call::{Call, server_error};

    let call = Call::current()?;
    call.session().await?;
    call.services
        .system
        .database_report()
        .await
        .map_err(server_error)
}
