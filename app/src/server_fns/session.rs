use leptos::prelude::*;

use super::codec::Json;

use crate::{account::UserView, error::ServerError};

/// The signed-in user, or `None`.
#[server(prefix = "/_fn", endpoint = "current_user", input = Json, output = Json)]
pub async fn current_user() -> Result<Option<UserView>, ServerError> {
    let session = super::call::Call::current()?.signed_in().await?;
    Ok(session.map(|session| session.user))
}

/// How many of the signed-in user's tokens end within a week or ended in the last one (the
/// top bar's count); 0 when signed out.
#[server(prefix = "/_fn", endpoint = "ending_token_count", input = Json, output = Json)]
pub async fn ending_token_count() -> Result<usize, ServerError> {
    use super::call::{Call, server_error};
    use tessera_core::{clock, services::tokens::TokenOwner};

    let call = Call::current()?;
    let Some(session) = call.signed_in().await? else {
        return Ok(0);
    };
    let ending = call
        .services
        .tokens
        .ending(&TokenOwner::of_session(&session), clock::now())
        .await
        .map_err(server_error)?;
    Ok(ending.len())
}

/// Signs in and sets the session cookie (the hydrated login form's path; `POST /login`
/// serves the same form before hydration).
#[server(prefix = "/_fn", endpoint = "sign_in", input = Json, output = Json)]
pub async fn sign_in(login: String, password: String) -> Result<UserView, ServerError> {
    use super::call::{Call, server_error};
    use crate::request::session_cookie;

    let call = Call::current()?;
    let request = call.request();
    let signed_in = call
        .services
        .accounts
        .sign_in(
            &login,
            &password,
            request.session_token.as_deref(),
            &request.client,
        )
        .await
        .map_err(server_error)?;
    let cookie = session_cookie(signed_in.token.expose(), request.https);
    let cookie = http::HeaderValue::from_str(&cookie).map_err(|_| ServerError::Internal)?;
    expect_context::<leptos_axum::ResponseOptions>()
        .insert_header(http::header::SET_COOKIE, cookie);
    Ok(signed_in.user)
}

/// Changes the signed-in user's password after checking the current one. The one server
/// function that takes a form body: the Account page posts it natively before hydration.
#[server(prefix = "/_fn", endpoint = "change_password", output = Json)]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), ServerError> {
    use super::call::{Call, server_error};

    let call = Call::current()?;
    let session = call.session().await?;
    call.services
        .accounts
        .change_password(
            &session,
            &current_password,
            &new_password,
            &confirm_password,
            call.client(),
        )
        .await
        .map_err(server_error)
}
