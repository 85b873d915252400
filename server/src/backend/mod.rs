//! The server's side of `app::backend::Backend`: how server functions reach the services.

mod admin;
mod tokens;

use app::{
    account::UserView,
    backend::{Backend, SessionStart},
    error::ServerError,
    request::RequestContext,
    status::DatabaseReport,
};

use crate::{
    http::session::{session_cookie, signed_in_session},
    services::{Services, accounts::AccountError},
    storage::StorageError,
};

#[async_trait::async_trait]
impl Backend for Services {
    async fn database_report(
        &self,
        request: &RequestContext,
    ) -> Result<DatabaseReport, ServerError> {
        self.session(request).await?;
        self.system
            .database_report()
            .await
            .map_err(|e| server_error(e.into()))
    }

    async fn current_user(
        &self,
        request: &RequestContext,
    ) -> Result<Option<UserView>, ServerError> {
        let session = signed_in_session(self, request)
            .await
            .map_err(server_error)?;
        Ok(session.map(|session| session.user))
    }

    async fn sign_in(
        &self,
        request: &RequestContext,
        login: &str,
        password: &str,
    ) -> Result<SessionStart, ServerError> {
        let signed_in = self
            .accounts
            .sign_in(
                login,
                password,
                request.session_token.as_deref(),
                &request.client,
            )
            .await
            .map_err(server_error)?;
        Ok(SessionStart {
            set_cookie: session_cookie(signed_in.token.expose(), request.https),
            user: signed_in.user,
        })
    }

    async fn change_password(
        &self,
        request: &RequestContext,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> Result<(), ServerError> {
        let session = signed_in_session(self, request)
            .await
            .map_err(server_error)?
            .ok_or(ServerError::Unauthenticated)?;
        self.accounts
            .change_password(&session, current, new, confirm, &request.client)
            .await
            .map_err(server_error)
    }
}

/// Expected failures keep their meaning; anything else is logged here and answered opaquely.
pub fn server_error(error: AccountError) -> ServerError {
    match error {
        AccountError::InvalidCredentials => ServerError::InvalidCredentials,
        AccountError::WrongPassword => ServerError::WrongPassword,
        AccountError::Throttled { retry_after_secs } => ServerError::Throttled { retry_after_secs },
        AccountError::NotAdmin => ServerError::Forbidden,
        AccountError::UnknownUser(login) => ServerError::UnknownUser(login),
        AccountError::LoginTaken(_)
        | AccountError::InvalidLogin(_)
        | AccountError::InvalidPassword(_)
        | AccountError::PasswordsDiffer => ServerError::Invalid(error.to_string()),
        AccountError::Storage(StorageError::Unavailable(_)) => {
            tracing::warn!(%error, "database unavailable");
            ServerError::DatabaseUnavailable
        }
        AccountError::Storage(_) | AccountError::Hash(_) => {
            tracing::error!(%error, "request failed");
            ServerError::Internal
        }
    }
}
