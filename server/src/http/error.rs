//! Answers for failures the HTTP layer meets itself.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

/// Logs the error and answers an opaque 500.
pub fn internal(error: &dyn std::error::Error) -> Response {
    tracing::error!(%error, "request failed");
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Something went wrong on the server. It has been logged.",
    )
}

pub fn json_error(status: StatusCode, code: &'static str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}
