//! The server's services as server functions see them.
//!
//! `app` cannot depend on `server`, so the server implements this trait and provides it as a
//! Leptos context value; server functions fetch it with [`backend`].

use std::sync::Arc;

use crate::{
    account::{NewPersonForm, PeoplePage, PeopleQuery, PersonPage, PersonSummary, UserView},
    error::ServerError,
    request::RequestContext,
    status::DatabaseReport,
    token::{IssuedTokenView, PolicyPage, TokenInput, TokenPage, TokenPolicy, TokenView},
};

/// A new session: the `Set-Cookie` header value to send and who signed in.
pub struct SessionStart {
    pub set_cookie: String,
    pub user: UserView,
}

#[async_trait::async_trait]
pub trait Backend: TokenBackend + AdminBackend + Send + Sync + 'static {
    /// Runs a read against the database and reports what it answered (signed-in users only:
    /// the engine's version is nobody else's business).
    async fn database_report(
        &self,
        request: &RequestContext,
    ) -> Result<DatabaseReport, ServerError>;

    /// The user signed in with the request's session cookie, if any.
    async fn current_user(&self, request: &RequestContext)
    -> Result<Option<UserView>, ServerError>;

    async fn sign_in(
        &self,
        request: &RequestContext,
        login: &str,
        password: &str,
    ) -> Result<SessionStart, ServerError>;

    async fn change_password(
        &self,
        request: &RequestContext,
        current_password: &str,
        new_password: &str,
        confirm_password: &str,
    ) -> Result<(), ServerError>;
}

/// The signed-in user's tokens. Every change takes the account password.
#[async_trait::async_trait]
pub trait TokenBackend: Send + Sync + 'static {
    async fn token_page(&self, request: &RequestContext) -> Result<TokenPage, ServerError>;

    async fn generate_token(
        &self,
        request: &RequestContext,
        input: TokenInput,
        password: &str,
    ) -> Result<IssuedTokenView, ServerError>;

    async fn edit_token(
        &self,
        request: &RequestContext,
        id: i64,
        input: TokenInput,
        password: &str,
    ) -> Result<TokenView, ServerError>;

    async fn regenerate_token(
        &self,
        request: &RequestContext,
        id: i64,
        password: &str,
    ) -> Result<IssuedTokenView, ServerError>;

    async fn copy_token(
        &self,
        request: &RequestContext,
        id: i64,
        input: TokenInput,
        password: &str,
    ) -> Result<IssuedTokenView, ServerError>;

    async fn remove_tokens(
        &self,
        request: &RequestContext,
        ids: Vec<i64>,
        password: &str,
    ) -> Result<usize, ServerError>;
}

/// What admins do: people, their tokens, the policy. Every call checks that the session's
/// user is an admin (403 otherwise); every change takes the admin's own password.
#[async_trait::async_trait]
pub trait AdminBackend: Send + Sync + 'static {
    async fn people(
        &self,
        request: &RequestContext,
        query: PeopleQuery,
    ) -> Result<PeoplePage, ServerError>;

    async fn create_person(
        &self,
        request: &RequestContext,
        form: NewPersonForm,
        password: &str,
    ) -> Result<PersonSummary, ServerError>;

    async fn set_person_disabled(
        &self,
        request: &RequestContext,
        login: &str,
        disabled: bool,
        password: &str,
    ) -> Result<PersonSummary, ServerError>;

    async fn person_page(
        &self,
        request: &RequestContext,
        login: &str,
    ) -> Result<PersonPage, ServerError>;

    async fn create_token_for(
        &self,
        request: &RequestContext,
        login: &str,
        input: TokenInput,
        password: &str,
    ) -> Result<IssuedTokenView, ServerError>;

    async fn remove_tokens_of(
        &self,
        request: &RequestContext,
        login: &str,
        ids: Vec<i64>,
        password: &str,
    ) -> Result<usize, ServerError>;

    async fn policy_page(&self, request: &RequestContext) -> Result<PolicyPage, ServerError>;

    async fn set_policy(
        &self,
        request: &RequestContext,
        policy: TokenPolicy,
        password: &str,
    ) -> Result<TokenPolicy, ServerError>;
}

pub type SharedBackend = Arc<dyn Backend>;

/// The backend the server provided for this request.
pub fn backend() -> Result<SharedBackend, ServerError> {
    leptos::prelude::use_context::<SharedBackend>().ok_or(ServerError::Internal)
}
