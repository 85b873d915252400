//! `/admin/audit`: everyone's audit events, filtered by actor, subject, kind and days through
//! the address (`?actor=root&from=2026-12-01`), so filters work before hydration and can be
//! shared; paged; exported as CSV by the REST API with the same filters.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::{
    audit::AuditFilters,
    components::{
        audit_table::AuditTable,
        pager::{page_asked, query_value},
    },
    server_fns::audit::admin_audit,
};

/// The filters given, as a query string (without `?`).
fn filters_query(filters: &AuditFilters) -> String {
    [
        ("kind", &filters.kind),
        ("actor", &filters.actor),
        ("subject", &filters.subject),
        ("from", &filters.from),
        ("to", &filters.to),
    ]
    .into_iter()
    .filter(|(_, value)| !value.trim().is_empty())
    .map(|(name, value)| format!("{name}={}", query_value(value.trim())))
    .collect::<Vec<_>>()
    .join("&")
}

/// `/admin/audit?filters&page=N`.
fn audit_href(filters: &AuditFilters, page: u32) -> String {
    let mut query = filters_query(filters);
    if page > 1 {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&format!("page={page}"));
    }
    if query.is_empty() {
        "/admin/audit".to_owned()
    } else {
        format!("/admin/audit?{query}")
    }
}

#[component]
pub fn AuditTab() -> impl IntoView {
    let query_map = use_query_map();
    let filters = move || {
        query_map.with(|q| AuditFilters {
            kind: q.get("kind").unwrap_or_default(),
            actor: q.get("actor").unwrap_or_default(),
            subject: q.get("subject").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
        })
    };
    let page = move || query_map.with(page_asked);
    let events = Resource::new_blocking(
        move || (filters(), page()),
        |(filters, page)| admin_audit(filters, page),
    );
    let field = move |id: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      hint: &'static str,
                      value: fn(&AuditFilters) -> String| {
        view! {
            <div class="field">
                <label for=format!("audit-{id}")>{label}</label>
                <input
                    id=format!("audit-{id}")
                    type=kind
                    name=id
                    placeholder=hint
                    value=move || value(&filters())
                />
            </div>
        }
    };
    let export = move || {
        let query = filters_query(&filters());
        if query.is_empty() {
            "/api/v1/audit?format=csv".to_owned()
        } else {
            format!("/api/v1/audit?format=csv&{query}")
        }
    };
    view! {
        <Title text="Audit log" />
        <Form method="GET" action="/admin/audit" attr:class="card audit-filters" attr:aria-label="Filter events">
            {field("actor", "By (login)", "search", "root", |f| f.actor.clone())}
            {field("subject", "Concerning (login)", "search", "alice", |f| f.subject.clone())}
            {field("kind", "Event kind", "search", "token_created", |f| f.kind.clone())}
            {field("from", "From (UTC)", "text", "dd-mm-yyyy", |f| f.from.clone())}
            {field("to", "To (UTC)", "text", "dd-mm-yyyy", |f| f.to.clone())}
            <div class="audit-filters__actions">
                <button type="submit" class="button button--primary">"Filter"</button>
                <a class="button button--quiet" href="/admin/audit">"Clear"</a>
                <a class="button" href=export download="tessera-audit.csv">"Export CSV"</a>
            </div>
        </Form>
        <Suspense fallback=|| view! { <p class="muted">"Loading events…"</p> }>
            {move || Suspend::new(async move {
                let shown = filters();
                match events.await {
                    Ok(page) => view! {
                        <AuditTable
                            page
                            label="Audit events"
                            empty="No event matches these filters."
                            href=move |n| audit_href(&shown, n)
                        />
                    }.into_any(),
                    Err(error) => view! {
                        <p class="alert alert--error" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_string_carries_only_given_filters_encoded() {
        let filters = AuditFilters {
            kind: "token_created".into(),
            actor: "a b&c".into(),
            ..AuditFilters::default()
        };
        assert_eq!(
            filters_query(&filters),
            "kind=token_created&actor=a%20b%26c"
        );
    }
}
