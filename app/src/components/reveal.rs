//! The one-time reveal of a new token value, with Copy and Download. Once closed, the value
//! is gone from the page for good.

use leptos::prelude::*;

use super::{modal::Modal, token_table::date_time};
use crate::token::IssuedTokenView;

#[component]
pub fn RevealDialog(issued: IssuedTokenView, on_close: Callback<()>) -> impl IntoView {
    let feedback = RwSignal::new(None::<&'static str>);
    let value = StoredValue::new(issued.value.clone());
    let file_name = format!("tessera-token-{}.txt", issued.token.id);
    let close = Callback::new(move |()| {
        value.set_value(String::new());
        on_close.run(());
    });
    let copy = move |_| {
        let text = value.get_value();
        leptos::task::spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            let done = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await;
            feedback.set(Some(if done.is_ok() {
                "Copied to the clipboard."
            } else {
                "The browser did not allow copying: select the value and copy it yourself."
            }));
        });
    };
    let download = move |_| {
        let saved = save_file(&file_name, &format!("{}\n", value.get_value()));
        feedback.set(Some(if saved {
            "Downloaded."
        } else {
            "The browser did not allow the download: copy the value instead."
        }));
    };
    view! {
        <Modal labelled_by="reveal-title" on_close=close>
            <div class="dialog__body">
                <header class="dialog__header">
                    <h2 id="reveal-title">"Your new access token"</h2>
                </header>
                <p>
                    "“" {issued.token.description.clone()} "” is ready. "
                    <strong>"Save its value now: it will not be displayed again."</strong>
                </p>
                {issued.token.old_value_expires_at.map(|until| view! {
                    <p class="alert alert--info" id="reveal-grace">
                        "The old value keeps working until " {date_time(until)} " (UTC), or until \
                         this one is first used, whichever comes first."
                    </p>
                })}
                <label class="sr-only" for="token-value">"Token value"</label>
                <input
                    id="token-value"
                    class="token-value"
                    type="text"
                    readonly
                    value=issued.value.clone()
                    on:focus:target=move |e| e.target().select()
                />
                <p class="field__help" role="status" aria-live="polite">{move || feedback.get()}</p>
                <footer class="dialog__footer">
                    <button type="button" class="button" on:click=download>"Download"</button>
                    <button type="button" class="button" on:click=copy>"Copy"</button>
                    <span class="toolbar__spacer"></span>
                    <button type="button" class="button button--primary" autofocus on:click=move |_| close.run(())>
                        "Done"
                    </button>
                </footer>
            </div>
        </Modal>
    }
}

/// Offers `text` as a file download; false when the browser refused.
fn save_file(name: &str, text: &str) -> bool {
    use leptos::wasm_bindgen::JsCast as _;
    let url =
        gloo_file::ObjectUrl::from(gloo_file::Blob::new_with_options(text, Some("text/plain")));
    let Some(anchor) = document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return false;
    };
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The URL is revoked when it is dropped, a moment later: at once can cancel the download.
    set_timeout(move || drop(url), std::time::Duration::from_secs(5));
    true
}
