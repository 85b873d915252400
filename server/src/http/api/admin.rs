//! `/api/v1/admin/...`: people, any user's tokens and the token policy, for admins (a
//! session or a token whose owner is an admin; tokens also need the matching
//! `users.authentication` method). Changes need the admin's password, as everywhere.

use app::{account::PeopleQuery, request::RequestContext, token::TokenPolicy};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
    routing::{delete, get},
};
use serde::Deserialize;
use serde_json::json;

use super::{
    ApiError,
    caller::{Caller, caller},
    tokens::{CREATE, DELETE, LIST, confirm, decided, fields, issued, parse_body},
};
use crate::{
    services::{
        Services,
        accounts::AdminProof,
        tokens::{TokenOwner, TokenTarget},
    },
    state::AppState,
};

/// Every admin route, for the OpenAPI document and the test that walks them as a non-admin.
pub const ROUTES: [(&str, &str); 6] = [
    ("GET", "/api/v1/admin/users"),
    ("GET", "/api/v1/admin/users/{login}/tokens"),
    ("POST", "/api/v1/admin/users/{login}/tokens"),
    ("DELETE", "/api/v1/admin/users/{login}/tokens/{id}"),
    ("GET", "/api/v1/admin/policy"),
    ("PUT", "/api/v1/admin/policy"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/users", get(people))
        .route(
            "/api/v1/admin/users/{login}/tokens",
            get(tokens_of).post(create_for),
        )
        .route("/api/v1/admin/users/{login}/tokens/{id}", delete(remove_of))
        .route("/api/v1/admin/policy", get(policy).put(set_policy))
}

async fn admin(
    services: &Services,
    parts: &Parts,
    method: &str,
) -> Result<(Caller, AdminProof), ApiError> {
    let caller = caller(services, parts, method).await?;
    let proof = caller.require_admin()?;
    Ok((caller, proof))
}

async fn owner(
    services: &Services,
    proof: &AdminProof,
    login: &str,
) -> Result<TokenOwner, ApiError> {
    let (user_id, person) = services.accounts.person(login).await?;
    Ok(TokenOwner::for_admin(proof, user_id, person.login))
}

#[derive(Deserialize)]
struct PeopleParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: u32,
}

async fn people(
    State(services): State<Services>,
    Query(params): Query<PeopleParams>,
    parts: Parts,
) -> Result<Response, ApiError> {
    admin(&services, &parts, LIST).await?;
    let page = services
        .accounts
        .people(&PeopleQuery {
            search: params.q,
            page: params.page,
        })
        .await?;
    Ok(Json(page).into_response())
}

async fn tokens_of(
    State(services): State<Services>,
    Path(login): Path<String>,
    parts: Parts,
) -> Result<Response, ApiError> {
    let (_, proof) = admin(&services, &parts, LIST).await?;
    let owner = owner(&services, &proof, &login).await?;
    let tokens = services.tokens.list(&owner, true).await?;
    Ok(Json(json!({ "tokens": tokens })).into_response())
}

async fn create_for(
    State(services): State<Services>,
    Path(login): Path<String>,
    parts: Parts,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (caller, proof) = admin(&services, &parts, CREATE).await?;
    let owner = owner(&services, &proof, &login).await?;
    let body = parse_body(&bytes)?;
    let settings = decided(&services, &owner, TokenTarget::New, &body).await?;
    let confirmed = confirm(&services, &caller, &body, &parts).await?;
    let client = RequestContext::from_parts(&parts).client;
    let token = services
        .tokens
        .generate(&owner, &settings, &confirmed, &client)
        .await?;
    Ok(issued(StatusCode::CREATED, token))
}

async fn remove_of(
    State(services): State<Services>,
    Path((login, id)): Path<(String, i64)>,
    parts: Parts,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (caller, proof) = admin(&services, &parts, DELETE).await?;
    let owner = owner(&services, &proof, &login).await?;
    let body = parse_body(&bytes)?;
    let confirmed = confirm(&services, &caller, &body, &parts).await?;
    let client = RequestContext::from_parts(&parts).client;
    let removed = services
        .tokens
        .remove(&owner, &[id], &confirmed, &client)
        .await?;
    Ok(Json(json!({ "removed": removed })).into_response())
}

async fn policy(State(services): State<Services>, parts: Parts) -> Result<Response, ApiError> {
    admin(&services, &parts, LIST).await?;
    Ok(Json(services.tokens.policy().await?).into_response())
}

async fn set_policy(
    State(services): State<Services>,
    parts: Parts,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (caller, _) = admin(&services, &parts, CREATE).await?;
    let body = parse_body(&bytes)?;
    let policy: TokenPolicy = fields(body.rest.clone())?;
    let confirmed = confirm(&services, &caller, &body, &parts).await?;
    let client = RequestContext::from_parts(&parts).client;
    let saved = services
        .tokens
        .set_policy(policy, &confirmed, &client)
        .await?;
    Ok(Json(saved).into_response())
}
