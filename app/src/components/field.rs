use leptos::prelude::*;

/// A labelled text or password input bound to a signal.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    /// The `name` posted by the form without JavaScript (defaults to `id`).
    #[prop(optional)]
    name: Option<&'static str>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=name.unwrap_or(id)
                type=input_type
                autocomplete=autocomplete
                autofocus=autofocus
                required
                bind:value=value
            />
        </div>
    }
}
