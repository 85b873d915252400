//! `/login`: a real form that posts to `POST /login` without JavaScript, and signs in through
//! the `sign_in` server function (no page reload on a mistake) once hydrated.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::field::Field, error::ServerError, navigation::safe_next,
    server_fns::session::SignIn,
};

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = Memo::new(move |_| safe_next(query.read().get("next").as_deref()));
    let login = RwSignal::new(query.read_untracked().get("login").unwrap_or_default());
    let password = RwSignal::new(String::new());
    let sign_in = ServerAction::<SignIn>::new();
    let pending = sign_in.pending();

    Effect::new(move |_| {
        if let Some(Ok(_)) = sign_in.value().get() {
            let _ = window().location().assign(&next.get_untracked());
        }
    });

    // The message from this attempt, or from a plain form post that came back here.
    let message = move || match sign_in.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        Some(Ok(_)) => None,
        None => {
            let query = query.read();
            match query.get("error").as_deref() {
                Some("invalid") => Some(ServerError::InvalidCredentials.to_string()),
                Some("throttled") => Some(
                    ServerError::Throttled {
                        retry_after_secs: query
                            .get("retry")
                            .and_then(|r| r.parse().ok())
                            .unwrap_or(60),
                    }
                    .to_string(),
                ),
                _ => None,
            }
        }
    };
    let signed_out = move || query.read().get("signed_out").is_some() && message().is_none();

    view! {
        <Title text="Sign in" />
        <main class="auth">
            <form
                class="card auth__card"
                method="post"
                action="/login"
                on:submit=move |event| {
                    event.prevent_default();
                    sign_in.dispatch(SignIn { login: login.get(), password: password.get() });
                }
            >
                <p class="hero__brand">"Tessera"</p>
                <h1>"Sign in"</h1>
                <Show when=signed_out>
                    <p class="alert alert--info" role="status">"You have signed out."</p>
                </Show>
                {move || message().map(|text| view! { <p class="alert alert--error" role="alert">{text}</p> })}
                <input type="hidden" name="next" value=next />
                <Field id="login" label="Login" value=login autocomplete="username" autofocus=true />
                <Field
                    id="password"
                    label="Password"
                    value=password
                    input_type="password"
                    autocomplete="current-password"
                />
                <button type="submit" class="button button--primary button--wide" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}
