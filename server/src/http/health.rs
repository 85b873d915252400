use axum::{Json, Router, extract::State, http::StatusCode, response::IntoResponse, routing::get};

use crate::{
    services::{Services, system::HealthStatus},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// 200 when the database answers, 503 when it does not; the body says which either way.
async fn healthz(State(services): State<Services>) -> impl IntoResponse {
    let health = services.system.health().await;
    let status = match health.status {
        HealthStatus::Ok => StatusCode::OK,
        HealthStatus::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    };
    (
        status,
        [(http::header::CACHE_CONTROL, "no-store")],
        Json(health),
    )
}
