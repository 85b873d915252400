use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::{
    http::{client_address::TrustedProxies, detached::InFlight},
    services::Services,
};

/// Everything a request handler may need, cloned cheaply into each one.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    pub trusted_proxies: TrustedProxies,
    /// The requests being handled (shutdown waits for them).
    pub in_flight: InFlight,
}
