//! Settings → Security: the signed-in person's own audit events (sign-ins and failed ones,
//! password changes, every change to their tokens, refusals of their tokens), newest first,
//! paged through the address (`?page=2`) so it reads without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{
        audit_table::AuditTable,
        pager::{page_asked, page_href},
    },
    server_fns::audit::my_audit,
};

#[component]
pub fn SecurityTab() -> impl IntoView {
    let query = use_query_map();
    let events = Resource::new_blocking(move || query.with(page_asked), my_audit);
    view! {
        <Title text="Security" />
        <p class="muted">
            "Everything that happened to your account and your tokens: sign-ins, failed ones, "
            "password changes, token changes and refused uses of your tokens, with where they came from. "
            "Something you do not recognise? Change your password and remove the tokens concerned."
        </p>
        <Suspense fallback=|| view! { <p class="muted">"Loading your events…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(page) => view! {
                        <AuditTable
                            page
                            label="Your security events"
                            empty="Nothing has happened on your account yet."
                            href=|n| page_href("/settings/security", n)
                        />
                    }.into_any(),
                    Err(error) => view! {
                        <p class="alert alert--error" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
