//! The REST API, `/api/v1/...`: the caller's tokens, the catalog, and its OpenAPI document.
//! Callers authenticate with a browser session or with an access token; errors are JSON
//! `{"error": {"code", "message"}}` with a stable code.

pub mod admin;
mod audit;
mod error;
mod extract;
mod leaks;
mod openapi;
mod tokens;
mod webhooks;

use axum::{
    Json, Router,
    body::to_bytes,
    extract::{Request, State},
    http::StatusCode,
    middleware::{self, Next},
    response::Response,
    routing::{any, get},
};

use crate::{services::Services, state::AppState};

pub use error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(tokens::router())
        .merge(admin::router())
        .merge(webhooks::router())
        .merge(leaks::router())
        .merge(audit::router())
        .route("/api/v1/catalog", get(catalog))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api", any(unknown_route))
        .route("/api/", any(unknown_route))
        .route("/api/{*rest}", any(unknown_route))
        .layer(middleware::from_fn(errors_as_json))
}

/// What axum itself answers under `/api/` (a path or query that does not parse, a method the
/// route does not take) in the API's own JSON error format.
async fn errors_as_json(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = to_bytes(body, 16 * 1024)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    let (code, fallback) = match status {
        StatusCode::NOT_FOUND => ("not_found", "There is no API route at this address."),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "This route does not take that method.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "The request body is too large."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Send the body as JSON, with Content-Type: application/json.",
        ),
        _ if status.is_server_error() => ("internal", "Something went wrong on the server."),
        _ => ("invalid_request", "The request could not be read."),
    };
    let message = if text.is_empty() || status.is_server_error() {
        fallback.to_owned()
    } else {
        text
    };
    let mut answer = crate::http::error::json_error(status, code, &message);
    if let Some(allow) = parts.headers.get(http::header::ALLOW) {
        answer
            .headers_mut()
            .insert(http::header::ALLOW, allow.clone());
    }
    answer
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
