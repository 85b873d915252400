//! `/auth/verify`: a reverse proxy's question before it passes a request on. nginx
//! (`auth_request`) describes the request in `X-Original-Method` and `X-Original-URI`;
//! Traefik (`forwardAuth`) and Caddy (`forward_auth`) in `X-Forwarded-Method` and
//! `X-Forwarded-Uri`. The token is the original request's, by any of the four transports
//! (its `session` parameter from the original query).
//!
//! Allowed: 200 with who the token is for. Refused: 401 (with `WWW-Authenticate`) or 403, the
//! only statuses proxies pass on as a refusal, with the platform API's body, and its code in
//! `X-Tessera-Code` for a proxy to copy into its own answer.

use app::request::RequestContext;
use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::any,
};
use domain::call_parameters::CallParameters;

use super::{
    credentials::{SESSION_PARAM, presented_token},
    platform::{failure_as, parameters},
};
use crate::{
    services::{
        Services,
        gateway::{ProxiedRequest, Verdict},
        platform::PlatformError,
    },
    state::AppState,
};

pub const PATH: &str = "/auth/verify";

/// Headers some frameworks take as the request's real method.
const METHOD_OVERRIDES: [&str; 3] = [
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, any(verify))
}

async fn verify(State(services): State<Services>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    let context = RequestContext::from_parts(&parts);
    if let Some(name) = METHOD_OVERRIDES
        .iter()
        .find(|name| parts.headers.contains_key(**name))
    {
        return refused(&PlatformError::InvalidParameter(format!(
            "The request carries {name}: some upstreams would run another method than the one \
             checked."
        )));
    }
    let original = match Original::of(&parts.headers) {
        Ok(original) => original,
        Err(error) => return refused(&error),
    };
    let (path, query) = original
        .uri
        .split_once('?')
        .unwrap_or((original.uri.as_str(), ""));
    if session_named_in_disguise(query) {
        return refused(&PlatformError::InvalidParameter(
            "Write the session parameter's name as is: a proxy strips the token from the query \
             by that name, and an encoded one would reach the upstream."
                .into(),
        ));
    }
    let CallParameters { pairs, sessions } = match parameters(Some(query), &[]) {
        Ok(split) => split,
        Err(error) => return refused(&error),
    };
    let presented = match presented_token(&parts.headers, sessions) {
        Ok(presented) => presented,
        Err(refusal) => return refused(&PlatformError::Refused(refusal)),
    };
    let proxied = ProxiedRequest {
        verb: &original.verb,
        path,
        query: &pairs,
    };
    match services
        .gateway
        .check(proxied, presented, &context.client)
        .await
    {
        Ok(Verdict::Public) => StatusCode::OK.into_response(),
        Ok(Verdict::Allowed { grant, method }) => {
            let scopes = if grant.scopes.is_empty() {
                "*".to_owned()
            } else {
                let written: Vec<String> = grant.scopes.iter().map(ToString::to_string).collect();
                written.join(",")
            };
            let mut response = StatusCode::OK.into_response();
            let headers = response.headers_mut();
            for (name, value) in [
                ("x-tessera-user", grant.login),
                ("x-tessera-token-id", grant.token_id.to_string()),
                ("x-tessera-scopes", scopes),
                ("x-tessera-method", method.to_string()),
            ] {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    headers.insert(name, value);
                }
            }
            response
        }
        Err(error) => refused(&error),
    }
}

/// A parameter that Tessera reads as `session` but a proxy matching the name as written would
/// not (`sess%69on`, `session` with a `+`...).
fn session_named_in_disguise(query: &str) -> bool {
    query.split('&').any(|pair| {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        name != SESSION_PARAM
            && percent_encoding::percent_decode_str(&name.replace('+', " ")).decode_utf8_lossy()
                == SESSION_PARAM
    })
}

/// The request the proxy describes. Where both header families or several values are
/// present they must agree: a client could have sent the family its proxy does not set.
struct Original {
    verb: String,
    uri: String,
}

impl Original {
    fn of(headers: &HeaderMap) -> Result<Self, PlatformError> {
        let verb = agreed(headers, ["x-original-method", "x-forwarded-method"])?;
        let uri = agreed(headers, ["x-original-uri", "x-forwarded-uri"])?;
        match (verb, uri) {
            // Methods are case-sensitive: `get` is not GET to every upstream.
            (Some(verb), _) if verb.is_empty() || !verb.bytes().all(|b| b.is_ascii_uppercase()) => {
                Err(PlatformError::InvalidParameter(
                    "The original request's method is not an upper-case HTTP method.".into(),
                ))
            }
            (Some(verb), Some(uri)) => Ok(Self { verb, uri }),
            _ => Err(PlatformError::InvalidParameter(
                "Forward-auth needs the original request: X-Original-Method and X-Original-URI \
                 (nginx), or X-Forwarded-Method and X-Forwarded-Uri (Traefik, Caddy)."
                    .into(),
            )),
        }
    }
}

fn agreed(headers: &HeaderMap, names: [&str; 2]) -> Result<Option<String>, PlatformError> {
    let mut found: Option<&str> = None;
    for value in names.iter().flat_map(|name| headers.get_all(*name)) {
        let value = value.to_str().map_err(|_| {
            PlatformError::InvalidParameter("The original request's headers are not ASCII.".into())
        })?;
        if found.is_some_and(|earlier| earlier != value) {
            return Err(PlatformError::InvalidParameter(format!(
                "The original request is described twice, differently ({} or {}).",
                names[0], names[1]
            )));
        }
        found = Some(value);
    }
    Ok(found.map(str::to_owned))
}

/// The platform API's answer to the same failure, as 401 or 403 (a storage failure stays a
/// 5xx: proxies answer it as an error, refusing the request), its code in `X-Tessera-Code`.
fn refused(error: &PlatformError) -> Response {
    let (mut response, code) = failure_as(error, "forward-auth check", |status| match status {
        StatusCode::UNAUTHORIZED => StatusCode::UNAUTHORIZED,
        status if status.is_server_error() => status,
        _ => StatusCode::FORBIDDEN,
    });
    response
        .headers_mut()
        .insert("x-tessera-code", HeaderValue::from_static(code));
    response
}
