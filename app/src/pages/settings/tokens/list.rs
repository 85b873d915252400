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
            <p class="muted token-count" aria-live="polite">
                {move || {
                    let total = state.paging.with(|p| p.total);
                    let chosen = state.selected.with(Vec::len);
                    let noun = if total == 1 { "token" } else { "tokens" };
                    let total = thousands(total);
                    if chosen == 0 { format!("{total} {noun}") } else { format!("{total} {noun}, {chosen} selected") }
                }}
            </p>
            {move || {
                let paging = state.paging.get();
                (paging.page_count() > 1).then(|| {
                    let summary = rows_shown("Tokens", &paging);
                    view! { <Pager paging summary href=tokens_href /> }
                })
            }}
        </Show>
    }
}
