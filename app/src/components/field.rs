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

/// A field's hint and its error slot, ids `{id}-help` and `{id}-error`: the input names both in
/// `aria-describedby` (see [`described_by`]), and the error is announced when it appears.
#[component]
pub fn FieldMessages(
    id: &'static str,
    #[prop(default = None)] hint: Option<ViewFn>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        {hint.map(|hint| view! { <p class="field__help muted" id=format!("{id}-help")>{hint.run()}</p> })}
        <p class="field__error" id=format!("{id}-error") role="alert">{move || error.get()}</p>
    }
}

/// The `aria-describedby` of an input with [`FieldMessages`].
pub fn described_by(id: &str, has_hint: bool) -> String {
    if has_hint {
        format!("{id}-help {id}-error")
    } else {
        format!("{id}-error")
    }
}

/// A labelled text input driven by `value`, with an optional hint and an error slot.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional, into)] hint: Option<ViewFn>,
    #[prop(optional)] placeholder: &'static str,
    /// `input--short` for a duration, say.
    #[prop(optional)]
    class: &'static str,
    #[prop(default = 1024)] maxlength: usize,
) -> impl IntoView {
    let describedby = described_by(id, hint.is_some());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="text"
                autocomplete="off"
                class=class
                maxlength=maxlength
                placeholder=placeholder
                prop:value=move || value.get()
                on:input:target=move |e| value.set(e.target().value())
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=describedby
            />
            <FieldMessages id hint error />
        </div>
    }
}
