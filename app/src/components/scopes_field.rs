//! Resource scopes: an optional list such as `env:my-project:rw env:docs:r`, shared by the
//! token dialog and the admin's new-token dialog.

use leptos::prelude::*;

use super::field::FieldMessages;

/// The field's text as scope entries: none when it is blank (all environments), else the one
/// entry typed, which the token rules split and check.
pub fn scope_entries(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        Vec::new()
    } else {
        vec![text.to_owned()]
    }
}

#[component]
pub fn ScopesField(
    value: RwSignal<String>,
    error: Signal<Option<String>>,
    /// Whose environments an empty list means ("your", "their").
    whose: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="token-scopes">"Environments " <span class="muted">"(optional scopes)"</span></label>
            <input
                id="token-scopes"
                type="text"
                autocomplete="off"
                placeholder="env:my-project:rw env:docs:r"
                prop:value=move || value.get()
                on:input:target=move |e| value.set(e.target().value())
                aria-describedby="token-scopes-help token-scopes-error"
            />
            <FieldMessages
                id="token-scopes"
                hint=Some(ViewFn::from(move || view! {
                    {format!("Leave empty for all {whose} environments, or limit the token: ")}
                    <code>"env:NAME:r"</code>", "<code>"env:NAME:w"</code>" or "<code>"env:NAME:rw"</code>"."
                }))
                error
            />
        </div>
    }
}
