//! Who calls the REST API: a browser session, or an access token allowed the catalog method
//! that matches the route (`users.authentication.GetTokens` to list, and so on).

use app::{
    catalog::MethodName,
    request::{RequestContext, signed_in_session},
};
use http::request::Parts;

use super::ApiError;
use crate::{
    http::credentials::presented_token,
    services::{
        Services,
        accounts::{AdminProof, SessionUser},
        tokens::{Refusal, TokenGrant, TokenOwner},
    },
};

pub enum Caller {
    Session(SessionUser),
    Token(TokenGrant),
}

impl Caller {
    pub fn user_id(&self) -> i64 {
        match self {
            Self::Session(session) => session.user_id,
            Self::Token(grant) => grant.user_id,
        }
    }

    /// Admin routes: the session's or the token owner's role, as of this request.
    pub fn require_admin(&self) -> Result<AdminProof, ApiError> {
        let role = match self {
            Self::Session(session) => session.user.role,
            Self::Token(grant) => grant.role,
        };
        Ok(AdminProof::of_role(role)?)
    }

    pub fn owner(&self) -> TokenOwner {
        match self {
            Self::Session(session) => TokenOwner::of_session(session),
            Self::Token(grant) => TokenOwner::of_grant(grant),
        }
    }
}

/// A token, if the request presents one (checked for `method`), else the session.
pub async fn caller(services: &Services, parts: &Parts, method: &str) -> Result<Caller, ApiError> {
    let context = RequestContext::from_parts(parts);
    if let Some(presented) =
        presented_token(&parts.headers, Vec::new()).map_err(ApiError::Refused)?
    {
        let method = MethodName::parse(method).expect("REST routes name catalog methods");
        let grant = services
            .tokens
            .authenticate(&presented, Some(&method), &context.client)
            .await?;
        return Ok(Caller::Token(grant));
    }
    match signed_in_session(services, &context).await? {
        Some(session) => Ok(Caller::Session(session)),
        None => Err(ApiError::Unauthenticated),
    }
}

/// The token the request presents, whatever it may call (for `/api/v1/tokens/self`).
pub async fn presenting_token(services: &Services, parts: &Parts) -> Result<TokenGrant, ApiError> {
    let context = RequestContext::from_parts(parts);
    let presented = presented_token(&parts.headers, Vec::new())
        .map_err(ApiError::Refused)?
        .ok_or(ApiError::Refused(Refusal::NoCredential))?;
    Ok(services
        .tokens
        .authenticate(&presented, None, &context.client)
        .await?)
}
