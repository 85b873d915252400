//! Settings → Notifications' server functions: the session's own webhook endpoints. Adding
//! and removing one carries the account password, as token changes do.

use leptos::prelude::*;

use super::codec::Json;

use crate::{
    error::ServerError,
    webhook::{DeliveryView, NotificationsPage, RegisteredWebhook, WebhookInput},
};

#[server(prefix = "/_fn", endpoint = "notifications", input = Json, output = Json)]
pub async fn load_notifications() -> Result<NotificationsPage, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::services::webhooks::WebhookOwner;

    let call = Call::current()?;
    let session = call.session().await?;
    call.services
        .webhooks
        .page(&WebhookOwner::of_session(&session))
        .await
        .map_err(server_error)
}

/// Registers an endpoint; the answer holds its signing secret, the one time it is sent. The
/// input is decided (and its URL resolved) before the password is checked.
#[server(prefix = "/_fn", endpoint = "register_webhook", input = Json, output = Json)]
pub async fn register_webhook(
    input: WebhookInput,
    password: String,
) -> Result<RegisteredWebhook, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::services::webhooks::WebhookOwner;

    let call = Call::current()?;
    let session = call.session().await?;
    let owner = WebhookOwner::of_session(&session);
    let webhooks = &call.services.webhooks;
    webhooks
        .decide(&owner, &input)
        .await
        .map_err(server_error)?;
    let confirmed = call.confirm(&session, &password).await?;
    webhooks
        .register(&owner, &input, &confirmed, call.client())
        .await
        .map_err(server_error)
}

#[server(prefix = "/_fn", endpoint = "remove_webhook", input = Json, output = Json)]
pub async fn remove_webhook(id: i64, password: String) -> Result<(), ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::services::webhooks::WebhookOwner;

    let call = Call::current()?;
    let session = call.session().await?;
    let confirmed = call.confirm(&session, &password).await?;
    call.services
        .webhooks
        .remove(
            &WebhookOwner::of_session(&session),
            id,
            &confirmed,
            call.client(),
        )
        .await
        .map_err(server_error)
}

/// Sends a delivery's event again, as a new delivery.
#[server(prefix = "/_fn", endpoint = "redeliver_webhook", input = Json, output = Json)]
pub async fn redeliver(delivery_id: i64) -> Result<DeliveryView, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::services::webhooks::WebhookOwner;

    let call = Call::current()?;
    let session = call.session().await?;
    call.services
        .webhooks
        .redeliver(&WebhookOwner::of_session(&session), delivery_id)
        .await
        .map_err(server_error)
}
