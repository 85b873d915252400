//! The Access Tokens tab's side of the backend: the session's user, their password checked in
//! the same request, then the token service.

use app::{
    backend::TokenBackend,
    error::ServerError,
    request::RequestContext,
    token::{IssuedTokenView, TokenInput, TokenPage, TokenView},
};

use super::server_error;
use crate::{
    clock,
    http::session::signed_in_session,
    services::{
        Services,
        accounts::{Confirmed, SessionUser},
        tokens::{IssuedToken, TokenOwner, TokenTarget},
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

    /// The dialog's input decided as the browser decided it; the fields' errors go back to
    /// the dialog.
    async fn decide(
        &self,
        session: &SessionUser,
        target: TokenTarget,
        input: &TokenInput,
    ) -> Result<app::token::DecidedToken, ServerError> {
        self.tokens
            .decide(&owner(session), target, input)
            .await
            .map_err(server_error)
    }
}

fn owner(session: &SessionUser) -> TokenOwner {
    TokenOwner::of_session(session)
}

pub(super) fn issued(issued: IssuedToken) -> IssuedTokenView {
    IssuedTokenView {
        value: issued.secret.expose().to_owned(),
        token: issued.token,
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
            .map_err(server_error)?;
        Ok(TokenPage {
            tokens,
            catalog: self.tokens.catalog().clone(),
            policy: self.tokens.policy().await.map_err(server_error)?,
            now: clock::now(),
        })
    }

    async fn generate_token(
        &self,
        request: &RequestContext,
        input: TokenInput,
        password: &str,
    ) -> Result<IssuedTokenView, ServerError> {
        let session = self.session(request).await?;
        let settings = self.decide(&session, TokenTarget::New, &input).await?;
        let confirmed = self.confirm(&session, password, request).await?;
        self.tokens
            .generate(&owner(&session), &settings, &confirmed, &request.client)
            .await
            .map(issued)
            .map_err(server_error)
    }

    async fn edit_token(
        &self,
        request: &RequestContext,
        id: i64,
        input: TokenInput,
        password: &str,
    ) -> Result<TokenView, ServerError> {
        let session = self.session(request).await?;
        let settings = self.decide(&session, TokenTarget::Edit(id), &input).await?;
        let confirmed = self.confirm(&session, password, request).await?;
        self.tokens
            .edit(&owner(&session), id, &settings, &confirmed, &request.client)
            .await
            .map_err(server_error)
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
            .map_err(server_error)
    }

    async fn copy_token(
        &self,
        request: &RequestContext,
        id: i64,
        input: TokenInput,
        password: &str,
    ) -> Result<IssuedTokenView, ServerError> {
        let session = self.session(request).await?;
        let settings = self.decide(&session, TokenTarget::Copy(id), &input).await?;
        let confirmed = self.confirm(&session, password, request).await?;
        self.tokens
            .copy(&owner(&session), id, &settings, &confirmed, &request.client)
            .await
            .map(issued)
            .map_err(server_error)
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
            .map_err(server_error)
    }
}
