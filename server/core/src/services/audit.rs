//! Recording audit events: who did what to whom, from where. Never a secret.

use domain::client::ClientInfo;
use sqlx::AnyExecutor;

use crate::{
    clock,
    storage::{Result, audit},
};

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
