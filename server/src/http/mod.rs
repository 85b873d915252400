//! The HTTP surface: one router per feature, merged here.

mod access_log;
mod api;
pub mod assets;
pub mod auth;
pub mod client_address;
pub mod credentials;
mod csrf;
pub mod detached;
mod docs;
pub mod error;
mod forward_auth;
mod health;
mod pages;
mod platform;
mod request_id;
mod security_headers;
mod server_fns;
pub mod session;
pub mod token_expiry;

use std::path::Path;

pub use api::admin::ROUTES as ADMIN_API_ROUTES;

use axum::{Router, middleware};

use crate::state::AppState;

/// The whole application as a router, independent of any socket (tests drive it directly).
pub fn router(state: AppState, site_root: &Path) -> Router {
    Router::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(platform::router())
        .merge(forward_auth::router())
        .merge(api::router())
        .merge(docs::router())
        .merge(assets::routes(
            site_root,
            &state.leptos_options.site_pkg_dir,
        ))
        .merge(pages::router(&state))
        .layer(middleware::from_fn(token_expiry::announce))
        .layer(middleware::from_fn(server_fns::error_statuses))
        .layer(middleware::from_fn(csrf::reject_cross_site))
        .layer(middleware::from_fn(security_headers::add))
        .layer(middleware::from_fn_with_state(
            state.trusted_proxies.clone(),
            client_address::resolve_client,
        ))
        // Outside the others, so that it counts the status the client finally gets.
        .layer(middleware::from_fn(crate::metrics::record_request))
        .layer(access_log::layer())
        .layer(middleware::from_fn_with_state(
            state.trusted_proxies.clone(),
            request_id::assign,
        ))
        // Outermost: whatever the client does, the request's whole handling goes on.
        .layer(middleware::from_fn_with_state(
            state.in_flight.clone(),
            detached::run_to_completion,
        ))
        .with_state(state)
}
