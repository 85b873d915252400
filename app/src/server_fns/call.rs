//! Where every server function starts on the server: the services the server provided for
//! this request, the request itself, the signed-in session, and the one table from the
//! services' error kinds to [`ServerError`].

use tessera_core::services::{
    Services,
    accounts::{AdminProof, Confirmed, SessionUser},
    error::{Classify, ErrorKind},
    tokens::{IssuedToken, TokenOwner, TokenTarget},
};

use crate::{
    account::PersonSummary,
    error::ServerError,
    request::{ClientInfo, RequestContext, signed_in_session},
    token::{DecidedToken, IssuedTokenView, TokenInput},
};

pub struct Call {
    pub services: Services,
    request: RequestContext,
}

impl Call {
    /// The request a server function is answering, with the services the server provided.
    pub fn current() -> Result<Self, ServerError> {
        let services = leptos::prelude::use_context::<Services>().ok_or(ServerError::Internal)?;
        Ok(Self {
            services,
            request: RequestContext::current(),
        })
    }

    pub fn request(&self) -> &RequestContext {
        &self.request
    }

    pub fn client(&self) -> &ClientInfo {
        &self.request.client
    }

    /// The signed-in user, if any.
    pub async fn signed_in(&self) -> Result<Option<SessionUser>, ServerError> {
        signed_in_session(&self.services, &self.request)
            .await
            .map_err(server_error)
    }

    /// The signed-in user; 401 without one.
    pub async fn session(&self) -> Result<SessionUser, ServerError> {
        self.signed_in().await?.ok_or(ServerError::Unauthenticated)
    }

    /// The signed-in user, who must be an admin (403 otherwise), and the proof of it that the
    /// services require for acting on other people.
    pub async fn admin(&self) -> Result<(SessionUser, AdminProof), ServerError> {
        let session = self.session().await?;
        let proof = session.require_admin().map_err(server_error)?;
        Ok((session, proof))
    }

    /// The person with `login`'s tokens, for an admin to act on, and the person.
    pub async fn owner_for_admin(
        &self,
        proof: &AdminProof,
        login: &str,
    ) -> Result<(TokenOwner, PersonSummary), ServerError> {
        let (user_id, person) = self
            .services
            .accounts
            .person(login)
            .await
            .map_err(server_error)?;
        let owner = TokenOwner::for_admin(proof, user_id, person.login.clone());
        Ok((owner, person))
    }

    /// A token form decided for `target` of `owner`'s tokens, then the session's password
    /// checked: in that order, so a form with mistakes costs no password attempt.
    pub async fn decide_confirmed(
        &self,
        session: &SessionUser,
        owner: &TokenOwner,
        target: TokenTarget,
        input: &TokenInput,
        password: &str,
    ) -> Result<(DecidedToken, Confirmed), ServerError> {
        let decided = self
            .services
            .tokens
            .decide(owner, target, input)
            .await
            .map_err(server_error)?;
        Ok((decided, self.confirm(session, password).await?))
    }

    /// The session's own password, checked (and counted when wrong) in this request.
    pub async fn confirm(
        &self,
        session: &SessionUser,
        password: &str,
    ) -> Result<Confirmed, ServerError> {
        self.services
            .accounts
            .confirm_password(session.user_id, password, self.client())
            .await
            .map_err(server_error)
    }
}

/// A new token as the dialog shows it, value included: the one time it is sent.
pub fn issued(issued: IssuedToken) -> IssuedTokenView {
    IssuedTokenView {
        value: issued.secret.expose().to_owned(),
        token: issued.token,
    }
}

/// What each kind of failure answers a server function. Internal failures are logged here
/// and answered opaquely.
pub fn server_error(error: impl Classify) -> ServerError {
    let message = error.to_string();
    match error.kind() {
        ErrorKind::Invalid
        | ErrorKind::AlreadyExists
        | ErrorKind::LoginTaken
        | ErrorKind::Conflict
        | ErrorKind::QuotaExceeded
        | ErrorKind::UnknownMethod => ServerError::Invalid(message),
        ErrorKind::InvalidToken(errors) => ServerError::InvalidFields(Box::new(errors.clone())),
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
