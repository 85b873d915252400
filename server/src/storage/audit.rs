//! The `audit_events` table.

use sqlx::{AnyExecutor, FromRow};

use super::Result;

pub struct NewAuditEvent<'a> {
    pub now: i64,
    pub action: &'a str,
    pub actor_user_id: Option<i64>,
    pub actor_login: Option<&'a str>,
    pub subject_login: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub detail: Option<&'a str>,
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub occurred_at: i64,
    pub action: String,
    pub actor_login: Option<String>,
    pub subject_login: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

pub async fn insert<'c>(executor: impl AnyExecutor<'c>, event: NewAuditEvent<'_>) -> Result<()> {
    sqlx::query(
        "insert into audit_events (occurred_at, action, actor_user_id, actor_login, \
         subject_login, ip, user_agent, detail) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(event.now)
    .bind(event.action)
    .bind(event.actor_user_id)
    .bind(event.actor_login)
    .bind(event.subject_login)
    .bind(event.ip)
    .bind(event.user_agent)
    .bind(event.detail)
    .execute(executor)
    .await?;
    Ok(())
}

pub async fn recent_for_subject<'c>(
    executor: impl AnyExecutor<'c>,
    subject_login: &str,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    Ok(sqlx::query_as(
        "select occurred_at, action, actor_login, subject_login, ip, user_agent, detail \
         from audit_events where subject_login = $1 order by audit_event_id desc limit $2",
    )
    .bind(subject_login)
    .bind(limit)
    .fetch_all(executor)
    .await?)
}
