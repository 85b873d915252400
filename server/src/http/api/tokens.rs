//! `/api/v1/tokens`: the caller's tokens. Changes need the account password in the body
//! (`"password"`); a token may introspect, rotate and revoke itself without one.

use app::{request::RequestContext, token::DecidedToken};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    ApiError,
    caller::{Caller, caller, presenting_token},
};
use crate::{
    services::{
        Services,
        accounts::Confirmed,
        tokens::{IssuedToken, TokenError, TokenOwner, TokenRequest, TokenTarget},
    },
    state::AppState,
};

pub(super) const LIST: &str = "users.authentication.GetTokens";
pub(super) const CREATE: &str = "users.authentication.CreateToken";
const EDIT: &str = "users.authentication.EditToken";
const REGENERATE: &str = "users.authentication.RegenerateToken";
pub(super) const DELETE: &str = "users.authentication.DeleteTokens";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tokens", get(list).post(create))
        .route("/api/v1/tokens/remove", post(remove_many))
        .route(
            "/api/v1/tokens/self",
            get(introspect_self).delete(revoke_self),
        )
        .route("/api/v1/tokens/self/rotate", post(rotate_self))
        .route(
            "/api/v1/tokens/{id}",
            get(get_one).patch(edit).delete(remove_one),
        )
        .route("/api/v1/tokens/{id}/regenerate", post(regenerate))
        .route("/api/v1/tokens/{id}/copy", post(copy))
}

/// A JSON body split into the password and the rest.
pub(super) struct Body {
    pub password: Option<String>,
    pub rest: Map<String, Value>,
}

pub(super) fn parse_body(bytes: &Bytes) -> Result<Body, ApiError> {
    let mut rest: Map<String, Value> = if bytes.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        serde_json::from_slice(bytes).map_err(|e| ApiError::InvalidJson(e.to_string()))?
    };
    let password = match rest.remove("password") {
        None | Some(Value::Null) => None,
        Some(Value::String(password)) => Some(password),
        Some(_) => return Err(ApiError::InvalidJson("password is a string".into())),
    };
    Ok(Body { password, rest })
}

pub(super) fn fields<T: for<'de> Deserialize<'de>>(
    rest: Map<String, Value>,
) -> Result<T, ApiError> {
    serde_json::from_value(Value::Object(rest)).map_err(|e| ApiError::InvalidJson(e.to_string()))
}

/// The body's token fields, decided for `target` of `owner`'s tokens.
pub(super) async fn decided(
    services: &Services,
    owner: &TokenOwner,
    target: TokenTarget,
    body: &Body,
) -> Result<DecidedToken, ApiError> {
    let request: TokenRequest = fields(body.rest.clone())?;
    let input = request.into_input().map_err(TokenError::Input)?;
    Ok(services.tokens.decide(owner, target, &input).await?)
}

pub(super) async fn confirm(
    services: &Services,
    caller: &Caller,
    body: &Body,
    parts: &Parts,
) -> Result<Confirmed, ApiError> {
    let password = body.password.as_deref().ok_or(ApiError::PasswordRequired)?;
    let client = RequestContext::from_parts(parts).client;
    Ok(services
        .accounts
        .confirm_password(caller.user_id(), password, &client)
        .await?)
}

pub(super) fn issued(status: StatusCode, issued: IssuedToken) -> Response {
    (
        status,
        Json(json!({ "token": issued.token, "value": issued.secret.expose() })),
    )
        .into_response()
}

async fn list(State(services): State<Services>, parts: Parts) -> Result<Response, ApiError> {
    let caller = caller(&services, &parts, LIST).await?;
    let tokens = services.tokens.list(&caller.owner(), false).await?;
    Ok(Json(json!({ "tokens": tokens })).into_response())
}

async fn get_one(
    State(services): State<Services>,
    Path(id): Path<i64>,
    parts: Parts,
) -> Result<Response, ApiError> {
    let caller = caller(&services, &parts, LIST).await?;
    let token = services.tokens.get(&caller.owner(), id).await?;
    Ok(Json(json!({ "token": token })).into_response())
}

async fn create(
    State(services): State<Services>,
    parts: Parts,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let caller = caller(&services, &parts, CREATE).await?;
    let body = parse_body(&bytes)?;
    let settings = decided(&services, &caller.owner(), TokenTarget::New, &body).await?;
    let confirmed = confirm(&services, &caller, &body, &parts).await?;
    let client = RequestContext::from_parts(&parts).client;
    let token = services
        .tokens
        .generate(&caller.owner(), &settings, &confirmed, &client)
        .await?;
    Ok(issued(StatusCode::CREATED, token))
}

async fn edit(
    State(services): State<Services>,
    Path(id): Path<i64>,
    parts: Parts,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let caller = caller(&services, &parts, EDIT).await?;
    let body = parse_body(&bytes)?;
    let settings = decided(&services, &caller.owner(), TokenTarget::Edit(id), &body).await?;
    let confirmed = confirm(&services, &caller, &body, &parts).await?;
    let client = RequestContext::from_parts(&parts).client;
    let token = services
        .tokens
        .edit(&caller.owner(), id, &settings, &confirmed, &client)
        .await?;
    Ok(Json(json!({ "token": token })).into_response())
}

async fn copy(
    State(services): State<Services>,
    Path(id): Path<i64>,
    parts: Parts,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let caller = caller(&services, &parts, CREATE).await?;
    let body = parse_body(&bytes)?;
    let settings = decided(&services, &caller.owner(), TokenTarget::Copy(id), &body).await?;
    let confirmed = confirm(&services, &caller, &body, &parts).await?;
    let client = RequestContext::from_parts(&parts).client;
    let token = services
        .tokens
        .copy(&caller.owner(), id, &settings, &confirmed, &client)
        .await?;
    Ok(issued(StatusCode::CREATED, token))
}

async fn regenerate(
    State(services): State<Services>,
    Path(id): Path<i64>,
    parts: Parts,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let caller = caller(&services, &parts, REGENERATE).await?;
    let body = parse_body(&bytes)?;
    let _: Empty = fields(body.rest.clone())?;
    let confirmed = confirm(&services, &caller, &body, &parts).await?;
    let client = RequestContext::from_parts(&parts).client;
    let token = services
        .tokens
        .regenerate(&caller.owner(), id, &confirmed, &client)
        .await?;
    Ok(issued(StatusCode::OK, token))
}

async fn remove_one(
    State(services): State<Services>,
    Path(id): Path<i64>,
    parts: Parts,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    remove(&services, &parts, &bytes, Some(id)).await
}

async fn remove_many(
    State(services): State<Services>,
    parts: Parts,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    remove(&services, &parts, &bytes, None).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ids {
    ids: Vec<i64>,
}

async fn remove(
    services: &Services,
    parts: &Parts,
    bytes: &Bytes,
    id: Option<i64>,
) -> Result<Response, ApiError> {
    let caller = caller(services, parts, DELETE).await?;
    let body = parse_body(bytes)?;
    let ids = match id {
        Some(id) => {
            let _: Empty = fields(body.rest.clone())?;
            vec![id]
        }
        None => fields::<Ids>(body.rest.clone())?.ids,
    };
    let confirmed = confirm(services, &caller, &body, parts).await?;
    let client = RequestContext::from_parts(parts).client;
    let removed = services
        .tokens
        .remove(&caller.owner(), &ids, &confirmed, &client)
        .await?;
    Ok(Json(json!({ "removed": removed })).into_response())
}

async fn introspect_self(
    State(services): State<Services>,
    parts: Parts,
) -> Result<Response, ApiError> {
    let grant = presenting_token(&services, &parts).await?;
    let token = services.tokens.introspect(&grant).await?;
    Ok(Json(json!({ "token": token })).into_response())
}

async fn rotate_self(State(services): State<Services>, parts: Parts) -> Result<Response, ApiError> {
    let grant = presenting_token(&services, &parts).await?;
    let client = RequestContext::from_parts(&parts).client;
    let token = services.tokens.rotate_self(&grant, &client).await?;
    Ok(issued(StatusCode::OK, token))
}

async fn revoke_self(State(services): State<Services>, parts: Parts) -> Result<Response, ApiError> {
    let grant = presenting_token(&services, &parts).await?;
    let client = RequestContext::from_parts(&parts).client;
    services.tokens.revoke_self(&grant, &client).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
