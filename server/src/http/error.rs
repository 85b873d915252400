//! Answers for failures the HTTP layer meets itself.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::services::tokens::Refusal;

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

/// The HTTP status of a refused token, wherever it is presented.
pub fn refusal_status(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::ConflictingCredentials => StatusCode::UNAUTHORIZED,
        Refusal::OwnerDisabled
        | Refusal::MethodNotAllowed(_)
        | Refusal::OutOfScope { .. }
        | Refusal::Suspended
        | Refusal::AddressNotAllowed
        | Refusal::Exhausted => StatusCode::FORBIDDEN,
        Refusal::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        Refusal::NoCredential
        | Refusal::Malformed(_)
        | Refusal::Unknown
        | Refusal::Regenerated
        | Refusal::Removed
        | Refusal::Leaked
        | Refusal::Expired => StatusCode::UNAUTHORIZED,
    }
}

/// Sets `Retry-After` on the answer to a refusal that passes with time.
pub fn add_retry_after(response: &mut Response, refusal: &Refusal) {
    if let Refusal::RateLimited { retry_after_secs } = refusal {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, (*retry_after_secs).into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_is_documented_in_the_readme() {
        let readme = include_str!("../../../README.md");
        for refusal in Refusal::all() {
            let row = format!(
                "| {} | `{}` | {} |",
                refusal.result(),
                refusal.code(),
                refusal_status(&refusal).as_u16()
            );
            assert!(readme.contains(&row), "README lacks {row}");
        }
    }
}
