//! The `sessions` table, looked up by the digest of the cookie value.

use domain::account::Role;
use sqlx::{AnyExecutor, FromRow};

use super::Result;

pub struct NewSession<'a> {
    pub token_digest: &'a str,
    pub user_id: i64,
    pub now: i64,
    pub expires_at: i64,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// A session joined with its user, as the authentication check needs it.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub session_id: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub disabled_at: Option<i64>,
}

pub async fn insert<'c>(executor: impl AnyExecutor<'c>, session: NewSession<'_>) -> Result<()> {
    sqlx::query(
        "insert into sessions (token_digest, user_id, created_at, last_seen_at, expires_at, ip, \
         user_agent) values ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(session.token_digest)
    .bind(session.user_id)
    .bind(session.now)
    .bind(session.expires_at)
    .bind(session.ip)
    .bind(session.user_agent)
    .execute(executor)
    .await?;
    Ok(())
}

pub async fn find_by_digest<'c>(
    executor: impl AnyExecutor<'c>,
    token_digest: &str,
) -> Result<Option<SessionRow>> {
    Ok(sqlx::query_as(
        "select s.session_id, s.last_seen_at, s.expires_at, u.user_id, u.login, u.display_name, \
         u.email, u.role, u.disabled_at from sessions s join users u on u.user_id = s.user_id \
         where s.token_digest = $1",
    )
    .bind(token_digest)
    .fetch_optional(executor)
    .await?)
}

pub async fn touch<'c>(executor: impl AnyExecutor<'c>, session_id: i64, now: i64) -> Result<()> {
    sqlx::query("update sessions set last_seen_at = $1 where session_id = $2")
        .bind(now)
        .bind(session_id)
        .execute(executor)
        .await?;
    Ok(())
}

pub async fn delete<'c>(executor: impl AnyExecutor<'c>, session_id: i64) -> Result<()> {
    sqlx::query("delete from sessions where session_id = $1")
        .bind(session_id)
        .execute(executor)
        .await?;
    Ok(())
}

pub async fn delete_by_digest<'c>(
    executor: impl AnyExecutor<'c>,
    token_digest: &str,
) -> Result<()> {
    sqlx::query("delete from sessions where token_digest = $1")
        .bind(token_digest)
        .execute(executor)
        .await?;
    Ok(())
}

pub async fn delete_for_user<'c>(executor: impl AnyExecutor<'c>, user_id: i64) -> Result<u64> {
    let done = sqlx::query("delete from sessions where user_id = $1")
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(done.rows_affected())
}

/// Ends every session of a user but `keep` (the one that changed the password, if any).
pub async fn delete_for_user_except<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
    keep: Option<i64>,
) -> Result<u64> {
    let done = sqlx::query("delete from sessions where user_id = $1 and session_id <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(-1))
        .execute(executor)
        .await?;
    Ok(done.rows_affected())
}
