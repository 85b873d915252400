use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};

use super::access_log::HealthCheck;

use crate::{
    services::{Services, system::HealthStatus},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// 200 when the database answers, 503 when it does not; the body says which either way. A
/// healthy answer is logged at debug level only (see `access_log`).
async fn healthz(State(services): State<Services>) -> Response {
    let health = services.system.health().await;
    let healthy = health.status == HealthStatus::Ok;
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut response = (
        status,
        [(http::header::CACHE_CONTROL, "no-store")],
        Json(health),
    )
        .into_response();
    if healthy {
        response.extensions_mut().insert(HealthCheck);
    }
    response
}
