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
    services::{
        Services,
        error::{Classify, ErrorKind},
    },
};

#[async_trait::async_trait]
impl Backend for Services {
    async fn database_report(
        &self,
        request: &RequestContext,
    ) -> Result<DatabaseReport, ServerError> {
        self.session(request).await?;
        self.system.database_report().await.map_err(server_error)
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

/// The server functions' table: what each kind of failure answers. Internal failures are
/// logged here and answered opaquely.
pub fn server_error(error: impl Classify) -> ServerError {
    let message = error.to_string();
    match error.kind() {
        ErrorKind::Invalid
        | ErrorKind::AlreadyExists
        | ErrorKind::LoginTaken
        | ErrorKind::Conflict
        | ErrorKind::QuotaExceeded
        | ErrorKind::UnknownMethod => ServerError::Invalid(message),
        ErrorKind::InvalidToken(errors) => ServerError::InvalidFields(errors.clone()),
        ErrorKind::NotFound => ServerError::NotFound,
        ErrorKind::UnknownUser(login) => ServerError::UnknownUser(login.to_owned()),
        ErrorKind::InvalidCredentials => ServerError::InvalidCredentials,
        ErrorKind::WrongPassword => ServerError::WrongPassword,
        ErrorKind::Throttled { retry_after_secs } => ServerError::Throttled { retry_after_secs },
        ErrorKind::NotAdmin => ServerError::Forbidden,
        ErrorKind::Refused(_) => ServerError::Unauthenticated,
        ErrorKind::Unavailable => {
            tracing::warn!(%message, "database unavailable");
            ServerError::DatabaseUnavailable
        }
        ErrorKind::Internal => {
            tracing::error!(%message, "request failed");
            ServerError::Internal
        }
    }
}
