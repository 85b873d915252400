//! `/admin/people/:login`: one user, with Disable/Enable and their Personal Access Tokens:
//! status, limits, expiry, last use and who made each; suspend or resume one, remove some,
//! or make one for them.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    people::{person_href, status_badge},
    person_token_form::PersonTokenDialog,
};
use crate::{
    account::{PersonPage, Role},
    calendar::format_dmy,
    components::{
        ending_soon::{EndingSoon, Extension},
        grace_choice::GraceChoice,
        pager::{Pager, page_asked, page_href, rows_shown},
        password_prompt::PasswordPrompt,
        reveal::RevealDialog,
        token_table::{TokenTable, expiry_label},
        usage_panel::LoadedUsagePanel,
    },
    error::ServerError,
    server_fns::admin::{
        extend_token_of, load_person, load_token_usage_of, regenerate_token_of,
        remove_all_tokens_of, remove_tokens_of, set_person_disabled, suspend_token_of,
    },
    token::{IssuedTokenView, TokenStatus, TokenView, USAGE_DAYS},
};

/// A change waiting for the admin's password.
#[derive(Clone, Debug, PartialEq)]
enum PersonChange {
    /// Suspend (`true`) or resume a token.
    Suspend(i64, bool),
    /// A new value for a token, shown to the admin once.
    Regenerate(i64),
    /// A new expiry for a token whose end is near.
    Extend(Extension),
    Remove(Vec<i64>),
    /// Every live token of theirs (the incident button).
    RemoveAll,
    SetDisabled(bool),
}

/// What a change came to: a message, or a new value to reveal once.
enum Applied {
    Done(String),
    Issued(Box<IssuedTokenView>),
}

async fn apply_change(
    change: PersonChange,
    login: String,
    grace: String,
    password: String,
) -> Result<Applied, ServerError> {
    let message = match change {
        PersonChange::Regenerate(id) => {
            let issued = regenerate_token_of(login, id, grace, password).await?;
            return Ok(Applied::Issued(Box::new(issued)));
        }
        PersonChange::Extend(chosen) => {
            let token = extend_token_of(login, chosen.token_id, chosen.expiry, password).await?;
            format!(
                "“{}” was extended: {}.",
                token.description,
                expiry_label(&token)
            )
        }
        PersonChange::Suspend(id, suspend) => {
            let token = suspend_token_of(login, id, suspend, password).await?;
            let done = if suspend { "suspended" } else { "resumed" };
            format!("“{}” was {done}.", token.description)
        }
        PersonChange::RemoveAll => {
            let n = remove_all_tokens_of(login.clone(), password).await?;
            format!("All {n} live tokens of {login} were removed.")
        }
        PersonChange::Remove(ids) => match remove_tokens_of(login, ids, password).await? {
            1 => "1 token was removed.".to_owned(),
            n => format!("{n} tokens were removed."),
        },
        PersonChange::SetDisabled(disabled) => {
            set_person_disabled(login.clone(), disabled, password).await?;
            if disabled {
                format!("{login} is disabled: their sessions and tokens stopped.")
            } else {
                format!("{login} is enabled again.")
            }
        }
    };
    Ok(Applied::Done(message))
}

#[component]
pub fn PersonTab() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let wanted = move || {
        (
            params.with(|p| p.get("login").unwrap_or_default()),
            query.with(page_asked),
        )
    };
    let page = Resource::new_blocking(wanted, |(login, page)| load_person(login, page));
    // Outlives the reload a change triggers, so its message stays.
    let notice = RwSignal::new(None::<String>);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(loaded) => view! { <PersonView loaded notice reload=Callback::new(move |()| page.refetch()) /> }.into_any(),
                    Err(error) => view! {
                        <Title text="People" />
                        <p class="alert alert--error" role="alert">{error.to_string()}</p>
                        <p><a href="/admin/people">"Back to People"</a></p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PersonView(
    loaded: PersonPage,
    notice: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let person = loaded.person.clone();
    let login = StoredValue::new(person.login.clone());
    let catalog = Arc::new(loaded.catalog.clone());
    let policy = Arc::new(loaded.policy.clone());
    let grace_longest = loaded.policy.max_grace();
    let now = loaded.now;
    let tokens = loaded.tokens.clone();
    let listed = StoredValue::new(tokens.clone());
    let paging = loaded.paging;
    let checked = RwSignal::new(Vec::<i64>::new());
    let creating = RwSignal::new(false);
    let pending = RwSignal::new(None::<PersonChange>);
    let revealed = RwSignal::new(None::<IssuedTokenView>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let grace = RwSignal::new(String::new());

    let apply = Callback::new(move |typed: String| {
        let Some(change) = pending.get_untracked() else {
            return;
        };
        busy.set(true);
        let login = login.get_value();
        let grace = grace.get_untracked();
        leptos::task::spawn_local(async move {
            let outcome = apply_change(change, login, grace, typed).await;
            busy.set(false);
            match outcome {
                Ok(Applied::Done(message)) => {
                    pending.set(None);
                    checked.set(Vec::new());
                    notice.set(Some(message));
                    reload.run(());
                }
                Ok(Applied::Issued(issued)) => {
                    pending.set(None);
                    checked.set(Vec::new());
                    notice.set(None);
                    revealed.set(Some(*issued));
                }
                Err(other) => error.set(Some(other.to_string())),
            }
        });
    });
    let question = move |change: &PersonChange| match change {
        PersonChange::Extend(chosen) => format!(
            "{} “{}” of {}? It keeps its value. Enter your password to continue.",
            chosen.label,
            chosen.description,
            login.get_value()
        ),
        PersonChange::Regenerate(_) => format!(
            "Give this token of {} a new value? It is shown to you once: hand it over safely. \
             Enter your password to continue.",
            login.get_value()
        ),
        PersonChange::Suspend(_, true) => format!(
            "Suspend this token of {}? It is refused until resumed, and keeps its value. Enter \
             your password to continue.",
            login.get_value()
        ),
        PersonChange::Suspend(_, false) => format!(
            "Resume this token of {}? It works again with the same value. Enter your password \
             to continue.",
            login.get_value()
        ),
        PersonChange::RemoveAll => format!(
            "Remove every live token of {}? They all stop working at once. Enter your password \
             to continue.",
            login.get_value()
        ),
        PersonChange::Remove(ids) if ids.len() == 1 => format!(
            "Remove 1 token of {}? It stops working at once. Enter your password to continue.",
            login.get_value()
        ),
        PersonChange::Remove(ids) => format!(
            "Remove {} tokens of {}? They stop working at once. Enter your password to continue.",
            ids.len(),
            login.get_value()
        ),
        PersonChange::SetDisabled(true) => format!(
            "Disable {}? Their sessions end and their tokens stop working until you enable \
             them again. Enter your password to continue.",
            login.get_value()
        ),
        PersonChange::SetDisabled(false) => {
            format!(
                "Enable {}? Enter your password to continue.",
                login.get_value()
            )
        }
    };
    let disabled = person.disabled;
    let has_live = tokens.iter().any(|t| t.status != TokenStatus::Removed);
    let one_checked = {
        let tokens = StoredValue::new(tokens.clone());
        move || {
            let [id] = checked.get()[..] else {
                return None;
            };
            tokens.with_value(|all| all.iter().find(|t| t.id == id).cloned())
        }
    };
    let remove = Callback::new(move |ids: Vec<i64>| pending.set(Some(PersonChange::Remove(ids))));

    view! {
        <Title text=format!("{} · People", person.login) />
        <p class="breadcrumbs"><a href="/admin/people">"People"</a>" / "{person.login.clone()}</p>
        <div class="card person-card">
            <div>
                <h2 class="person-card__name">{person.display_name.clone()}</h2>
                <p class="muted">
                    <code>{person.login.clone()}</code>
                    {(!person.email.is_empty()).then(|| format!(" · {}", person.email))}
                    " · "{match person.role { Role::Admin => "Admin", Role::User => "User" }}
                    " · created "{format_dmy(person.created_at)}
                </p>
            </div>
            <span class="toolbar__spacer"></span>
            {status_badge(&person)}
            <button
                type="button"
                class="button"
                class:button--danger=!disabled
                on:click=move |_| pending.set(Some(PersonChange::SetDisabled(!disabled)))
            >
                {if disabled { "Enable" } else { "Disable" }}
            </button>
        </div>
        {move || notice.get().map(|text| view! { <p class="alert alert--success" role="status">{text}</p> })}

        <EndingSoon
            tokens=Signal::stored(loaded.ending.clone())
            now=Signal::stored(now)
            policy=policy.clone()
            on_extend=Callback::new(move |chosen| pending.set(Some(PersonChange::Extend(chosen))))
        />
        <section class="person-tokens" aria-labelledby="person-tokens-title">
            <div class="toolbar">
                <h2 id="person-tokens-title">"Personal Access Tokens"</h2>
                <span class="toolbar__spacer"></span>
                <button
                    type="button"
                    class="button"
                    disabled=move || one_checked().is_none()
                    on:click=move |_| {
                        if let Some(token) = one_checked() {
                            pending.set(Some(PersonChange::Suspend(token.id, token.suspended_at.is_none())));
                        }
                    }
                >
                    {move || match one_checked() {
                        Some(token) if token.suspended_at.is_some() => "Resume",
                        _ => "Suspend",
                    }}
                </button>
                <button
                    type="button"
                    class="button"
                    disabled=move || one_checked().is_none_or(|token| token.status == TokenStatus::Removed)
                    on:click=move |_| {
                        if let Some(token) = one_checked() {
                            grace.set(String::new());
                            pending.set(Some(PersonChange::Regenerate(token.id)));
                        }
                    }
                >
                    "Regenerate"
                </button>
                <button
                    type="button"
                    class="button"
                    disabled=move || checked.with(Vec::is_empty)
                    on:click=move |_| pending.set(Some(PersonChange::Remove(checked.get())))
                >
                    {move || match checked.with(Vec::len) {
                        0 | 1 => "Remove".to_owned(),
                        n => format!("Remove {n}"),
                    }}
                </button>
                <button
                    type="button"
                    class="button"
                    disabled=!has_live
                    title="Remove every live token of this person (after a leak)"
                    on:click=move |_| pending.set(Some(PersonChange::RemoveAll))
                >
                    "Remove all"
                </button>
                <button type="button" class="button button--primary" on:click=move |_| creating.set(true)>
                    "+ New token"
                </button>
            </div>
            {if tokens.is_empty() {
                view! {
                    <p class="card empty-state">
                        {format!("{} has no access tokens. “+ New token” makes one; its value is shown to you once.", person.login)}
                    </p>
                }.into_any()
            } else {
                view! {
                    <TokenTable
                        id="person-tokens"
                        label=format!("Access tokens of {}", person.login)
                        tokens=Signal::stored(tokens)
                        selected=checked
                        now=Signal::stored(now)
                        on_remove=remove
                    />
                    {(paging.page_count() > 1).then(|| {
                        let summary = rows_shown("Tokens", &paging);
                        let base = person_href(&person.login);
                        view! { <Pager paging summary href=move |n| page_href(&base, n) /> }
                    })}
                    <PersonTokenUsage login=login.get_value() tokens=listed selected=checked />
                }.into_any()
            }}
        </section>

        {move || creating.get().then(|| view! {
            <PersonTokenDialog
                login=login.get_value()
                catalog=catalog.clone()
                policy=policy.clone()
                now
                on_close=Callback::new(move |()| creating.set(false))
                on_issued=Callback::new(move |issued: IssuedTokenView| {
                    creating.set(false);
                    revealed.set(Some(issued));
                })
            />
        })}
        {move || pending.get().map(|change| {
            let danger = matches!(
                change,
                PersonChange::Remove(_) | PersonChange::RemoveAll | PersonChange::SetDisabled(true)
            );
            view! {
                <PasswordPrompt
                    title=match change {
                        PersonChange::Suspend(_, true) => "Suspend access token",
                        PersonChange::Suspend(_, false) => "Resume access token",
                        PersonChange::Regenerate(_) => "Regenerate access token",
                        PersonChange::Extend(_) => "Extend access token",
                        PersonChange::Remove(_) => "Remove access tokens",
                        PersonChange::RemoveAll => "Remove all access tokens",
                        PersonChange::SetDisabled(true) => "Disable user",
                        PersonChange::SetDisabled(false) => "Enable user",
                    }
                    question=question(&change)
                    action=match change {
                        PersonChange::Suspend(_, true) => "Suspend",
                        PersonChange::Suspend(_, false) => "Resume",
                        PersonChange::Regenerate(_) => "Regenerate",
                        PersonChange::Extend(_) => "Extend",
                        PersonChange::Remove(_) => "Remove",
                        PersonChange::RemoveAll => "Remove all",
                        PersonChange::SetDisabled(true) => "Disable",
                        PersonChange::SetDisabled(false) => "Enable",
                    }
                    danger
                    busy
                    error
                    on_submit=apply
                    on_cancel=Callback::new(move |()| { error.set(None); pending.set(None) })
                >
                    {matches!(change, PersonChange::Regenerate(_)).then(|| view! { <GraceChoice grace longest=grace_longest /> })}
                </PasswordPrompt>
            }
        })}
        {move || revealed.get().map(|issued| view! {
            <RevealDialog
                issued
                on_close=Callback::new(move |()| { revealed.set(None); reload.run(()); })
            />
        })}
    }
}

/// The usage panel of the one token of the person's selected (no Narrow: that is the owner's
/// edit to make).
#[component]
fn PersonTokenUsage(
    login: String,
    tokens: StoredValue<Vec<TokenView>>,
    selected: RwSignal<Vec<i64>>,
) -> impl IntoView {
    let chosen = move || match selected.get().as_slice() {
        [id] => tokens.with_value(|t| t.iter().find(|t| t.id == *id).cloned()),
        _ => None,
    };
    let usage = Resource::new(chosen, move |token| {
        let login = login.clone();
        async move {
            match token {
                Some(token) => load_token_usage_of(login, token.id, USAGE_DAYS)
                    .await
                    .map(|usage| Some((token, usage))),
                None => Ok(None),
            }
        }
    });
    view! { <LoadedUsagePanel usage /> }
}
