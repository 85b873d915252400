//! The password confirmation every change goes through. A wrong password keeps the dialog
//! (and the token dialog behind it) open with an error, and nothing is applied.

use leptos::prelude::*;

use super::{Pending, TokensState};
use crate::{
    components::modal::Modal,
    error::ServerError,
    server_fns::tokens::{copy_token, edit_token, generate_token, regenerate_token, remove_tokens},
    token::IssuedTokenView,
};

enum Outcome {
    Issued(Box<IssuedTokenView>),
    Done(String),
}

async fn apply(pending: Pending, password: String) -> Result<Outcome, ServerError> {
    Ok(match pending {
        Pending::Generate(form) => Outcome::Issued(Box::new(generate_token(form, password).await?)),
        Pending::Copy(id, form) => Outcome::Issued(Box::new(copy_token(id, form, password).await?)),
        Pending::Regenerate(id) => Outcome::Issued(Box::new(regenerate_token(id, password).await?)),
        Pending::Edit(id, form) => {
            let token = edit_token(id, form, password).await?;
            Outcome::Done(format!("“{}” was updated.", token.description))
        }
        Pending::Remove(ids) => {
            let removed = remove_tokens(ids, password).await?;
            Outcome::Done(match removed {
                1 => "1 token was removed.".to_owned(),
                n => format!("{n} tokens were removed."),
            })
        }
    })
}

fn question(pending: &Pending, count_word: impl Fn(usize) -> String) -> String {
    match pending {
        Pending::Generate(_) | Pending::Copy(..) => {
            "Enter your password to generate the token.".into()
        }
        Pending::Edit(..) => "Enter your password to apply the changes.".into(),
        Pending::Regenerate(_) => {
            "Regenerating gives the token a new value; the current one stops working at once. \
             Enter your password to continue."
                .into()
        }
        Pending::Remove(ids) => format!(
            "Remove {}? They stop working at once. Enter your password to continue.",
            count_word(ids.len())
        ),
    }
}

#[component]
pub fn ConfirmDialog(pending: Pending) -> impl IntoView {
    let state = expect_context::<TokensState>();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let tokens = state.tokens;
    let count_word = move |n: usize| {
        if n == 1 {
            let id = state.selected.with(|s| s.first().copied());
            let name = tokens.with(|t| {
                t.iter()
                    .find(|t| Some(t.id) == id)
                    .map(|t| t.description.clone())
            });
            name.map_or_else(|| "1 token".to_owned(), |name| format!("“{name}”"))
        } else {
            format!("{n} tokens")
        }
    };
    let text = question(&pending, count_word);
    let is_remove = matches!(pending, Pending::Remove(_));
    let close = Callback::new(move |()| {
        if !busy.get_untracked() {
            state.pending.set(None);
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get() || password.with(String::is_empty) {
            if password.with(String::is_empty) {
                error.set(Some("Enter your password.".into()));
            }
            return;
        }
        busy.set(true);
        error.set(None);
        let pending = pending.clone();
        let typed = password.get();
        leptos::task::spawn_local(async move {
            let outcome = apply(pending, typed).await;
            busy.set(false);
            match outcome {
                Ok(outcome) => {
                    password.set(String::new());
                    state.pending.set(None);
                    state.form.set(None);
                    match outcome {
                        Outcome::Issued(issued) => state.revealed.set(Some(*issued)),
                        Outcome::Done(message) => state.notice.set(Some(message)),
                    }
                    state.selected.set(Vec::new());
                    state.refresh();
                }
                Err(ServerError::InvalidFields(fields)) => {
                    // Back to the token dialog, with the server's words next to the fields.
                    state.form_errors.set(Some(fields));
                    state.pending.set(None);
                }
                Err(ServerError::NotFound) => {
                    error.set(Some(ServerError::NotFound.to_string()));
                    state.refresh();
                }
                Err(other) => error.set(Some(other.to_string())),
            }
        });
    };
    view! {
        <Modal labelled_by="confirm-title" on_close=close>
            <form class="dialog__body" on:submit=submit novalidate>
                <header class="dialog__header">
                    <h2 id="confirm-title">{if is_remove { "Remove access tokens" } else { "Confirm with your password" }}</h2>
                </header>
                <p>{text}</p>
                <div class="field">
                    <label for="confirm-password">"Password"</label>
                    <input
                        id="confirm-password"
                        type="password"
                        autocomplete="current-password"
                        autofocus
                        prop:value=move || password.get()
                        on:input:target=move |e| password.set(e.target().value())
                        aria-invalid=move || error.get().is_some().to_string()
                        aria-describedby="confirm-error"
                    />
                    <p class="field__error" id="confirm-error" role="alert">{move || error.get()}</p>
                </div>
                <footer class="dialog__footer">
                    <span class="toolbar__spacer"></span>
                    <button type="button" class="button" on:click=move |_| close.run(()) disabled=move || busy.get()>
                        "Cancel"
                    </button>
                    <button
                        type="submit"
                        class="button"
                        class:button--primary=!is_remove
                        class:button--danger=is_remove
                        disabled=move || busy.get()
                        aria-busy=move || busy.get().to_string()
                    >
                        {move || match (busy.get(), is_remove) {
                            (true, _) => "Checking…",
                            (false, true) => "Remove",
                            (false, false) => "Confirm",
                        }}
                    </button>
                </footer>
            </form>
        </Modal>
    }
}
