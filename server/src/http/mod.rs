//! The HTTP surface: one router per feature, merged here.

mod access_log;
mod assets;
mod health;
mod pages;

use std::path::Path;

use axum::Router;

use crate::state::AppState;

/// The whole application as a router, independent of any socket (tests drive it directly).
pub fn router(state: AppState, site_root: &Path) -> Router {
    Router::new()
        .merge(health::router())
        .nest_service("/pkg", assets::service(site_root))
        .merge(pages::router(&state))
        .layer(access_log::layer())
        .with_state(state)
}
