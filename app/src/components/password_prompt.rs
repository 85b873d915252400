//! The password confirmation every change goes through, as a dialog. The caller applies the
//! change with the typed password and reports back through `busy` and `error`; a wrong
//! password keeps the dialog open with the error.

use leptos::prelude::*;

use super::modal::Modal;

#[component]
pub fn PasswordPrompt(
    title: &'static str,
    question: String,
    /// The submit button's label ("Confirm", "Remove"...).
    action: &'static str,
    #[prop(optional)] danger: bool,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    on_submit: Callback<String>,
    on_cancel: Callback<()>,
    /// Fields the change takes besides the password, shown above it.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let cancel = Callback::new(move |()| {
        if !busy.get_untracked() {
            on_cancel.run(());
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get() {
            return;
        }
        if password.with(String::is_empty) {
            error.set(Some("Enter your password.".into()));
            return;
        }
        error.set(None);
        on_submit.run(password.get());
    };
    view! {
        <Modal labelled_by="confirm-title" on_close=cancel>
            <form class="dialog__body" on:submit=submit novalidate>
                <header class="dialog__header">
                    <h2 id="confirm-title">{title}</h2>
                </header>
                <p>{question}</p>
                {children.map(|children| children())}
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
                    <button type="button" class="button" on:click=move |_| cancel.run(()) disabled=move || busy.get()>
                        "Cancel"
                    </button>
                    <button
                        type="submit"
                        class="button"
                        class:button--primary=!danger
                        class:button--danger=danger
                        disabled=move || busy.get()
                        aria-busy=move || busy.get().to_string()
                    >
                        {move || if busy.get() { "Checking…" } else { action }}
                    </button>
                </footer>
            </form>
        </Modal>
    }
}
