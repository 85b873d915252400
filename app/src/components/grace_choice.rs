//! "Keep the old value working for": the grace period a regeneration gives the value it
//! replaces, chosen from the dashboard's short list.

use leptos::prelude::*;

use crate::token::{GRACE_CHOICES, RotationGrace};

/// `grace` holds the chosen value as the server parses it (`""` for no time, `1h`, ...);
/// only the choices within `longest` (the policy's) are offered.
#[component]
pub fn GraceChoice(grace: RwSignal<String>, longest: RotationGrace) -> impl IntoView {
    view! {
        <div class="field">
            <label for="regenerate-grace">"Keep the old value working for"</label>
            <select
                id="regenerate-grace"
                aria-describedby="regenerate-grace-help"
                prop:value=move || grace.get()
                on:change:target=move |e| grace.set(e.target().value())
            >
                {GRACE_CHOICES
                    .iter()
                    .filter(|(_, value)| RotationGrace::parse(value).is_ok_and(|g| g <= longest))
                    .map(|(label, value)| view! { <option value=*value>{*label}</option> })
                    .collect_view()}
            </select>
            <p class="field__help muted" id="regenerate-grace-help">
                "Both values work until then, or until the new value is first used, whichever \
                 comes first; after that only the new one does."
            </p>
        </div>
    }
}
