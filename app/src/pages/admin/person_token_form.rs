//! The admin's "new token" dialog for a user: a friendly name, an Expiration Model (Hard Limit
//! after a duration by default, or on a date; Auto Refresh; Never where allowed), the API,
//! optional resource scopes and optional limits.

use std::sync::Arc;

use leptos::prelude::*;

use crate::{
    catalog::Catalog,
    components::{
        access_preview::AccessPreview,
        api_picker::ApiPicker,
        expiry_field::{ExpiryChoice, ExpiryField, ExpiryFieldState},
        field::TextField,
        limits_field::{LimitsField, LimitsFieldState},
        modal::Modal,
        password_prompt::PasswordPrompt,
        scopes_field::{ScopesField, scope_entries},
    },
    error::ServerError,
    server_fns::admin::create_token_for,
    token::{
        ApiInput, Basis, IssuedTokenView, TokenInput, TokenInputErrors, TokenPolicy, TokenRules,
        effective_access,
    },
};

#[component]
pub fn PersonTokenDialog(
    login: String,
    catalog: Arc<Catalog>,
    policy: Arc<TokenPolicy>,
    now: i64,
    on_close: Callback<()>,
    on_issued: Callback<IssuedTokenView>,
) -> impl IntoView {
    let description = RwSignal::new(String::new());
    let expiry = ExpiryFieldState::new_token(ExpiryChoice::Duration, &policy, now);
    let api = RwSignal::new(policy.default_api(&catalog));
    let scopes = RwSignal::new(String::new());
    let limits = LimitsFieldState::new_token();
    let tried = RwSignal::new(false);
    let server_errors = RwSignal::new(None::<TokenInputErrors>);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let form = move || TokenInput {
        description: Some(description.get()),
        expiry: Some(expiry.input()),
        api: Some(ApiInput::from(&api.get())),
        scopes: Some(scope_entries(&scopes.get())),
        max_uses: limits.max_uses(),
        rate_limit: limits.rate_limit(),
        allowed_ips: limits.allowed_ips(),
    };
    let decision = {
        let catalog = catalog.clone();
        let policy = policy.clone();
        move || {
            let rules = TokenRules {
                now,
                catalog: &catalog,
                policy: &policy,
                basis: Basis::New,
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
        Signal::derive(move || {
            decision()
                .ok()
                .map(|decided| effective_access(&decided, &catalog, None, now))
        })
    };
    let errors = {
        let local_errors = local_errors.clone();
        Memo::new(move |_| {
            let local = local_errors();
            let server = server_errors.get().unwrap_or_default();
            TokenInputErrors {
                description: local
                    .description
                    .filter(|_| tried.get())
                    .or(server.description),
                expiry: local.expiry.or(server.expiry),
                api: local.api.or(server.api),
                scopes: local
                    .scopes
                    .filter(|_| !scopes.get().trim().is_empty())
                    .or(server.scopes),
                max_uses: local.max_uses.or(server.max_uses),
                rate_limit: local.rate_limit.or(server.rate_limit),
                allowed_ips: local.allowed_ips.or(server.allowed_ips),
                by_policy: false,
            }
        })
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        tried.set(true);
        server_errors.set(None);
        if local_errors().is_empty() {
            confirming.set(true);
        }
    };
    let on_submit = {
        let login = login.clone();
        Callback::new(move |typed: String| {
            busy.set(true);
            let login = login.clone();
            let form = form();
            leptos::task::spawn_local(async move {
                let outcome = create_token_for(login, form, typed).await;
                busy.set(false);
                match outcome {
                    Ok(issued) => {
                        confirming.set(false);
                        on_issued.run(issued);
                    }
                    Err(ServerError::InvalidFields(fields)) => {
                        confirming.set(false);
                        server_errors.set(Some(*fields));
                    }
                    Err(other) => error.set(Some(other.to_string())),
                }
            });
        })
    };

    view! {
        <Modal labelled_by="person-token-title" on_close wide=true>
            <form class="dialog__body" on:submit=submit novalidate>
                <header class="dialog__header">
                    <h2 id="person-token-title">{format!("New access token for {login}")}</h2>
                    <button type="button" class="dialog__close" aria-label="Close" on:click=move |_| on_close.run(())>"×"</button>
                </header>
                <TextField
                    id="person-token-name"
                    label="Description"
                    value=description
                    maxlength=120
                    placeholder="What the token is for, e.g. CI deploys"
                    error=Signal::derive(move || errors.with(|e| e.description.clone()))
                />
                <ExpiryField
                    state=expiry
                    policy=policy.clone()
                    now
                    error=Signal::derive(move || errors.with(|e| e.expiry.clone()))
                />
                <ApiPicker
                    catalog=catalog.clone()
                    api
                    policy=policy.clone()
                    error=Signal::derive(move || errors.with(|e| e.api.clone()))
                />
                <ScopesField
                    value=scopes
                    error=Signal::derive(move || errors.with(|e| e.scopes.clone()))
                    whose="their"
                />
                <LimitsField state=limits errors=errors />
                <AccessPreview lines=preview/>
                <footer class="dialog__footer">
                    <span class="toolbar__spacer"></span>
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button button--primary">"Create token"</button>
                </footer>
            </form>
        </Modal>
        {move || confirming.get().then(|| view! {
            <PasswordPrompt
                title="Confirm with your password"
                question="Enter your own password to create the token.".to_owned()
                action="Confirm"
                busy
                error
                on_submit=on_submit
                on_cancel=Callback::new(move |()| confirming.set(false))
            />
        })}
    }
}
