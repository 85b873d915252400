//! The `audit_events` table.

use sqlx::AnyExecutor;

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
