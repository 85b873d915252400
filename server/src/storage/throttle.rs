//! The `sign_in_throttle` table: consecutive failed password checks per key.

use sqlx::{AnyExecutor, FromRow};

use super::Result;

#[derive(Debug, Clone, FromRow)]
pub struct ThrottleRow {
    pub throttle_key: String,
    pub failures: i64,
    pub last_failure_at: i64,
}

pub async fn find<'c>(executor: impl AnyExecutor<'c>, keys: [&str; 2]) -> Result<Vec<ThrottleRow>> {
    Ok(sqlx::query_as(
        "select throttle_key, failures, last_failure_at from sign_in_throttle \
         where throttle_key in ($1, $2)",
    )
    .bind(keys[0])
    .bind(keys[1])
    .fetch_all(executor)
    .await?)
}

/// Counts one more failure; a count whose last failure is older than `forget_before`
/// starts again at one.
pub async fn record_failure<'c>(
    executor: impl AnyExecutor<'c>,
    key: &str,
    now: i64,
    forget_before: i64,
) -> Result<()> {
    sqlx::query(
        "insert into sign_in_throttle (throttle_key, failures, last_failure_at) values ($1, 1, $2) \
         on conflict (throttle_key) do update set \
         failures = case when sign_in_throttle.last_failure_at < $3 then 1 \
                         else sign_in_throttle.failures + 1 end, \
         last_failure_at = $2",
    )
    .bind(key)
    .bind(now)
    .bind(forget_before)
    .execute(executor)
    .await?;
    Ok(())
}

pub async fn clear<'c>(executor: impl AnyExecutor<'c>, key: &str) -> Result<()> {
    sqlx::query("delete from sign_in_throttle where throttle_key = $1")
        .bind(key)
        .execute(executor)
        .await?;
    Ok(())
}
