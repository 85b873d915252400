//! The admin pages' server functions (People, a person's tokens, Policies). The backend
//! answers 403 unless the session's user is an admin; changes carry the admin's password.
//! Every endpoint's name starts with `admin_`: the test that walks them as a non-admin finds
//! them by that prefix.

use leptos::{prelude::*, server_fn::codec::Json};

use crate::{
    account::{NewPersonForm, PeoplePage, PeopleQuery, PersonPage, PersonSummary},
    error::ServerError,
    token::{IssuedTokenView, PolicyPage, TokenInput, TokenPolicy},
};

#[server(prefix = "/_fn", endpoint = "admin_people", input = Json)]
pub async fn load_people(query: PeopleQuery) -> Result<PeoplePage, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?.people(&RequestContext::current(), query).await
}

#[server(prefix = "/_fn", endpoint = "admin_create_person", input = Json)]
pub async fn create_person(
    form: NewPersonForm,
    password: String,
) -> Result<PersonSummary, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .create_person(&RequestContext::current(), form, &password)
        .await
}

#[server(prefix = "/_fn", endpoint = "admin_set_person_disabled", input = Json)]
pub async fn set_person_disabled(
    login: String,
    disabled: bool,
    password: String,
) -> Result<PersonSummary, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .set_person_disabled(&RequestContext::current(), &login, disabled, &password)
        .await
}

#[server(prefix = "/_fn", endpoint = "admin_person", input = Json)]
pub async fn load_person(login: String) -> Result<PersonPage, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .person_page(&RequestContext::current(), &login)
        .await
}

#[server(prefix = "/_fn", endpoint = "admin_create_token", input = Json)]
pub async fn create_token_for(
    login: String,
    input: TokenInput,
    password: String,
) -> Result<IssuedTokenView, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .create_token_for(&RequestContext::current(), &login, input, &password)
        .await
}

#[server(prefix = "/_fn", endpoint = "admin_remove_tokens", input = Json)]
pub async fn remove_tokens_of(
    login: String,
    ids: Vec<i64>,
    password: String,
) -> Result<usize, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .remove_tokens_of(&RequestContext::current(), &login, ids, &password)
        .await
}

#[server(prefix = "/_fn", endpoint = "admin_policy", input = Json)]
pub async fn load_policy() -> Result<PolicyPage, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?.policy_page(&RequestContext::current()).await
}

#[server(prefix = "/_fn", endpoint = "admin_set_policy", input = Json)]
pub async fn set_policy(policy: TokenPolicy, password: String) -> Result<TokenPolicy, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .set_policy(&RequestContext::current(), policy, &password)
        .await
}
