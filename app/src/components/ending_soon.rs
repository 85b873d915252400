//! "Ending soon": tokens whose end is within a week or passed in the last one, each with a
//! one-click Extend (the page that shows it asks for the password and applies the edit).

use leptos::prelude::*;

use super::token_table::{date_time, remaining};
use crate::token::{ExpiryInput, TokenPolicy, TokenView, ending_near, extension};

/// An Extend chosen: the token, the expiry it gets, and that expiry in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Extension {
    pub token_id: i64,
    pub description: String,
    pub expiry: ExpiryInput,
    pub label: String,
}

/// What Extend makes of `token` in a button's words: "Extend to 02-04-2027", "Renew for 12h".
fn extension_label(expiry: &ExpiryInput) -> String {
    match expiry {
        ExpiryInput::Date(date)
        | ExpiryInput::AutoRefresh {
            not_after: Some(date),
            ..
        } => format!("Extend to {date}"),
        ExpiryInput::AutoRefresh { window, .. } => format!("Renew for {window}"),
        ExpiryInput::Lasting(lifetime) => format!("Extend by {lifetime}"),
        ExpiryInput::Never => "Extend".to_owned(),
    }
}

#[component]
pub fn EndingSoon(
    #[prop(into)] tokens: Signal<Vec<TokenView>>,
    #[prop(into)] now: Signal<i64>,
    policy: std::sync::Arc<TokenPolicy>,
    on_extend: Callback<Extension>,
) -> impl IntoView {
    view! {
        {move || {
            let now = now.get();
            let tokens = tokens.get();
            (!tokens.is_empty()).then(|| {
                let policy = policy.clone();
                let rows = tokens
                    .into_iter()
                    .map(|token| {
                        let end = ending_near(&token, now).or(token.expires_at).unwrap_or(now);
                        let when = if end <= now {
                            format!("ended {}", date_time(end))
                        } else {
                            format!("ends {} ({})", date_time(end), remaining(end - now))
                        };
                        let action = extension(&token, &policy, now).map(|expiry| {
                            let label = extension_label(&expiry);
                            let chosen = Extension {
                                token_id: token.id,
                                description: token.description.clone(),
                                expiry,
                                label: label.clone(),
                            };
                            view! {
                                <button
                                    type="button"
                                    class="button button--small"
                                    aria-label=format!("{label}: {}", token.description)
                                    on:click=move |_| on_extend.run(chosen.clone())
                                >
                                    {label.clone()}
                                </button>
                            }
                        });
                        let blocked = action.is_none().then(|| view! {
                            <span class="muted">"The policy allows no later end."</span>
                        });
                        view! {
                            <li class="ending-soon__item" class:ending-soon__item--ended=end <= now>
                                <span class="ending-soon__what">
                                    <strong>{token.description.clone()}</strong>
                                    <code class="muted">" …"{token.hint.clone()}</code>
                                    <span class="ending-soon__when">{when}</span>
                                </span>
                                {action}
                                {blocked}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="card ending-soon" aria-labelledby="ending-soon-title">
                        <h2 id="ending-soon-title">"Ending soon"</h2>
                        <p class="muted">
                            "These tokens stop working within a week, or stopped in the last one. "
                            "Extending keeps the same value: nothing that uses it needs updating."
                        </p>
                        <ul class="ending-soon__list">{rows}</ul>
                    </section>
                }
            })
        }}
    }
}
