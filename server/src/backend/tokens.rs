//! The Access Tokens tab's side of the backend: the session's user, their password checked in
//! the same request, then the token service.

use app::{
    backend::TokenBackend,
    catalog::ApiSelection,
    error::ServerError,
    request::RequestContext,
    token::{ExpirySpec, FormRules, IssuedTokenView, TokenForm, TokenPage, TokenView},
};

use super::server_error;
use crate::{
    clock,
    http::session::signed_in_session,
    services::{
        Services,
        accounts::{Confirmed, SessionUser},
        tokens::{IssuedToken, TokenChanges, TokenError, TokenOwner, TokenSpec},
    },
};

impl Services {
    pub(super) async fn session(
        &self,
        request: &RequestContext,
    ) -> Result<SessionUser, ServerError> {
        signed_in_session(self, request)
            .await
            .map_err(server_error)?
            .ok_or(ServerError::Unauthenticated)
    }

    pub(super) async fn confirm(
        &self,
        session: &SessionUser,
        password: &str,
        request: &RequestContext,
    ) -> Result<Confirmed, ServerError> {
        self.accounts
            .confirm_password(session.user_id, password, &request.client)
            .await
            .map_err(server_error)
    }

    /// The form checked as the browser checked it; the fields' errors go back to the dialog.
    /// `current_api`: an edited token's API, which it may keep whatever the policy says.
    async fn changes(
        &self,
        form: &TokenForm,
        current_api: Option<&ApiSelection>,
    ) -> Result<TokenChanges, ServerError> {
        let policy = self.tokens.policy().await.map_err(token_error)?;
        let rules = FormRules {
            now: clock::now(),
            catalog: self.tokens.catalog(),
            policy: &policy,
            current_api,
        };
        let checked = form.check(rules).map_err(ServerError::InvalidFields)?;
        Ok(TokenChanges {
            description: Some(checked.description),
            api: Some(checked.api),
            scopes: Some(checked.scopes),
            expiry: checked.expires_at.map(|date| match date {
                Some(date) => ExpirySpec::until(date),
                None => ExpirySpec::Never,
            }),
        })
    }
}

fn owner(session: &SessionUser) -> TokenOwner {
    TokenOwner {
        user_id: session.user_id,
        login: session.user.login.clone(),
    }
}

pub(super) fn issued(issued: IssuedToken) -> IssuedTokenView {
    IssuedTokenView {
        value: issued.secret.expose().to_owned(),
        token: issued.token,
    }
}

pub(super) fn token_error(error: TokenError) -> ServerError {
    match error {
        TokenError::NotFound => ServerError::NotFound,
        TokenError::Invalid(message) => ServerError::Invalid(message),
        TokenError::Policy(violation) => ServerError::Invalid(violation.to_string()),
        TokenError::Account(error) => server_error(error),
        TokenError::Storage(error) => server_error(error.into()),
    }
}

#[async_trait::async_trait]
impl TokenBackend for Services {
    async fn token_page(&self, request: &RequestContext) -> Result<TokenPage, ServerError> {
        let session = self.session(request).await?;
        let tokens = self
            .tokens
            .list(&owner(&session), false)
            .await
            .map_err(token_error)?;
        Ok(TokenPage {
            tokens,
            catalog: self.tokens.catalog().clone(),
            policy: self.tokens.policy().await.map_err(token_error)?,
            now: clock::now(),
        })
    }

    async fn generate_token(
        &self,
        request: &RequestContext,
        form: TokenForm,
        password: &str,
    ) -> Result<IssuedTokenView, ServerError> {
        let session = self.session(request).await?;
        let changes = self
            .changes(
                &TokenForm {
                    expires_at: Some(form.expires_at.clone().unwrap_or_default()),
                    ..form
                },
                None,
            )
            .await?;
        let spec = TokenSpec {
            description: changes.description.ok_or(ServerError::Internal)?,
            api: changes.api.ok_or(ServerError::Internal)?,
            scopes: changes.scopes.unwrap_or_default(),
            expiry: changes.expiry.unwrap_or(ExpirySpec::Never),
        };
        let confirmed = self.confirm(&session, password, request).await?;
        self.tokens
            .generate(&owner(&session), spec, &confirmed, &request.client)
            .await
            .map(issued)
            .map_err(token_error)
    }

    async fn edit_token(
        &self,
        request: &RequestContext,
        id: i64,
        form: TokenForm,
        password: &str,
    ) -> Result<TokenView, ServerError> {
        let session = self.session(request).await?;
        let current = self
            .tokens
            .get(&owner(&session), id)
            .await
            .map_err(token_error)?;
        let changes = self.changes(&form, Some(&current.api)).await?;
        let confirmed = self.confirm(&session, password, request).await?;
        self.tokens
            .edit(&owner(&session), id, changes, &confirmed, &request.client)
            .await
            .map_err(token_error)
    }

    async fn regenerate_token(
        &self,
        request: &RequestContext,
        id: i64,
        password: &str,
    ) -> Result<IssuedTokenView, ServerError> {
        let session = self.session(request).await?;
        let confirmed = self.confirm(&session, password, request).await?;
        self.tokens
            .regenerate(&owner(&session), id, &confirmed, &request.client)
            .await
            .map(issued)
            .map_err(token_error)
    }

    async fn copy_token(
        &self,
        request: &RequestContext,
        id: i64,
        form: TokenForm,
        password: &str,
    ) -> Result<IssuedTokenView, ServerError> {
        let session = self.session(request).await?;
        let changes = self.changes(&form, None).await?;
        let confirmed = self.confirm(&session, password, request).await?;
        self.tokens
            .copy(&owner(&session), id, changes, &confirmed, &request.client)
            .await
            .map(issued)
            .map_err(token_error)
    }

    async fn remove_tokens(
        &self,
        request: &RequestContext,
        ids: Vec<i64>,
        password: &str,
    ) -> Result<usize, ServerError> {
        let session = self.session(request).await?;
        let confirmed = self.confirm(&session, password, request).await?;
        self.tokens
            .remove(&owner(&session), &ids, &confirmed, &request.client)
            .await
            .map_err(token_error)
    }
}
