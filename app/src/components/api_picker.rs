//! API: a predefined set or a hand-picked list of methods, grouped by service with a box per
//! group, with Search and Only Checked filters and a link to each method's documentation.

use std::sync::Arc;

use leptos::prelude::*;

use crate::{
    catalog::{ApiMethod, ApiSelection, Catalog, MethodName},
    token::TokenPolicy,
};

const CUSTOM: &str = "custom";

#[component]
pub fn ApiPicker(
    catalog: Arc<Catalog>,
    api: RwSignal<ApiSelection>,
    /// Sets the policy closes are offered disabled (unless already chosen).
    policy: Arc<TokenPolicy>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let custom_allowed = policy.custom_allowed;
    let search = RwSignal::new(String::new());
    let only_checked = RwSignal::new(false);
    let checked = {
        let catalog = catalog.clone();
        Memo::new(move |_| {
            api.with(|selection| {
                catalog
                    .granted(selection)
                    .into_iter()
                    .cloned()
                    .collect::<Vec<MethodName>>()
            })
        })
    };
    let set_checked = {
        let catalog = catalog.clone();
        move |names: Vec<MethodName>| {
            // Catalog order, so lists compare and read the same way every time.
            let ordered = catalog
                .methods()
                .iter()
                .map(|m| m.name.clone())
                .filter(|n| names.contains(n))
                .collect();
            api.set(ApiSelection::Custom(ordered));
        }
    };
    let toggle = {
        let set_checked = set_checked.clone();
        move |name: MethodName, on: bool| {
            let mut names = checked.get();
            names.retain(|n| *n != name);
            if on {
                names.push(name);
            }
            set_checked(names);
        }
    };
    let toggle_group = {
        let set_checked = set_checked.clone();
        move |members: Vec<MethodName>, on: bool| {
            let mut names = checked.get();
            names.retain(|n| !members.contains(n));
            if on {
                names.extend(members);
            }
            set_checked(names);
        }
    };
    let visible = move |method: &ApiMethod| {
        let query = search.get().trim().to_lowercase();
        (!only_checked.get() || checked.with(|c| c.contains(&method.name)))
            && (query.is_empty()
                || method.name.as_str().to_lowercase().contains(&query)
                || method.description.to_lowercase().contains(&query))
    };
    let sets = catalog.sets().to_vec();
    let selected_value = move || match api.get() {
        ApiSelection::Set(id) => id,
        ApiSelection::Custom(_) => CUSTOM.to_owned(),
    };

    // Groups in catalog order: (service title, "service.group", methods).
    let mut groups: Vec<(String, String, Vec<ApiMethod>)> = Vec::new();
    for service in catalog.services() {
        for method in catalog.methods_of(&service.id) {
            let key = format!("{}.{}", method.name.service(), method.name.group());
            match groups.iter_mut().find(|(_, k, _)| *k == key) {
                Some((_, _, methods)) => methods.push(method.clone()),
                None => groups.push((service.title.clone(), key, vec![method.clone()])),
            }
        }
    }

    view! {
        <fieldset class="api-picker">
            <legend>"API"</legend>
            <div class="api-picker__controls">
                <label class="sr-only" for="token-api">"API set"</label>
                <select
                    id="token-api"
                    on:change:target=move |e| {
                        let value = e.target().value();
                        if value == CUSTOM {
                            set_checked(checked.get());
                        } else {
                            api.set(ApiSelection::Set(value));
                        }
                    }
                    prop:value=selected_value
                >
                    {sets.iter().map(|set| {
                        let id = set.id.clone();
                        let closed = !policy.allows_set(&id);
                        let title = if closed { format!("{} (not allowed)", set.title) } else { set.title.clone() };
                        view! {
                            <option
                                value=id.clone()
                                selected=selected_value() == id
                                disabled=move || closed && selected_value() != id
                            >
                                {title}
                            </option>
                        }
                    }).collect::<Vec<_>>()}
                    <option value=CUSTOM disabled=move || !custom_allowed && selected_value() != CUSTOM>
                        {if custom_allowed { "Custom" } else { "Custom (not allowed)" }}
                    </option>
                </select>
                <label class="sr-only" for="token-api-search">"Search"</label>
                <input
                    id="token-api-search"
                    type="search"
                    placeholder="Search"
                    autocomplete="off"
                    prop:value=move || search.get()
                    on:input:target=move |e| search.set(e.target().value())
                />
                <label class="checkbox">
                    <input
                        type="checkbox"
                        prop:checked=move || only_checked.get()
                        on:change:target=move |e| only_checked.set(e.target().checked())
                    />
                    "Only Checked"
                </label>
            </div>
            <p class="field__help muted" aria-live="polite">
                {move || {
                    let n = checked.with(Vec::len);
                    let total = catalog.methods().len();
                    format!("{n} of {total} methods checked")
                }}
            </p>
            <p class="field__error" role="alert">{move || error.get()}</p>
            <div class="api-picker__groups">
                {groups.into_iter().map(|(service_title, key, methods)| {
                    let members: Vec<MethodName> = methods.iter().map(|m| m.name.clone()).collect();
                    let all_members = members.clone();
                    let count_checked = Memo::new(move |_| checked.with(|c| all_members.iter().filter(|m| c.contains(m)).count()));
                    let size = members.len();
                    let group_methods = methods.clone();
                    let any_visible = move || group_methods.iter().any(visible);
                    let toggle_group = toggle_group.clone();
                    let toggle = toggle.clone();
                    let group_id = format!("group-{}", key.replace('.', "-"));
                    view! {
                        <section class="api-group" aria-labelledby=group_id.clone() hidden=move || !any_visible()>
                            <label class="checkbox api-group__title" id=group_id.clone()>
                                <input
                                    type="checkbox"
                                    disabled=!custom_allowed
                                    prop:checked=move || count_checked.get() == size
                                    prop:indeterminate=move || { let n = count_checked.get(); n > 0 && n < size }
                                    on:change:target=move |e| toggle_group(members.clone(), e.target().checked())
                                />
                                <span>{service_title}" · "<code>{key.clone()}</code></span>
                            </label>
                            <ul class="api-group__methods">
                                {methods.into_iter().map(|method| {
                                    let name = method.name.clone();
                                    let shown = method.clone();
                                    let is_checked = { let name = name.clone(); move || checked.with(|c| c.contains(&name)) };
                                    let toggle = toggle.clone();
                                    let input_id = format!("method-{}", name.as_str().replace('.', "-"));
                                    view! {
                                        <li class="api-method" hidden=move || !visible(&shown)>
                                            <input
                                                type="checkbox"
                                                id=input_id.clone()
                                                disabled=!custom_allowed
                                                prop:checked=is_checked
                                                on:change:target=move |e| toggle(name.clone(), e.target().checked())
                                            />
                                            <label for=input_id>
                                                <code>{method.name.method().to_owned()}</code>
                                                <span class="api-method__description">{method.description.clone()}</span>
                                            </label>
                                            <a class="api-method__docs" href=method.docs.clone() target="_blank" rel="noopener">
                                                "API Docs"
                                                <span class="sr-only">{format!(" for {}", method.name)}</span>
                                            </a>
                                        </li>
                                    }
                                }).collect::<Vec<_>>()}
                            </ul>
                        </section>
                    }
                }).collect::<Vec<_>>()}
            </div>
        </fieldset>
    }
}
