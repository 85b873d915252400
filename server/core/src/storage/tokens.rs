//! The `access_tokens` table (digests and settings, never values) and the digests retired by
//! regeneration.

use domain::{
    account::Role,
    catalog::{ApiSelection, MethodName},
    client::ClientInfo,
    token::{AddressRange, Expiry, RateLimit, Scope},
};
use sqlx::{AnyExecutor, FromRow, Row as _, any::AnyRow};

use super::Result;

/// A token with its owner's standing, as every look-up returns it: parsed here, at the edge,
/// so that services never re-read a column's text.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub token_id: i64,
    pub user_id: i64,
    pub hint: String,
    pub description: String,
    pub api: ApiSelection,
    pub scopes: Vec<Scope>,
    pub expiry: Expiry,
    pub created_at: i64,
    pub created_by_login: String,
    pub updated_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
    pub last_used_user_agent: Option<String>,
    pub removed_at: Option<i64>,
    pub owner_login: String,
    pub owner_role: Role,
    pub owner_disabled_at: Option<i64>,
    pub suspended_at: Option<i64>,
    pub max_uses: Option<u64>,
    /// As last read: checks never rely on it (see [`spend_use`]).
    pub uses_left: Option<u64>,
    pub rate_limit: Option<RateLimit>,
    pub allowed_ips: Vec<AddressRange>,
    /// The policy's limit shared by all of the owner's tokens, read with the token so that a
    /// check needs nothing else.
    pub owner_rate_limit: Option<RateLimit>,
    /// While a regeneration's grace period runs: when the previous value stops at the latest.
    pub old_value_expires_at: Option<i64>,
    /// Reported found in public, if it was.
    pub leak: Option<TokenLeak>,
}

/// A secret scanner's report of the token's current value, found in public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLeak {
    pub reported_at: i64,
    pub url: Option<String>,
    pub source: Option<String>,
    /// Since when the report has the token refused (`token_leaked`); `None`: told only.
    pub revoked_at: Option<i64>,
}

/// The columns as stored: space-separated lists, the expiry in three columns.
#[derive(FromRow)]
struct StoredToken {
    token_id: i64,
    user_id: i64,
    hint: String,
    description: String,
    api_set: Option<String>,
    methods: String,
    scopes: String,
    expiration: String,
    expires_at: Option<i64>,
    refresh_window_secs: Option<i64>,
    not_after: Option<i64>,
    created_at: i64,
    created_by_login: String,
    updated_at: i64,
    last_used_at: Option<i64>,
    last_used_ip: Option<String>,
    last_used_user_agent: Option<String>,
    removed_at: Option<i64>,
    owner_login: String,
    #[sqlx(try_from = "String")]
    owner_role: Role,
    owner_disabled_at: Option<i64>,
    suspended_at: Option<i64>,
    max_uses: Option<i64>,
    uses_left: Option<i64>,
    rate_limit: Option<String>,
    allowed_ips: String,
    owner_rate_limit: Option<String>,
    old_value_expires_at: Option<i64>,
    leaked_at: Option<i64>,
    leak_url: Option<String>,
    leak_source: Option<String>,
    leak_revoked_at: Option<i64>,
}

impl<'r> FromRow<'r, AnyRow> for TokenRecord {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        let stored = StoredToken::from_row(row)?;
        let corrupt = |column: &str| sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: format!("token {}: stored value does not parse", stored.token_id).into(),
        };
        let api = match stored.api_set {
            Some(id) => ApiSelection::Set(id),
            None => ApiSelection::Custom(
                split(&stored.methods, MethodName::parse).ok_or_else(|| corrupt("methods"))?,
            ),
        };
        let scopes = split(&stored.scopes, Scope::parse).ok_or_else(|| corrupt("scopes"))?;
        let expiry = Expiry::from_columns(
            &stored.expiration,
            stored.expires_at,
            stored.refresh_window_secs,
            stored.not_after,
        )
        .ok_or_else(|| corrupt("expiration"))?;
        let rate = |column: &str, stored: &Option<String>| {
            stored
                .as_deref()
                .map(|raw| raw.parse::<RateLimit>().map_err(|_| corrupt(column)))
                .transpose()
        };
        let rate_limit = rate("rate_limit", &stored.rate_limit)?;
        let owner_rate_limit = rate("owner_rate_limit", &stored.owner_rate_limit)?;
        let allowed_ips = split(&stored.allowed_ips, |raw| raw.parse::<AddressRange>())
            .ok_or_else(|| corrupt("allowed_ips"))?;
        let count = |stored: Option<i64>| stored.map(|n| u64::try_from(n).unwrap_or(0));
        Ok(Self {
            token_id: stored.token_id,
            user_id: stored.user_id,
            hint: stored.hint,
            description: stored.description,
            api,
            scopes,
            expiry,
            created_at: stored.created_at,
            created_by_login: stored.created_by_login,
            updated_at: stored.updated_at,
            last_used_at: stored.last_used_at,
            last_used_ip: stored.last_used_ip,
            last_used_user_agent: stored.last_used_user_agent,
            removed_at: stored.removed_at,
            owner_login: stored.owner_login,
            owner_role: stored.owner_role,
            owner_disabled_at: stored.owner_disabled_at,
            suspended_at: stored.suspended_at,
            max_uses: count(stored.max_uses),
            uses_left: count(stored.uses_left),
            rate_limit,
            allowed_ips,
            owner_rate_limit,
            old_value_expires_at: stored.old_value_expires_at,
            leak: stored.leaked_at.map(|reported_at| TokenLeak {
                reported_at,
                url: stored.leak_url,
                source: stored.leak_source,
                revoked_at: stored.leak_revoked_at,
            }),
        })
    }
}

fn split<T, E>(list: &str, parse: impl Fn(&str) -> std::result::Result<T, E>) -> Option<Vec<T>> {
    list.split_whitespace()
        .map(|item| parse(item).ok())
        .collect()
}

fn joined<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

const SELECT: &str = "select t.token_id, t.user_id, t.hint, t.description, t.api_set, \
     t.methods, t.scopes, t.expiration, t.expires_at, t.refresh_window_secs, t.not_after, \
     t.created_at, \
     t.created_by_login, t.updated_at, t.last_used_at, t.last_used_ip, t.last_used_user_agent, \
     t.removed_at, u.login as owner_login, u.role as owner_role, \
     u.disabled_at as owner_disabled_at, t.suspended_at, t.max_uses, t.uses_left, \
     t.rate_limit, t.allowed_ips, p.owner_rate_limit, t.old_value_expires_at, \
     t.leaked_at, t.leak_url, t.leak_source, t.leak_revoked_at \
     from access_tokens t join users u on u.user_id = t.user_id \
     join token_policy p on p.policy_id = 1";

/// What a token may do and until when; the same columns for new and edited tokens.
pub struct TokenSettings<'a> {
    pub description: &'a str,
    pub api: &'a ApiSelection,
    pub scopes: &'a [Scope],
    pub expiry: Expiry,
    pub rate_limit: Option<RateLimit>,
    pub allowed_ips: &'a [AddressRange],
    /// `None`: keep the uses as they are (an edit); `Some(None)`: unlimited; `Some(Some(n))`:
    /// a fresh allowance of `n`.
    pub uses: Option<Option<u64>>,
}

/// The settings as columns, in the order both statements bind them.
struct SettingColumns<'a> {
    description: &'a str,
    api_set: Option<&'a str>,
    methods: String,
    scopes: String,
    expiration: &'static str,
    expires_at: Option<i64>,
    refresh_window_secs: Option<i64>,
    not_after: Option<i64>,
    rate_limit: Option<String>,
    allowed_ips: String,
    /// `None`: keep; else the allowance (null: unlimited).
    uses: Option<Option<i64>>,
}

impl<'a> From<&TokenSettings<'a>> for SettingColumns<'a> {
    fn from(settings: &TokenSettings<'a>) -> Self {
        let (api_set, methods) = match settings.api {
            ApiSelection::Set(id) => (Some(id.as_str()), String::new()),
            ApiSelection::Custom(names) => (None, joined(names)),
        };
        Self {
            description: settings.description,
            api_set,
            methods,
            scopes: joined(settings.scopes),
            expiration: settings.expiry.model().as_str(),
            expires_at: settings.expiry.at(),
            refresh_window_secs: settings.expiry.window_secs(),
            not_after: settings.expiry.not_after(),
            rate_limit: settings.rate_limit.map(|limit| limit.to_string()),
            allowed_ips: joined(settings.allowed_ips),
            uses: settings
                .uses
                .map(|uses| uses.map(|n| i64::try_from(n).unwrap_or(i64::MAX))),
        }
    }
}

pub struct NewToken<'a> {
    pub user_id: i64,
    pub digest: &'a str,
    pub hint: &'a str,
    pub settings: TokenSettings<'a>,
    pub created_by_user_id: Option<i64>,
    pub created_by_login: &'a str,
    pub now: i64,
}

pub async fn insert<'c>(executor: impl AnyExecutor<'c>, token: NewToken<'_>) -> Result<i64> {
    let settings = SettingColumns::from(&token.settings);
    let id = sqlx::query_scalar(
        "insert into access_tokens (user_id, token_digest, hint, description, api_set, methods, \
         scopes, expiration, expires_at, refresh_window_secs, created_at, created_by_user_id, \
         created_by_login, updated_at, rate_limit, allowed_ips, max_uses, uses_left, not_after) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $11, $14, $15, $16, \
         $16, $17) returning token_id",
    )
    .bind(token.user_id)
    .bind(token.digest)
    .bind(token.hint)
    .bind(settings.description)
    .bind(settings.api_set)
    .bind(&settings.methods)
    .bind(&settings.scopes)
    .bind(settings.expiration)
    .bind(settings.expires_at)
    .bind(settings.refresh_window_secs)
    .bind(token.now)
    .bind(token.created_by_user_id)
    .bind(token.created_by_login)
    .bind(settings.rate_limit.as_deref())
    .bind(&settings.allowed_ips)
    .bind(settings.uses.flatten())
    .bind(settings.not_after)
    .fetch_one(executor)
    .await?;
    Ok(id)
}

/// The token a presented value's digest names, removed or not.
pub async fn find_by_digest<'c>(
    executor: impl AnyExecutor<'c>,
    digest: &str,
) -> Result<Option<TokenRecord>> {
    let sql = format!("{SELECT} where t.token_digest = $1");
    Ok(sqlx::query_as(&sql)
        .bind(digest)
        .fetch_optional(executor)
        .await?)
}

/// The SQLite counter that moves whenever something a token check reads changes (see the
/// `token_revision` migration).
pub async fn revision<'c>(executor: impl AnyExecutor<'c>) -> Result<i64> {
    Ok(
        sqlx::query_scalar("select revision from token_revision where revision_id = 1")
            .fetch_one(executor)
            .await?,
    )
}

/// A value regeneration replaced: its token, and until when it still works (a grace period
/// still running), if at all.
#[derive(Debug)]
pub struct RetiredValue {
    pub token: TokenRecord,
    pub works_until: Option<i64>,
    /// When its grace was ended early (a new value's first use, a new regeneration).
    pub grace_ended_at: Option<i64>,
}

/// The token whose earlier value this digest was, if it was regenerated away.
pub async fn find_retired<'c>(
    executor: impl AnyExecutor<'c>,
    digest: &str,
) -> Result<Option<RetiredValue>> {
    let sql = format!(
        "select found.*, r.works_until, r.grace_ended_at from ({SELECT}) found \
         join retired_token_digests r on r.token_id = found.token_id \
         where r.token_digest = $1"
    );
    let Some(row) = sqlx::query(&sql)
        .bind(digest)
        .fetch_optional(executor)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(RetiredValue {
        token: TokenRecord::from_row(&row)?,
        works_until: row.try_get("works_until")?,
        grace_ended_at: row.try_get("grace_ended_at")?,
    }))
}

pub async fn find<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
    token_id: i64,
) -> Result<Option<TokenRecord>> {
    let sql = format!("{SELECT} where t.user_id = $1 and t.token_id = $2");
    Ok(sqlx::query_as(&sql)
        .bind(user_id)
        .bind(token_id)
        .fetch_optional(executor)
        .await?)
}

/// Which of a user's tokens a list shows: removed ones only when asked (admins see history).
fn owned_by(include_removed: bool) -> &'static str {
    if include_removed {
        "t.user_id = $1"
    } else {
        "t.user_id = $1 and t.removed_at is null"
    }
}

/// `limit` of a user's tokens, newest first, after skipping `offset`.
pub async fn list_for_user<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
    include_removed: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<TokenRecord>> {
    let sql = format!(
        "{SELECT} where {} order by t.token_id desc limit $2 offset $3",
        owned_by(include_removed)
    );
    Ok(sqlx::query_as(&sql)
        .bind(user_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(executor)
        .await?)
}

pub async fn count_for_user<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
    include_removed: bool,
) -> Result<i64> {
    let sql = format!(
        "select count(*) from access_tokens t where {}",
        owned_by(include_removed)
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(user_id)
        .fetch_one(executor)
        .await?)
}

/// Everyone's live tokens of owners not disabled, in id order after `after` (a keyset page).
pub async fn live_after<'c>(
    executor: impl AnyExecutor<'c>,
    after: i64,
    limit: i64,
) -> Result<Vec<TokenRecord>> {
    let sql = format!(
        "{SELECT} where t.removed_at is null and u.disabled_at is null and t.token_id > $1 \
         order by t.token_id limit $2"
    );
    Ok(sqlx::query_as(&sql)
        .bind(after)
        .bind(limit)
        .fetch_all(executor)
        .await?)
}

/// A user's live tokens that may need attention: reported leaked, ending by `ends_by` (or
/// ended), or neither used nor made since `idle_since`. A superset of those that do: a use still in memory may
/// show one of them to be in use or renewed.
pub async fn attention_candidates<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
    ends_by: i64,
    idle_since: i64,
) -> Result<Vec<TokenRecord>> {
    let sql = format!(
        "{SELECT} where t.user_id = $1 and t.removed_at is null \
         and (t.expires_at <= $2 or coalesce(t.last_used_at, t.created_at) <= $3 \
         or t.leaked_at is not null)"
    );
    Ok(sqlx::query_as(&sql)
        .bind(user_id)
        .bind(ends_by)
        .bind(idle_since)
        .fetch_all(executor)
        .await?)
}

/// A user's live tokens whose expiry or absolute end falls between `from` and `to`: a
/// superset of those whose end is near (a use still in memory may have renewed some).
pub async fn ending_between<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
    from: i64,
    to: i64,
) -> Result<Vec<TokenRecord>> {
    let sql = format!(
        "{SELECT} where t.user_id = $1 and t.removed_at is null \
         and ((t.expires_at > $2 and t.expires_at <= $3) \
             or (t.not_after > $2 and t.not_after <= $3)) \
         order by t.token_id"
    );
    Ok(sqlx::query_as(&sql)
        .bind(user_id)
        .bind(from)
        .bind(to)
        .fetch_all(executor)
        .await?)
}

/// Replaces a live token's settings; false when it is gone or removed.
pub async fn update_settings<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
    settings: TokenSettings<'_>,
    now: i64,
) -> Result<bool> {
    let settings = SettingColumns::from(&settings);
    let refill = if settings.uses.is_some() {
        ", max_uses = $13, uses_left = $13"
    } else {
        ""
    };
    let sql = format!(
        "update access_tokens set description = $2, api_set = $3, methods = $4, scopes = $5, \
         expiration = $6, expires_at = $7, refresh_window_secs = $8, updated_at = $9, \
         rate_limit = $10, allowed_ips = $11, not_after = $12{refill} \
         where token_id = $1 and removed_at is null"
    );
    let mut query = sqlx::query(&sql)
        .bind(token_id)
        .bind(settings.description)
        .bind(settings.api_set)
        .bind(&settings.methods)
        .bind(&settings.scopes)
        .bind(settings.expiration)
        .bind(settings.expires_at)
        .bind(settings.refresh_window_secs)
        .bind(now)
        .bind(settings.rate_limit.as_deref())
        .bind(&settings.allowed_ips)
        .bind(settings.not_after);
    if let Some(uses) = settings.uses {
        query = query.bind(uses);
    }
    let done = query.execute(executor).await?;
    Ok(done.rows_affected() == 1)
}

/// Suspends (`Some(at)`) or resumes (`None`) a live token; false when it is not live or is
/// already so.
pub async fn set_suspended<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
    suspended_at: Option<i64>,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "update access_tokens set suspended_at = $2, updated_at = $3 \
         where token_id = $1 and removed_at is null \
         and (suspended_at is null) = ($2 is not null)",
    )
    .bind(token_id)
    .bind(suspended_at)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes one of a limited token's uses: `Some(left)` after it, `Some(None)` when the token is
/// unlimited after all (an edit the caller had not seen), `None` when none were left. One
/// statement, so concurrent calls on any number of servers take each use once.
pub async fn spend_use<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
) -> Result<Option<Option<i64>>> {
    Ok(sqlx::query_scalar(
        "update access_tokens set uses_left = uses_left - 1 \
         where token_id = $1 and (uses_left is null or uses_left > 0) returning uses_left",
    )
    .bind(token_id)
    .fetch_optional(executor)
    .await?)
}

pub async fn current_digest<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "select token_digest from access_tokens where token_id = $1 and removed_at is null",
    )
    .bind(token_id)
    .fetch_optional(executor)
    .await?)
}

/// A value swapped in by regeneration.
pub struct NewValue<'a> {
    pub old_digest: &'a str,
    pub digest: &'a str,
    pub hint: &'a str,
    /// Until when the old value keeps working; `None`: it stops now.
    pub old_value_works_until: Option<i64>,
}

/// Swaps the digest if it is still `old_digest` (a concurrent regeneration makes this false)
/// and notes how long the old value keeps working.
pub async fn replace_digest<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
    value: &NewValue<'_>,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "update access_tokens set token_digest = $3, hint = $4, updated_at = $5, \
         old_value_expires_at = $6, leaked_at = null, leak_url = null, leak_source = null, \
         leak_revoked_at = null \
         where token_id = $1 and token_digest = $2 and removed_at is null",
    )
    .bind(token_id)
    .bind(value.old_digest)
    .bind(value.digest)
    .bind(value.hint)
    .bind(now)
    .bind(value.old_value_works_until)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Keeps a replaced value's digest, so that its use is refused with a precise reason, or
/// allowed until `works_until`.
pub async fn retire_digest<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
    digest: &str,
    works_until: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "insert into retired_token_digests (token_digest, token_id, retired_at, works_until) \
         values ($1, $2, $3, $4) on conflict (token_digest) do nothing",
    )
    .bind(digest)
    .bind(token_id)
    .bind(now)
    .bind(works_until)
    .execute(executor)
    .await?;
    Ok(())
}

/// Ends every grace period of the token's earlier values (a new regeneration, or the new
/// value's first use); false when none was running. `works_until` goes without an instant,
/// so that no server whose clock lags can read it as still running; `grace_ended_at` only
/// tells, later, that the value once had a grace.
pub async fn end_grace(
    executor: &mut sqlx::AnyConnection,
    token_id: i64,
    now: i64,
) -> Result<bool> {
    sqlx::query(
        "update retired_token_digests set works_until = null, grace_ended_at = $2 \
         where token_id = $1 and works_until is not null",
    )
    .bind(token_id)
    .bind(now)
    .execute(&mut *executor)
    .await?;
    let done = sqlx::query(
        "update access_tokens set old_value_expires_at = null \
         where token_id = $1 and old_value_expires_at is not null",
    )
    .bind(token_id)
    .execute(&mut *executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Notes a report of the token's value found in public; with `revoked_at`, the token is
/// refused from then on (an earlier revocation stands).
/// Only while `digest` is still the token's value (a regeneration racing the report wins);
/// false when it no longer is.
pub async fn mark_leaked(
    executor: &mut sqlx::AnyConnection,
    token_id: i64,
    digest: &str,
    leak: &TokenLeak,
) -> Result<bool> {
    let done = sqlx::query(
        "update access_tokens set leaked_at = $2, leak_url = $3, leak_source = $4, \
         leak_revoked_at = coalesce(leak_revoked_at, $5) \
         where token_id = $1 and token_digest = $6",
    )
    .bind(token_id)
    .bind(leak.reported_at)
    .bind(leak.url.as_deref())
    .bind(leak.source.as_deref())
    .bind(leak.revoked_at)
    .bind(digest)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The ids of a user's live tokens.
pub async fn live_ids<'c>(executor: impl AnyExecutor<'c>, user_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "select token_id from access_tokens where user_id = $1 and removed_at is null \
         order by token_id",
    )
    .bind(user_id)
    .fetch_all(executor)
    .await?)
}

/// Marks a live token removed; false when it was not live.
pub async fn mark_removed<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
    removed_by_login: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "update access_tokens set removed_at = $2, removed_by_login = $3, updated_at = $2 \
         where token_id = $1 and removed_at is null",
    )
    .bind(token_id)
    .bind(now)
    .bind(removed_by_login)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a use, never moving `last_used_at` back (replicas flush in any order), and stores
/// the auto-refresh expiry the use slid to (`Expiry::after_use`), unless an edit has changed
/// the token's expiry model or window since.
pub async fn record_use<'c>(
    executor: impl AnyExecutor<'c>,
    token_id: i64,
    at: i64,
    client: &ClientInfo,
    expiry_after: Expiry,
) -> Result<()> {
    let (slid_to, window) = match expiry_after {
        Expiry::AutoRefresh {
            at, window_secs, ..
        } => (Some(at), Some(window_secs)),
        _ => (None, None),
    };
    sqlx::query(
        "update access_tokens set last_used_at = $2, last_used_ip = $3, \
         last_used_user_agent = $4, \
         expires_at = case when expiration = 'auto_refresh' and refresh_window_secs = $6 \
             and $5 > expires_at then \
                 case when not_after < $5 then not_after else $5 end \
             else expires_at end \
         where token_id = $1 and (last_used_at is null or last_used_at < $2)",
    )
    .bind(token_id)
    .bind(at)
    .bind(client.ip.as_deref())
    .bind(client.user_agent.as_deref())
    .bind(slid_to)
    .bind(window)
    .execute(executor)
    .await?;
    Ok(())
}
