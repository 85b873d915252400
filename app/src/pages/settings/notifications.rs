//! Settings → Notifications: webhook endpoints that hear of your tokens' events (an admin's
//! may hear of everyone's), each with its latest deliveries and Redeliver; adding one asks for
//! the password and shows its signing secret once.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{
        field::TextField, modal::Modal, password_prompt::PasswordPrompt, token_table::date_time,
    },
    server_fns::webhooks::{load_notifications, redeliver, register_webhook, remove_webhook},
    webhook::{
        DeliveryView, NotificationsPage, RegisteredWebhook, WebhookEvent, WebhookInput,
        WebhookView, format_lead_times,
    },
};

/// A change waiting for the password.
#[derive(Clone, Debug, PartialEq)]
enum Pending {
    Add(WebhookInput),
    Remove(i64),
}

#[component]
pub fn NotificationsTab() -> impl IntoView {
    let page = Resource::new_blocking(|| (), |()| load_notifications());
    // Outlives the reload a change triggers, so its message stays.
    let notice = RwSignal::new(None::<String>);
    view! {
        <Title text="Notifications" />
        <Suspense fallback=|| view! { <p class="muted">"Loading your endpoints…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(loaded) => view! {
                        <Notifications loaded notice reload=Callback::new(move |()| page.refetch()) />
                    }.into_any(),
                    Err(error) => view! {
                        <p class="alert alert--error" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Notifications(
    loaded: NotificationsPage,
    notice: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let pending = RwSignal::new(None::<Pending>);
    let revealed = RwSignal::new(None::<RegisteredWebhook>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let admin = loaded.admin;
    let apply = Callback::new(move |password: String| {
        let Some(change) = pending.get_untracked() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome = match change {
                Pending::Add(input) => register_webhook(input, password).await.map(|registered| {
                    revealed.set(Some(registered));
                    None
                }),
                Pending::Remove(id) => remove_webhook(id, password).await.map(|()| {
                    Some("The endpoint was removed: nothing more is sent to it.".to_owned())
                }),
            };
            busy.set(false);
            match outcome {
                // The list reloads once the secret is put away: reloading now would take the
                // dialog (this component's) with it.
                Ok(None) => pending.set(None),
                Ok(Some(message)) => {
                    pending.set(None);
                    notice.set(Some(message));
                    reload.run(());
                }
                Err(other) => error.set(Some(other.to_string())),
            }
        });
    });
    let endpoints = loaded
        .webhooks
        .into_iter()
        .map(|(webhook, deliveries)| {
            view! {
                <Endpoint
                    webhook
                    deliveries
                    on_remove=Callback::new(move |id| pending.set(Some(Pending::Remove(id))))
                    notice
                    reload
                />
            }
        })
        .collect_view();
    view! {
        <p class="muted">
            "Tessera posts JSON to these endpoints when your tokens expire or are about to, are "
            "regenerated or removed, when a replaced value is used after its grace period, or "
            "when a secret scanner finds one in public. "
            "Each delivery is signed with the endpoint's secret (header "
            <code>"Tessera-Signature"</code>
            "); it never contains a token's value. Failed deliveries are retried for 24 hours."
        </p>
        {move || notice.get().map(|text| view! { <p class="alert alert--success" role="status">{text}</p> })}
        {endpoints}
        <AddEndpoint admin on_add=Callback::new(move |input| pending.set(Some(Pending::Add(input)))) />
        {move || pending.get().map(|change| view! {
            <PasswordPrompt
                title="Confirm with your password"
                question=match change {
                    Pending::Add(_) => "Enter your password to add the endpoint.".to_owned(),
                    Pending::Remove(_) => "Remove this endpoint? Nothing more is sent to it. Enter your password to continue.".to_owned(),
                }
                action=match change { Pending::Add(_) => "Add", Pending::Remove(_) => "Remove" }
                danger=matches!(change, Pending::Remove(_))
                busy
                error
                on_submit=apply
                on_cancel=Callback::new(move |()| { error.set(None); pending.set(None) })
            />
        })}
        {move || revealed.get().map(|registered| view! {
            <SecretDialog
                registered
                on_close=Callback::new(move |()| {
                    revealed.set(None);
                    reload.run(());
                })
            />
        })}
    }
}

#[component]
fn Endpoint(
    webhook: WebhookView,
    deliveries: Vec<DeliveryView>,
    on_remove: Callback<i64>,
    notice: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let id = webhook.id;
    let events = webhook
        .events
        .iter()
        .map(|event| event.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let heard = webhook
        .events
        .contains(&WebhookEvent::TokenExpiring)
        .then(|| {
            format!(
                " · expiring: {} before",
                format_lead_times(&webhook.lead_times_secs)
            )
        });
    let redeliver_one = move |delivery_id: i64| {
        leptos::task::spawn_local(async move {
            match redeliver(delivery_id).await {
                Ok(_) => notice.set(Some("Sent again as a new delivery.".to_owned())),
                Err(error) => notice.set(Some(error.to_string())),
            }
            reload.run(());
        });
    };
    let rows = deliveries
        .into_iter()
        .map(|delivery| {
            let delivery_id = delivery.id;
            view! {
                <tr>
                    <td data-label="Event"><code>{delivery.event.as_str()}</code></td>
                    <td data-label="Made">{date_time(delivery.created_at)}</td>
                    <td data-label="Result">{delivery_result(&delivery)}</td>
                    <td data-label="">
                        <button
                            type="button"
                            class="button button--small"
                            aria-label=format!("Redeliver delivery {delivery_id}")
                            on:click=move |_| redeliver_one(delivery_id)
                        >
                            "Redeliver"
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card endpoint" aria-label=format!("Endpoint {}", webhook.url)>
            <div class="toolbar">
                <div class="endpoint__what">
                    <code class="endpoint__url">{webhook.url.clone()}</code>
                    <span class="muted">
                        {if webhook.all_people { "Everyone's tokens" } else { "Your tokens" }}
                        " · added " {date_time(webhook.created_at)}
                    </span>
                    <span class="muted">{events}{heard}</span>
                </div>
                <span class="toolbar__spacer"></span>
                <button type="button" class="button" on:click=move |_| on_remove.run(id)>"Remove"</button>
            </div>
            <div class="table-scroll">
                <table class="data-table deliveries">
                    <caption class="sr-only">{format!("Latest deliveries to {}", webhook.url)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Event"</th>
                            <th scope="col">"Made"</th>
                            <th scope="col">"Result"</th>
                            <th scope="col"><span class="sr-only">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// "200 · delivered", "503 · retrying (attempt 2)", "failed after 9 attempts", "pending".
fn delivery_result(delivery: &DeliveryView) -> String {
    let answer = delivery
        .last_status
        .map(|status| format!("{status} · "))
        .or_else(|| {
            delivery
                .last_error
                .clone()
                .map(|error| format!("{error} · "))
        })
        .unwrap_or_default();
    match delivery.state() {
        "delivered" => format!("{answer}delivered"),
        "failed" => format!("{answer}failed after {}", attempts(delivery.attempts)),
        "retrying" => format!("{answer}retrying after {}", attempts(delivery.attempts)),
        _ => "pending".to_owned(),
    }
}

fn attempts(n: u32) -> String {
    if n == 1 {
        "1 attempt".to_owned()
    } else {
        format!("{n} attempts")
    }
}

#[component]
fn AddEndpoint(admin: bool, on_add: Callback<WebhookInput>) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let lead_times = RwSignal::new(String::new());
    let events = RwSignal::new(WebhookEvent::ALL.to_vec());
    let all_people = RwSignal::new(false);
    let errors = RwSignal::new(crate::webhook::WebhookInputErrors::default());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let input = WebhookInput {
            url: url.get(),
            events: events.get().iter().map(|e| e.as_str().to_owned()).collect(),
            lead_times: lead_times.get(),
            all_people: all_people.get(),
        };
        if events.with(Vec::is_empty) {
            errors.set(crate::webhook::WebhookInputErrors {
                events: Some("Choose at least one event.".to_owned()),
                ..Default::default()
            });
            return;
        }
        match input.decide() {
            Ok(_) => {
                errors.set(Default::default());
                on_add.run(input);
            }
            Err(found) => errors.set(*found),
        }
    };
    view! {
        <form class="card endpoint-form" on:submit=submit novalidate>
            <h2>"Add an endpoint"</h2>
            <TextField
                id="webhook-url"
                label="URL"
                value=url
                placeholder="https://ci.example.com/hooks/tessera"
                error=Signal::derive(move || errors.with(|e| e.url.clone()))
            />
            <fieldset class="field endpoint-form__events">
                <legend>"Events"</legend>
                {WebhookEvent::ALL.into_iter().map(|event| view! {
                    <label class="checkbox">
                        <input
                            type="checkbox"
                            prop:checked=move || events.with(|chosen| chosen.contains(&event))
                            on:change:target=move |e| events.update(|chosen| {
                                chosen.retain(|x| *x != event);
                                if e.target().checked() { chosen.push(event); }
                            })
                        />
                        <code>{event.as_str()}</code>
                        <span class="muted">" — " {event.description()}</span>
                    </label>
                }).collect_view()}
                <p class="field__error" role="alert">{move || errors.with(|e| e.events.clone())}</p>
            </fieldset>
            <TextField
                id="webhook-lead-times"
                label="Announce expiry this long before"
                value=lead_times
                class="input--short"
                placeholder="7d 1d"
                hint=|| "Up to five durations, such as 7d 1d (the default) or 3d 12h; at most 30d."
                error=Signal::derive(move || errors.with(|e| e.lead_times.clone()))
            />
            {admin.then(|| view! {
                <label class="checkbox">
                    <input
                        type="checkbox"
                        prop:checked=move || all_people.get()
                        on:change:target=move |e| all_people.set(e.target().checked())
                    />
                    "For everyone's tokens (admins), not only yours"
                </label>
            })}
            <footer class="dialog__footer">
                <span class="toolbar__spacer"></span>
                <button type="submit" class="button button--primary">"Add endpoint"</button>
            </footer>
        </form>
    }
}

/// The new endpoint's signing secret, shown once.
#[component]
fn SecretDialog(registered: RegisteredWebhook, on_close: Callback<()>) -> impl IntoView {
    view! {
        <Modal labelled_by="secret-title" on_close=on_close>
            <div class="dialog__body">
                <header class="dialog__header">
                    <h2 id="secret-title">"Your endpoint's signing secret"</h2>
                </header>
                <p>
                    "Deliveries to " <code>{registered.webhook.url.clone()}</code> " are signed with it. "
                    <strong>"Save it now: it will not be displayed again."</strong>
                </p>
                <label class="sr-only" for="webhook-secret">"Signing secret"</label>
                <input
                    id="webhook-secret"
                    class="token-value"
                    type="text"
                    readonly
                    value=registered.secret.clone()
                    on:focus:target=move |e| e.target().select()
                />
                <footer class="dialog__footer">
                    <span class="toolbar__spacer"></span>
                    <button type="button" class="button button--primary" autofocus on:click=move |_| on_close.run(())>
                        "Done"
                    </button>
                </footer>
            </div>
        </Modal>
    }
}
