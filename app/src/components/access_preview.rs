//! The token dialogs' preview of what the token will be able to do, in words, as its fields
//! change (see `token::effective_access`).

use leptos::prelude::*;

#[component]
pub fn AccessPreview(
    /// `None` while a field is wrong: the token could not be made as it stands.
    #[prop(into)]
    lines: Signal<Option<Vec<String>>>,
) -> impl IntoView {
    view! {
        <section class="access-preview" aria-labelledby="access-preview-title" aria-live="polite">
            <h3 id="access-preview-title">"What this token will be able to do"</h3>
            {move || match lines.get() {
                Some(lines) => view! {
                    <ul class="access-preview__lines">
                        {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                    </ul>
                }
                .into_any(),
                None => view! {
                    <p class="muted">"Correct the fields marked above to see what it will be able to do."</p>
                }
                .into_any(),
            }}
        </section>
    }
}
