//! The Access Tokens tab's server functions: the session's own tokens. Every change carries
//! the account password, checked on the server in the same request, after the input has been
//! decided (so a form with mistakes costs no password attempt).

use leptos::prelude::*;

use super::codec::Json;

use crate::{
    error::ServerError,
    token::{IssuedTokenView, TokenInput, TokenPage, TokenUsage, TokenView},
};

/// A page (from 1; past the end, the last) of the session's tokens, newest first.
#[server(prefix = "/_fn", endpoint = "token_page", input = Json, output = Json)]
pub async fn load_token_page(page: u32) -> Result<TokenPage, ServerError> {
    use super::call::{Call, server_error};
    use crate::token::TOKENS_PER_PAGE;
    use tessera_core::{clock, services::tokens::TokenOwner};

    let call = Call::current()?;
    let session = call.session().await?;
    let tokens = &call.services.tokens;
    let (list, paging) = tokens
        .list_page(
            &TokenOwner::of_session(&session),
            false,
            page,
            TOKENS_PER_PAGE,
        )
        .await
        .map_err(server_error)?;
    let now = clock::now();
    let owner = TokenOwner::of_session(&session);
    Ok(TokenPage {
        tokens: list,
        paging,
        catalog: tokens.catalog().clone(),
        policy: tokens.policy().await.map_err(server_error)?,
        ending: tokens.ending(&owner, now).await.map_err(server_error)?,
        now,
    })
}

#[server(prefix = "/_fn", endpoint = "generate_token", input = Json, output = Json)]
pub async fn generate_token(
    input: TokenInput,
    password: String,
) -> Result<IssuedTokenView, ServerError> {
    use super::call::{Call, issued, server_error};
    use tessera_core::services::tokens::{TokenOwner, TokenTarget};

    let call = Call::current()?;
    let session = call.session().await?;
    let owner = TokenOwner::of_session(&session);
    let (settings, confirmed) = call
        .decide_confirmed(&session, &owner, TokenTarget::New, &input, &password)
        .await?;
    call.services
        .tokens
        .generate(&owner, &settings, &confirmed, call.client())
        .await
        .map(issued)
        .map_err(server_error)
}

#[server(prefix = "/_fn", endpoint = "edit_token", input = Json, output = Json)]
pub async fn edit_token(
    id: i64,
    input: TokenInput,
    password: String,
) -> Result<TokenView, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::services::tokens::{TokenOwner, TokenTarget};

    let call = Call::current()?;
    let session = call.session().await?;
    let owner = TokenOwner::of_session(&session);
    let (settings, confirmed) = call
        .decide_confirmed(&session, &owner, TokenTarget::Edit(id), &input, &password)
        .await?;
    call.services
        .tokens
        .edit(&owner, id, &settings, &confirmed, call.client())
        .await
        .map_err(server_error)
}

/// `grace`: how long the old value keeps working (`""`, `1h`, `1d`, `7d`; see
/// [`RotationGrace`](crate::token::RotationGrace)).
#[server(prefix = "/_fn", endpoint = "regenerate_token", input = Json, output = Json)]
pub async fn regenerate_token(
    id: i64,
    grace: String,
    password: String,
) -> Result<IssuedTokenView, ServerError> {
    use super::call::{Call, issued, server_error};
    use crate::token::RotationGrace;
    use tessera_core::services::tokens::TokenOwner;

    let call = Call::current()?;
    let session = call.session().await?;
    let grace =
        RotationGrace::parse(&grace).map_err(|error| ServerError::Invalid(error.to_string()))?;
    let grace = call
        .services
        .tokens
        .allowed_grace(grace)
        .await
        .map_err(server_error)?;
    let confirmed = call.confirm(&session, &password).await?;
    call.services
        .tokens
        .regenerate(
            &TokenOwner::of_session(&session),
            id,
            grace,
            &confirmed,
            call.client(),
        )
        .await
        .map(issued)
        .map_err(server_error)
}

#[server(prefix = "/_fn", endpoint = "copy_token", input = Json, output = Json)]
pub async fn copy_token(
    id: i64,
    input: TokenInput,
    password: String,
) -> Result<IssuedTokenView, ServerError> {
    use super::call::{Call, issued, server_error};
    use tessera_core::services::tokens::{TokenOwner, TokenTarget};

    let call = Call::current()?;
    let session = call.session().await?;
    let owner = TokenOwner::of_session(&session);
    let (settings, confirmed) = call
        .decide_confirmed(&session, &owner, TokenTarget::Copy(id), &input, &password)
        .await?;
    call.services
        .tokens
        .copy(&owner, id, &settings, &confirmed, call.client())
        .await
        .map(issued)
        .map_err(server_error)
}

#[server(prefix = "/_fn", endpoint = "remove_tokens", input = Json, output = Json)]
pub async fn remove_tokens(ids: Vec<i64>, password: String) -> Result<usize, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::services::tokens::TokenOwner;

    let call = Call::current()?;
    let session = call.session().await?;
    let confirmed = call.confirm(&session, &password).await?;
    call.services
        .tokens
        .remove(
            &TokenOwner::of_session(&session),
            &ids,
            &confirmed,
            call.client(),
        )
        .await
        .map_err(server_error)
}

/// Suspends (`suspend`) or resumes one of the session's tokens.
#[server(prefix = "/_fn", endpoint = "suspend_token", input = Json, output = Json)]
pub async fn suspend_token(
    id: i64,
    suspend: bool,
    password: String,
) -> Result<TokenView, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::services::tokens::TokenOwner;

    let call = Call::current()?;
    let session = call.session().await?;
    let confirmed = call.confirm(&session, &password).await?;
    call.services
        .tokens
        .set_suspended(
            &TokenOwner::of_session(&session),
            id,
            suspend,
            &confirmed,
            call.client(),
        )
        .await
        .map_err(server_error)
}

/// Removes every one of the session's live tokens (the incident button): how many.
#[server(prefix = "/_fn", endpoint = "remove_all_tokens", input = Json, output = Json)]
pub async fn remove_all_tokens(password: String) -> Result<usize, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::services::tokens::TokenOwner;

    let call = Call::current()?;
    let session = call.session().await?;
    let confirmed = call.confirm(&session, &password).await?;
    call.services
        .tokens
        .remove_all(&TokenOwner::of_session(&session), &confirmed, call.client())
        .await
        .map_err(server_error)
}

/// What one of the session's tokens did over the last `days` days (UTC, today included).
#[server(prefix = "/_fn", endpoint = "token_usage", input = Json, output = Json)]
pub async fn load_token_usage(id: i64, days: u32) -> Result<TokenUsage, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::services::tokens::TokenOwner;

    let call = Call::current()?;
    let session = call.session().await?;
    call.services
        .tokens
        .usage_report(&TokenOwner::of_session(&session), id, days)
        .await
        .map_err(server_error)
}
