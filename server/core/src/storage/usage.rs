//! Tokens' call counts per day, method, environment and outcome, and the addresses they came
//! from (`token_usage`, `token_sources`): added to in batches, read for one token at a time.

use domain::token::{SOURCES_KEPT, UsageCount, UsageSource};
use sqlx::{AnyExecutor, Row};

use super::Result;

/// One day's count of a token's calls with one method, environment and outcome (`method` and
/// `env` empty when the call named none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountOf {
    pub day: i64,
    pub method: String,
    pub env: String,
    pub outcome: &'static str,
}

pub async fn add_calls<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
    count: &CountOf,
    calls: u64,
) -> Result<()> {
    sqlx::query(
        "insert into token_usage (token_id, day, method, env, outcome, calls) \
         values ($1, $2, $3, $4, $5, $6) \
         on conflict (token_id, day, method, env, outcome) \
         do update set calls = token_usage.calls + excluded.calls",
    )
    .bind(token_id)
    .bind(count.day)
    .bind(&count.method)
    .bind(&count.env)
    .bind(count.outcome)
    .bind(i64::try_from(calls).unwrap_or(i64::MAX))
    .execute(executor)
    .await?;
    Ok(())
}

/// An address and user agent a token came from (empty when not given).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceOf {
    pub ip: String,
    pub user_agent: String,
}

/// `calls` uses between `first` and `last` (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub first: i64,
    pub last: i64,
    pub calls: u64,
}

pub async fn add_source<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
    source: &SourceOf,
    seen: Seen,
) -> Result<()> {
    sqlx::query(
        "insert into token_sources (token_id, ip, user_agent, first_seen, last_seen, calls) \
         values ($1, $2, $3, $4, $5, $6) \
         on conflict (token_id, ip, user_agent) do update set \
         first_seen = case when excluded.first_seen < token_sources.first_seen \
             then excluded.first_seen else token_sources.first_seen end, \
         last_seen = case when excluded.last_seen > token_sources.last_seen \
             then excluded.last_seen else token_sources.last_seen end, \
         calls = token_sources.calls + excluded.calls",
    )
    .bind(token_id)
    .bind(&source.ip)
    .bind(&source.user_agent)
    .bind(seen.first)
    .bind(seen.last)
    .bind(i64::try_from(seen.calls).unwrap_or(i64::MAX))
    .execute(executor)
    .await?;
    Ok(())
}

/// Keeps a token's [`SOURCES_KEPT`] sources seen last.
pub async fn trim_sources<'c>(executor: impl AnyExecutor<'c>, token_id: i64) -> Result<()> {
    sqlx::query(
        "delete from token_sources where token_id = $1 and last_seen < ( \
             select last_seen from token_sources where token_id = $1 \
             order by last_seen desc limit 1 offset $2)",
    )
    .bind(token_id)
    .bind((SOURCES_KEPT - 1) as i64)
    .execute(executor)
    .await?;
    Ok(())
}

/// Drops counts of days before `day`.
pub async fn prune_before<'c>(executor: impl AnyExecutor<'c>, day: i64) -> Result<()> {
    sqlx::query("delete from token_usage where day < $1")
        .bind(day)
        .execute(executor)
        .await?;
    Ok(())
}

/// A token's counts from `since` (a day) on.
pub async fn counts<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
    since: i64,
) -> Result<Vec<UsageCount>> {
    let rows = sqlx::query(
        "select day, method, env, outcome, calls from token_usage \
         where token_id = $1 and day >= $2",
    )
    .bind(token_id)
    .bind(since)
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(UsageCount {
                day: row.try_get("day")?,
                method: row.try_get("method")?,
                env: row.try_get("env")?,
                outcome: row.try_get("outcome")?,
                calls: row.try_get::<i64, _>("calls")?.max(0) as u64,
            })
        })
        .collect()
}

pub async fn sources<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
) -> Result<Vec<UsageSource>> {
    let rows = sqlx::query(
        "select ip, user_agent, first_seen, last_seen, calls from token_sources \
         where token_id = $1 order by last_seen desc limit $2",
    )
    .bind(token_id)
    .bind(SOURCES_KEPT as i64)
    .fetch_all(executor)
    .await?;
    let given = |text: String| (!text.is_empty()).then_some(text);
    rows.iter()
        .map(|row| {
            Ok(UsageSource {
                ip: given(row.try_get("ip")?),
                user_agent: given(row.try_get("user_agent")?),
                first_seen: row.try_get("first_seen")?,
                last_seen: row.try_get("last_seen")?,
                calls: row.try_get::<i64, _>("calls")?.max(0) as u64,
            })
        })
        .collect()
}
