//! The `token_policy` table: one row, what admins allow.

use domain::token::{RateLimit, TokenPolicy};
use sqlx::{AnyExecutor, FromRow};

use super::Result;

#[derive(Debug, Clone, FromRow)]
struct PolicyRow {
    max_lifetime_secs: Option<i64>,
    expiry_required: i64,
    api_sets: Option<String>,
    custom_allowed: i64,
    owner_rate_limit: Option<String>,
    allowed_ips_required_for: String,
    max_rotation_grace_secs: Option<i64>,
}

pub async fn get<'c>(executor: impl AnyExecutor<'c>) -> Result<TokenPolicy> {
    let row: PolicyRow = sqlx::query_as(
        "select max_lifetime_secs, expiry_required, api_sets, custom_allowed, \
         owner_rate_limit, allowed_ips_required_for, max_rotation_grace_secs \
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
        owner_rate_limit: row
            .owner_rate_limit
            .as_deref()
            .map(str::parse::<RateLimit>)
            .transpose()
            .map_err(|_| sqlx::Error::ColumnDecode {
                index: "owner_rate_limit".into(),
                source: "stored value does not parse".into(),
            })?,
        allowed_ips_required_for: row
            .allowed_ips_required_for
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        max_rotation_grace_secs: row
            .max_rotation_grace_secs
            .and_then(|secs| u64::try_from(secs).ok()),
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
         custom_allowed = $4, updated_at = $5, updated_by_login = $6, owner_rate_limit = $7, \
         allowed_ips_required_for = $8, max_rotation_grace_secs = $9 where policy_id = 1",
    )
    .bind(policy.max_lifetime_secs.map(|secs| secs as i64))
    .bind(i64::from(policy.expiry_required))
    .bind(policy.api_sets.as_ref().map(|ids| ids.join(" ")))
    .bind(i64::from(policy.custom_allowed))
    .bind(now)
    .bind(updated_by_login)
    .bind(policy.owner_rate_limit.map(|limit| limit.to_string()))
    .bind(policy.allowed_ips_required_for.join(" "))
    .bind(
        policy
            .max_rotation_grace_secs
            .map(|secs| i64::try_from(secs).unwrap_or(i64::MAX)),
    )
    .execute(executor)
    .await?;
    Ok(())
}
