use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::services::Services;

/// Everything a request handler may need, cloned cheaply into each one.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
}
