//! Server-rendered Leptos pages and the server functions they call.

use std::sync::Arc;

use app::{App, backend::SharedBackend, shell};
use axum::{Router, middleware};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};

use super::session::require_sign_in;
use crate::state::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
    let backend: SharedBackend = Arc::new(state.services.clone());
    let provide_backend = move || provide_context(backend.clone());
    let options = state.leptos_options.clone();
    let fallback_options = state.leptos_options.clone();
    Router::new()
        .leptos_routes_with_context(
            state,
            generate_route_list(App),
            provide_backend.clone(),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::render_app_to_stream_with_context(
            provide_backend,
            move || shell(fallback_options.clone()),
        ))
        .layer(middleware::from_fn_with_state(
            state.services.clone(),
            require_sign_in,
        ))
}
