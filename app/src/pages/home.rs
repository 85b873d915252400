//! The landing page. Its "Check database" button needs the hydrated page (it is a plain
//! button, not a form) and calls a server function that reads from the database.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    error::ServerError, server_fns::check_database::CheckDatabase, status::DatabaseReport,
};

#[component]
pub fn HomePage() -> impl IntoView {
    let check = ServerAction::<CheckDatabase>::new();
    let pending = check.pending();

    view! {
        <Title text="Home" />
        <main class="page page--narrow">
            <header class="hero">
                <p class="hero__brand">"Tessera"</p>
                <h1>"Personal access tokens for your platform's API"</h1>
                <p class="hero__lead">
                    "Scripts, IDE plugins and CI authenticate with tokens limited to the API "
                    "methods, resources and lifetime you choose, instead of your password."
                </p>
            </header>
            <section class="card" aria-labelledby="status-heading">
                <h2 id="status-heading">"Server status"</h2>
                <p class="muted">"Ask the server to run a query against its database."</p>
                <button
                    type="button"
                    class="button button--primary"
                    disabled=move || pending.get()
                    on:click=move |_| {
                        check.dispatch(CheckDatabase {});
                    }
                >
                    {move || if pending.get() { "Checking…" } else { "Check database" }}
                </button>
                <div role="status" aria-live="polite" class="status-result">
                    {move || match check.value().get() {
                        None => ().into_any(),
                        Some(Ok(report)) => view! { <ReportView report /> }.into_any(),
                        Some(Err(ServerError::Unauthenticated)) => view! {
                            <p class="alert alert--error">
                                "Sign in to continue. " <a href="/login?next=/">"Sign in"</a>
                            </p>
                        }
                        .into_any(),
                        Some(Err(error)) => {
                            view! { <p class="alert alert--error">{error.to_string()}</p> }
                                .into_any()
                        }
                    }}
                </div>
            </section>
        </main>
    }
}

#[component]
fn ReportView(report: DatabaseReport) -> impl IntoView {
    let engine = report.engine.display_name();
    let millis = format!("{:.2} ms", report.query_micros as f64 / 1000.0);
    view! {
        <dl class="facts">
            <dt>"Database"</dt>
            <dd>{engine}" "{report.server_version}</dd>
            <dt>"Migrations applied"</dt>
            <dd>{report.migrations_applied}</dd>
            <dt>"Query time"</dt>
            <dd>{millis}</dd>
        </dl>
    }
}
