//! The HTML document and the root component with its routes.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{ParentRoute, Redirect, Route, Router, Routes},
};

use crate::pages::{
    admin::{
        AdminLayout, audit::AuditTab, people::PeopleTab, person::PersonTab, policies::PoliciesTab,
    },
    home::HomePage,
    login::LoginPage,
    not_found::NotFound,
    settings::{
        SettingsLayout, account::AccountTab, notifications::NotificationsTab,
        security::SecurityTab, tokens::TokensTab,
    },
};

/// A tessera (a mosaic tile) in the brand colour, inline so it costs no request.
const FAVICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' \
    viewBox='0 0 16 16'%3E%3Crect x='1' y='1' width='6' height='6' rx='1' fill='%232454c5'/%3E\
    %3Crect x='9' y='1' width='6' height='6' rx='1' fill='%235b8def'/%3E%3Crect x='1' y='9' \
    width='6' height='6' rx='1' fill='%235b8def'/%3E%3Crect x='9' y='9' width='6' height='6' \
    rx='1' fill='%232454c5'/%3E%3C/svg%3E";

/// The document the server renders around [`App`]; `HydrationScripts` loads the WASM bundle.
/// The stylesheet is named here, not in [`App`], so that its address can carry the bundle's
/// version (`site_pkg_dir`), which only the server knows.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::security::send_content_security_policy();
    let stylesheet = format!("/{}/tessera.css", options.site_pkg_dir);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href=FAVICON />
                <link rel="stylesheet" id="tessera-style" href=stylesheet />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: the attribute tells a hydrated page from a merely
    // server-rendered one (browser tests wait for it).
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Title formatter=|page: String| format!("{page} · Tessera") />
        <Router>
            <Routes fallback=NotFound>
                <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                <Route path=StaticSegment("login") view=LoginPage />
                // Async: the whole page is rendered before it is sent, so it reads complete
                // without JavaScript.
                <ParentRoute path=StaticSegment("settings") view=SettingsLayout ssr=SsrMode::Async>
                    <Route
                        path=StaticSegment("")
                        view=|| view! { <Redirect path="/settings/tokens" /> }
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("account") view=AccountTab ssr=SsrMode::Async />
                    <Route path=StaticSegment("tokens") view=TokensTab ssr=SsrMode::Async />
                    <Route
                        path=StaticSegment("notifications")
                        view=NotificationsTab
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("security") view=SecurityTab ssr=SsrMode::Async />
                </ParentRoute>
                <ParentRoute path=StaticSegment("admin") view=AdminLayout ssr=SsrMode::Async>
                    <Route
                        path=StaticSegment("")
                        view=|| view! { <Redirect path="/admin/people" /> }
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("people") view=PeopleTab ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("people"), ParamSegment("login"))
                        view=PersonTab
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("policies") view=PoliciesTab ssr=SsrMode::Async />
                    <Route path=StaticSegment("audit") view=AuditTab ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
