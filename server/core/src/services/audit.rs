//! Audit events: who did what to whom, from where (never a secret); recorded with the change
//! they describe, and read back by the people they concern and by admins.

use domain::{
    audit::{AuditEvent, AuditEventPage, AuditSelection},
    client::ClientInfo,
    paging::Paging,
};
use serde::Serialize;
use sqlx::AnyExecutor;

pub use crate::storage::audit::{AuditQuery, AuditRow};
use crate::{
    clock,
    services::accounts::AdminProof,
    storage::{Database, Result, audit},
};

/// The most events one export carries (the newest).
pub const EXPORT_MAX: i64 = 10_000;

/// A page of events, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    pub events: Vec<AuditRow>,
    pub paging: Paging,
}

#[derive(Clone, Debug)]
pub struct AuditService {
    database: Database,
}

impl AuditService {
    pub fn new(database: Database) -> Self {
        Self { database }
    }

    /// The events `login` took part in, as actor or subject, within `query`'s other filters.
    pub async fn of_person(
        &self,
        login: &str,
        query: AuditQuery,
        page: u32,
        per_page: u32,
    ) -> Result<AuditPage> {
        let query = AuditQuery {
            involving: Some(login.to_owned()),
            ..query
        };
        self.page(&query, page, per_page).await
    }

    /// Everyone's events, for an admin.
    pub async fn of_everyone(
        &self,
        _admin: &AdminProof,
        query: &AuditQuery,
        page: u32,
        per_page: u32,
    ) -> Result<AuditPage> {
        self.page(query, page, per_page).await
    }

    /// The newest [`EXPORT_MAX`] of everyone's events that `query` matches, for an admin.
    pub async fn export(&self, _admin: &AdminProof, query: &AuditQuery) -> Result<Vec<AuditRow>> {
        audit::page(self.database.pool(), query, 0, EXPORT_MAX).await
    }

    async fn page(&self, query: &AuditQuery, page: u32, per_page: u32) -> Result<AuditPage> {
        let pool = self.database.pool();
        let total = audit::count(pool, query).await?;
        let paging = Paging::new(page, per_page, total);
        let events = audit::page(pool, query, paging.offset(), i64::from(paging.per_page)).await?;
        Ok(AuditPage { events, paging })
    }
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        Self {
            id: row.id,
            occurred_at: row.occurred_at,
            action: row.action,
            actor_login: row.actor_login,
            subject_login: row.subject_login,
            ip: row.ip,
            user_agent: row.user_agent,
            detail: row.detail,
        }
    }
}

impl From<AuditPage> for AuditEventPage {
    fn from(page: AuditPage) -> Self {
        Self {
            events: page.events.into_iter().map(AuditEvent::from).collect(),
            paging: page.paging,
        }
    }
}

impl From<AuditSelection> for AuditQuery {
    fn from(selection: AuditSelection) -> Self {
        Self {
            involving: None,
            actor: selection.actor,
            subject: selection.subject,
            kind: selection.kind,
            from: selection.from,
            until: selection.until,
        }
    }
}

/// Who acted: a signed-in user, or the operator at the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    User { user_id: i64, login: String },
    Operator,
}

impl Actor {
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Self::User { user_id, .. } => Some(*user_id),
            Self::Operator => None,
        }
    }

    pub fn login(&self) -> &str {
        match self {
            Self::User { login, .. } => login,
            Self::Operator => domain::account::OPERATOR,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignInFailed,
    SignOut,
    PasswordChanged,
    PasswordConfirmFailed,
    UserCreated,
    UserDisabled,
    UserEnabled,
    TokenCreated,
    TokenEdited,
    TokenRegenerated,
    TokenCopied,
    TokenRemoved,
    TokenRotated,
    TokenRevoked,
    TokenSuspended,
    TokenResumed,
    TokenUseDenied,
    TokenLeaked,
    PolicyChanged,
    WebhookAdded,
    WebhookRemoved,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignOut => "sign_out",
            Self::PasswordChanged => "password_changed",
            Self::PasswordConfirmFailed => "password_confirm_failed",
            Self::UserCreated => "user_created",
            Self::UserDisabled => "user_disabled",
            Self::UserEnabled => "user_enabled",
            Self::TokenCreated => "token_created",
            Self::TokenEdited => "token_edited",
            Self::TokenRegenerated => "token_regenerated",
            Self::TokenCopied => "token_copied",
            Self::TokenRemoved => "token_removed",
            Self::TokenRotated => "token_rotated",
            Self::TokenRevoked => "token_revoked",
            Self::TokenSuspended => "token_suspended",
            Self::TokenResumed => "token_resumed",
            Self::TokenUseDenied => "token_use_denied",
            Self::TokenLeaked => "token_leaked",
            Self::PolicyChanged => "policy_changed",
            Self::WebhookAdded => "webhook_added",
            Self::WebhookRemoved => "webhook_removed",
        }
    }
}

pub struct Event<'a> {
    pub action: Action,
    pub actor: Option<&'a Actor>,
    pub subject_login: Option<&'a str>,
    pub client: &'a ClientInfo,
    pub detail: Option<&'a str>,
}

pub async fn record<'c>(executor: impl AnyExecutor<'c>, event: Event<'_>) -> Result<()> {
    audit::insert(
        executor,
        audit::NewAuditEvent {
            now: clock::now(),
            action: event.action.as_str(),
            actor_user_id: event.actor.and_then(Actor::user_id),
            actor_login: event.actor.map(Actor::login),
            subject_login: event.subject_login,
            ip: event.client.ip.as_deref(),
            user_agent: event.client.user_agent.as_deref(),
            detail: event.detail,
        },
    )
    .await
}
