//! What REST handlers take instead of raw request parts, so that none can skip a check:
//! - [`Caller<M>`]: a browser session, or an access token allowed the catalog method `M` that
//!   the route stands for (`GetTokens` to read, and so on);
//! - [`Admin<M>`]: such a caller who is an admin, with the proof the services require for
//!   acting on other people;
//! - [`SelfToken`]: the token the request presents, whatever it may call (`/tokens/self`);
//! - [`Change<T>`]: a change's JSON body, its fields typed and its password split off. A
//!   change needs a [`Confirmed`], and only [`Change::confirm`] makes one here.

use std::marker::PhantomData;

use app::{
    catalog::MethodName,
    request::{ClientInfo, RequestContext, signed_in_session},
    token::{DecidedToken, RotationGrace},
};
use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::request::Parts,
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::ApiError;
use crate::{
    http::{credentials::presented_token, token_expiry::AdmittedToken},
    services::{
        Services,
        accounts::{AdminProof, Confirmed, SessionUser},
        tokens::{Refusal, TokenError, TokenGrant, TokenOwner, TokenRequest, TokenTarget},
        webhooks::WebhookOwner,
    },
    state::AppState,
};

/// The catalog method a route asks of a token.
pub trait RouteMethod: Send + Sync + 'static {
    const NAME: &'static str;
}

macro_rules! route_methods {
    ($($marker:ident => $name:literal),* $(,)?) => {$(
        pub struct $marker;
        impl RouteMethod for $marker {
            const NAME: &'static str = $name;
        }
    )*};
}

route_methods! {
    GetTokens => "users.authentication.GetTokens",
    CreateToken => "users.authentication.CreateToken",
    EditToken => "users.authentication.EditToken",
    RegenerateToken => "users.authentication.RegenerateToken",
    DeleteTokens => "users.authentication.DeleteTokens",
}

enum Who {
    Session(SessionUser),
    Token(TokenGrant),
}

pub struct Caller<M> {
    who: Who,
    pub client: ClientInfo,
    method: PhantomData<fn() -> M>,
}

impl<M> Caller<M> {
    pub fn user_id(&self) -> i64 {
        match &self.who {
            Who::Session(session) => session.user_id,
            Who::Token(grant) => grant.user_id,
        }
    }

    /// The caller's own webhook endpoints.
    pub fn webhook_owner(&self) -> WebhookOwner {
        match &self.who {
            Who::Session(session) => WebhookOwner::of_session(session),
            Who::Token(grant) => WebhookOwner::of_grant(grant),
        }
    }

    /// The caller's own tokens.
    pub fn owner(&self) -> TokenOwner {
        match &self.who {
            Who::Session(session) => TokenOwner::of_session(session),
            Who::Token(grant) => TokenOwner::of_grant(grant),
        }
    }
}

impl<M: RouteMethod> FromRequestParts<AppState> for Caller<M> {
    type Rejection = ApiError;

    /// A token, if the request presents one (checked for `M`), else the session.
    #[tracing::instrument(name = "caller", skip_all, fields(method = M::NAME))]
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let context = RequestContext::from_parts(parts);
        let services = &state.services;
        let who = match presented_token(&parts.headers, Vec::new()).map_err(ApiError::Refused)? {
            Some(presented) => {
                let method = MethodName::parse(M::NAME).expect("route methods are catalog names");
                let grant = services
                    .tokens
                    .authenticate(&presented, Some(&method), &context.client)
                    .await?;
                announce_expiry(parts, &grant);
                Who::Token(grant)
            }
            None => match signed_in_session(services, &context).await? {
                Some(session) => Who::Session(session),
                None => return Err(ApiError::Unauthenticated),
            },
        };
        Ok(Self {
            who,
            client: context.client,
            method: PhantomData,
        })
    }
}

pub struct Admin<M> {
    pub caller: Caller<M>,
    pub proof: AdminProof,
}

impl<M> Admin<M> {
    /// The tokens of the person with `login`, for this admin to act on.
    pub async fn owner_of(&self, services: &Services, login: &str) -> Result<TokenOwner, ApiError> {
        let (user_id, person) = services.accounts.person(login).await?;
        Ok(TokenOwner::for_admin(&self.proof, user_id, person.login))
    }
}

impl<M: RouteMethod> FromRequestParts<AppState> for Admin<M> {
    type Rejection = ApiError;

    /// The session's or the token owner's role, as of this request.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::<M>::from_request_parts(parts, state).await?;
        let role = match &caller.who {
            Who::Session(session) => session.user.role,
            Who::Token(grant) => grant.role,
        };
        let proof = AdminProof::of_role(role)?;
        Ok(Self { caller, proof })
    }
}

pub struct SelfToken {
    pub grant: TokenGrant,
    pub client: ClientInfo,
}

impl FromRequestParts<AppState> for SelfToken {
    type Rejection = ApiError;

    #[tracing::instrument(name = "self_token", skip_all)]
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let client = RequestContext::from_parts(parts).client;
        let presented = presented_token(&parts.headers, Vec::new())
            .map_err(ApiError::Refused)?
            .ok_or(ApiError::Refused(Refusal::NoCredential))?;
        let grant = state
            .services
            .tokens
            .authenticate(&presented, None, &client)
            .await?;
        announce_expiry(parts, &grant);
        Ok(Self { grant, client })
    }
}

/// Lets the answer say when the admitted token expires (see `token_expiry`).
fn announce_expiry(parts: &Parts, grant: &TokenGrant) {
    if let Some(admitted) = parts.extensions.get::<AdmittedToken>() {
        admitted.record(grant);
    }
}

pub struct Change<T> {
    password: Option<String>,
    pub fields: T,
}

impl<T> Change<T> {
    /// The caller's own password, checked (and counted when wrong) in this request.
    pub async fn confirm<M>(
        &self,
        services: &Services,
        caller: &Caller<M>,
    ) -> Result<Confirmed, ApiError> {
        let password = self.password.as_deref().ok_or(ApiError::PasswordRequired)?;
        Ok(services
            .accounts
            .confirm_password(caller.user_id(), password, &caller.client)
            .await?)
    }
}

impl Change<TokenRequest> {
    /// The body's token fields decided for `target` of `owner`'s tokens, then the caller's
    /// password checked: in that order, so a body with mistakes costs no password attempt.
    pub async fn decide_confirmed<M>(
        &self,
        services: &Services,
        caller: &Caller<M>,
        owner: &TokenOwner,
        target: TokenTarget,
    ) -> Result<(DecidedToken, Confirmed), ApiError> {
        let input = self
            .fields
            .clone()
            .into_input()
            .map_err(TokenError::Input)?;
        let decided = services.tokens.decide(owner, target, &input).await?;
        Ok((decided, self.confirm(services, caller).await?))
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for Change<T> {
    /// A body too large or unreadable is axum's answer (413, 400); the rest are the API's.
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Self::parse(&bytes).map_err(IntoResponse::into_response)
    }
}

impl<T: DeserializeOwned> Change<T> {
    fn parse(bytes: &Bytes) -> Result<Self, ApiError> {
        let mut rest: Map<String, Value> = if bytes.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            serde_json::from_slice(bytes).map_err(|e| ApiError::InvalidJson(e.to_string()))?
        };
        let password = match rest.remove("password") {
            None | Some(Value::Null) => None,
            Some(Value::String(password)) => Some(password),
            Some(_) => return Err(ApiError::InvalidJson("password is a string".into())),
        };
        let fields = serde_json::from_value(Value::Object(rest))
            .map_err(|e| ApiError::InvalidJson(e.to_string()))?;
        Ok(Self { password, fields })
    }
}

/// The body of a change that takes nothing but the password.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// The body of a regeneration: the password, and how long the old value keeps working
/// (`"grace": "1h"`, at most 7 days; none when left out).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regeneration {
    grace: Option<String>,
}

impl Regeneration {
    pub fn grace(&self) -> Result<RotationGrace, ApiError> {
        RotationGrace::parse(self.grace.as_deref().unwrap_or_default())
            .map_err(|error| ApiError::Token(TokenError::Invalid(error.to_string())))
    }
}
