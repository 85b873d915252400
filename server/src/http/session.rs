//! The gate in front of signed-in pages (the session cookie itself is `app::request`'s).

use app::request::{RequestContext, cleared_session_cookie, signed_in_session};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use crate::services::Services;

/// Pages under these paths need a signed-in user.
const SIGNED_IN_PATHS: [&str; 2] = ["/settings", "/admin"];

/// Sends visitors without a live session to `/login`, remembering where they were going.
pub async fn require_sign_in(
    State(services): State<Services>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let gated = SIGNED_IN_PATHS.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    if !gated {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let context = RequestContext::from_parts(&parts);
    match signed_in_session(&services, &context).await {
        Ok(Some(_)) => next.run(Request::from_parts(parts, body)).await,
        Ok(None) => {
            let target = parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
            let login = format!("/login?next={}", encode_query_value(&target));
            (
                [(
                    http::header::SET_COOKIE,
                    cleared_session_cookie(context.https),
                )],
                Redirect::to(&login),
            )
                .into_response()
        }
        Err(error) => crate::http::error::internal(&error),
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode_query_value("/settings/tokens?a=1&b"),
            "/settings/tokens%3Fa%3D1%26b"
        );
    }
}
