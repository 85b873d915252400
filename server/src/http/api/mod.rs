//! The REST API, `/api/v1/...`: the caller's tokens, the catalog, and its OpenAPI document.
//! Callers authenticate with a browser session or with an access token; errors are JSON
//! `{"error": {"code", "message"}}` with a stable code.

pub mod admin;
mod caller;
mod error;
mod openapi;
mod tokens;

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::Response,
    routing::{any, get},
};

use crate::{services::Services, state::AppState};

pub use error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(tokens::router())
        .merge(admin::router())
        .route("/api/v1/catalog", get(catalog))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/{*rest}", any(unknown_route))
}

/// Every address under `/api/` answers JSON, the unknown ones too.
async fn unknown_route() -> Response {
    crate::http::error::json_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no API route at this address: see /api/v1/openapi.json.",
    )
}

/// The API catalog: services, methods and predefined sets. Public: it holds no secrets.
async fn catalog(State(services): State<Services>) -> Json<app::catalog::Catalog> {
    Json(services.tokens.catalog().clone())
}
