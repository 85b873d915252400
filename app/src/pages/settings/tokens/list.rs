//! The Access Tokens list: the shared token table over the signed-in user's tokens, or a
//! first-run invitation when there are none.

use leptos::prelude::*;

use super::{Pending, TokensState, form::FormMode, tokens_href};
use crate::components::{
    pager::{Pager, rows_shown, thousands},
    token_table::TokenTable,
};

#[component]
pub fn TokenList() -> impl IntoView {
    let state = expect_context::<TokensState>();
    let open = Callback::new(move |_: i64| {
        if let Some(token) = state.selected_token() {
            state.form.set(Some(FormMode::Edit(token)));
        }
    });
    let remove = Callback::new(move |ids: Vec<i64>| state.pending.set(Some(Pending::Remove(ids))));
    // "100 tokens", or on one of several pages "Tokens 51–100 of 10,000"; then what is selected.
    let count = move || {
        let paging = state.paging.get();
        let listed = if paging.page_count() > 1 {
            rows_shown("Tokens", &paging)
        } else {
            let noun = if paging.total == 1 { "token" } else { "tokens" };
            format!("{} {noun}", thousands(paging.total))
        };
        match state.selected.with(Vec::len) {
            0 => listed,
            chosen => format!("{listed}, {chosen} selected"),
        }
    };

    view! {
        <Show
            when=move || state.tokens.with(|t| !t.is_empty())
            fallback=move || view! {
                <div class="card empty-state">
                    <h2>"No access tokens yet"</h2>
                    <p>
                        "Personal access tokens let scripts, IDE plugins and CI call the "
                        "platform's API without your password. Each one can be limited to chosen "
                        "API methods, environments and an expiry date, and removed at any time."
                    </p>
                    <button
                        type="button"
                        class="button button--primary"
                        on:click=move |_| state.form.set(Some(FormMode::Generate))
                    >
                        "Generate a token"
                    </button>
                </div>
            }
        >
            <TokenTable
                id="token-list"
                label="Your access tokens".to_owned()
                tokens=state.tokens
                selected=state.selected
                now=state.now
                on_open=open
                on_remove=remove
            />
            {move || {
                let paging = state.paging.get();
                if paging.page_count() > 1 {
                    view! { <Pager paging summary=Signal::derive(count) href=tokens_href /> }.into_any()
                } else {
                    view! { <p class="muted token-count" aria-live="polite">{count}</p> }.into_any()
                }
            }}
        </Show>
    }
}
