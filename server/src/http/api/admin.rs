//! `/api/v1/admin/...`: people, any user's tokens and the token policy, for admins (a
//! session or a token whose owner is an admin; tokens also need the matching
//! `users.authentication` method). Changes need the admin's password, as everywhere.

use app::{account::PeopleQuery, token::TokenPolicy};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{delete, get, post},
};
use serde::Deserialize;
use serde_json::json;

use super::{
    ApiError,
    extract::{
        Admin, Change, CreateToken, DeleteTokens, EditToken, GetTokens, NoFields, RegenerateToken,
        Regeneration,
    },
    tokens::{PageParams, Removal, UsageParams, issued, page_numbers, regenerated, token_page},
};
use crate::{
    services::{
        Services,
        tokens::{TokenRequest, TokenTarget},
    },
    state::AppState,
};

/// Every admin route, for the OpenAPI document and the test that walks them as a non-admin.
pub const ROUTES: [(&str, &str); 12] = [
    ("GET", "/api/v1/admin/users"),
    ("GET", "/api/v1/admin/users/{login}/tokens"),
    ("POST", "/api/v1/admin/users/{login}/tokens"),
    ("DELETE", "/api/v1/admin/users/{login}/tokens/{id}"),
    ("POST", "/api/v1/admin/users/{login}/tokens/remove"),
    ("POST", "/api/v1/admin/users/{login}/tokens/{id}/suspend"),
    ("POST", "/api/v1/admin/users/{login}/tokens/{id}/resume"),
    ("POST", "/api/v1/admin/users/{login}/tokens/{id}/regenerate"),
    ("GET", "/api/v1/admin/users/{login}/tokens/{id}/usage"),
    ("GET", "/api/v1/admin/policy"),
    ("PUT", "/api/v1/admin/policy"),
    ("GET", "/api/v1/admin/policy/report"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/users", get(people))
        .route(
            "/api/v1/admin/users/{login}/tokens",
            get(tokens_of).post(create_for),
        )
        .route("/api/v1/admin/users/{login}/tokens/{id}", delete(remove_of))
        .route(
            "/api/v1/admin/users/{login}/tokens/remove",
            post(remove_many_of),
        )
        .route(
            "/api/v1/admin/users/{login}/tokens/{id}/suspend",
            post(suspend_of),
        )
        .route(
            "/api/v1/admin/users/{login}/tokens/{id}/resume",
            post(resume_of),
        )
        .route(
            "/api/v1/admin/users/{login}/tokens/{id}/regenerate",
            post(regenerate_of),
        )
        .route(
            "/api/v1/admin/users/{login}/tokens/{id}/usage",
            get(usage_of),
        )
        .route("/api/v1/admin/policy", get(policy).put(set_policy))
        .route("/api/v1/admin/policy/report", get(policy_report))
}

#[derive(Deserialize)]
struct PeopleParams {
    #[serde(default)]
    q: String,
    /// From 1, as everywhere; taken as text so that a wrong one gets the API's own error.
    page: Option<String>,
}

async fn people(
    State(services): State<Services>,
    _: Admin<GetTokens>,
    Query(params): Query<PeopleParams>,
) -> Result<Response, ApiError> {
    let (page, _) = page_numbers(&params.page, &None, 1, 1)?;
    let page = services
        .accounts
        .people(&PeopleQuery {
            search: params.q,
            page,
        })
        .await?;
    Ok(Json(page).into_response())
}

async fn tokens_of(
    State(services): State<Services>,
    Path(login): Path<String>,
    admin: Admin<GetTokens>,
    Query(params): Query<PageParams>,
) -> Result<Response, ApiError> {
    let (page, per_page) = params.decide()?;
    let owner = admin.owner_of(&services, &login).await?;
    let (tokens, paging) = services
        .tokens
        .list_page(&owner, true, page, per_page)
        .await?;
    Ok(token_page(tokens, paging))
}

async fn usage_of(
    State(services): State<Services>,
    Path((login, id)): Path<(String, i64)>,
    admin: Admin<GetTokens>,
    Query(params): Query<UsageParams>,
) -> Result<Response, ApiError> {
    let days = params.decide()?;
    let owner = admin.owner_of(&services, &login).await?;
    let usage = services.tokens.usage_report(&owner, id, days).await?;
    Ok(Json(usage).into_response())
}

async fn create_for(
    State(services): State<Services>,
    Path(login): Path<String>,
    admin: Admin<CreateToken>,
    change: Change<TokenRequest>,
) -> Result<Response, ApiError> {
    let owner = admin.owner_of(&services, &login).await?;
    let (settings, confirmed) = change
        .decide_confirmed(&services, &admin.caller, &owner, TokenTarget::New)
        .await?;
    let token = services
        .tokens
        .generate(&owner, &settings, &confirmed, &admin.caller.client)
        .await?;
    Ok(issued(StatusCode::CREATED, token))
}

async fn remove_of(
    State(services): State<Services>,
    Path((login, id)): Path<(String, i64)>,
    admin: Admin<DeleteTokens>,
    change: Change<NoFields>,
) -> Result<Response, ApiError> {
    let owner = admin.owner_of(&services, &login).await?;
    let confirmed = change.confirm(&services, &admin.caller).await?;
    let removed = services
        .tokens
        .remove(&owner, &[id], &confirmed, &admin.caller.client)
        .await?;
    Ok(Json(json!({ "removed": removed })).into_response())
}

async fn remove_many_of(
    State(services): State<Services>,
    Path(login): Path<String>,
    admin: Admin<DeleteTokens>,
    change: Change<Removal>,
) -> Result<Response, ApiError> {
    let owner = admin.owner_of(&services, &login).await?;
    let confirmed = change.confirm(&services, &admin.caller).await?;
    let removed = change
        .fields
        .apply(&services, &owner, &confirmed, &admin.caller.client)
        .await?;
    Ok(Json(json!({ "removed": removed })).into_response())
}

async fn suspend_of(
    State(services): State<Services>,
    Path((login, id)): Path<(String, i64)>,
    admin: Admin<EditToken>,
    change: Change<NoFields>,
) -> Result<Response, ApiError> {
    set_suspended_of(&services, &admin, &change, &login, id, true).await
}

async fn resume_of(
    State(services): State<Services>,
    Path((login, id)): Path<(String, i64)>,
    admin: Admin<EditToken>,
    change: Change<NoFields>,
) -> Result<Response, ApiError> {
    set_suspended_of(&services, &admin, &change, &login, id, false).await
}

async fn set_suspended_of(
    services: &Services,
    admin: &Admin<EditToken>,
    change: &Change<NoFields>,
    login: &str,
    id: i64,
    suspend: bool,
) -> Result<Response, ApiError> {
    let owner = admin.owner_of(services, login).await?;
    let confirmed = change.confirm(services, &admin.caller).await?;
    let token = services
        .tokens
        .set_suspended(&owner, id, suspend, &confirmed, &admin.caller.client)
        .await?;
    Ok(Json(json!({ "token": token })).into_response())
}

/// A new value for someone's token, shown to the admin once; the old one may keep working
/// for a grace period, as for the owner.
async fn regenerate_of(
    State(services): State<Services>,
    Path((login, id)): Path<(String, i64)>,
    admin: Admin<RegenerateToken>,
    change: Change<Regeneration>,
) -> Result<Response, ApiError> {
    let owner = admin.owner_of(&services, &login).await?;
    let grace = services
        .tokens
        .allowed_grace(change.fields.grace()?)
        .await?;
    let confirmed = change.confirm(&services, &admin.caller).await?;
    let token = services
        .tokens
        .regenerate(&owner, id, grace, &confirmed, &admin.caller.client)
        .await?;
    Ok(regenerated(token))
}

async fn policy(
    State(services): State<Services>,
    _: Admin<GetTokens>,
) -> Result<Response, ApiError> {
    Ok(Json(services.tokens.policy().await?).into_response())
}

async fn policy_report(
    State(services): State<Services>,
    admin: Admin<GetTokens>,
) -> Result<Response, ApiError> {
    Ok(Json(services.tokens.compliance_report(&admin.proof).await?).into_response())
}

async fn set_policy(
    State(services): State<Services>,
    admin: Admin<CreateToken>,
    change: Change<TokenPolicy>,
) -> Result<Response, ApiError> {
    let confirmed = change.confirm(&services, &admin.caller).await?;
    let saved = services
        .tokens
        .set_policy(change.fields, &confirmed, &admin.caller.client)
        .await?;
    Ok(Json(saved).into_response())
}
