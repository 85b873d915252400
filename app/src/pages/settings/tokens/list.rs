//! The token list: a table you select in like a desktop list (click, Ctrl/Cmd+click,
//! Shift+click, arrow keys, Space, Ctrl+A), rendered on the server first.

use leptos::{ev, prelude::*};

use super::{TokensState, form::FormMode};
use crate::{
    calendar::format_dmy,
    token::{ExpirationModel, TokenStatus, TokenView},
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
        (ExpirationModel::AutoRefresh, Some(at)) => format!("{} (auto refresh)", date_time(at)),
        (_, Some(at)) => date_time(at),
    }
}

#[component]
pub fn TokenList() -> impl IntoView {
    let state = expect_context::<TokensState>();
    let anchor = StoredValue::new(None::<i64>);

    let ids = move || {
        state
            .tokens
            .with(|t| t.iter().map(|t| t.id).collect::<Vec<_>>())
    };
    let select = move |id: i64, toggle: bool, range: bool| {
        let all = ids();
        state.selected.update(|selected| {
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
    let on_click = move |id: i64, event: ev::MouseEvent| {
        select(id, event.ctrl_key() || event.meta_key(), event.shift_key());
    };
    let on_key = move |id: i64, event: ev::KeyboardEvent| {
        let all = ids();
        let Some(at) = all.iter().position(|x| *x == id) else {
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
                select(id, true, false);
                return;
            }
            "a" | "A" if toggle => {
                event.prevent_default();
                state.selected.set(all);
                return;
            }
            "Enter" => {
                event.prevent_default();
                select(id, false, false);
                if let Some(token) = state.selected_token() {
                    state.form.set(Some(FormMode::Edit(token)));
                }
                return;
            }
            "Delete" => {
                event.prevent_default();
                if state.selected.with(|s| !s.is_empty()) {
                    state
                        .pending
                        .set(Some(super::Pending::Remove(state.selected.get())));
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
            focus_row(next);
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
            <p class="sr-only" id="token-list-help">
                "Click to select a token; Ctrl or Cmd and click to add or remove one; Shift and "
                "click to select a range. Arrow keys move, Space toggles, Enter edits."
            </p>
            <div class="table-scroll">
                <table
                    id="token-list"
                    class="token-table"
                    role="grid"
                    aria-multiselectable="true"
                    aria-describedby="token-list-help"
                    aria-label="Your access tokens"
                >
                    <thead>
                        <tr>
                            <th scope="col">"Description"</th>
                            <th scope="col">"Token"</th>
                            <th scope="col">"API"</th>
                            <th scope="col">"Expires"</th>
                            <th scope="col">"Last used"</th>
                            <th scope="col">"Created"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || state.tokens.get()
                            key=|token| (token.id, token.updated_at, token.hint.clone())
                            let:token
                        >
                            {
                                let id = token.id;
                                let selected = move || state.selected.with(|s| s.contains(&id));
                                let expired = token.status == TokenStatus::Expired;
                                view! {
                                    <tr
                                        id=format!("token-row-{id}")
                                        data-token-id=id
                                        class:selected=selected
                                        class:expired=expired
                                        aria-selected=move || selected().to_string()
                                        tabindex=move || {
                                            let first = state.tokens.with(|t| t.first().map(|t| t.id));
                                            let focusable = selected() || (state.selected.with(Vec::is_empty) && first == Some(id));
                                            if focusable { "0" } else { "-1" }
                                        }
                                        on:click=move |event| on_click(id, event)
                                        on:dblclick=move |_| {
                                            if let Some(token) = state.selected_token() {
                                                state.form.set(Some(FormMode::Edit(token)));
                                            }
                                        }
                                        on:keydown=move |event| on_key(id, event)
                                    >
                                        <td class="token-table__description" data-label="Description">{token.description.clone()}</td>
                                        <td data-label="Token"><code>"…"{token.hint.clone()}</code></td>
                                        <td data-label="API">{token.api_label.clone()}</td>
                                        <td data-label="Expires">
                                            {expiry_label(&token)}
                                            {expired.then(|| view! { " " <span class="badge badge--warning">"Expired"</span> })}
                                        </td>
                                        <td data-label="Last used">
                                            {match &token.last_used {
                                                Some(used) => view! {
                                                    {date_time(used.at)}
                                                    <span class="muted token-table__client">
                                                        {used.ip.clone().unwrap_or_default()}
                                                    </span>
                                                }.into_any(),
                                                None => view! { <span class="muted">"Never"</span> }.into_any(),
                                            }}
                                        </td>
                                        <td data-label="Created">{format_dmy(token.created_at)}</td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
            </div>
            <p class="muted token-count" aria-live="polite">
                {move || {
                    let total = state.tokens.with(Vec::len);
                    let chosen = state.selected.with(Vec::len);
                    let noun = if total == 1 { "token" } else { "tokens" };
                    if chosen == 0 { format!("{total} {noun}") } else { format!("{total} {noun}, {chosen} selected") }
                }}
            </p>
        </Show>
    }
}

fn focus_row(id: i64) {
    if let Some(row) = document().get_element_by_id(&format!("token-row-{id}"))
        && let Ok(row) = leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(row)
    {
        let _ = row.focus();
    }
}
