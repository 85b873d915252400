//! The token dialog: Description, Expiration Model, API (sets or hand-picked methods),
//! scopes and limits.
//! The same dialog generates, edits (with a Regenerate link) and copies.

use leptos::prelude::*;

use super::{Pending, TokensState};
use crate::{
    components::{
        access_preview::AccessPreview,
        api_picker::ApiPicker,
        expiry_field::{ExpiryChoice, ExpiryField, ExpiryFieldState},
        field::TextField,
        limits_field::{LimitsField, LimitsFieldState},
        modal::Modal,
        scopes_field::{ScopesField, scope_entries},
        token_table::expiry_label,
    },
    token::{
        ApiInput, Basis, ExpiryInput, TokenInput, TokenInputErrors, TokenRules, TokenView,
        effective_access,
    },
};

#[derive(Clone, Debug, PartialEq)]
pub enum FormMode {
    Generate,
    Edit(TokenView),
    Copy(TokenView),
}

impl FormMode {
    fn title(&self) -> &'static str {
        match self {
            Self::Generate => "Generate access token",
            Self::Edit(_) => "Edit access token",
            Self::Copy(_) => "Copy access token",
        }
    }

    fn submit_label(&self) -> &'static str {
        match self {
            Self::Generate | Self::Copy(_) => "Generate",
            Self::Edit(_) => "Apply",
        }
    }

    fn source(&self) -> Option<&TokenView> {
        match self {
            Self::Generate => None,
            Self::Edit(token) | Self::Copy(token) => Some(token),
        }
    }
}

#[component]
pub fn TokenDialog(mode: FormMode) -> impl IntoView {
    let state = expect_context::<TokensState>();
    let catalog = state.catalog.get_value();
    let source = mode.source().cloned();
    let description = RwSignal::new(match &mode {
        FormMode::Generate => String::new(),
        FormMode::Edit(token) => token.description.clone(),
        FormMode::Copy(token) => format!("{} (copy)", token.description),
    });
    let expiry = source.as_ref().map_or_else(
        || {
            state.policy.with_value(|policy| {
                ExpiryFieldState::new_token(ExpiryChoice::Date, policy, state.now.get_untracked())
            })
        },
        ExpiryFieldState::of_token,
    );
    // Left as it was, an edit or copy keeps the token's expiry exactly (an auto-refresh
    // token's next end, a duration's end time), rather than restarting it today.
    let initial_expiry: Option<ExpiryInput> = source.is_some().then(|| expiry.input());
    let api = RwSignal::new(source.as_ref().map_or_else(
        || {
            state
                .policy
                .with_value(|policy| policy.default_api(&catalog))
        },
        |t| t.api.clone(),
    ));
    let scopes = RwSignal::new(
        source
            .as_ref()
            .map(|t| t.scopes.join(" "))
            .unwrap_or_default(),
    );
    let limits = match &mode {
        FormMode::Generate => LimitsFieldState::new_token(),
        FormMode::Edit(token) => LimitsFieldState::of_token(token, true),
        FormMode::Copy(token) => LimitsFieldState::of_token(token, false),
    };
    let tried = RwSignal::new(false);
    state.form_errors.set(None);

    let form = move || {
        let typed = expiry.input();
        TokenInput {
            description: Some(description.get()),
            expiry: (initial_expiry.as_ref() != Some(&typed)).then_some(typed),
            api: Some(ApiInput::from(&api.get())),
            scopes: Some(scope_entries(&scopes.get())),
            max_uses: limits.max_uses(),
            rate_limit: limits.rate_limit(),
            allowed_ips: limits.allowed_ips(),
        }
    };
    let decision = {
        let catalog = catalog.clone();
        let form = form.clone();
        let policy = state.policy.get_value();
        let mode = mode.clone();
        move || {
            let basis = match &mode {
                FormMode::Generate => Basis::New,
                FormMode::Edit(token) => Basis::Edit(token),
                FormMode::Copy(token) => Basis::Copy(token),
            };
            let rules = TokenRules {
                now: state.now.get(),
                catalog: &catalog,
                policy: &policy,
                basis,
            };
            form().decide(&rules)
        }
    };
    let local_errors = {
        let decision = decision.clone();
        move || decision().err().map(|e| *e).unwrap_or_default()
    };
    let preview = {
        let catalog = catalog.clone();
        let current = source.clone().filter(|_| matches!(mode, FormMode::Edit(_)));
        Signal::derive(move || {
            decision().ok().map(|decided| {
                effective_access(&decided, &catalog, current.as_ref(), state.now.get())
            })
        })
    };
    let errors = {
        let local_errors = local_errors.clone();
        Memo::new(move |_| {
            let local = local_errors();
            let server = state.form_errors.get().unwrap_or_default();
            let shown = |field: Option<String>, typed: bool| field.filter(|_| typed || tried.get());
            TokenInputErrors {
                description: shown(local.description, false).or(server.description),
                expiry: shown(local.expiry, expiry.typed()).or(server.expiry),
                api: shown(local.api, true).or(server.api),
                scopes: shown(local.scopes, !scopes.get().trim().is_empty()).or(server.scopes),
                max_uses: shown(local.max_uses, true).or(server.max_uses),
                rate_limit: shown(local.rate_limit, true).or(server.rate_limit),
                allowed_ips: shown(local.allowed_ips, true).or(server.allowed_ips),
                by_policy: false,
            }
        })
    };
    let close = Callback::new(move |()| {
        state.form.set(None);
        state.form_errors.set(None);
    });
    let submit_mode = mode.clone();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        tried.set(true);
        state.form_errors.set(None);
        if !local_errors().is_empty() {
            return;
        }
        let form = form();
        state.pending.set(Some(match &submit_mode {
            FormMode::Generate => Pending::Generate(form),
            FormMode::Edit(token) => Pending::Edit(token.id, form),
            FormMode::Copy(token) => Pending::Copy(token.id, form),
        }));
    };
    let current_expiry = source.as_ref().map(expiry_label);
    let regenerate_id = match &mode {
        FormMode::Edit(token) => Some(token.id),
        _ => None,
    };

    view! {
        <Modal labelled_by="token-dialog-title" on_close=close wide=true>
            <form class="dialog__body" on:submit=submit novalidate>
                <header class="dialog__header">
                    <h2 id="token-dialog-title">{mode.title()}</h2>
                    <button type="button" class="dialog__close" aria-label="Close" on:click=move |_| close.run(())>
                        "×"
                    </button>
                </header>
                <TextField
                    id="token-description"
                    label="Description"
                    value=description
                    maxlength=120
                    error=Signal::derive(move || errors.with(|e| e.description.clone()))
                />
                <ExpiryField
                    state=expiry
                    policy=state.policy.get_value()
                    now=state.now
                    error=Signal::derive(move || errors.with(|e| e.expiry.clone()))
                    current=current_expiry
                />
                <ApiPicker
                    catalog=catalog.clone()
                    api
                    policy=state.policy.get_value()
                    error=Signal::derive(move || errors.with(|e| e.api.clone()))
                />
                <ScopesField
                    value=scopes
                    error=Signal::derive(move || errors.with(|e| e.scopes.clone()))
                    whose="your"
                />
                <LimitsField
                    state=limits
                    current=source.clone().filter(|_| matches!(mode, FormMode::Edit(_)))
                    errors=errors
                />
                <AccessPreview lines=preview/>
                <footer class="dialog__footer">
                    {regenerate_id.map(|id| view! {
                        <button
                            type="button"
                            class="link-button"
                            on:click=move |_| state.pending.set(Some(Pending::Regenerate(id)))
                        >
                            "Regenerate token value"
                        </button>
                    })}
                    <span class="toolbar__spacer"></span>
                    <button type="button" class="button" on:click=move |_| close.run(())>"Cancel"</button>
                    <button type="submit" class="button button--primary">{mode.submit_label()}</button>
                </footer>
            </form>
        </Modal>
    }
}
