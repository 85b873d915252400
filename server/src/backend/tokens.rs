//! The Access Tokens tab's side of the backend: the session's user, their password checked in
//! the same request, then the token service.

use app::{
    backend::TokenBackend,
    error::ServerError,
    request::RequestContext,
    token::{ExpiryDate, ExpirySpec, IssuedTokenView, TokenForm, TokenPage, TokenView},
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
    async fn session(&self, request: &RequestContext) -> Result<SessionUser, ServerError> {
        signed_in_session(self, request)
            .await
            .map_err(server_error)?
            .ok_or(ServerError::Unauthenticated)
    }

    async fn confirm(
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
    fn changes(&self, form: &TokenForm) -> Result<TokenChanges, ServerError> {
        let today = ExpiryDate::of_unix(clock::now());
        let checked = form
            .check(today, self.tokens.catalog())
            .map_err(ServerError::InvalidFields)?;
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

fn issued(issued: IssuedToken) -> IssuedTokenView {
    IssuedTokenView {
        value: issued.secret.expose().to_owned(),
        token: issued.token,
    }
}

fn token_error(error: TokenError) -> ServerError {
    match error {
        TokenError::NotFound => ServerError::NotFound,
        TokenError::Invalid(message) => ServerError::Invalid(message),
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
        let changes = self.changes(&TokenForm {
            expires_at: Some(form.expires_at.clone().unwrap_or_default()),
            ..form
        })?;
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
        let changes = self.changes(&form)?;
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
        let changes = self.changes(&form)?;
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
