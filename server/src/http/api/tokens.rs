//! `/api/v1/tokens`: the caller's tokens. Changes need the account password in the body
//! (`"password"`); a token may introspect, rotate and revoke itself without one.

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;

use super::{
    ApiError,
    extract::{
        Caller, Change, CreateToken, DeleteTokens, EditToken, GetTokens, NoFields, RegenerateToken,
        Regeneration, SelfToken,
    },
};
use app::{
    paging::Paging,
    request::ClientInfo,
    token::{MAX_USAGE_DAYS, TokenView, USAGE_DAYS},
};

use crate::{
    services::{
        Services,
        accounts::Confirmed,
        tokens::{IssuedToken, TokenOwner, TokenRequest, TokenTarget},
    },
    state::AppState,
};

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
        .route("/api/v1/tokens/{id}/suspend", post(suspend))
        .route("/api/v1/tokens/{id}/resume", post(resume))
        .route("/api/v1/tokens/{id}/usage", get(usage))
}

pub(super) fn issued(status: StatusCode, issued: IssuedToken) -> Response {
    (
        status,
        Json(json!({ "token": issued.token, "value": issued.secret.expose() })),
    )
        .into_response()
}

/// A new value, and when the replaced one stops working at the latest (Unix seconds; null:
/// it already has).
pub(super) fn regenerated(issued: IssuedToken) -> Response {
    Json(json!({
        "old_value_expires_at": issued.token.old_value_expires_at,
        "token": issued.token,
        "value": issued.secret.expose(),
    }))
    .into_response()
}

/// `?page=` (from 1; past the end, the last) and `?per_page=` (1 to [`MAX_PER_PAGE`],
/// default [`DEFAULT_PER_PAGE`]); taken as text so that a wrong one gets the API's own error.
#[derive(Deserialize)]
pub(super) struct PageParams {
    page: Option<String>,
    per_page: Option<String>,
}

pub(super) const DEFAULT_PER_PAGE: u32 = 100;
pub(super) const MAX_PER_PAGE: u32 = 1000;

impl PageParams {
    /// The page and rows per page asked for.
    pub(super) fn decide(&self) -> Result<(u32, u32), ApiError> {
        page_numbers(&self.page, &self.per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE)
    }
}

/// `page` (from 1) and `per_page` (1 to `max`, else `default`) as typed in a query.
pub(super) fn page_numbers(
    page: &Option<String>,
    per_page: &Option<String>,
    default: u32,
    max: u32,
) -> Result<(u32, u32), ApiError> {
    let number = |name: &str, text: &Option<String>, default: u32, max: u32| match text {
        None => Ok(default),
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::InvalidQuery(format!(
                "{name} must be a whole number from 1 to {max}, not “{text}”."
            ))),
        },
    };
    Ok((
        number("page", page, 1, u32::MAX)?,
        number("per_page", per_page, default, max)?,
    ))
}

/// `?days=`: how many days (UTC, today included) a usage report covers.
#[derive(Deserialize)]
pub(super) struct UsageParams {
    days: Option<String>,
}

impl UsageParams {
    pub(super) fn decide(&self) -> Result<u32, ApiError> {
        match &self.days {
            None => Ok(USAGE_DAYS),
            Some(text) => match text.parse::<u32>() {
                Ok(days) if (1..=MAX_USAGE_DAYS).contains(&days) => Ok(days),
                _ => Err(ApiError::InvalidQuery(format!(
                    "days must be a whole number from 1 to {MAX_USAGE_DAYS}, not “{text}”."
                ))),
            },
        }
    }
}

/// A page of tokens with where it stands: `{"tokens", "page", "per_page", "total"}`.
pub(super) fn token_page(tokens: Vec<TokenView>, paging: Paging) -> Response {
    Json(json!({
        "tokens": tokens,
        "page": paging.page,
        "per_page": paging.per_page,
        "total": paging.total,
    }))
    .into_response()
}

async fn list(
    State(services): State<Services>,
    caller: Caller<GetTokens>,
    Query(params): Query<PageParams>,
) -> Result<Response, ApiError> {
    let (page, per_page) = params.decide()?;
    let (tokens, paging) = services
        .tokens
        .list_page(&caller.owner(), false, page, per_page)
        .await?;
    Ok(token_page(tokens, paging))
}

async fn get_one(
    State(services): State<Services>,
    Path(id): Path<i64>,
    caller: Caller<GetTokens>,
) -> Result<Response, ApiError> {
    let token = services.tokens.get(&caller.owner(), id).await?;
    Ok(Json(json!({ "token": token })).into_response())
}

async fn usage(
    State(services): State<Services>,
    Path(id): Path<i64>,
    caller: Caller<GetTokens>,
    Query(params): Query<UsageParams>,
) -> Result<Response, ApiError> {
    let days = params.decide()?;
    let usage = services
        .tokens
        .usage_report(&caller.owner(), id, days)
        .await?;
    Ok(Json(usage).into_response())
}

async fn create(
    State(services): State<Services>,
    caller: Caller<CreateToken>,
    change: Change<TokenRequest>,
) -> Result<Response, ApiError> {
    let owner = caller.owner();
    let (settings, confirmed) = change
        .decide_confirmed(&services, &caller, &owner, TokenTarget::New)
        .await?;
    let token = services
        .tokens
        .generate(&owner, &settings, &confirmed, &caller.client)
        .await?;
    Ok(issued(StatusCode::CREATED, token))
}

async fn edit(
    State(services): State<Services>,
    Path(id): Path<i64>,
    caller: Caller<EditToken>,
    change: Change<TokenRequest>,
) -> Result<Response, ApiError> {
    let owner = caller.owner();
    let (settings, confirmed) = change
        .decide_confirmed(&services, &caller, &owner, TokenTarget::Edit(id))
        .await?;
    let token = services
        .tokens
        .edit(&owner, id, &settings, &confirmed, &caller.client)
        .await?;
    Ok(Json(json!({ "token": token })).into_response())
}

async fn copy(
    State(services): State<Services>,
    Path(id): Path<i64>,
    caller: Caller<CreateToken>,
    change: Change<TokenRequest>,
) -> Result<Response, ApiError> {
    let owner = caller.owner();
    let (settings, confirmed) = change
        .decide_confirmed(&services, &caller, &owner, TokenTarget::Copy(id))
        .await?;
    let token = services
        .tokens
        .copy(&owner, id, &settings, &confirmed, &caller.client)
        .await?;
    Ok(issued(StatusCode::CREATED, token))
}

async fn regenerate(
    State(services): State<Services>,
    Path(id): Path<i64>,
    caller: Caller<RegenerateToken>,
    change: Change<Regeneration>,
) -> Result<Response, ApiError> {
    let grace = services
        .tokens
        .allowed_grace(change.fields.grace()?)
        .await?;
    let confirmed = change.confirm(&services, &caller).await?;
    let token = services
        .tokens
        .regenerate(&caller.owner(), id, grace, &confirmed, &caller.client)
        .await?;
    Ok(regenerated(token))
}

async fn suspend(
    State(services): State<Services>,
    Path(id): Path<i64>,
    caller: Caller<EditToken>,
    change: Change<NoFields>,
) -> Result<Response, ApiError> {
    set_suspended(&services, &caller, &change, id, true).await
}

async fn resume(
    State(services): State<Services>,
    Path(id): Path<i64>,
    caller: Caller<EditToken>,
    change: Change<NoFields>,
) -> Result<Response, ApiError> {
    set_suspended(&services, &caller, &change, id, false).await
}

async fn set_suspended(
    services: &Services,
    caller: &Caller<EditToken>,
    change: &Change<NoFields>,
    id: i64,
    suspend: bool,
) -> Result<Response, ApiError> {
    let confirmed = change.confirm(services, caller).await?;
    let token = services
        .tokens
        .set_suspended(&caller.owner(), id, suspend, &confirmed, &caller.client)
        .await?;
    Ok(Json(json!({ "token": token })).into_response())
}

async fn remove_one(
    State(services): State<Services>,
    Path(id): Path<i64>,
    caller: Caller<DeleteTokens>,
    change: Change<NoFields>,
) -> Result<Response, ApiError> {
    remove(&services, &caller, &change, &[id]).await
}

/// Which tokens to remove: `{"ids": [...]}`, or `{"all": true}` for every live one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Removal {
    ids: Option<Vec<i64>>,
    #[serde(default)]
    all: bool,
}

impl Removal {
    /// Removes what the body names of `owner`'s tokens; how many.
    pub(super) async fn apply(
        &self,
        services: &Services,
        owner: &TokenOwner,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<usize, ApiError> {
        let tokens = &services.tokens;
        Ok(match (&self.ids, self.all) {
            (None, true) => tokens.remove_all(owner, confirmed, client).await?,
            (Some(ids), false) => tokens.remove(owner, ids, confirmed, client).await?,
            _ => {
                return Err(ApiError::InvalidJson(
                    "Give either \"ids\": [...] or \"all\": true.".into(),
                ));
            }
        })
    }
}

async fn remove_many(
    State(services): State<Services>,
    caller: Caller<DeleteTokens>,
    change: Change<Removal>,
) -> Result<Response, ApiError> {
    let confirmed = change.confirm(&services, &caller).await?;
    let removed = change
        .fields
        .apply(&services, &caller.owner(), &confirmed, &caller.client)
        .await?;
    Ok(Json(json!({ "removed": removed })).into_response())
}

async fn remove<T>(
    services: &Services,
    caller: &Caller<DeleteTokens>,
    change: &Change<T>,
    ids: &[i64],
) -> Result<Response, ApiError> {
    let confirmed = change.confirm(services, caller).await?;
    let removed = services
        .tokens
        .remove(&caller.owner(), ids, &confirmed, &caller.client)
        .await?;
    Ok(Json(json!({ "removed": removed })).into_response())
}

async fn introspect_self(
    State(services): State<Services>,
    presented: SelfToken,
) -> Result<Response, ApiError> {
    let token = services.tokens.introspect(&presented.grant).await?;
    Ok(Json(json!({ "token": token })).into_response())
}

/// No password: holding the token is the proof. The body, if any, may give a `grace`.
async fn rotate_self(
    State(services): State<Services>,
    presented: SelfToken,
    change: Change<Regeneration>,
) -> Result<Response, ApiError> {
    let grace = change.fields.grace()?;
    let token = services
        .tokens
        .rotate_self(&presented.grant, grace, &presented.client)
        .await?;
    Ok(regenerated(token))
}

async fn revoke_self(
    State(services): State<Services>,
    presented: SelfToken,
) -> Result<Response, ApiError> {
    services
        .tokens
        .revoke_self(&presented.grant, &presented.client)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
