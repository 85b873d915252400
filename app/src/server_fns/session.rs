use leptos::{prelude::*, server_fn::codec::Json};

use crate::{account::UserView, error::ServerError};

/// The signed-in user, or `None`.
#[server(prefix = "/_fn", endpoint = "current_user", input = Json)]
pub async fn current_user() -> Result<Option<UserView>, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?.current_user(&RequestContext::current()).await
}

/// Signs in and sets the session cookie (the hydrated login form's path; `POST /login`
/// serves the same form before hydration).
#[server(prefix = "/_fn", endpoint = "sign_in", input = Json)]
pub async fn sign_in(login: String, password: String) -> Result<UserView, ServerError> {
    use crate::{backend::backend, request::RequestContext};

    let started = backend()?
        .sign_in(&RequestContext::current(), &login, &password)
        .await?;
    let cookie =
        http::HeaderValue::from_str(&started.set_cookie).map_err(|_| ServerError::Internal)?;
    expect_context::<leptos_axum::ResponseOptions>()
        .insert_header(http::header::SET_COOKIE, cookie);
    Ok(started.user)
}

/// Changes the signed-in user's password after checking the current one. The one server
/// function that takes a form body: the Account page posts it natively before hydration.
#[server(prefix = "/_fn", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), ServerError> {
    use crate::{backend::backend, request::RequestContext};

    backend()?
        .change_password(
            &RequestContext::current(),
            &current_password,
            &new_password,
            &confirm_password,
        )
        .await
}
