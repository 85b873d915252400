use leptos::{prelude::*, server_fn::codec::Json};

use crate::{error::ServerError, status::DatabaseReport};

/// Asks the server to query its database and report the answer (signed-in users only).
#[server(prefix = "/_fn", endpoint = "check_database", input = Json)]
pub async fn check_database() -> Result<DatabaseReport, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?.database_report(&RequestContext::current()).await
}
