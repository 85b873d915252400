//! Server functions: public HTTP endpoints, each a thin adapter over the server's services.

pub mod admin;
pub mod check_database;
pub mod session;
pub mod tokens;

/// Sets the HTTP status of a failed server function to match its error (401, 422, 429...).
#[cfg(feature = "ssr")]
fn with_status<T>(
    result: Result<T, crate::error::ServerError>,
) -> Result<T, crate::error::ServerError> {
    if let Err(error) = &result
        && let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(error.status());
    }
    result
}
