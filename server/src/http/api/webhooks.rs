//! `/api/v1/webhooks`: the caller's endpoints for token events, and their deliveries. Adding
//! and removing one needs the account password in the body (`"password"`), as token changes
//! do; a token needs `users.authentication.GetTokens` to read them and `EditToken` to change.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{delete, get, post},
};
use serde_json::json;

use super::{
    ApiError,
    extract::{Caller, Change, EditToken, GetTokens, NoFields},
};
use app::webhook::WebhookInput;

use crate::{services::Services, state::AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/webhooks", get(list).post(register))
        .route("/api/v1/webhooks/{id}", delete(remove))
        .route("/api/v1/webhooks/{id}/deliveries", get(deliveries))
        .route(
            "/api/v1/webhooks/deliveries/{id}/redeliver",
            post(redeliver),
        )
}

async fn list(
    State(services): State<Services>,
    caller: Caller<GetTokens>,
) -> Result<Response, ApiError> {
    let webhooks = services.webhooks.list(&caller.webhook_owner()).await?;
    Ok(Json(json!({ "webhooks": webhooks })).into_response())
}

/// `{"password", "url", "events": [...], "lead_times": "7d 1d", "all_people": false}`;
/// answers the endpoint and its signing secret, once.
async fn register(
    State(services): State<Services>,
    caller: Caller<EditToken>,
    change: Change<WebhookInput>,
) -> Result<Response, ApiError> {
    let owner = caller.webhook_owner();
    services.webhooks.decide(&owner, &change.fields).await?;
    let confirmed = change.confirm(&services, &caller).await?;
    let registered = services
        .webhooks
        .register(&owner, &change.fields, &confirmed, &caller.client)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "webhook": registered.webhook, "secret": registered.secret })),
    )
        .into_response())
}

async fn remove(
    State(services): State<Services>,
    Path(id): Path<i64>,
    caller: Caller<EditToken>,
    change: Change<NoFields>,
) -> Result<Response, ApiError> {
    let confirmed = change.confirm(&services, &caller).await?;
    services
        .webhooks
        .remove(&caller.webhook_owner(), id, &confirmed, &caller.client)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn deliveries(
    State(services): State<Services>,
    Path(id): Path<i64>,
    caller: Caller<GetTokens>,
) -> Result<Response, ApiError> {
    let deliveries = services
        .webhooks
        .deliveries(&caller.webhook_owner(), id)
        .await?;
    Ok(Json(json!({ "deliveries": deliveries })).into_response())
}

async fn redeliver(
    State(services): State<Services>,
    Path(id): Path<i64>,
    caller: Caller<EditToken>,
) -> Result<Response, ApiError> {
    let delivery = services
        .webhooks
        .redeliver(&caller.webhook_owner(), id)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "delivery": delivery }))).into_response())
}
