use leptos::{html, prelude::*};

/// A labelled input whose text mirrors into `value`.
///
/// The input is not driven by the signal: the server renders the initial value, typing
/// updates the signal, and on hydration the signal takes whatever was typed before the page
/// became interactive, so nothing typed early is lost.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(element) = input.get() {
            let typed = element.value();
            if typed != value.get_untracked() {
                value.set(typed);
            }
        }
    });
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                node_ref=input
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                autofocus=autofocus
                required
                value=value.get_untracked()
                on:input:target=move |event| value.set(event.target().value())
            />
        </div>
    }
}
