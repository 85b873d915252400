//! The token table that Settings → Access Tokens and an admin's person page share. You select
//! in it like a desktop list (click, Ctrl/Cmd+click, Shift+click, arrow keys, Space, Ctrl+A)
//! or with each row's checkbox; Enter or a double click opens a token, Delete asks to remove
//! the selection. Removed tokens (kept on the admin's page) are listed but not selectable.

use leptos::{ev, prelude::*};

use crate::{
    account::OPERATOR,
    calendar::format_dmy,
    token::{ExpirationModel, LeakReport, TokenStatus, TokenView, UNUSED_SECS},
};

/// `dd-mm-yyyy HH:MM` (UTC).
pub fn date_time(unix: i64) -> String {
    format!(
        "{} {:02}:{:02}",
        format_dmy(unix),
        unix.rem_euclid(86_400) / 3600,
        unix.rem_euclid(3600) / 60
    )
}

/// The last valid moment, as the person chose it: a date for date limits, else date and time.
pub fn expiry_label(token: &TokenView) -> String {
    match (token.expiration, token.expires_at) {
        (ExpirationModel::Never, _) | (_, None) => "Never".to_owned(),
        (ExpirationModel::HardLimit, Some(at)) if at % 86_400 == 0 => format_dmy(at - 1),
        (ExpirationModel::AutoRefresh, Some(at)) => match token.not_after {
            Some(end) => format!(
                "{} (auto refresh, at the latest {})",
                date_time(at),
                date_time(end)
            ),
            None => format!("{} (auto refresh)", date_time(at)),
        },
        (_, Some(at)) => date_time(at),
    }
}

/// "in 3 days", "in 5 h", "in 40 min", "in 20 s".
pub fn remaining(secs: i64) -> String {
    match secs.max(0) {
        s if s >= 2 * 86_400 => format!("in {} days", s / 86_400),
        s if s >= 3600 => format!("in {} h", s / 3600),
        s if s >= 60 => format!("in {} min", s / 60),
        s => format!("in {s} s"),
    }
}

/// "by the owner", "by root", "from the command line".
fn created_by(token: &TokenView) -> String {
    if token.created_by.eq_ignore_ascii_case(&token.owner) {
        "by the owner".to_owned()
    } else if token.created_by == OPERATOR {
        "from the command line".to_owned()
    } else {
        format!("by {}", token.created_by)
    }
}

/// Since when a live token has not been used (or made, if never used); `None` for others.
fn idle_since(token: &TokenView) -> Option<i64> {
    matches!(token.status, TokenStatus::Active | TokenStatus::Suspended).then(|| {
        token
            .last_used
            .as_ref()
            .map_or(token.created_at, |used| used.at)
    })
}

/// Unused for [`UNUSED_SECS`] or more.
fn unused_since(idle: Option<i64>, now: i64) -> bool {
    idle.is_some_and(|since| now - since >= UNUSED_SECS)
}

/// Where a token's value was found and what that did, under its status.
#[component]
fn LeakNote(leak: LeakReport) -> impl IntoView {
    let found = match leak.source.as_deref().filter(|s| !s.is_empty()) {
        Some(source) => format!(
            "Found in public ({source}) on {}",
            date_time(leak.reported_at)
        ),
        None => format!("Found in public on {}", date_time(leak.reported_at)),
    };
    let outcome = if leak.revoked {
        ": revoked. Regenerate it for a new value."
    } else {
        ": regenerate it now."
    };
    let place = leak
        .url
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"));
    view! {
        <span class="token-table__secondary token-table__leak">
            {found}
            {place.map(|url| view! {
                " at " <a href=url.clone() rel="noopener noreferrer nofollow" target="_blank">{url.clone()}</a>
            })}
            {outcome}
        </span>
    }
}

fn status_badge(status: TokenStatus) -> (&'static str, &'static str) {
    match status {
        TokenStatus::Active => ("Active", "badge badge--ok"),
        TokenStatus::Suspended => ("Suspended", "badge badge--paused"),
        TokenStatus::Expired => ("Expired", "badge badge--warning"),
        TokenStatus::Removed => ("Removed", "badge badge--muted"),
        TokenStatus::Leaked => ("Leaked", "badge badge--leaked"),
    }
}

/// The token's limits in a few words: "3 of 10 uses left", "600/min", "from 2 addresses".
pub fn limits_summary(token: &TokenView) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(max) = token.max_uses {
        let left = token.uses_left.unwrap_or(0);
        parts.push(match left {
            0 => format!("no uses left of {max}"),
            1 if max == 1 => "single use".to_owned(),
            left => format!("{left} of {max} uses left"),
        });
    }
    if let Some(rate) = token.rate_limit {
        parts.push(rate.to_string());
    }
    match token.allowed_ips.as_slice() {
        [] => {}
        [one] => parts.push(format!("from {one}")),
        many => parts.push(format!("from {} address ranges", many.len())),
    }
    parts
}

#[component]
pub fn TokenTable(
    /// The table's element id; rows are `{id}-row-{token id}`.
    id: &'static str,
    label: String,
    #[prop(into)] tokens: Signal<Vec<TokenView>>,
    selected: RwSignal<Vec<i64>>,
    /// The server's clock, for "expires in ...".
    #[prop(into)]
    now: Signal<i64>,
    /// Enter or a double click on a selected token.
    #[prop(optional)]
    on_open: Option<Callback<i64>>,
    /// Delete with a selection.
    #[prop(optional)]
    on_remove: Option<Callback<Vec<i64>>>,
) -> impl IntoView {
    let anchor = StoredValue::new(None::<i64>);
    let selectable = move || {
        tokens.with(|all| {
            all.iter()
                .filter(|t| t.status != TokenStatus::Removed)
                .map(|t| t.id)
                .collect::<Vec<_>>()
        })
    };
    let select = move |id: i64, toggle: bool, range: bool| {
        let all = selectable();
        if !all.contains(&id) {
            return;
        }
        selected.update(|selected| {
            if range && let Some(from) = anchor.get_value() {
                let (a, b) = (
                    all.iter().position(|x| *x == from),
                    all.iter().position(|x| *x == id),
                );
                if let (Some(a), Some(b)) = (a, b) {
                    let (lo, hi) = (a.min(b), a.max(b));
                    *selected = all[lo..=hi].to_vec();
                    return;
                }
            }
            if toggle {
                if let Some(at) = selected.iter().position(|x| *x == id) {
                    selected.remove(at);
                } else {
                    selected.push(id);
                }
            } else {
                *selected = vec![id];
            }
            anchor.set_value(Some(id));
        });
    };
    let open = move |id: i64| {
        if let Some(on_open) = on_open {
            select(id, false, false);
            on_open.run(id);
        }
    };
    let on_key = move |token_id: i64, event: ev::KeyboardEvent| {
        let all = selectable();
        let Some(at) = all.iter().position(|x| *x == token_id) else {
            return;
        };
        let toggle = event.ctrl_key() || event.meta_key();
        let target = match event.key().as_str() {
            "ArrowDown" => all.get(at + 1).copied(),
            "ArrowUp" => at.checked_sub(1).and_then(|i| all.get(i).copied()),
            "Home" => all.first().copied(),
            "End" => all.last().copied(),
            " " => {
                event.prevent_default();
                select(token_id, true, false);
                return;
            }
            "a" | "A" if toggle => {
                event.prevent_default();
                selected.set(all);
                return;
            }
            "Enter" => {
                event.prevent_default();
                open(token_id);
                return;
            }
            "Delete" => {
                event.prevent_default();
                if let Some(on_remove) = on_remove
                    && selected.with(|s| !s.is_empty())
                {
                    on_remove.run(selected.get());
                }
                return;
            }
            _ => return,
        };
        if let Some(next) = target {
            event.prevent_default();
            if !toggle {
                select(next, false, event.shift_key());
            }
            focus_element(&format!("{id}-row-{next}"));
        }
    };
    let all_checked = move || {
        let all = selectable();
        !all.is_empty() && selected.with(|s| all.iter().all(|id| s.contains(id)))
    };

    view! {
        <div class="table-scroll">
            <table
                id=id
                class="token-table"
                role="grid"
                aria-multiselectable="true"
                aria-describedby=format!("{id}-help")
                aria-label=label
            >
                <thead>
                    <tr>
                        <th scope="col" class="token-table__check">
                            <input
                                type="checkbox"
                                tabindex="-1"
                                aria-label="Select all tokens"
                                disabled=move || selectable().is_empty()
                                prop:checked=all_checked
                                on:change:target=move |e| {
                                    selected.set(if e.target().checked() { selectable() } else { Vec::new() })
                                }
                            />
                        </th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"API"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || tokens.get()
                        // The whole token: an edit in the same second as the token's last
                        // change moves no timestamp, and its row must still be redrawn.
                        key=|token| token.clone()
                        let:token
                    >
                        {
                            let token_id = token.id;
                            let is_selected = move || selected.with(|s| s.contains(&token_id));
                            let removed = token.status == TokenStatus::Removed;
                            let (status, badge) = status_badge(token.status);
                            let limits = limits_summary(&token).join(" · ");
                            let idle = idle_since(&token);
                            let expires_in = move || {
                                token.expires_at
                                    .filter(|_| {
                                        matches!(token.status, TokenStatus::Active | TokenStatus::Suspended)
                                    })
                                    .map(|at| remaining(at - now.get()))
                            };
                            view! {
                                <tr
                                    id=format!("{id}-row-{token_id}")
                                    data-token-id=token_id
                                    class:selected=is_selected
                                    class:expired=token.status == TokenStatus::Expired
                                    class:removed=removed
                                    aria-selected=move || is_selected().to_string()
                                    aria-disabled=removed.then_some("true")
                                    tabindex=move || {
                                        let first = selectable().first().copied();
                                        let focusable = is_selected()
                                            || (selected.with(Vec::is_empty) && first == Some(token_id));
                                        if focusable { "0" } else { "-1" }
                                    }
                                    on:click=move |event: ev::MouseEvent| {
                                        select(token_id, event.ctrl_key() || event.meta_key(), event.shift_key());
                                    }
                                    on:dblclick=move |_| open(token_id)
                                    on:keydown=move |event| on_key(token_id, event)
                                >
                                    <td class="token-table__check" data-label="Select">
                                        <input
                                            type="checkbox"
                                            tabindex="-1"
                                            aria-label=format!("Select {}", token.description)
                                            disabled=removed
                                            prop:checked=is_selected
                                            on:click=move |event: ev::MouseEvent| {
                                                event.stop_propagation();
                                                select(token_id, true, event.shift_key());
                                            }
                                        />
                                    </td>
                                    <td class="token-table__description" data-label="Description">
                                        {token.description.clone()}
                                        <code class="muted token-table__secondary">"…"{token.hint.clone()}</code>
                                    </td>
                                    <td data-label="Status">
                                        <span class=badge>{status}</span>
                                        {(!limits.is_empty()).then(|| view! {
                                            <span class="muted token-table__secondary token-table__limits">{limits}</span>
                                        })}
                                        {token.old_value_expires_at.map(|until| view! {
                                            <span class="token-table__secondary token-table__rotating">
                                                "Rotating: the old value works until " {date_time(until)}
                                            </span>
                                        })}
                                        {token.leak.clone().map(|leak| view! { <LeakNote leak=leak/> })}
                                        {move || unused_since(idle, now.get()).then(|| view! {
                                            <span class="token-table__secondary token-table__unused">
                                                "Unused for 30 days or more: remove it if nothing needs it"
                                            </span>
                                        })}
                                    </td>
                                    <td data-label="API">
                                        {token.api_label.clone()}
                                        {(!token.scopes.is_empty()).then(|| view! {
                                            <span class="muted token-table__secondary">{token.scopes.join(" ")}</span>
                                        })}
                                    </td>
                                    <td data-label="Expires">
                                        {expiry_label(&token)}
                                        {move || expires_in().map(|left| view! {
                                            <span class="muted token-table__secondary">{left}</span>
                                        })}
                                    </td>
                                    <td data-label="Last used">
                                        {match &token.last_used {
                                            Some(used) => view! {
                                                {date_time(used.at)}
                                                <span class="muted token-table__secondary">
                                                    {used.ip.clone().unwrap_or_default()}
                                                </span>
                                            }.into_any(),
                                            None => view! { <span class="muted">"Never"</span> }.into_any(),
                                        }}
                                    </td>
                                    <td data-label="Created">
                                        {format_dmy(token.created_at)}
                                        <span class="muted token-table__secondary">
                                            {created_by(&token)}
                                        </span>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </div>
        <p class="sr-only" id=format!("{id}-help")>
            "Click to select a token; Ctrl or Cmd and click, or its checkbox, to add or remove one; "
            "Shift and click to select a range. Arrow keys move, Space toggles, Enter opens, "
            "Delete removes."
        </p>
    }
}

fn focus_element(element_id: &str) {
    if let Some(element) = document().get_element_by_id(element_id)
        && let Ok(element) = leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element)
    {
        let _ = element.focus();
    }
}
