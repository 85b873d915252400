//! The password confirmation every change goes through. A wrong password keeps the dialog
//! (and the token dialog behind it) open with an error, and nothing is applied.

use leptos::prelude::*;

use super::{Pending, TokensState};
use crate::{
    components::{
        grace_choice::GraceChoice, password_prompt::PasswordPrompt, token_table::expiry_label,
    },
    error::ServerError,
    server_fns::tokens::{
        copy_token, edit_token, generate_token, regenerate_token, remove_all_tokens, remove_tokens,
        suspend_token,
    },
    token::{IssuedTokenView, TokenInput},
};

enum Outcome {
    Issued(Box<IssuedTokenView>),
    Done(String),
}

async fn apply(pending: Pending, password: String, grace: String) -> Result<Outcome, ServerError> {
    Ok(match pending {
        Pending::Generate(form) => Outcome::Issued(Box::new(generate_token(form, password).await?)),
        Pending::Copy(id, form) => Outcome::Issued(Box::new(copy_token(id, form, password).await?)),
        Pending::Regenerate(id) => {
            Outcome::Issued(Box::new(regenerate_token(id, grace, password).await?))
        }
        Pending::Extend(chosen) => {
            let input = TokenInput {
                expiry: Some(chosen.expiry),
                ..TokenInput::default()
            };
            let token = edit_token(chosen.token_id, input, password).await?;
            Outcome::Done(format!(
                "“{}” was extended: {}.",
                token.description,
                expiry_label(&token)
            ))
        }
        Pending::Edit(id, form) => {
            let token = edit_token(id, form, password).await?;
            Outcome::Done(format!("“{}” was updated.", token.description))
        }
        Pending::Narrow(change) => {
            let token = edit_token(change.id, change.narrowing.input, password).await?;
            Outcome::Done(format!(
                "“{}” now has only what it used: {}.",
                token.description, token.api_label
            ))
        }
        Pending::Suspend(id, suspend) => {
            let token = suspend_token(id, suspend, password).await?;
            let done = if suspend { "suspended" } else { "resumed" };
            Outcome::Done(format!("“{}” was {done}.", token.description))
        }
        Pending::RemoveAll => {
            let removed = remove_all_tokens(password).await?;
            Outcome::Done(match removed {
                0 => "You had no tokens left to remove.".to_owned(),
                1 => "Your 1 token was removed.".to_owned(),
                n => format!("All {n} of your tokens were removed."),
            })
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
        Pending::Narrow(change) => format!(
            "Narrow “{}” to what it used? Enter your password to continue.",
            change.description
        ),
        Pending::Extend(chosen) => format!(
            "{} “{}”? It keeps its value. Enter your password to continue.",
            chosen.label, chosen.description
        ),
        Pending::Regenerate(_) => {
            "Regenerating gives the token a new value. Enter your password to continue.".into()
        }
        Pending::Suspend(_, true) => format!(
            "Suspend {}? It is refused until you resume it, and keeps its value. Enter your \
             password to continue.",
            count_word(1)
        ),
        Pending::Suspend(_, false) => format!(
            "Resume {}? It works again with the same value. Enter your password to continue.",
            count_word(1)
        ),
        Pending::RemoveAll => "Remove every one of your access tokens? They all stop working at \
                               once, and cannot be brought back. Enter your password to continue."
            .into(),
        Pending::Remove(ids) => format!(
            "Remove {}? They stop working at once. Enter your password to continue.",
            count_word(ids.len())
        ),
    }
}

#[component]
pub fn ConfirmDialog(pending: Pending) -> impl IntoView {
    let state = expect_context::<TokensState>();
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
    let question = question(&pending, count_word);
    let is_remove = matches!(pending, Pending::Remove(_) | Pending::RemoveAll);
    let is_regenerate = matches!(pending, Pending::Regenerate(_));
    let narrowing = match &pending {
        Pending::Narrow(change) => Some(change.clone()),
        _ => None,
    };
    let grace = RwSignal::new(String::new());
    let on_cancel = Callback::new(move |()| state.pending.set(None));
    let on_submit = Callback::new(move |typed: String| {
        busy.set(true);
        let pending = pending.clone();
        leptos::task::spawn_local(async move {
            let outcome = apply(pending, typed, grace.get_untracked()).await;
            busy.set(false);
            match outcome {
                Ok(outcome) => {
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
                    state.form_errors.set(Some(*fields));
                    state.pending.set(None);
                }
                Err(ServerError::NotFound) => {
                    error.set(Some(ServerError::NotFound.to_string()));
                    state.refresh();
                }
                Err(other) => error.set(Some(other.to_string())),
            }
        });
    });
    view! {
        <PasswordPrompt
            title=if is_remove { "Remove access tokens" } else { "Confirm with your password" }
            question
            action=if is_remove { "Remove" } else { "Confirm" }
            danger=is_remove
            busy
            error
            on_submit
            on_cancel
        >
            {narrowing.map(|change| view! {
                <p class="before-after__now">"Now: " {change.before}</p>
                <div class="before-after">
                    <div>
                        <h3>"It keeps"</h3>
                        <ul>{change.narrowing.keeps.into_iter().map(|m| view! { <li><code>{m}</code></li> }).collect_view()}</ul>
                    </div>
                    <div>
                        <h3>"It loses"</h3>
                        <ul>{change.narrowing.loses.into_iter().map(|m| view! { <li><code>{m}</code></li> }).collect_view()}</ul>
                    </div>
                </div>
            })}
            {is_regenerate.then(|| {
                let longest = state.policy.with_value(|policy| policy.max_grace());
                view! { <GraceChoice grace longest /> }
            })}
        </PasswordPrompt>
    }
}
