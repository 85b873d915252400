//! Server-rendered Leptos pages and the server functions they call.

use app::{App, shell};
use axum::{Router, middleware};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};

use super::session::require_sign_in;
use crate::state::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
    let services = state.services.clone();
    let provide_services = move || provide_context(services.clone());
    let options = state.leptos_options.clone();
    let fallback_options = state.leptos_options.clone();
    Router::new()
        .leptos_routes_with_context(
            state,
            generate_route_list(App),
            provide_services.clone(),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::render_app_to_stream_with_context(
            provide_services,
            move || shell(fallback_options.clone()),
        ))
        .layer(middleware::from_fn_with_state(
            state.services.clone(),
            require_sign_in,
        ))
}
