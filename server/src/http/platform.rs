//! The platform API: `/1.0/<service>/<group>/rest/<method>`, GET or POST, parameters in the
//! query or a form body. Success answers `{"result": 0, ...}`; failures a documented non-zero
//! `result`, an `error` message and a stable `code`, with a matching HTTP status.

use app::request::RequestContext;
use axum::{
    Json, Router,
    body::{Bytes, to_bytes},
    extract::{Path, Request, State},
    http::{StatusCode, header::CONTENT_TYPE},
    response::{IntoResponse, Response},
    routing::get,
};
use domain::call_parameters::CallParameters;
use serde_json::{Value, json};

use super::{
    credentials::presented_token,
    error::{add_retry_after, refusal_status},
    token_expiry::AdmittedToken,
};
use crate::{
    services::{
        Services,
        error::{Classify, ErrorKind},
        platform::{Answer, MAX_FILE_BYTES, Params, PlatformError},
    },
    state::AppState,
};

/// Room for the largest file write plus the other parameters, form-encoded.
const MAX_BODY_BYTES: usize = 4 * MAX_FILE_BYTES;

/// Where every platform API route starts.
pub const PREFIX: &str = "/1.0/";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/1.0/{service}/{group}/rest/{method}",
            get(call).post(call).fallback(other_method),
        )
        .route("/api/v1/marketplace/apps", get(public_apps))
}

async fn call(
    State(services): State<Services>,
    Path((service, group, method)): Path<(String, String, String)>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let context = RequestContext::from_parts(&parts);
    let form = if is_form(&parts.headers) {
        match to_bytes(body, MAX_BODY_BYTES).await {
            Ok(bytes) => bytes,
            Err(_) => {
                return failure(&PlatformError::InvalidParameter(format!(
                    "The request body is larger than {MAX_BODY_BYTES} bytes."
                )));
            }
        }
    } else {
        Bytes::new()
    };
    let CallParameters { pairs, sessions } = match parameters(parts.uri.query(), &form) {
        Ok(split) => split,
        Err(error) => return failure(&error),
    };
    let presented = match presented_token(&parts.headers, sessions) {
        Ok(presented) => presented,
        Err(refusal) => return failure(&PlatformError::Refused(refusal)),
    };
    let params = Params::new(pairs);
    let admitted = parts.extensions.get::<AdmittedToken>().cloned();
    match services
        .platform
        .call(
            (&service, &group, &method),
            presented,
            &params,
            &context.client,
            |grant| {
                if let Some(admitted) = admitted {
                    admitted.record(grant);
                }
            },
        )
        .await
    {
        Ok(answer) => success(answer),
        Err(error) => failure(&error),
    }
}

/// The platform API takes GET and POST; anything else is refused in its own answer format.
async fn other_method() -> Response {
    let mut response = error_answer(
        StatusCode::METHOD_NOT_ALLOWED,
        METHOD_NOT_ALLOWED_RESULT,
        "method_not_allowed",
        "The platform API takes GET and POST.",
    );
    response.headers_mut().insert(
        http::header::ALLOW,
        http::HeaderValue::from_static("GET, POST"),
    );
    response
}

pub(super) const METHOD_NOT_ALLOWED_RESULT: i64 = 10;
pub(super) const CROSS_SITE_RESULT: i64 = 13;

/// The CSRF check's refusal, in the platform API's format.
pub(super) fn cross_site_refusal(message: &str) -> Response {
    error_answer(
        StatusCode::FORBIDDEN,
        CROSS_SITE_RESULT,
        "cross_site_request",
        message,
    )
}

/// The platform API's failure body: a non-zero `result`, the `error` message, a stable `code`.
fn error_answer(status: StatusCode, result: i64, code: &str, message: &str) -> Response {
    let body = json!({ "result": result, "error": message, "code": code });
    (status, Json(body)).into_response()
}

/// The marketplace's listing without a token: the same read as `marketplace.app.GetList`
/// (benchmarks compare the two to price the token check).
async fn public_apps(State(services): State<Services>) -> Response {
    match services.platform.public_apps().await {
        Ok(answer) => success(answer),
        Err(error) => failure(&error),
    }
}

fn is_form(headers: &http::HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Query and form parameters, with every `session` value set apart, or the platform API's
/// refusal of parameters that are not URL-encoded.
pub(super) fn parameters(
    query: Option<&str>,
    form: &[u8],
) -> Result<CallParameters, PlatformError> {
    CallParameters::parse(query, form)
        .map_err(|error| PlatformError::InvalidParameter(error.to_string()))
}

fn success(answer: Answer) -> Response {
    let mut body = serde_json::Map::with_capacity(answer.len() + 1);
    body.insert("result".into(), json!(0));
    body.extend(answer);
    (StatusCode::OK, Json(Value::Object(body))).into_response()
}

fn failure(error: &PlatformError) -> Response {
    failure_as(error, "platform API call", |status| status).0
}

/// The platform API's answer to a failure of `what`, its HTTP status passed through `status`
/// (forward-auth narrows it to what proxies take as a refusal), and its code.
pub(super) fn failure_as(
    error: &PlatformError,
    what: &'static str,
    status: impl FnOnce(StatusCode) -> StatusCode,
) -> (Response, &'static str) {
    let kind = error.kind();
    let (result, code, table_status) = platform_answer(kind);
    let message = if kind == ErrorKind::Internal {
        tracing::error!(%error, during = what, "request failed");
        "Something went wrong on the server. It has been logged.".to_owned()
    } else {
        error.to_string()
    };
    let status = status(table_status);
    let mut response = error_answer(status, result, code, &message);
    if let ErrorKind::Refused(refusal) = kind {
        add_retry_after(&mut response, refusal);
    }
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Bearer, Basic realm=\"tessera\""),
        );
    }
    (response, code)
}

/// The platform API's table: the `result` number, code and HTTP status of each kind of failure.
fn platform_answer(kind: ErrorKind<'_>) -> (i64, &'static str, StatusCode) {
    match kind {
        ErrorKind::Invalid | ErrorKind::InvalidToken(_) => {
            (2, "invalid_parameter", StatusCode::BAD_REQUEST)
        }
        ErrorKind::NotFound | ErrorKind::UnknownUser(_) => (3, "not_found", StatusCode::NOT_FOUND),
        ErrorKind::AlreadyExists | ErrorKind::LoginTaken => {
            (4, "already_exists", StatusCode::CONFLICT)
        }
        ErrorKind::Conflict => (5, "conflict", StatusCode::CONFLICT),
        ErrorKind::QuotaExceeded => (6, "quota_exceeded", StatusCode::FORBIDDEN),
        ErrorKind::UnknownMethod => (8, "unknown_method", StatusCode::NOT_FOUND),
        ErrorKind::Unavailable => (9, "database_unavailable", StatusCode::SERVICE_UNAVAILABLE),
        ErrorKind::InvalidCredentials | ErrorKind::WrongPassword => {
            (11, "wrong_password", StatusCode::FORBIDDEN)
        }
        ErrorKind::Throttled { .. } => (12, "throttled", StatusCode::TOO_MANY_REQUESTS),
        ErrorKind::Refused(refusal) => (refusal.result(), refusal.code(), refusal_status(refusal)),
        ErrorKind::NotAdmin | ErrorKind::Internal => {
            (1, "internal", StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}
