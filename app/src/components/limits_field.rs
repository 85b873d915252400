//! A token's limits besides methods, scopes and time: how many uses, how many calls per
//! period, and from which addresses. Shared by the token dialog and the admin's new-token
//! dialog; folded away until opened, open at once when the token has a limit.

use leptos::prelude::*;

use super::field::{FieldMessages, TextField};
use crate::token::{TokenInputErrors, TokenView};

/// What the fields hold, as typed.
#[derive(Clone, Copy)]
pub struct LimitsFieldState {
    uses: RwSignal<String>,
    rate: RwSignal<String>,
    addresses: RwSignal<String>,
    /// An edit: blank uses keep what is left, rather than lifting the limit.
    editing: bool,
}

impl LimitsFieldState {
    pub fn new_token() -> Self {
        Self {
            uses: RwSignal::new(String::new()),
            rate: RwSignal::new(String::new()),
            addresses: RwSignal::new(String::new()),
            editing: false,
        }
    }

    /// `editing`: the fields change `token`; else they start a copy of it.
    pub fn of_token(token: &TokenView, editing: bool) -> Self {
        let uses = if editing {
            String::new()
        } else {
            token.max_uses.map(|n| n.to_string()).unwrap_or_default()
        };
        Self {
            uses: RwSignal::new(uses),
            rate: RwSignal::new(token.rate_limit.map(|r| r.to_string()).unwrap_or_default()),
            addresses: RwSignal::new(
                token
                    .allowed_ips
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            editing,
        }
    }

    /// The uses as the token input takes them: on an edit, blank keeps the uses left.
    pub fn max_uses(&self) -> Option<String> {
        let typed = self.uses.get();
        (!(self.editing && typed.trim().is_empty())).then_some(typed)
    }

    pub fn rate_limit(&self) -> Option<String> {
        Some(self.rate.get())
    }

    pub fn allowed_ips(&self) -> Option<Vec<String>> {
        let typed = self.addresses.get();
        Some(if typed.trim().is_empty() {
            Vec::new()
        } else {
            vec![typed]
        })
    }

    fn any_set(&self) -> bool {
        [self.uses, self.rate, self.addresses]
            .iter()
            .any(|field| !field.get_untracked().trim().is_empty())
    }
}

#[component]
pub fn LimitsField(
    state: LimitsFieldState,
    /// On an edit, the token as it is (its uses left are shown).
    #[prop(default = None)]
    current: Option<TokenView>,
    #[prop(into)] errors: Signal<TokenInputErrors>,
) -> impl IntoView {
    let has_limits = state.any_set()
        || current
            .as_ref()
            .is_some_and(|token| token.max_uses.is_some());
    // Open from the start when the token has a limit, and whenever one of them is refused;
    // otherwise as the person toggles it (a re-render never folds it away under their cursor).
    let open = RwSignal::new(has_limits);
    Effect::new(move |_| {
        if errors
            .with(|e| e.max_uses.is_some() || e.rate_limit.is_some() || e.allowed_ips.is_some())
        {
            open.set(true);
        }
    });
    let uses_hint = match current
        .as_ref()
        .and_then(|t| t.max_uses.map(|max| (t.uses_left.unwrap_or(0), max)))
    {
        Some((left, max)) => format!(
            "{left} of {max} uses left. Enter a number for a fresh allowance, or “unlimited”; leave empty to keep them."
        ),
        None if state.editing => {
            "Unlimited. Enter a number to limit the token's calls (1 makes it single-use)."
                .to_owned()
        }
        None => "Leave empty for no limit; 1 makes a single-use token.".to_owned(),
    };
    view! {
        <details
            class="limits"
            prop:open=move || open.get()
            on:toggle:target=move |e| open.set(e.target().open())
        >
            <summary>"Limits " <span class="muted">"(uses, rate, addresses; optional)"</span></summary>
            <div class="limits__row">
                <TextField
                    id="token-max-uses"
                    label="Uses"
                    value=state.uses
                    class="input--short"
                    placeholder="unlimited"
                    maxlength=16
                    hint=ViewFn::from(move || uses_hint.clone())
                    error=Signal::derive(move || errors.with(|e| e.max_uses.clone()))
                />
                <TextField
                    id="token-rate-limit"
                    label="Rate limit"
                    value=state.rate
                    class="input--short"
                    placeholder="600/min"
                    maxlength=32
                    hint=ViewFn::from(|| "Calls per period: 10/s, 600/min, 5000/h. Empty: none.")
                    error=Signal::derive(move || errors.with(|e| e.rate_limit.clone()))
                />
            </div>
            <div class="field">
                <label for="token-allowed-ips">"Allowed addresses"</label>
                <textarea
                    id="token-allowed-ips"
                    rows=2
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="203.0.113.0/24\n2001:db8::/32"
                    prop:value=move || state.addresses.get()
                    on:input:target=move |e| state.addresses.set(e.target().value())
                    aria-invalid=move || errors.with(|e| e.allowed_ips.is_some()).to_string()
                    aria-describedby="token-allowed-ips-help token-allowed-ips-error"
                ></textarea>
                <FieldMessages
                    id="token-allowed-ips"
                    hint=Some(ViewFn::from(|| "Addresses or CIDR ranges, one per line. Empty: any address."))
                    error=Signal::derive(move || errors.with(|e| e.allowed_ips.clone()))
                />
            </div>
        </details>
    }
}
