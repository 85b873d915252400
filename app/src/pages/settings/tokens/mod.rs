//! The Access Tokens tab: the list of your tokens with a toolbar (Generate, Edit, Copy,
//! Suspend or Resume, Remove, Refresh), the token dialog, the password confirmation and the one-time reveal.

mod confirm;
mod form;
mod list;

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    catalog::Catalog,
    components::{
        ending_soon::{EndingSoon, Extension},
        pager::{page_asked, page_href},
        reveal::RevealDialog,
        top_bar::TokenChanges,
        usage_panel::LoadedUsagePanel,
    },
    paging::Paging,
    server_fns::tokens::{load_token_page, load_token_usage},
    token::{
        IssuedTokenView, Narrowing, TokenInput, TokenInputErrors, TokenPage, TokenPolicy,
        TokenView, USAGE_DAYS,
    },
};

use self::{
    confirm::ConfirmDialog,
    form::{FormMode, TokenDialog},
    list::TokenList,
};

/// A change waiting for the password.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    Generate(TokenInput),
    Edit(i64, TokenInput),
    Copy(i64, TokenInput),
    Regenerate(i64),
    /// Suspend (`true`) or resume a token.
    Suspend(i64, bool),
    Remove(Vec<i64>),
    /// Every live token (the incident button).
    RemoveAll,
    /// A new expiry for a token whose end is near (Extend).
    Extend(Extension),
    /// Narrow to what it uses: the edit, and what the token keeps and loses.
    Narrow(NarrowChange),
}

#[derive(Clone, Debug, PartialEq)]
pub struct NarrowChange {
    pub id: i64,
    pub description: String,
    /// What the token may do now, in words ("Extended Access on env:demo:rw").
    pub before: String,
    pub narrowing: Narrowing,
}

/// Everything the tab's pieces share.
#[derive(Clone, Copy)]
pub struct TokensState {
    pub tokens: RwSignal<Vec<TokenView>>,
    /// Tokens whose end is near or just past, on any page.
    pub ending: RwSignal<Vec<TokenView>>,
    /// The top bar's, told when tokens change (its count of those ending may have too).
    pub changes: Option<TokenChanges>,
    /// Which page of the list `tokens` is.
    pub paging: RwSignal<Paging>,
    pub catalog: StoredValue<Arc<Catalog>>,
    pub policy: StoredValue<Arc<TokenPolicy>>,
    /// Server time when the list was loaded (unix seconds).
    pub now: RwSignal<i64>,
    pub selected: RwSignal<Vec<i64>>,
    pub form: RwSignal<Option<FormMode>>,
    pub pending: RwSignal<Option<Pending>>,
    pub revealed: RwSignal<Option<IssuedTokenView>>,
    pub notice: RwSignal<Option<String>>,
    pub refreshing: RwSignal<bool>,
    /// The server's objections to the form's fields, shown next to them.
    pub form_errors: RwSignal<Option<TokenInputErrors>>,
}

impl TokensState {
    /// `shown`: a token to select at once (`?usage=ID`), if it is on this page.
    fn new(page: TokenPage, shown: Option<i64>) -> Self {
        let selected = shown
            .filter(|id| page.tokens.iter().any(|t| t.id == *id))
            .into_iter()
            .collect();
        Self {
            tokens: RwSignal::new(page.tokens),
            ending: RwSignal::new(page.ending),
            changes: use_context::<TokenChanges>(),
            paging: RwSignal::new(page.paging),
            catalog: StoredValue::new(Arc::new(page.catalog)),
            policy: StoredValue::new(Arc::new(page.policy)),
            now: RwSignal::new(page.now),
            selected: RwSignal::new(selected),
            form: RwSignal::new(None),
            pending: RwSignal::new(None),
            revealed: RwSignal::new(None),
            notice: RwSignal::new(None),
            refreshing: RwSignal::new(false),
            form_errors: RwSignal::new(None),
        }
    }

    pub fn selected_token(&self) -> Option<TokenView> {
        let selected = self.selected.get();
        let [id] = selected.as_slice() else {
            return None;
        };
        self.tokens.get().into_iter().find(|t| t.id == *id)
    }

    /// Reloads the page shown from the server; selection keeps the tokens that still exist.
    pub fn refresh(&self) {
        let state = *self;
        state.refreshing.set(true);
        leptos::task::spawn_local(async move {
            match load_token_page(state.paging.get_untracked().page).await {
                Ok(page) => {
                    let ids: Vec<i64> = page.tokens.iter().map(|t| t.id).collect();
                    state.selected.update(|s| s.retain(|id| ids.contains(id)));
                    state.now.set(page.now);
                    state.paging.set(page.paging);
                    state.policy.set_value(Arc::new(page.policy));
                    state.tokens.set(page.tokens);
                    state.ending.set(page.ending);
                    if let Some(changes) = state.changes {
                        changes.notify();
                    }
                }
                Err(error) => state
                    .notice
                    .set(Some(format!("The list could not be refreshed. {error}"))),
            }
            state.refreshing.set(false);
        });
    }
}

/// The usage panel of the one token selected, loaded again whenever the list is.
#[component]
fn SelectedUsage() -> impl IntoView {
    let state = expect_context::<TokensState>();
    let usage = Resource::new(
        move || (state.selected_token(), state.now.get()),
        |(token, _)| async move {
            match token {
                Some(token) => load_token_usage(token.id, USAGE_DAYS)
                    .await
                    .map(|usage| Some((token, usage))),
                None => Ok(None),
            }
        },
    );
    let on_narrow = Callback::new(move |(token, narrowing): (TokenView, Narrowing)| {
        let environments = if token.scopes.is_empty() {
            "all environments".to_owned()
        } else {
            token.scopes.join(" ")
        };
        state.pending.set(Some(Pending::Narrow(NarrowChange {
            id: token.id,
            description: token.description.clone(),
            before: format!("{} on {environments}", token.api_label),
            narrowing,
        })));
    });
    view! { <LoadedUsagePanel usage on_narrow /> }
}

/// `/settings/tokens?page=N`; the first page has no query. `?usage=ID` opens that token's
/// usage panel (a link to it works without JavaScript).
pub fn tokens_href(page: u32) -> String {
    page_href("/settings/tokens", page)
}

#[component]
pub fn TokensTab() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new_blocking(move || query.with(page_asked), load_token_page);
    let shown = query.with_untracked(|q| q.get("usage").and_then(|id| id.parse().ok()));
    view! {
        <Title text="Access Tokens" />
        <Suspense fallback=|| view! { <p class="muted">"Loading your tokens…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <TokenManager page shown /> }.into_any(),
                    Err(error) => view! {
                        <p class="alert alert--error" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TokenManager(page: TokenPage, shown: Option<i64>) -> impl IntoView {
    let state = TokensState::new(page, shown);
    provide_context(state);
    let one_selected = move || state.selected.with(|s| s.len() == 1);
    let any_selected = move || state.selected.with(|s| !s.is_empty());
    let resumable = move || {
        state
            .selected_token()
            .is_some_and(|token| token.suspended_at.is_some())
    };
    let open_with_selected = move |make: fn(TokenView) -> FormMode| {
        if let Some(token) = state.selected_token() {
            state.form.set(Some(make(token)));
        }
    };
    // Effects run in the browser once this part has hydrated: its buttons answer from then
    // on (the page as a whole may say so a moment earlier). Browser tests wait for it.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <div class="tokens" data-hydrated=move || hydrated.get().then_some("true")>
            <div class="toolbar" role="toolbar" aria-label="Access tokens" aria-controls="token-list">
                <button
                    type="button"
                    class="button button--primary"
                    on:click=move |_| state.form.set(Some(FormMode::Generate))
                >
                    "Generate"
                </button>
                <button
                    type="button"
                    class="button"
                    disabled=move || !one_selected()
                    on:click=move |_| open_with_selected(FormMode::Edit)
                >
                    "Edit"
                </button>
                <button
                    type="button"
                    class="button"
                    disabled=move || !one_selected()
                    on:click=move |_| open_with_selected(FormMode::Copy)
                >
                    "Copy"
                </button>
                <button
                    type="button"
                    class="button"
                    disabled=move || !one_selected()
                    on:click=move |_| {
                        if let Some(token) = state.selected_token() {
                            let suspend = token.suspended_at.is_none();
                            state.pending.set(Some(Pending::Suspend(token.id, suspend)));
                        }
                    }
                >
                    {move || if resumable() { "Resume" } else { "Suspend" }}
                </button>
                <button
                    type="button"
                    class="button"
                    disabled=move || !any_selected()
                    on:click=move |_| state.pending.set(Some(Pending::Remove(state.selected.get())))
                >
                    "Remove"
                </button>
                <span class="toolbar__spacer"></span>
                <button
                    type="button"
                    class="button button--quiet"
                    aria-busy=move || state.refreshing.get().to_string()
                    on:click=move |_| state.refresh()
                >
                    {move || if state.refreshing.get() { "Refreshing…" } else { "Refresh" }}
                </button>
            </div>
            {move || state.notice.get().map(|text| view! {
                <p class="alert alert--info" role="status">{text}</p>
            })}
            <EndingSoon
                tokens=state.ending
                now=state.now
                policy=state.policy.get_value()
                on_extend=Callback::new(move |chosen| state.pending.set(Some(Pending::Extend(chosen))))
            />
            <TokenList />
            <SelectedUsage />
            {move || (state.paging.with(|p| p.total) > 0).then(|| view! {
                <section class="card danger-zone" aria-labelledby="remove-all-title">
                    <div>
                        <h2 id="remove-all-title">"Remove all my tokens"</h2>
                        <p class="muted">
                            "If a token may have leaked and you cannot tell which, remove them all at once: "
                            "every one stops working immediately. Make new ones afterwards."
                        </p>
                    </div>
                    <button
                        type="button"
                        class="button button--danger"
                        on:click=move |_| state.pending.set(Some(Pending::RemoveAll))
                    >
                        "Remove all"
                    </button>
                </section>
            })}
        </div>
        {move || state.form.get().map(|mode| view! { <TokenDialog mode /> })}
        {move || state.pending.get().map(|pending| view! { <ConfirmDialog pending /> })}
        {move || state.revealed.get().map(|issued| view! {
            <RevealDialog issued on_close=Callback::new(move |()| state.revealed.set(None)) />
        })}
    }
}
