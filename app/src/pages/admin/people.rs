//! `/admin/people`: users, searched and paged through the address (`?q=ann&page=2`), so the
//! list works before hydration and links can be shared; a dialog creates a user.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Form,
    hooks::{use_navigate, use_query_map},
};

use crate::{
    account::{NewPersonForm, PeoplePage, PeopleQuery, PersonSummary, Role},
    calendar::format_dmy,
    components::{
        modal::Modal,
        pager::{Pager, page_asked, query_value, thousands},
        password_prompt::PasswordPrompt,
    },
    server_fns::admin::{create_person, load_people},
};

/// `/admin/people?q=...&page=...`, with empty parts left out.
fn people_href(search: &str, page: u32) -> String {
    let mut parts = Vec::new();
    if !search.is_empty() {
        parts.push(format!("q={}", query_value(search)));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        "/admin/people".to_owned()
    } else {
        format!("/admin/people?{}", parts.join("&"))
    }
}

pub fn person_href(login: &str) -> String {
    format!("/admin/people/{}", query_value(login))
}

pub fn status_badge(person: &PersonSummary) -> impl IntoView + use<> {
    if person.disabled {
        view! { <span class="badge badge--muted">"Disabled"</span> }
    } else {
        view! { <span class="badge badge--ok">"Active"</span> }
    }
}

#[component]
pub fn PeopleTab() -> impl IntoView {
    let query_map = use_query_map();
    let query = move || {
        query_map.with(|q| PeopleQuery {
            search: q.get("q").unwrap_or_default(),
            page: page_asked(q),
        })
    };
    let people = Resource::new_blocking(query, load_people);
    let creating = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    view! {
        <Title text="People" />
        <div class="toolbar">
            <Form method="GET" action="/admin/people" attr:class="search-form" attr:role="search">
                <label class="sr-only" for="people-search">"Search people"</label>
                <input
                    id="people-search"
                    type="search"
                    name="q"
                    placeholder="Login, name or email"
                    value=move || query().search
                />
                <button type="submit" class="button">"Search"</button>
            </Form>
            <span class="toolbar__spacer"></span>
            <button type="button" class="button button--primary" on:click=move |_| creating.set(true)>
                "New user"
            </button>
        </div>
        {move || notice.get().map(|text| view! { <p class="alert alert--success" role="status">{text}</p> })}
        <Suspense fallback=|| view! { <p class="muted">"Loading people…"</p> }>
            {move || Suspend::new(async move {
                match people.await {
                    Ok(page) => view! { <PeopleTable page search=query().search /> }.into_any(),
                    Err(error) => view! { <p class="alert alert--error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        {move || creating.get().then(|| view! {
            <NewPersonDialog
                on_close=Callback::new(move |()| creating.set(false))
                on_created=Callback::new(move |person: PersonSummary| {
                    creating.set(false);
                    notice.set(Some(format!("Created {}.", person.login)));
                    people.refetch();
                })
            />
        })}
    }
}

#[component]
fn PeopleTable(page: PeoplePage, search: String) -> impl IntoView {
    let summary = match (page.paging.total, search.is_empty()) {
        (0, false) => format!("Nobody matches “{search}”."),
        (1, _) => "1 person".to_owned(),
        (n, _) => format!("{} people", thousands(n)),
    };
    view! {
        <div class="table-scroll">
            <table class="data-table" aria-label="People">
                <thead>
                    <tr>
                        <th scope="col">"Login"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="numeric">"Tokens"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.people.into_iter().map(|person| view! {
                        <tr>
                            <td data-label="Login"><a href=person_href(&person.login)>{person.login.clone()}</a></td>
                            <td data-label="Name">
                                {person.display_name.clone()}
                                <span class="muted data-table__secondary">{person.email.clone()}</span>
                            </td>
                            <td data-label="Role">{match person.role { Role::Admin => "Admin", Role::User => "User" }}</td>
                            <td data-label="Status">{status_badge(&person)}</td>
                            <td data-label="Tokens" class="numeric">{person.tokens}</td>
                            <td data-label="Created">{format_dmy(person.created_at)}</td>
                        </tr>
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
        </div>
        <Pager paging=page.paging summary href=move |n| people_href(&search, n) />
    }
}

#[component]
fn NewPersonDialog(on_close: Callback<()>, on_created: Callback<PersonSummary>) -> impl IntoView {
    let login = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let admin = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let form = move || NewPersonForm {
        login: login.get(),
        display_name: name.get(),
        email: email.get(),
        password: password.get(),
        role: if admin.get() { Role::Admin } else { Role::User },
    };
    let local_error = move || {
        let form = form();
        crate::account::Login::parse(&form.login)
            .err()
            .map(|e| e.to_string())
            .or_else(|| {
                crate::account::Password::new(form.password)
                    .err()
                    .map(|e| e.to_string())
            })
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        form_error.set(local_error());
        if form_error.with(Option::is_none) {
            confirming.set(true);
        }
    };
    let navigate = use_navigate();
    let on_submit = Callback::new(move |typed: String| {
        busy.set(true);
        let form = form();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let outcome = create_person(form, typed).await;
            busy.set(false);
            match outcome {
                Ok(person) => {
                    confirming.set(false);
                    let href = person_href(&person.login);
                    on_created.run(person);
                    navigate(&href, Default::default());
                }
                Err(crate::error::ServerError::Invalid(message)) => {
                    confirming.set(false);
                    form_error.set(Some(message));
                }
                Err(other) => error.set(Some(other.to_string())),
            }
        });
    });
    view! {
        <Modal labelled_by="person-dialog-title" on_close>
            <form class="dialog__body" on:submit=submit novalidate>
                <header class="dialog__header">
                    <h2 id="person-dialog-title">"New user"</h2>
                    <button type="button" class="dialog__close" aria-label="Close" on:click=move |_| on_close.run(())>"×"</button>
                </header>
                <div class="field">
                    <label for="person-login">"Login"</label>
                    <input id="person-login" type="text" autocomplete="off" prop:value=move || login.get()
                        on:input:target=move |e| login.set(e.target().value()) />
                </div>
                <div class="field">
                    <label for="person-name">"Name"</label>
                    <input id="person-name" type="text" autocomplete="off" prop:value=move || name.get()
                        on:input:target=move |e| name.set(e.target().value()) />
                </div>
                <div class="field">
                    <label for="person-email">"Email"</label>
                    <input id="person-email" type="email" autocomplete="off" prop:value=move || email.get()
                        on:input:target=move |e| email.set(e.target().value()) />
                </div>
                <div class="field">
                    <label for="person-password">"Initial password"</label>
                    <input id="person-password" type="password" autocomplete="new-password" prop:value=move || password.get()
                        on:input:target=move |e| password.set(e.target().value())
                        aria-describedby="person-password-help" />
                    <p class="field__help muted" id="person-password-help">"Give it to the person; they can change it under Settings → Account."</p>
                </div>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || admin.get() on:change:target=move |e| admin.set(e.target().checked()) />
                    "Administrator"
                </label>
                <p class="field__error" role="alert">{move || form_error.get()}</p>
                <footer class="dialog__footer">
                    <span class="toolbar__spacer"></span>
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button button--primary">"Create"</button>
                </footer>
            </form>
        </Modal>
        {move || confirming.get().then(|| view! {
            <PasswordPrompt
                title="Confirm with your password"
                question=format!("Enter your password to create the user {}.", login.get_untracked())
                action="Confirm"
                busy
                error
                on_submit
                on_cancel=Callback::new(move |()| confirming.set(false))
            />
        })}
    }
}
