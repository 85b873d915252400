//! A modal dialog on the native `<dialog>` element: focus moves in when it opens and back to
//! what had it when it closes; Escape closes it.

use leptos::{html, prelude::*};

#[component]
pub fn Modal(
    /// Id of the element that names the dialog (its heading).
    labelled_by: &'static str,
    on_close: Callback<()>,
    #[prop(optional)] wide: bool,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get() {
            opener.set_value(document().active_element().and_then(|e| {
                leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()
            }));
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    });
    on_cleanup(move || {
        // Close first: while the dialog is modal, everything behind it is inert and cannot
        // take focus.
        if let Some(dialog) = dialog.try_get_untracked().flatten() {
            dialog.close();
        }
        if let Some(opener) = opener.try_get_value().flatten() {
            let _ = opener.focus();
        }
    });
    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            class:dialog--wide=wide
            aria-labelledby=labelled_by
            on:cancel=move |event: leptos::ev::Event| {
                event.prevent_default();
                on_close.run(());
            }
        >
            {children()}
        </dialog>
    }
}
