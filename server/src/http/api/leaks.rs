//! `POST /api/v1/leaks`: where secret scanners report token values they found in public
//! (GitHub's secret-scanning partner format). Public: no sign-in, limited per address, and
//! signed with `X-Hub-Signature-256` when the operator set a secret.

use app::request::RequestContext;
use axum::{
    Json, Router,
    body::{Body, to_bytes},
    extract::{Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::{
    http::error::{internal, json_error},
    services::{
        Services,
        tokens::{FoundValue, MAX_VALUES_PER_REPORT},
    },
    state::AppState,
};

const MAX_BODY_BYTES: usize = 256 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/leaks", post(report))
}

/// One value as a scanner reports it; other fields are ignored.
#[derive(Deserialize)]
struct Reported {
    token: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

async fn report(State(services): State<Services>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let context = RequestContext::from_parts(&parts);
    if let Err(wait) = services
        .tokens
        .admit_leak_report(context.client.ip.as_deref())
    {
        let mut response = json_error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many reports from this address: try again in a minute.",
        );
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, wait.as_secs().max(1).into());
        return response;
    }
    let Ok(body) = to_bytes(body, MAX_BODY_BYTES).await else {
        return json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!("A report is at most {MAX_BODY_BYTES} bytes."),
        );
    };
    let signature = parts
        .headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if !services.tokens.leak_policy().signed(&body, signature) {
        return json_error(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            "This server takes signed reports only: X-Hub-Signature-256: sha256=<HMAC-SHA256 of \
             the body with the shared secret, in hex>.",
        );
    }
    let Ok(reported) = serde_json::from_slice::<Vec<Reported>>(&body) else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "Send a JSON list of {\"token\", \"type\", \"url\", \"source\"}.",
        );
    };
    if reported.len() > MAX_VALUES_PER_REPORT {
        return json_error(
            StatusCode::BAD_REQUEST,
            "too_many_values",
            &format!("A report carries at most {MAX_VALUES_PER_REPORT} values."),
        );
    }
    let kinds: Vec<Option<String>> = reported.iter().map(|r| r.kind.clone()).collect();
    let found: Vec<FoundValue> = reported
        .into_iter()
        .map(|r| FoundValue {
            token: r.token,
            url: r.url,
            source: r.source,
        })
        .collect();
    let action = services.tokens.leak_policy().action;
    match services
        .tokens
        .report_leaks(&found, action, &context.client)
        .await
    {
        // Only values shaped like Tessera tokens are answered, each by its hash (the value is
        // never sent back), as GitHub's feedback format allows.
        Ok(shaped) => {
            let answers: Vec<_> = found
                .iter()
                .zip(kinds)
                .zip(shaped)
                .filter(|(_, shaped)| *shaped)
                .map(|((value, kind), _)| {
                    json!({
                        "token_hash": hex(&Sha256::digest(value.token.trim().as_bytes())),
                        "token_type": kind,
                        "label": "true_positive",
                    })
                })
                .collect();
            (StatusCode::OK, Json(answers)).into_response()
        }
        Err(error) => internal(&error),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
