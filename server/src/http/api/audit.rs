//! `/api/v1/me/audit` (the caller's own events) and `/api/v1/audit` (everyone's, admins;
//! `format=csv` exports them): the audit log, newest first, paged and filtered.

use app::{audit::AuditFilters, calendar::format_rfc3339};
use axum::{
    Json, Router,
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;

use super::{
    ApiError,
    extract::{Admin, Caller, GetTokens},
    tokens::page_numbers,
};
use crate::{
    services::{
        Services,
        audit::{AuditPage, AuditQuery, AuditRow},
    },
    state::AppState,
};

const DEFAULT_PER_PAGE: u32 = 50;
const MAX_PER_PAGE: u32 = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/audit", get(mine))
        .route("/api/v1/audit", get(everyone))
}

/// Filters as typed in a query string (see [`AuditFilters`]), with paging and the format.
#[derive(Deserialize, Default)]
struct Filters {
    page: Option<String>,
    per_page: Option<String>,
    kind: Option<String>,
    actor: Option<String>,
    subject: Option<String>,
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

impl Filters {
    fn paging(&self) -> Result<(u32, u32), ApiError> {
        page_numbers(&self.page, &self.per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE)
    }

    fn query(&self) -> Result<AuditQuery, ApiError> {
        let typed = |value: &Option<String>| value.clone().unwrap_or_default();
        AuditFilters {
            kind: typed(&self.kind),
            actor: typed(&self.actor),
            subject: typed(&self.subject),
            from: typed(&self.from),
            to: typed(&self.to),
        }
        .decide()
        .map(AuditQuery::from)
        .map_err(ApiError::InvalidQuery)
    }
}

fn page_answer(page: AuditPage) -> Response {
    Json(serde_json::json!({
        "events": page.events,
        "page": page.paging.page,
        "per_page": page.paging.per_page,
        "total": page.paging.total,
    }))
    .into_response()
}

async fn mine(
    State(services): State<Services>,
    caller: Caller<GetTokens>,
    Query(filters): Query<Filters>,
) -> Result<Response, ApiError> {
    let (page, per_page) = filters.paging()?;
    let query = filters.query()?;
    let owner = caller.owner();
    let events = services
        .audit
        .of_person(owner.login(), query, page, per_page)
        .await?;
    Ok(page_answer(events))
}

async fn everyone(
    State(services): State<Services>,
    admin: Admin<GetTokens>,
    Query(filters): Query<Filters>,
) -> Result<Response, ApiError> {
    let query = filters.query()?;
    // Checked even for CSV, which ignores them: a wrong parameter is never silently dropped.
    let (page, per_page) = filters.paging()?;
    match filters.format.as_deref() {
        Some("csv") => {
            let rows = services.audit.export(&admin.proof, &query).await?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"tessera-audit.csv\"",
                    ),
                ],
                csv(&rows),
            )
                .into_response())
        }
        None | Some("json") => {
            let events = services
                .audit
                .of_everyone(&admin.proof, &query, page, per_page)
                .await?;
            Ok(page_answer(events))
        }
        Some(other) => Err(ApiError::InvalidQuery(format!(
            "format is json or csv, not “{other}”."
        ))),
    }
}

/// RFC 4180, every field quoted; a field a spreadsheet would run as a formula (`=`, `+`, `-`,
/// `@`) starts with `'`.
fn csv(rows: &[AuditRow]) -> String {
    let field = |value: &str| {
        let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{value}")
        } else {
            value.to_owned()
        };
        format!("\"{}\"", value.replace('"', "\"\""))
    };
    let mut out = String::from("occurred_at,action,actor,subject,ip,user_agent,detail\r\n");
    for row in rows {
        let fields = [
            format_rfc3339(row.occurred_at),
            row.action.clone(),
            row.actor_login.clone().unwrap_or_default(),
            row.subject_login.clone().unwrap_or_default(),
            row.ip.clone().unwrap_or_default(),
            row.user_agent.clone().unwrap_or_default(),
            row.detail.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_every_field_and_defuses_formulas() {
        let row = AuditRow {
            id: 1,
            occurred_at: 0,
            action: "sign_in_failed".into(),
            actor_login: None,
            subject_login: Some("=cmd|' /C calc'!A0".into()),
            ip: Some("192.0.2.1".into()),
            user_agent: Some("curl \"8\"".into()),
            detail: None,
        };
        let text = csv(&[row]);
        let line = text.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "\"1970-01-01T00:00:00Z\",\"sign_in_failed\",\"\",\"'=cmd|' /C calc'!A0\",\
             \"192.0.2.1\",\"curl \"\"8\"\"\",\"\""
        );
    }
}
