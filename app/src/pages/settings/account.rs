use leptos::{html, prelude::*, server_fn::ServerFn as _};
use leptos_meta::Title;

use crate::{
    account::{PASSWORDS_DIFFER, Password},
    components::field::Field,
    server_fns::session::{ChangePassword, current_user},
};

/// The Account tab: who you are, and changing your password.
#[component]
pub fn AccountTab() -> impl IntoView {
    let user = Resource::new_blocking(|| (), |()| current_user());
    view! {
        <Title text="Account" />
        <div class="stack">
            <section class="card" aria-labelledby="profile-heading">
                <h2 id="profile-heading">"Profile"</h2>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        user.await.ok().flatten().map(|user| view! {
                            <dl class="facts">
                                <dt>"Login"</dt>
                                <dd>{user.login}</dd>
                                <dt>"Name"</dt>
                                <dd>{user.display_name}</dd>
                                <dt>"Email"</dt>
                                <dd>{if user.email.is_empty() { "—".to_owned() } else { user.email }}</dd>
                                <dt>"Role"</dt>
                                <dd>{user.role.as_str()}</dd>
                            </dl>
                        })
                    })}
                </Suspense>
            </section>
            <ChangePasswordForm />
        </div>
    }
}

#[component]
fn ChangePasswordForm() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let change = ServerAction::<ChangePassword>::new();
    let pending = change.pending();
    let form = NodeRef::<html::Form>::new();

    // Instant feedback with the same rule the server applies.
    let problem = move || {
        let new = new.get();
        if new.is_empty() {
            return None;
        }
        if let Err(error) = Password::new(new.clone()) {
            return Some(error.to_string());
        }
        let confirm = confirm.get();
        (!confirm.is_empty() && confirm != new).then(|| PASSWORDS_DIFFER.to_owned())
    };

    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            current.set(String::new());
            new.set(String::new());
            confirm.set(String::new());
        }
    });

    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <form
                node_ref=form
                method="post"
                action=ChangePassword::url()
                on:submit=move |event| {
                    event.prevent_default();
                    if problem().is_none() {
                        change.dispatch(ChangePassword {
                            current_password: current.get(),
                            new_password: new.get(),
                            confirm_password: confirm.get(),
                        });
                    }
                }
            >
                <Field
                    id="current_password"
                    label="Current password"
                    value=current
                    input_type="password"
                    autocomplete="current-password"
                />
                <Field id="new_password" label="New password" value=new input_type="password" autocomplete="new-password" />
                <Field
                    id="confirm_password"
                    label="Confirm new password"
                    value=confirm
                    input_type="password"
                    autocomplete="new-password"
                />
                {move || problem().map(|text| view! { <p class="field__error" role="alert">{text}</p> })}
                {move || match change.value().get() {
                    Some(Ok(())) => Some(view! { <p class="alert alert--success" role="status">"Password changed."</p> }.into_any()),
                    Some(Err(error)) => Some(view! { <p class="alert alert--error" role="alert">{error.to_string()}</p> }.into_any()),
                    None => None,
                }}
                <button type="submit" class="button button--primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Changing…" } else { "Change password" }}
                </button>
            </form>
        </section>
    }
}
