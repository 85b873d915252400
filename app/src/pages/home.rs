//! The landing page. Signed out: what Tessera is, and Sign in. Signed in: the top bar, your
//! tokens at a glance with what needs attention, and the server's status. Rendered whole on
//! the server, so it reads the same with JavaScript off; "Check database" needs the hydrated
//! page (it is a plain button, not a form) and calls a server function that reads the
//! database.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    calendar::format_dmy,
    components::{token_table::remaining, top_bar::TopBar},
    error::ServerError,
    server_fns::{
        check_database::CheckDatabase,
        home::{HomeView, load_home},
    },
    status::DatabaseReport,
    token::{Attention, TokenOverview, TokenView, UNUSED_SECS},
};

#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new_blocking(|| (), |()| load_home());
    view! {
        <Title text="Home" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(Some(home)) => view! { <SignedInHome home /> }.into_any(),
                    Ok(None) => view! { <Welcome /> }.into_any(),
                    Err(error) => view! {
                        <main class="page page--narrow">
                            <p class="alert alert--error" role="alert">{error.to_string()}</p>
                        </main>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// What a visitor who is not signed in sees.
#[component]
fn Welcome() -> impl IntoView {
    view! {
        <main class="page page--narrow">
            <header class="hero">
                <p class="hero__brand">"Tessera"</p>
                <h1>"Personal access tokens for your platform's API"</h1>
                <p class="hero__lead">
                    "Scripts, IDE plugins and CI authenticate with tokens limited to the API "
                    "methods, resources and lifetime you choose, instead of your password."
                </p>
                <p class="hero__actions">
                    <a class="button button--primary" href="/login">"Sign in"</a>
                    <a class="button" href="/docs/api">"API reference"</a>
                </p>
            </header>
            <ul class="features">
                <li class="card">
                    <h2>"Only what a script needs"</h2>
                    <p class="muted">
                        "Pick an API set (Extended Access, IDE Plugins, Marketplace, Maven Plugin) "
                        "or single methods, limit a token to some environments, and let it expire "
                        "on a date, after a while, or when nobody has used it for a while."
                    </p>
                </li>
                <li class="card">
                    <h2>"Works with any client"</h2>
                    <p class="muted">
                        "Send a token as the session parameter, as a Bearer or X-Auth-Token "
                        "header, or as the password of HTTP Basic auth. Every call is checked "
                        "against its methods, scopes and expiry."
                    </p>
                </li>
                <li class="card">
                    <h2>"Admins stay in charge"</h2>
                    <p class="muted">
                        "Manage anyone's tokens from the People panel or the command line, and "
                        "set a policy for what every token may do and how long it may live."
                    </p>
                </li>
            </ul>
        </main>
    }
}

#[component]
fn SignedInHome(home: HomeView) -> impl IntoView {
    let HomeView {
        user,
        overview:
            TokenOverview {
                in_date,
                attention,
                more,
            },
        now,
    } = home;
    let name = user.display_name.clone();
    let summary = match (in_date, attention.len()) {
        (0, 0) => "You have no access tokens yet.".to_owned(),
        (in_date, 0) => format!(
            "{} in date and in use: nothing needs your attention.",
            tokens_word(in_date)
        ),
        (in_date, _) => format!("{} in date.", tokens_word(in_date)),
    };
    let needs_attention = (!attention.is_empty()).then(|| {
        view! {
            <section class="card attention" aria-labelledby="attention-heading">
                <h2 id="attention-heading">"Needs attention"</h2>
                <ul class="attention__list">
                    {attention
                        .into_iter()
                        .map(|(token, attention)| view! { <AttentionItem token attention now /> })
                        .collect::<Vec<_>>()}
                </ul>
                {(more > 0).then(|| view! {
                    <p class="muted attention__more">
                        {format!("And {more} more: see ")}
                        <a href="/settings/tokens">"Access Tokens"</a>"."
                    </p>
                })}
            </section>
        }
    });
    view! {
        <TopBar user />
        <main class="page page--narrow">
            <header class="hero hero--compact">
                <h1>{format!("Welcome, {name}")}</h1>
                <p class="hero__lead">{summary}</p>
                <p class="hero__actions">
                    <a class="button button--primary" href="/settings/tokens">"Manage access tokens"</a>
                    <a class="button" href="/settings/account">"Account"</a>
                </p>
            </header>
            {needs_attention}
            <ServerStatus />
        </main>
    }
}

fn tokens_word(count: usize) -> String {
    match count {
        1 => "1 access token".to_owned(),
        n => format!("{n} access tokens"),
    }
}

#[component]
fn AttentionItem(token: TokenView, attention: Attention, now: i64) -> impl IntoView {
    let (badge, class, reason) = match attention {
        Attention::Leaked { at, revoked } => (
            "Leaked",
            "badge badge--leaked",
            format!(
                "Its value was found in public on {}{}",
                format_dmy(at),
                if revoked {
                    " and it was revoked. Regenerate it or remove it."
                } else {
                    ". Regenerate it now."
                }
            ),
        ),
        Attention::Expired { at } => (
            "Expired",
            "badge badge--warning",
            format!(
                "Stopped working on {}. Regenerate it or remove it.",
                format_dmy(at)
            ),
        ),
        Attention::ExpiresSoon { at } => (
            "Expires soon",
            "badge badge--warning",
            format!(
                "Ends {} (valid through {}). Change its expiry under Edit.",
                remaining(at - now),
                format_dmy(at - 1)
            ),
        ),
        Attention::Unused { last_used } => (
            "Unused",
            "badge badge--muted",
            match last_used {
                Some(at) => format!(
                    "Last used on {}: not for {} days or more. Remove it if nothing needs it.",
                    format_dmy(at),
                    UNUSED_SECS / 86_400
                ),
                None => format!(
                    "Never used in {} days or more. Remove it if nothing needs it.",
                    UNUSED_SECS / 86_400
                ),
            },
        ),
    };
    view! {
        <li class="attention__item">
            <span class=class>{badge}</span>
            <div>
                <a href="/settings/tokens" class="attention__name">
                    {token.description.clone()}
                    <span class="muted">{format!(" …{}", token.hint)}</span>
                </a>
                <p class="muted attention__reason">{reason}</p>
            </div>
        </li>
    }
}

#[component]
fn ServerStatus() -> impl IntoView {
    let check = ServerAction::<CheckDatabase>::new();
    let pending = check.pending();
    view! {
        <section class="card" aria-labelledby="status-heading">
            <h2 id="status-heading">"Server status"</h2>
            <p class="muted">"Ask the server to run a query against its database."</p>
            <button
                type="button"
                class="button"
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
                            "Your session has ended. " <a href="/login?next=/">"Sign in"</a>
                        </p>
                    }
                    .into_any(),
                    Some(Err(error)) => {
                        view! { <p class="alert alert--error">{error.to_string()}</p> }.into_any()
                    }
                }}
            </div>
        </section>
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
