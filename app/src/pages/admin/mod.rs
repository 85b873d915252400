//! `/admin`: People (users and their tokens), Policies and the Audit log, for admins only. Others get a 403
//! page here, and 403 from every admin server function and API route.

pub mod audit;
pub mod people;
pub mod person;
pub mod person_token_form;
pub mod policies;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Outlet};

use crate::{
    account::Role,
    components::top_bar::{TopBar, ending_count},
    server_fns::session::current_user,
};

#[component]
pub fn AdminLayout() -> impl IntoView {
    let user = Resource::new_blocking(|| (), |()| current_user());
    let ending = ending_count();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let ending = ending.await.unwrap_or_default();
                match user.await.ok().flatten() {
                    Some(user) if user.role == Role::Admin => view! {
                        <TopBar user ending />
                        <main class="page page--wide">
                            <h1>"Administration"</h1>
                            <nav class="tabs" aria-label="Administration">
                                <A href="/admin/people">"People"</A>
                                <A href="/admin/policies">"Policies"</A>
                                <A href="/admin/audit">"Audit log"</A>
                            </nav>
                            <section class="tab-panel">
                                <Outlet />
                            </section>
                        </main>
                    }.into_any(),
                    Some(user) => view! { <TopBar user ending /> <Forbidden /> }.into_any(),
                    None => view! { <Forbidden /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <Title text="Admins only" />
        <main class="page page--narrow">
            <h1>"Admins only"</h1>
            <p>"This page is for administrators. Your account cannot open it."</p>
            <p><a href="/settings/tokens">"Back to your access tokens"</a></p>
        </main>
    }
}
