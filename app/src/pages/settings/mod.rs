//! `/settings`: the signed-in user's frame, with a tab per area.

pub mod account;
pub mod notifications;
pub mod security;
pub mod tokens;

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use crate::{
    components::top_bar::{TokenChanges, TopBar, ending_count},
    server_fns::session::current_user,
};

#[component]
pub fn SettingsLayout() -> impl IntoView {
    TokenChanges::provide();
    let user = Resource::new_blocking(|| (), |()| current_user());
    let ending = ending_count();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let user = user.await.ok().flatten()?;
                let ending = ending.await.unwrap_or_default();
                Some(view! { <TopBar user ending /> })
            })}
        </Suspense>
        <main class="page">
            <h1>"Settings"</h1>
            <nav class="tabs" aria-label="Settings">
                <A href="/settings/account">"Account"</A>
                <A href="/settings/tokens">"Access Tokens"</A>
                <A href="/settings/notifications">"Notifications"</A>
                <A href="/settings/security">"Security"</A>
            </nav>
            <section class="tab-panel">
                <Outlet />
            </section>
        </main>
    }
}
