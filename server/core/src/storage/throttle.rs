//! The `sign_in_throttle` table: consecutive failed password checks per key.

use domain::status::StorageEngine;
use sqlx::{Any, AnyExecutor, FromRow, Transaction};

use super::Result;

#[derive(Debug, Clone, FromRow)]
pub struct ThrottleRow {
    pub throttle_key: String,
    pub failures: i64,
    pub last_failure_at: i64,
}

/// The rows of `keys`, locked until `tx` ends, so that what is read is what the next write in
/// `tx` builds on. SQLite's write transactions (`begin immediate`) already exclude each other;
/// PostgreSQL needs the rows to exist and be locked.
pub async fn lock(
    tx: &mut Transaction<'static, Any>,
    engine: StorageEngine,
    keys: [&str; 2],
) -> Result<Vec<ThrottleRow>> {
    let select = match engine {
        StorageEngine::Sqlite => {
            "select throttle_key, failures, last_failure_at from sign_in_throttle \
             where throttle_key in ($1, $2)"
        }
        StorageEngine::Postgres => {
            for key in keys {
                sqlx::query(
                    "insert into sign_in_throttle (throttle_key, failures, last_failure_at) \
                     values ($1, 0, 0) on conflict (throttle_key) do nothing",
                )
                .bind(key)
                .execute(&mut **tx)
                .await?;
            }
            "select throttle_key, failures, last_failure_at from sign_in_throttle \
             where throttle_key in ($1, $2) order by throttle_key for update"
        }
    };
    Ok(sqlx::query_as(select)
        .bind(keys[0])
        .bind(keys[1])
        .fetch_all(&mut **tx)
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

/// Takes back one failure counted in advance for an attempt that succeeded.
pub async fn take_back_failure<'c>(executor: impl AnyExecutor<'c>, key: &str) -> Result<()> {
    sqlx::query(
        "update sign_in_throttle set failures = case when failures > 0 then failures - 1 \
         else 0 end where throttle_key = $1",
    )
    .bind(key)
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
