//! `/admin/policies`: the token policy every path that makes tokens enforces.

use leptos::prelude::*;
use leptos_meta::Title;

use super::people::person_href;
use crate::{
    components::field::TextField,
    components::password_prompt::PasswordPrompt,
    components::token_table::expiry_label,
    server_fns::admin::{load_policy, policy_report, set_policy},
    token::{ComplianceReport, Lifetime, PolicyPage, RateLimit, RotationGrace, TokenPolicy},
};

#[component]
pub fn PoliciesTab() -> impl IntoView {
    let page = Resource::new_blocking(|| (), |()| load_policy());
    // Counts saves: the report is read again after each.
    let saves = RwSignal::new(0_u32);
    let report = Resource::new(move || saves.get(), |_| policy_report());
    view! {
        <Title text="Policies" />
        <Suspense fallback=|| view! { <p class="muted">"Loading the policy…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <PolicyForm page on_saved=Callback::new(move |()| saves.update(|n| *n += 1)) /> }.into_any(),
                    Err(error) => view! { <p class="alert alert--error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <Transition fallback=|| view! { <p class="muted">"Checking existing tokens…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(report) => view! { <Compliance report /> }.into_any(),
                    Err(error) => view! { <p class="alert alert--error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PolicyForm(page: PolicyPage, on_saved: Callback<()>) -> impl IntoView {
    let catalog = page.catalog;
    let saved = RwSignal::new(page.policy.clone());
    let max_lifetime = RwSignal::new(
        page.policy
            .max_lifetime()
            .map(|l| l.to_string())
            .unwrap_or_default(),
    );
    let expiry_required = RwSignal::new(page.policy.expiry_required);
    let all_set_ids: Vec<String> = catalog.sets().iter().map(|s| s.id.clone()).collect();
    let allowed_sets = RwSignal::new(
        page.policy
            .api_sets
            .clone()
            .unwrap_or_else(|| all_set_ids.clone()),
    );
    let custom_allowed = RwSignal::new(page.policy.custom_allowed);
    let owner_rate = RwSignal::new(
        page.policy
            .owner_rate_limit
            .map(|limit| limit.to_string())
            .unwrap_or_default(),
    );
    let ips_required = RwSignal::new(page.policy.allowed_ips_required_for.clone());
    let max_grace = RwSignal::new(
        page.policy
            .max_rotation_grace_secs
            .map(|_| page.policy.max_grace().typed())
            .unwrap_or_default(),
    );
    let grace_error = RwSignal::new(None::<String>);
    let field_error = RwSignal::new(None::<String>);
    let rate_error = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);

    let policy = {
        let all_set_ids = all_set_ids.clone();
        move || -> Result<TokenPolicy, (RwSignal<Option<String>>, String)> {
            let raw = max_lifetime.get();
            let max_lifetime_secs = match raw.trim() {
                "" => None,
                raw => Some(
                    Lifetime::parse(raw)
                        .map_err(|e| (field_error, e.to_string()))?
                        .as_secs(),
                ),
            };
            let owner_rate_limit = RateLimit::parse_optional(&owner_rate.get())
                .map_err(|e| (rate_error, e.to_string()))?;
            let max_rotation_grace_secs = match max_grace.get().trim() {
                "" => None,
                raw => Some(
                    RotationGrace::parse(raw)
                        .map_err(|e| (grace_error, e.to_string()))?
                        .as_secs(),
                ),
            };
            let required = ips_required.get();
            let chosen = allowed_sets.get();
            let api_sets = if all_set_ids.iter().all(|id| chosen.contains(id)) {
                None
            } else {
                // Catalog order.
                Some(
                    all_set_ids
                        .iter()
                        .filter(|id| chosen.contains(id))
                        .cloned()
                        .collect(),
                )
            };
            Ok(TokenPolicy {
                max_lifetime_secs,
                expiry_required: expiry_required.get(),
                api_sets,
                custom_allowed: custom_allowed.get(),
                owner_rate_limit,
                allowed_ips_required_for: all_set_ids
                    .iter()
                    .filter(|id| required.contains(id))
                    .cloned()
                    .collect(),
                max_rotation_grace_secs,
            })
        }
    };
    let submit = {
        let policy = policy.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            notice.set(None);
            field_error.set(None);
            rate_error.set(None);
            grace_error.set(None);
            match policy() {
                Ok(_) => confirming.set(true),
                Err((field, message)) => field.set(Some(message)),
            }
        }
    };
    let on_submit = {
        let policy = policy.clone();
        Callback::new(move |typed: String| {
            let Ok(new) = policy() else { return };
            busy.set(true);
            leptos::task::spawn_local(async move {
                let outcome = set_policy(new, typed).await;
                busy.set(false);
                match outcome {
                    Ok(policy) => {
                        confirming.set(false);
                        saved.set(policy);
                        on_saved.run(());
                        notice.set(Some("The policy is saved. It applies to every token made or changed from now on.".into()));
                    }
                    Err(other) => error.set(Some(other.to_string())),
                }
            });
        })
    };
    let summary_catalog = catalog.clone();

    view! {
        <div class="card policy-current">
            <h2>"In force"</h2>
            <ul>
                {move || saved.get().summary(&summary_catalog).into_iter().map(|line| view! { <li>{line}</li> }).collect::<Vec<_>>()}
            </ul>
        </div>
        {move || notice.get().map(|text| view! { <p class="alert alert--success" role="status">{text}</p> })}
        <form class="card policy-form" on:submit=submit novalidate>
            <h2>"Token policy"</h2>
            <p class="muted">
                "Applies wherever tokens are made or changed: Settings → Access Tokens, the People "
                "panel, the REST API and the command line. Existing tokens keep working as they are."
            </p>
            <TextField
                id="policy-max-lifetime"
                label="Maximum lifetime"
                value=max_lifetime
                class="input--short"
                placeholder="no limit"
                hint=|| "Such as 90d or 12h; empty for no limit. For Auto Refresh tokens, the longest window. A limit also means every token must expire."
                error=field_error
            />
            <label class="checkbox">
                <input
                    type="checkbox"
                    prop:checked=move || expiry_required.get()
                    on:change:target=move |e| expiry_required.set(e.target().checked())
                />
                "Tokens must have an expiry"
            </label>
            <fieldset class="field policy-sets">
                <legend>"API sets people may choose"</legend>
                {catalog.sets().iter().map(|set| {
                    let id = set.id.clone();
                    let toggle_id = id.clone();
                    view! {
                        <label class="checkbox">
                            <input
                                type="checkbox"
                                prop:checked=move || allowed_sets.with(|s| s.contains(&id))
                                on:change:target=move |e| allowed_sets.update(|s| {
                                    s.retain(|x| *x != toggle_id);
                                    if e.target().checked() { s.push(toggle_id.clone()); }
                                })
                            />
                            {set.title.clone()}
                        </label>
                    }
                }).collect::<Vec<_>>()}
                <label class="checkbox">
                    <input
                        type="checkbox"
                        prop:checked=move || custom_allowed.get()
                        on:change:target=move |e| custom_allowed.set(e.target().checked())
                    />
                    "Custom (hand-picked methods)"
                </label>
            </fieldset>
            <TextField
                id="policy-owner-rate-limit"
                label="Calls per person"
                value=owner_rate
                class="input--short"
                placeholder="no limit"
                hint=|| "Such as 600/min or 5000/h, shared by all of one person's tokens (more tokens buy no more calls); empty for no limit. Counted by each server process."
                error=rate_error
            />
            <TextField
                id="policy-max-grace"
                label="Old value after a regeneration"
                value=max_grace
                class="input--short"
                placeholder="7d"
                hint=|| "The longest a regenerated token's old value may keep working, such as 1h or 1d (at most 7d); 0 to stop old values at once; empty for 7 days."
                error=grace_error
            />
            <fieldset class="field policy-sets">
                <legend>"Tokens must list the addresses they are used from, for"</legend>
                {catalog.sets().iter().map(|set| {
                    let id = set.id.clone();
                    let toggle_id = id.clone();
                    view! {
                        <label class="checkbox">
                            <input
                                type="checkbox"
                                prop:checked=move || ips_required.with(|s| s.contains(&id))
                                on:change:target=move |e| ips_required.update(|s| {
                                    s.retain(|x| *x != toggle_id);
                                    if e.target().checked() { s.push(toggle_id.clone()); }
                                })
                            />
                            {set.title.clone()}
                        </label>
                    }
                }).collect::<Vec<_>>()}
            </fieldset>
            <footer class="dialog__footer">
                <span class="toolbar__spacer"></span>
                <button type="submit" class="button button--primary">"Save policy"</button>
            </footer>
        </form>
        {move || confirming.get().then(|| view! {
            <PasswordPrompt
                title="Confirm with your password"
                question="Enter your password to change the token policy.".to_owned()
                action="Confirm"
                busy
                error
                on_submit=on_submit
                on_cancel=Callback::new(move |()| confirming.set(false))
            />
        })}
    }
}

/// The live tokens the saved policy would not allow, with why: a policy applies to tokens
/// made or changed after it, so these keep working until someone acts on them.
#[component]
fn Compliance(report: ComplianceReport) -> impl IntoView {
    let summary = match (report.tokens.len(), report.truncated) {
        (0, _) => format!("All {} live tokens fit the policy.", report.checked),
        (n, false) => format!(
            "{n} of {} live tokens would not be allowed today. They keep working: edit, \
             regenerate or remove them, or tell their owners.",
            report.checked
        ),
        (n, true) => format!(
            "The first {n} tokens that would not be allowed today (more were found). They keep \
             working: edit or remove them, or tell their owners."
        ),
    };
    view! {
        <section class="card compliance" aria-labelledby="compliance-title">
            <h2 id="compliance-title">"Existing tokens outside this policy"</h2>
            <p class="muted">{summary}</p>
            {(!report.tokens.is_empty()).then(|| view! {
                <div class="table-scroll">
                    <table class="data-table" aria-label="Tokens outside the policy">
                        <thead>
                            <tr>
                                <th scope="col">"Owner"</th>
                                <th scope="col">"Token"</th>
                                <th scope="col">"Expires"</th>
                                <th scope="col">"Why"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {report.tokens.into_iter().map(|item| view! {
                                <tr>
                                    <td data-label="Owner"><a href=person_href(&item.token.owner)>{item.token.owner.clone()}</a></td>
                                    <td data-label="Token">
                                        {item.token.description.clone()}
                                        <span class="muted data-table__secondary">{item.token.api_label.clone()}</span>
                                    </td>
                                    <td data-label="Expires">{expiry_label(&item.token)}</td>
                                    <td data-label="Why" class="compliance__why">
                                        <ul>{item.objections.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
