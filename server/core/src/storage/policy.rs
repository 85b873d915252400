//! The `token_policy` table: one row, what admins allow.

use domain::token::TokenPolicy;
use sqlx::{AnyExecutor, FromRow};

use super::Result;

#[derive(Debug, Clone, FromRow)]
struct PolicyRow {
    max_lifetime_secs: Option<i64>,
    expiry_required: i64,
    api_sets: Option<String>,
    custom_allowed: i64,
}

pub async fn get<'c>(executor: impl AnyExecutor<'c>) -> Result<TokenPolicy> {
    let row: PolicyRow = sqlx::query_as(
        "select max_lifetime_secs, expiry_required, api_sets, custom_allowed \
         from token_policy where policy_id = 1",
    )
    .fetch_one(executor)
    .await?;
    Ok(TokenPolicy {
        max_lifetime_secs: row
            .max_lifetime_secs
            .and_then(|secs| u64::try_from(secs).ok()),
        expiry_required: row.expiry_required != 0,
        api_sets: row
            .api_sets
            .map(|ids| ids.split_whitespace().map(str::to_owned).collect()),
        custom_allowed: row.custom_allowed != 0,
    })
}

pub async fn set<'c>(
    executor: impl AnyExecutor<'c>,
    policy: &TokenPolicy,
    updated_by_login: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "update token_policy set max_lifetime_secs = $1, expiry_required = $2, api_sets = $3, \
         custom_allowed = $4, updated_at = $5, updated_by_login = $6 where policy_id = 1",
    )
    .bind(policy.max_lifetime_secs.map(|secs| secs as i64))
    .bind(i64::from(policy.expiry_required))
    .bind(policy.api_sets.as_ref().map(|ids| ids.join(" ")))
    .bind(i64::from(policy.custom_allowed))
    .bind(now)
    .bind(updated_by_login)
    .execute(executor)
    .await?;
    Ok(())
}
