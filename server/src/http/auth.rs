//! `POST /login` and `POST /logout` as plain form posts: sign-in works before the page has
//! hydrated (or with JavaScript off). The hydrated login page uses the `sign_in` server
//! function instead; both call the same service.

use app::{
    navigation::safe_next,
    request::{RequestContext, cleared_session_cookie, session_cookie, signed_in_session},
};
use axum::{
    Form, Router,
    extract::{FromRequestParts, State},
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
    routing::post,
};
use serde::Deserialize;

use super::session::encode_query_value;
use crate::{
    services::{Services, accounts::AccountError},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(sign_in))
        .route("/logout", post(sign_out))
}

/// The request's cookie, client and scheme, for handlers.
pub struct Context(pub RequestContext);

impl<S: Send + Sync> FromRequestParts<S> for Context {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(RequestContext::from_parts(parts)))
    }
}

#[derive(Deserialize)]
struct SignInForm {
    login: String,
    password: String,
    next: Option<String>,
}

async fn sign_in(
    State(services): State<Services>,
    Context(context): Context,
    Form(form): Form<SignInForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    match services
        .accounts
        .sign_in(
            &form.login,
            &form.password,
            context.session_token.as_deref(),
            &context.client,
        )
        .await
    {
        Ok(signed_in) => (
            [(
                http::header::SET_COOKIE,
                session_cookie(signed_in.token.expose(), context.https),
            )],
            Redirect::to(&next),
        )
            .into_response(),
        Err(error) => {
            let reason = match error {
                AccountError::InvalidCredentials => "invalid".to_owned(),
                AccountError::Throttled { retry_after_secs } => {
                    format!("throttled&retry={retry_after_secs}")
                }
                other => return crate::http::error::internal(&other),
            };
            let back = format!(
                "/login?error={reason}&login={}&next={}",
                encode_query_value(&form.login.trim().chars().take(128).collect::<String>()),
                encode_query_value(&next)
            );
            Redirect::to(&back).into_response()
        }
    }
}

async fn sign_out(State(services): State<Services>, Context(context): Context) -> Response {
    match signed_in_session(&services, &context).await {
        Ok(Some(session)) => {
            if let Err(error) = services.accounts.sign_out(&session, &context.client).await {
                return crate::http::error::internal(&error);
            }
        }
        Ok(None) => {}
        Err(error) => return crate::http::error::internal(&error),
    }
    (
        [(
            http::header::SET_COOKIE,
            cleared_session_cookie(context.https),
        )],
        Redirect::to("/login?signed_out=1"),
    )
        .into_response()
}
