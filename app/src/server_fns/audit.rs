//! The audit log's server functions: a person's own events (Settings → Security) and, for
//! admins, everyone's, filtered (`/admin/audit`).

use leptos::prelude::*;

use super::codec::Json;

use crate::{
    audit::{AuditEventPage, AuditFilters},
    error::ServerError,
};

/// A page (from 1) of the events the session's user took part in, as actor or subject.
#[server(prefix = "/_fn", endpoint = "my_audit", input = Json, output = Json)]
pub async fn my_audit(page: u32) -> Result<AuditEventPage, ServerError> {
    use super::call::{Call, server_error};
    use crate::audit::EVENTS_PER_PAGE;

    let call = Call::current()?;
    let session = call.session().await?;
    call.services
        .audit
        .of_person(
            &session.user.login,
            Default::default(),
            page,
            EVENTS_PER_PAGE,
        )
        .await
        .map(AuditEventPage::from)
        .map_err(server_error)
}

/// A page (from 1) of everyone's events that `filters` select.
#[server(prefix = "/_fn", endpoint = "admin_audit", input = Json, output = Json)]
pub async fn admin_audit(filters: AuditFilters, page: u32) -> Result<AuditEventPage, ServerError> {
    use super::call::{Call, server_error};
    use crate::audit::EVENTS_PER_PAGE;
    use tessera_core::services::audit::AuditQuery;

    let call = Call::current()?;
    let (_, proof) = call.admin().await?;
    let query = AuditQuery::from(filters.decide().map_err(ServerError::Invalid)?);
    call.services
        .audit
        .of_everyone(&proof, &query, page, EVENTS_PER_PAGE)
        .await
        .map(AuditEventPage::from)
        .map_err(server_error)
}
