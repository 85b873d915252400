//! Webhooks: endpoints that people (for their own tokens) and admins (for everyone's)
//! register to hear of token events; the outbox of deliveries, filled in the transactions of
//! the changes they announce; and the worker that signs, sends and retries them.

mod address;
mod delivery;
pub mod events;
mod scan;

use std::time::Duration;

use domain::{
    account::Role,
    client::ClientInfo,
    webhook::{
        DeliveryView, NotificationsPage, RegisteredWebhook, WebhookEvent, WebhookInput,
        WebhookInputErrors, WebhookView,
    },
};

pub use delivery::{RETRY_FOR_SECS, SIGNATURE_HEADER, backoff_secs, signature};

use super::{
    accounts::{AccountError, Confirmed, SessionUser},
    audit::{self, Action, Event},
    tokens::TokenGrant,
};
use crate::{
    auth::secret,
    clock,
    storage::{
        Database, StorageError,
        webhooks::{self, DeliveryRow, NewWebhook, WebhookRow},
    },
};

/// How long a delivered or abandoned delivery stays listed (30 days).
pub const KEPT_FOR_SECS: i64 = 30 * 86_400;
/// Deliveries a list shows per endpoint.
pub const DELIVERIES_SHOWN: i64 = 20;
/// How often a server looks for due deliveries, and for token ends to announce.
const DELIVERY_POLL: Duration = Duration::from_secs(1);
const SCAN_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("There is no such webhook.")]
    NotFound,
    #[error("{}", .0.summary())]
    Input(Box<WebhookInputErrors>),
    /// Where the URL points is not allowed (or cannot be found).
    #[error("{0}")]
    Address(String),
    #[error("Only administrators can register a webhook for everyone's tokens.")]
    NotAdmin,
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

pub type Result<T, E = WebhookError> = std::result::Result<T, E>;

/// Whose endpoints a call reads or changes: always the caller's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookOwner {
    user_id: i64,
    login: String,
    admin: bool,
}

impl WebhookOwner {
    pub fn of_session(session: &SessionUser) -> Self {
        Self {
            user_id: session.user_id,
            login: session.user.login.clone(),
            admin: session.user.role == Role::Admin,
        }
    }

    pub fn of_grant(grant: &TokenGrant) -> Self {
        Self {
            user_id: grant.user_id,
            login: grant.login.clone(),
            admin: grant.role == Role::Admin,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.admin
    }
}

#[derive(Clone, Debug)]
pub struct WebhookService {
    database: Database,
    /// Whether endpoints may point at loopback, private and link-local addresses (tests, and
    /// operators whose receivers are inside their network).
    allow_private: bool,
}

impl WebhookService {
    pub fn new(database: Database, allow_private: bool) -> Self {
        Self {
            database,
            allow_private,
        }
    }

    pub fn allowing_private(mut self, allow: bool) -> Self {
        self.allow_private = allow;
        self
    }

    /// Registers an endpoint; its signing secret is in the answer, once.
    pub async fn register(
        &self,
        owner: &WebhookOwner,
        input: &WebhookInput,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<RegisteredWebhook> {
        let decided = self.decide(owner, input).await?;
        let secret = format!("whsec_{}", secret::random_token(32));
        let events = decided
            .events()
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let lead_times = decided
            .lead_times_secs()
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        let now = clock::now();
        let mut tx = self.database.begin_write().await?;
        let webhook_id = webhooks::insert(
            &mut *tx,
            NewWebhook {
                user_id: owner.user_id,
                url: decided.url().as_str(),
                events: &events,
                lead_times: &lead_times,
                all_people: decided.all_people(),
                secret: &secret,
                now,
            },
        )
        .await?;
        let detail = format!(
            "webhook {webhook_id} for {}: {events}",
            if decided.all_people() {
                "everyone's tokens"
            } else {
                "own tokens"
            }
        );
        record(
            &mut tx,
            Action::WebhookAdded,
            confirmed,
            owner,
            &detail,
            client,
        )
        .await?;
        tx.commit().await.map_err(StorageError::from)?;
        let row = webhooks::find(self.database.pool(), webhook_id)
            .await?
            .ok_or(WebhookError::NotFound)?;
        Ok(RegisteredWebhook {
            webhook: view(&row),
            secret,
        })
    }

    /// `input` as it would be registered: its fields, who may hear of everyone's tokens, and
    /// where its URL points.
    pub async fn decide(
        &self,
        owner: &WebhookOwner,
        input: &WebhookInput,
    ) -> Result<domain::webhook::DecidedWebhook> {
        let decided = input.decide().map_err(WebhookError::Input)?;
        if decided.all_people() && !owner.admin {
            return Err(WebhookError::NotAdmin);
        }
        address::resolve_allowed(decided.url(), self.allow_private)
            .await
            .map_err(WebhookError::Address)?;
        Ok(decided)
    }

    /// The owner's endpoints, each with its latest deliveries.
    pub async fn page(&self, owner: &WebhookOwner) -> Result<NotificationsPage> {
        let pool = self.database.pool();
        let mut listed = Vec::new();
        for row in webhooks::list_for_user(pool, owner.user_id).await? {
            let deliveries = webhooks::recent_for_webhook(pool, row.webhook_id, DELIVERIES_SHOWN)
                .await?
                .iter()
                .map(delivery_view)
                .collect();
            listed.push((view(&row), deliveries));
        }
        Ok(NotificationsPage {
            webhooks: listed,
            admin: owner.admin,
        })
    }

    pub async fn list(&self, owner: &WebhookOwner) -> Result<Vec<WebhookView>> {
        let rows = webhooks::list_for_user(self.database.pool(), owner.user_id).await?;
        Ok(rows.iter().map(view).collect())
    }

    /// The endpoint's latest deliveries, newest first.
    pub async fn deliveries(
        &self,
        owner: &WebhookOwner,
        webhook_id: i64,
    ) -> Result<Vec<DeliveryView>> {
        self.owned(owner, webhook_id).await?;
        let rows = webhooks::recent_for_webhook(self.database.pool(), webhook_id, DELIVERIES_SHOWN)
            .await?;
        Ok(rows.iter().map(delivery_view).collect())
    }

    /// Removes an endpoint: nothing more is delivered to it.
    pub async fn remove(
        &self,
        owner: &WebhookOwner,
        webhook_id: i64,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<()> {
        self.owned(owner, webhook_id).await?;
        let mut tx = self.database.begin_write().await?;
        if !webhooks::mark_removed(&mut *tx, webhook_id, owner.user_id, clock::now()).await? {
            return Err(WebhookError::NotFound);
        }
        let detail = format!("webhook {webhook_id}");
        record(
            &mut tx,
            Action::WebhookRemoved,
            confirmed,
            owner,
            &detail,
            client,
        )
        .await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(())
    }

    /// Sends a delivery's event again, as a new delivery (the old one keeps its history).
    pub async fn redeliver(&self, owner: &WebhookOwner, delivery_id: i64) -> Result<DeliveryView> {
        let pool = self.database.pool();
        let delivery = webhooks::find_delivery(pool, delivery_id)
            .await?
            .ok_or(WebhookError::NotFound)?;
        self.owned(owner, delivery.webhook_id).await?;
        let id = webhooks::enqueue(
            pool,
            delivery.webhook_id,
            &delivery.event,
            &delivery.payload,
            clock::now(),
        )
        .await?;
        let copy = webhooks::find_delivery(pool, id)
            .await?
            .ok_or(WebhookError::NotFound)?;
        Ok(delivery_view(&copy))
    }

    /// Delivers what is due, and announces token ends, until the process stops.
    pub async fn run(self) {
        let mut deliveries = tokio::time::interval(DELIVERY_POLL);
        let mut scans = tokio::time::interval(SCAN_EVERY);
        deliveries.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        scans.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = deliveries.tick() => {
                    if let Err(error) = self.deliver_due().await {
                        tracing::warn!(%error, "webhook deliveries could not be read");
                    }
                }
                _ = scans.tick() => {
                    if let Err(error) = self.announce_token_ends(clock::now()).await {
                        tracing::warn!(%error, "token ends could not be announced");
                    }
                    if let Err(error) = self.prune(clock::now()).await {
                        tracing::warn!(%error, "old webhook deliveries could not be pruned");
                    }
                }
            }
        }
    }

    /// Forgets deliveries that ended [`KEPT_FOR_SECS`] before `now`, and notices of token ends
    /// older than the scan looks back; how many rows went.
    pub async fn prune(&self, now: i64) -> Result<u64, StorageError> {
        let mut tx = self.database.begin_write().await?;
        let pruned = webhooks::prune(&mut tx, now - KEPT_FOR_SECS, now - 2 * 86_400).await?;
        tx.commit().await?;
        Ok(pruned)
    }

    /// A live endpoint of the owner's, or `NotFound` (someone else's says nothing more).
    async fn owned(&self, owner: &WebhookOwner, webhook_id: i64) -> Result<WebhookRow> {
        webhooks::find(self.database.pool(), webhook_id)
            .await?
            .filter(|row| row.user_id == owner.user_id && row.removed_at.is_none())
            .ok_or(WebhookError::NotFound)
    }
}

fn view(row: &WebhookRow) -> WebhookView {
    WebhookView {
        id: row.webhook_id,
        owner: row.owner_login.clone(),
        url: row.url.clone(),
        events: row
            .events
            .split_whitespace()
            .filter_map(WebhookEvent::parse)
            .collect(),
        lead_times_secs: lead_times(row),
        all_people: row.all_people != 0,
        created_at: row.created_at,
    }
}

fn lead_times(row: &WebhookRow) -> Vec<u64> {
    row.lead_times
        .split_whitespace()
        .filter_map(|secs| secs.parse().ok())
        .collect()
}

fn delivery_view(row: &DeliveryRow) -> DeliveryView {
    DeliveryView {
        id: row.delivery_id,
        webhook_id: row.webhook_id,
        event: WebhookEvent::parse(&row.event).unwrap_or(WebhookEvent::TokenRemoved),
        created_at: row.created_at,
        attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
        last_status: row.last_status.and_then(|s| u16::try_from(s).ok()),
        last_error: row.last_error.clone(),
        delivered_at: row.delivered_at,
        gave_up_at: row.gave_up_at,
        next_attempt_at: (row.delivered_at.is_none() && row.gave_up_at.is_none())
            .then_some(row.next_attempt_at),
    }
}

async fn record(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    action: Action,
    confirmed: &Confirmed,
    owner: &WebhookOwner,
    detail: &str,
    client: &ClientInfo,
) -> Result<(), StorageError> {
    audit::record(
        &mut **tx,
        Event {
            action,
            actor: Some(confirmed.actor()),
            subject_login: Some(&owner.login),
            client,
            detail: Some(detail),
        },
    )
    .await
}
