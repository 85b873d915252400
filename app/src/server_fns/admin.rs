//! The admin pages' server functions (People, a person's tokens, Policies). Each answers 403
//! unless the session's user is an admin; changes carry the admin's own password, and the
//! services record the admin as actor, the person as subject. Every endpoint's name starts with
//! `admin_`: the test that walks them as a non-admin finds them by that prefix.

use leptos::prelude::*;

use super::codec::Json;

use crate::{
    account::{NewPersonForm, PeoplePage, PeopleQuery, PersonPage, PersonSummary},
    error::ServerError,
    token::{
        ComplianceReport, IssuedTokenView, PolicyPage, TokenInput, TokenPolicy, TokenUsage,
        TokenView,
    },
};

#[server(prefix = "/_fn", endpoint = "admin_people", input = Json, output = Json)]
pub async fn load_people(query: PeopleQuery) -> Result<PeoplePage, ServerError> {
    use super::call::{Call, server_error};

    let call = Call::current()?;
    call.admin().await?;
    call.services
        .accounts
        .people(&query)
        .await
        .map_err(server_error)
}

#[server(prefix = "/_fn", endpoint = "admin_create_person", input = Json, output = Json)]
pub async fn create_person(
    form: NewPersonForm,
    password: String,
) -> Result<PersonSummary, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::services::accounts::NewAccount;

    let call = Call::current()?;
    let (session, _) = call.admin().await?;
    let account = NewAccount::from_form(form).map_err(server_error)?;
    let login = account.login.to_string();
    let confirmed = call.confirm(&session, &password).await?;
    let accounts = &call.services.accounts;
    accounts
        .create_user(account, confirmed.actor(), call.client())
        .await
        .map_err(server_error)?;
    Ok(accounts.person(&login).await.map_err(server_error)?.1)
}

#[server(prefix = "/_fn", endpoint = "admin_set_person_disabled", input = Json, output = Json)]
pub async fn set_person_disabled(
    login: String,
    disabled: bool,
    password: String,
) -> Result<PersonSummary, ServerError> {
    use super::call::{Call, server_error};
    use crate::account::Login;

    let call = Call::current()?;
    let (session, _) = call.admin().await?;
    let login = Login::parse(&login).map_err(|e| ServerError::Invalid(e.to_string()))?;
    let confirmed = call.confirm(&session, &password).await?;
    let accounts = &call.services.accounts;
    accounts
        .set_disabled(&login, disabled, confirmed.actor(), call.client())
        .await
        .map_err(server_error)?;
    Ok(accounts
        .person(login.as_str())
        .await
        .map_err(server_error)?
        .1)
}

/// The person with a page (from 1) of their tokens, removed ones too.
#[server(prefix = "/_fn", endpoint = "admin_person", input = Json, output = Json)]
pub async fn load_person(login: String, page: u32) -> Result<PersonPage, ServerError> {
    use super::call::{Call, server_error};
    use crate::token::TOKENS_PER_PAGE;
    use tessera_core::clock;

    let call = Call::current()?;
    let (_, proof) = call.admin().await?;
    let (owner, person) = call.owner_for_admin(&proof, &login).await?;
    let tokens = &call.services.tokens;
    let (list, paging) = tokens
        .list_page(&owner, true, page, TOKENS_PER_PAGE)
        .await
        .map_err(server_error)?;
    let now = clock::now();
    Ok(PersonPage {
        person,
        tokens: list,
        paging,
        catalog: tokens.catalog().clone(),
        policy: tokens.policy().await.map_err(server_error)?,
        ending: tokens.ending(&owner, now).await.map_err(server_error)?,
        now,
    })
}

#[server(prefix = "/_fn", endpoint = "admin_create_token", input = Json, output = Json)]
pub async fn create_token_for(
    login: String,
    input: TokenInput,
    password: String,
) -> Result<IssuedTokenView, ServerError> {
    use super::call::{Call, issued, server_error};
    use tessera_core::services::tokens::TokenTarget;

    let call = Call::current()?;
    let (session, proof) = call.admin().await?;
    let (owner, _) = call.owner_for_admin(&proof, &login).await?;
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

#[server(prefix = "/_fn", endpoint = "admin_remove_tokens", input = Json, output = Json)]
pub async fn remove_tokens_of(
    login: String,
    ids: Vec<i64>,
    password: String,
) -> Result<usize, ServerError> {
    use super::call::{Call, server_error};

    let call = Call::current()?;
    let (session, proof) = call.admin().await?;
    let (owner, _) = call.owner_for_admin(&proof, &login).await?;
    let confirmed = call.confirm(&session, &password).await?;
    call.services
        .tokens
        .remove(&owner, &ids, &confirmed, call.client())
        .await
        .map_err(server_error)
}

/// Removes every one of a person's live tokens: how many.
#[server(prefix = "/_fn", endpoint = "admin_remove_all_tokens", input = Json, output = Json)]
pub async fn remove_all_tokens_of(login: String, password: String) -> Result<usize, ServerError> {
    use super::call::{Call, server_error};

    let call = Call::current()?;
    let (session, proof) = call.admin().await?;
    let (owner, _) = call.owner_for_admin(&proof, &login).await?;
    let confirmed = call.confirm(&session, &password).await?;
    call.services
        .tokens
        .remove_all(&owner, &confirmed, call.client())
        .await
        .map_err(server_error)
}

/// Suspends (`suspend`) or resumes a person's token.
#[server(prefix = "/_fn", endpoint = "admin_suspend_token", input = Json, output = Json)]
pub async fn suspend_token_of(
    login: String,
    id: i64,
    suspend: bool,
    password: String,
) -> Result<TokenView, ServerError> {
    use super::call::{Call, server_error};

    let call = Call::current()?;
    let (session, proof) = call.admin().await?;
    let (owner, _) = call.owner_for_admin(&proof, &login).await?;
    let confirmed = call.confirm(&session, &password).await?;
    call.services
        .tokens
        .set_suspended(&owner, id, suspend, &confirmed, call.client())
        .await
        .map_err(server_error)
}

/// A new value for someone's token, shown to the admin once; `grace` as for the owner's own
/// regeneration.
#[server(prefix = "/_fn", endpoint = "admin_regenerate_token_of", input = Json, output = Json)]
pub async fn regenerate_token_of(
    login: String,
    id: i64,
    grace: String,
    password: String,
) -> Result<IssuedTokenView, ServerError> {
    use super::call::{Call, issued, server_error};
    use crate::token::RotationGrace;

    let call = Call::current()?;
    let (session, proof) = call.admin().await?;
    let (owner, _) = call.owner_for_admin(&proof, &login).await?;
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
        .regenerate(&owner, id, grace, &confirmed, call.client())
        .await
        .map(issued)
        .map_err(server_error)
}

/// Gives someone's token a new expiry (the person page's Extend): an edit of nothing else.
#[server(prefix = "/_fn", endpoint = "admin_extend_token_of", input = Json, output = Json)]
pub async fn extend_token_of(
    login: String,
    id: i64,
    expiry: crate::token::ExpiryInput,
    password: String,
) -> Result<TokenView, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::services::tokens::TokenTarget;

    let call = Call::current()?;
    let (session, proof) = call.admin().await?;
    let (owner, _) = call.owner_for_admin(&proof, &login).await?;
    let input = TokenInput {
        expiry: Some(expiry),
        ..TokenInput::default()
    };
    let (settings, confirmed) = call
        .decide_confirmed(&session, &owner, TokenTarget::Edit(id), &input, &password)
        .await?;
    call.services
        .tokens
        .edit(&owner, id, &settings, &confirmed, call.client())
        .await
        .map_err(server_error)
}

#[server(prefix = "/_fn", endpoint = "admin_policy", input = Json, output = Json)]
pub async fn load_policy() -> Result<PolicyPage, ServerError> {
    use super::call::{Call, server_error};

    let call = Call::current()?;
    call.admin().await?;
    let tokens = &call.services.tokens;
    Ok(PolicyPage {
        policy: tokens.policy().await.map_err(server_error)?,
        catalog: tokens.catalog().clone(),
    })
}

#[server(prefix = "/_fn", endpoint = "admin_set_policy", input = Json, output = Json)]
pub async fn set_policy(policy: TokenPolicy, password: String) -> Result<TokenPolicy, ServerError> {
    use super::call::{Call, server_error};

    let call = Call::current()?;
    let (session, _) = call.admin().await?;
    let confirmed = call.confirm(&session, &password).await?;
    call.services
        .tokens
        .set_policy(policy, &confirmed, call.client())
        .await
        .map_err(server_error)
}

/// What one of a person's tokens (removed ones too) did over the last `days` days.
#[server(prefix = "/_fn", endpoint = "admin_token_usage", input = Json, output = Json)]
pub async fn load_token_usage_of(
    login: String,
    id: i64,
    days: u32,
) -> Result<TokenUsage, ServerError> {
    use super::call::{Call, server_error};

    let call = Call::current()?;
    let (_, proof) = call.admin().await?;
    let (owner, _) = call.owner_for_admin(&proof, &login).await?;
    call.services
        .tokens
        .usage_report(&owner, id, days)
        .await
        .map_err(server_error)
}

/// The live tokens the current policy would not allow, with why.
#[server(prefix = "/_fn", endpoint = "admin_policy_report", input = Json, output = Json)]
pub async fn policy_report() -> Result<ComplianceReport, ServerError> {
    use super::call::{Call, server_error};

    let call = Call::current()?;
    let (_, proof) = call.admin().await?;
    call.services
        .tokens
        .compliance_report(&proof)
        .await
        .map_err(server_error)
}
