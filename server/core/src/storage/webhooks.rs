//! The `webhooks` table (endpoints), the `webhook_deliveries` outbox and the
//! `webhook_notices` that keep each token end announced once.

use sqlx::{AnyExecutor, FromRow};

use super::Result;

/// An endpoint as stored, with the login and standing of whoever registered it.
#[derive(Clone, FromRow)]
pub struct WebhookRow {
    pub webhook_id: i64,
    pub user_id: i64,
    pub owner_login: String,
    pub url: String,
    pub events: String,
    pub lead_times: String,
    pub all_people: i64,
    pub secret: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
    pub owner_role: String,
    pub owner_disabled_at: Option<i64>,
}

impl WebhookRow {
    /// Whether it hears of events now: not removed, its owner enabled, and an endpoint for
    /// everyone's tokens only while its owner is an admin.
    pub fn hears(&self) -> bool {
        self.removed_at.is_none()
            && self.owner_disabled_at.is_none()
            && (self.all_people == 0 || self.owner_role == "admin")
    }
}

/// Without the signing secret.
impl std::fmt::Debug for WebhookRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookRow")
            .field("webhook_id", &self.webhook_id)
            .field("owner_login", &self.owner_login)
            .field("url", &self.url)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

const SELECT_WEBHOOK: &str = "select w.webhook_id, w.user_id, u.login as owner_login, w.url, \
     w.events, w.lead_times, w.all_people, w.secret, w.created_at, w.removed_at, \
     u.role as owner_role, u.disabled_at as owner_disabled_at \
     from webhooks w join users u on u.user_id = w.user_id";

pub struct NewWebhook<'a> {
    pub user_id: i64,
    pub url: &'a str,
    /// Event names separated by spaces.
    pub events: &'a str,
    /// Seconds separated by spaces.
    pub lead_times: &'a str,
    pub all_people: bool,
    pub secret: &'a str,
    pub now: i64,
}

pub async fn insert<'c>(executor: impl AnyExecutor<'c>, webhook: NewWebhook<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "insert into webhooks (user_id, url, events, lead_times, all_people, secret, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7) returning webhook_id",
    )
    .bind(webhook.user_id)
    .bind(webhook.url)
    .bind(webhook.events)
    .bind(webhook.lead_times)
    .bind(i64::from(webhook.all_people))
    .bind(webhook.secret)
    .bind(webhook.now)
    .fetch_one(executor)
    .await?)
}

/// The user's live endpoints, oldest first.
pub async fn list_for_user<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
) -> Result<Vec<WebhookRow>> {
    let sql = format!(
        "{SELECT_WEBHOOK} where w.user_id = $1 and w.removed_at is null order by w.webhook_id"
    );
    Ok(sqlx::query_as(&sql)
        .bind(user_id)
        .fetch_all(executor)
        .await?)
}

/// Every endpoint that hears of events now (see [`WebhookRow::hears`]).
pub async fn list_live<'c>(executor: impl AnyExecutor<'c>) -> Result<Vec<WebhookRow>> {
    let sql = format!(
        "{SELECT_WEBHOOK} where w.removed_at is null and u.disabled_at is null \
         and (w.all_people = 0 or u.role = 'admin') order by w.webhook_id"
    );
    Ok(sqlx::query_as(&sql).fetch_all(executor).await?)
}

pub async fn find<'c>(
    executor: impl AnyExecutor<'c>,
    webhook_id: i64,
) -> Result<Option<WebhookRow>> {
    let sql = format!("{SELECT_WEBHOOK} where w.webhook_id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(webhook_id)
        .fetch_optional(executor)
        .await?)
}

/// Removes a live endpoint of the user; its pending deliveries stop. False when not live.
pub async fn mark_removed<'c>(
    executor: impl AnyExecutor<'c>,
    webhook_id: i64,
    user_id: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "update webhooks set removed_at = $3 \
         where webhook_id = $1 and user_id = $2 and removed_at is null",
    )
    .bind(webhook_id)
    .bind(user_id)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Queues `event` about a token of `owner_user_id` for every live endpoint that hears of it:
/// the owner's own, and the admins' for everyone's. How many deliveries were queued.
pub async fn enqueue_token_event<'c>(
    executor: impl AnyExecutor<'c>,
    owner_user_id: i64,
    event: &str,
    payload: &str,
    now: i64,
) -> Result<u64> {
    let done = sqlx::query(
        "insert into webhook_deliveries (webhook_id, event, payload, created_at, next_attempt_at) \
         select w.webhook_id, $2, $3, $4, $4 from webhooks w \
         join users u on u.user_id = w.user_id \
         where w.removed_at is null and u.disabled_at is null \
         and (w.user_id = $1 or (w.all_people = 1 and u.role = 'admin')) \
         and (' ' || w.events || ' ') like ('% ' || $2 || ' %')",
    )
    .bind(owner_user_id)
    .bind(event)
    .bind(payload)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(done.rows_affected())
}

/// Queues one delivery for one endpoint (an expiry notice, a redelivery); its id.
pub async fn enqueue<'c>(
    executor: impl AnyExecutor<'c>,
    webhook_id: i64,
    event: &str,
    payload: &str,
    now: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "insert into webhook_deliveries (webhook_id, event, payload, created_at, next_attempt_at) \
         values ($1, $2, $3, $4, $4) returning delivery_id",
    )
    .bind(webhook_id)
    .bind(event)
    .bind(payload)
    .bind(now)
    .fetch_one(executor)
    .await?)
}

/// Whether `kind` of the token's end at `token_end` was announced to the endpoint (a read, so
/// that a scan that finds nothing new takes no write lock).
pub async fn notice_exists<'c>(
    executor: impl AnyExecutor<'c>,
    webhook_id: i64,
    token_id: i64,
    kind: &str,
    token_end: i64,
) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "select webhook_id from webhook_notices \
         where webhook_id = $1 and token_id = $2 and kind = $3 and token_end = $4",
    )
    .bind(webhook_id)
    .bind(token_id)
    .bind(kind)
    .bind(token_end)
    .fetch_optional(executor)
    .await?;
    Ok(found.is_some())
}

/// Notes that `kind` of the token's end at `token_end` was announced to the endpoint; false
/// when it already was (by this server or another).
pub async fn record_notice<'c>(
    executor: impl AnyExecutor<'c>,
    webhook_id: i64,
    token_id: i64,
    kind: &str,
    token_end: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "insert into webhook_notices (webhook_id, token_id, kind, token_end) \
         values ($1, $2, $3, $4) on conflict do nothing",
    )
    .bind(webhook_id)
    .bind(token_id)
    .bind(kind)
    .bind(token_end)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A live token whose end (a hard limit, or an absolute end) falls in a scanned window.
#[derive(Debug, Clone, FromRow)]
pub struct EndingToken {
    pub token_id: i64,
    pub user_id: i64,
    pub owner_login: String,
    pub description: String,
    pub hint: String,
    pub token_end: i64,
}

/// Forgets deliveries that ended (delivered, or given up) before `ended_before`, and notices of
/// token ends before `ends_before` (no scan looks that far back); how many rows went.
pub async fn prune(
    executor: &mut sqlx::AnyConnection,
    ended_before: i64,
    ends_before: i64,
) -> Result<u64> {
    let deliveries = sqlx::query(
        "delete from webhook_deliveries \
         where coalesce(delivered_at, gave_up_at) < $1",
    )
    .bind(ended_before)
    .execute(&mut *executor)
    .await?;
    let notices = sqlx::query("delete from webhook_notices where token_end < $1")
        .bind(ends_before)
        .execute(&mut *executor)
        .await?;
    Ok(deliveries.rows_affected() + notices.rows_affected())
}

/// Live tokens of enabled owners whose end falls after `from` and by `to`.
pub async fn tokens_ending<'c>(
    executor: impl AnyExecutor<'c>,
    from: i64,
    to: i64,
) -> Result<Vec<EndingToken>> {
    Ok(sqlx::query_as(
        "select t.token_id, t.user_id, u.login as owner_login, t.description, t.hint, \
         case when t.expiration = 'hard_limit' then t.expires_at else t.not_after end \
             as token_end \
         from access_tokens t join users u on u.user_id = t.user_id \
         where t.removed_at is null and u.disabled_at is null \
         and ((t.expiration = 'hard_limit' and t.expires_at > $1 and t.expires_at <= $2) \
             or (t.expiration = 'auto_refresh' and t.not_after > $1 and t.not_after <= $2))",
    )
    .bind(from)
    .bind(to)
    .fetch_all(executor)
    .await?)
}

/// A delivery as stored.
#[derive(Debug, Clone, FromRow)]
pub struct DeliveryRow {
    pub delivery_id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub payload: String,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    pub gave_up_at: Option<i64>,
}

const SELECT_DELIVERY: &str = "select delivery_id, webhook_id, event, payload, created_at, \
     next_attempt_at, attempts, last_status, last_error, delivered_at, gave_up_at \
     from webhook_deliveries";

/// Deliveries waiting for an attempt at `now`, the oldest first.
pub async fn due<'c>(
    executor: impl AnyExecutor<'c>,
    now: i64,
    limit: i64,
) -> Result<Vec<DeliveryRow>> {
    let sql = format!(
        "{SELECT_DELIVERY} where delivered_at is null and gave_up_at is null \
         and next_attempt_at <= $1 order by next_attempt_at, delivery_id limit $2"
    );
    Ok(sqlx::query_as(&sql)
        .bind(now)
        .bind(limit)
        .fetch_all(executor)
        .await?)
}

/// Takes a due delivery for this server until `lease_until`, if no other server took it
/// since it was read (its `next_attempt_at` still `seen`).
pub async fn claim<'c>(
    executor: impl AnyExecutor<'c>,
    delivery_id: i64,
    seen: i64,
    lease_until: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "update webhook_deliveries set next_attempt_at = $3 \
         where delivery_id = $1 and next_attempt_at = $2 \
         and delivered_at is null and gave_up_at is null",
    )
    .bind(delivery_id)
    .bind(seen)
    .bind(lease_until)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How an attempt went.
pub struct Attempt<'a> {
    pub status: Option<u16>,
    pub error: Option<&'a str>,
    /// `Some`: delivered at; `None`: not.
    pub delivered_at: Option<i64>,
    /// The next attempt, when there is one.
    pub next_attempt_at: Option<i64>,
    /// When retries stop without a delivery.
    pub gave_up_at: Option<i64>,
}

/// Records an attempt made under the lease `lease`; nothing when another server took the
/// delivery since (its lease ran out), which then records its own.
pub async fn record_attempt<'c>(
    executor: impl AnyExecutor<'c>,
    delivery_id: i64,
    lease: i64,
    attempt: &Attempt<'_>,
) -> Result<()> {
    sqlx::query(
        "update webhook_deliveries set attempts = attempts + 1, last_status = $2, \
         last_error = $3, delivered_at = $4, gave_up_at = $5, \
         next_attempt_at = coalesce($6, next_attempt_at) \
         where delivery_id = $1 and next_attempt_at = $7",
    )
    .bind(delivery_id)
    .bind(attempt.status.map(i64::from))
    .bind(attempt.error)
    .bind(attempt.delivered_at)
    .bind(attempt.gave_up_at)
    .bind(attempt.next_attempt_at)
    .bind(lease)
    .execute(executor)
    .await?;
    Ok(())
}

/// The endpoint's latest deliveries, newest first.
pub async fn recent_for_webhook<'c>(
    executor: impl AnyExecutor<'c>,
    webhook_id: i64,
    limit: i64,
) -> Result<Vec<DeliveryRow>> {
    let sql = format!("{SELECT_DELIVERY} where webhook_id = $1 order by delivery_id desc limit $2");
    Ok(sqlx::query_as(&sql)
        .bind(webhook_id)
        .bind(limit)
        .fetch_all(executor)
        .await?)
}

pub async fn find_delivery<'c>(
    executor: impl AnyExecutor<'c>,
    delivery_id: i64,
) -> Result<Option<DeliveryRow>> {
    let sql = format!("{SELECT_DELIVERY} where delivery_id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(delivery_id)
        .fetch_optional(executor)
        .await?)
}
