//! Server functions' answers get the HTTP status their error means, whatever failed: the
//! function itself (401, 403, 422...), or the decoding of its input before it ran (malformed:
//! 400; too large: 413). The server-function machinery would answer 500 for those, and the
//! request log would call a client's mistake a server fault.

use app::error::ServerError;
use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use super::error::json_error;

/// The largest server-function input: a token form or a list of ids is a few kilobytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;
/// A server function's error answer is a short JSON value.
const MAX_ERROR_BYTES: usize = 64 * 1024;

pub async fn error_statuses(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/_fn/") {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(input) = to_bytes(body, MAX_INPUT_BYTES).await else {
        return json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request is larger than a server function takes (64 KiB).",
        );
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(input)))
        .await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<ServerError>(&bytes) {
        if matches!(error, ServerError::Malformed(_)) {
            tracing::debug!(%error, "malformed server-function input");
        }
        parts.status = error.status();
        if let ServerError::Throttled { retry_after_secs } = error {
            parts
                .headers
                .insert(http::header::RETRY_AFTER, retry_after_secs.into());
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
