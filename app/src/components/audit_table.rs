//! A page of audit events as a table (Settings → Security and `/admin/audit`), with its pager.

use leptos::prelude::*;

use super::{
    pager::{Pager, rows_shown},
    token_table::date_time,
};
use crate::audit::{AuditEvent, AuditEventPage};

/// `token_created` → "Token created".
pub fn action_label(action: &str) -> String {
    let mut words = action.replace('_', " ");
    if let Some(first) = words.get(..1) {
        let upper = first.to_uppercase();
        words.replace_range(..1, &upper);
    }
    words
}

#[component]
fn EventRow(event: AuditEvent) -> impl IntoView {
    view! {
        <tr data-action=event.action.clone()>
            <td data-label="When (UTC)">{date_time(event.occurred_at)}</td>
            <td data-label="Event">{action_label(&event.action)}</td>
            <td data-label="By">{event.actor_login.unwrap_or_else(|| "system".to_owned())}</td>
            <td data-label="Concerning">{event.subject_login.unwrap_or_default()}</td>
            <td data-label="Address">{event.ip.unwrap_or_default()}</td>
            <td data-label="User agent" class="audit-table__agent" title=event.user_agent.clone()>
                {event.user_agent.clone().unwrap_or_default()}
            </td>
            <td data-label="Detail" class="audit-table__detail" title=event.detail.clone()>
                {event.detail.clone().unwrap_or_default()}
            </td>
        </tr>
    }
}

#[component]
pub fn AuditTable(
    page: AuditEventPage,
    label: &'static str,
    /// What to say when there is nothing to list.
    empty: &'static str,
    href: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    if page.events.is_empty() {
        return view! { <p class="card empty-state">{empty}</p> }.into_any();
    }
    let summary = rows_shown("Events", &page.paging);
    view! {
        <div class="table-scroll">
            <table class="data-table audit-table" aria-label=label>
                <thead>
                    <tr>
                        <th scope="col">"When (UTC)"</th>
                        <th scope="col">"Event"</th>
                        <th scope="col">"By"</th>
                        <th scope="col">"Concerning"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"User agent"</th>
                        <th scope="col">"Detail"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.events.into_iter().map(|event| view! { <EventRow event /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager paging=page.paging summary href />
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_as_words() {
        assert_eq!(action_label("token_created"), "Token created");
        assert_eq!(action_label("sign_in_failed"), "Sign in failed");
        assert_eq!(action_label(""), "");
    }
}
