//! Personal access tokens: their lifecycle (generate, edit, regenerate, copy, remove), the
//! check every API call makes, and the buffered record of their use.

mod check;
mod lifecycle;
mod policy;
mod refusal;
mod request;
mod usage;

use std::sync::Arc;

use domain::{
    account::Role,
    catalog::{ApiSelection, Catalog, MethodName},
    token::{
        Basis, DecidedToken, ExpirationModel, ExpirySpec, LastUse, Scope, TokenInput,
        TokenInputErrors, TokenRules, TokenSecret, TokenStatus, TokenView,
    },
};

pub use check::{CheckError, Presented, TokenGrant};
pub use lifecycle::TokenOwner;
pub use refusal::Refusal;
pub use request::TokenRequest;
pub use usage::{FLUSH_INTERVAL, UsageRecorder};

use super::accounts::AccountError;
use crate::{
    clock,
    storage::{Database, StorageError, tokens::TokenRow},
};

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("There is no such token.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    /// A token's settings that cannot be accepted, field by field.
    #[error("{}", .0.summary())]
    Input(TokenInputErrors),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

pub type Result<T, E = TokenError> = std::result::Result<T, E>;

/// What a token input is decided for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTarget {
    New,
    /// The owner's live token of this id.
    Edit(i64),
    /// A new token starting from the owner's live token of this id.
    Copy(i64),
}

/// A token just made or regenerated: its value, to be shown once, and how it now lists.
#[derive(Debug)]
pub struct IssuedToken {
    pub secret: TokenSecret,
    pub token: TokenView,
}

#[derive(Clone, Debug)]
pub struct TokenService {
    database: Database,
    catalog: Arc<Catalog>,
    usage: UsageRecorder,
}

impl TokenService {
    pub fn new(database: Database, catalog: Arc<Catalog>) -> Self {
        Self {
            database,
            catalog,
            usage: UsageRecorder::default(),
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Writes buffered uses and refusals now (the server also does it every few seconds and
    /// at shutdown).
    pub async fn flush_usage(&self) -> Result<(), StorageError> {
        self.usage.flush(&self.database).await
    }

    /// Decides what `input` makes of `owner`'s token: the one place every surface's input is
    /// checked against the catalog, the policy and the clock.
    pub async fn decide(
        &self,
        owner: &TokenOwner,
        target: TokenTarget,
        input: &TokenInput,
    ) -> Result<DecidedToken> {
        let policy = self.policy().await?;
        let source = match target {
            TokenTarget::New => None,
            TokenTarget::Edit(id) | TokenTarget::Copy(id) => Some(self.get(owner, id).await?),
        };
        let basis = match (target, &source) {
            (TokenTarget::Edit(_), Some(token)) => Basis::Edit(token),
            (TokenTarget::Copy(_), Some(token)) => Basis::Copy(token),
            _ => Basis::New,
        };
        let rules = TokenRules {
            now: clock::now(),
            catalog: &self.catalog,
            policy: &policy,
            basis,
        };
        input.decide(&rules).map_err(TokenError::Input)
    }

    fn view(&self, row: &TokenRow, now: i64) -> TokenView {
        let api = stored_selection(row);
        let pending = self.usage.pending_use(row.token_id);
        let expires_at = effective_expiry(row, pending.as_ref().map(|u| u.at));
        let status = if row.removed_at.is_some() {
            TokenStatus::Removed
        } else if expires_at.is_some_and(|at| at <= now) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        };
        let last_used = match pending {
            Some(used) if row.last_used_at.is_none_or(|at| at < used.at) => Some(LastUse {
                at: used.at,
                ip: used.client.ip,
                user_agent: used.client.user_agent,
            }),
            _ => row.last_used_at.map(|at| LastUse {
                at,
                ip: row.last_used_ip.clone(),
                user_agent: row.last_used_user_agent.clone(),
            }),
        };
        TokenView {
            id: row.token_id,
            owner: row.owner_login.clone(),
            description: row.description.clone(),
            hint: row.hint.clone(),
            api_label: self.catalog.describe(&api),
            api,
            scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
            expiration: ExpirationModel::parse(&row.expiration).unwrap_or(ExpirationModel::Never),
            expires_at,
            refresh_window_secs: row.refresh_window_secs,
            status,
            created_at: row.created_at,
            created_by: row.created_by_login.clone(),
            updated_at: row.updated_at,
            last_used,
        }
    }
}

fn stored_selection(row: &TokenRow) -> ApiSelection {
    match &row.api_set {
        Some(id) => ApiSelection::Set(id.clone()),
        None => ApiSelection::Custom(
            row.methods
                .split_whitespace()
                .filter_map(|name| MethodName::parse(name).ok())
                .collect(),
        ),
    }
}

fn stored_scopes(row: &TokenRow) -> Vec<Scope> {
    row.scopes
        .split_whitespace()
        .filter_map(|raw| Scope::parse(raw).ok())
        .collect()
}

/// When the token stops working: an auto-refresh token's stored expiry, pushed by a use not
/// yet written.
fn effective_expiry(row: &TokenRow, pending_use_at: Option<i64>) -> Option<i64> {
    let stored = row.expires_at?;
    match (
        row.expiration.as_str(),
        row.refresh_window_secs,
        pending_use_at,
    ) {
        ("auto_refresh", Some(window), Some(used)) => Some(stored.max(used + window)),
        _ => Some(stored),
    }
}

fn stored_role(text: &str) -> Role {
    Role::parse(text).unwrap_or(Role::User)
}

/// The columns an expiry choice becomes at `now`.
fn expiry_columns(expiry: ExpirySpec, now: i64) -> (ExpirationModel, Option<i64>, Option<i64>) {
    let secs = |secs: u64| i64::try_from(secs).unwrap_or(i64::MAX);
    match expiry {
        ExpirySpec::Never => (ExpirationModel::Never, None, None),
        ExpirySpec::Until { date } => (
            ExpirationModel::HardLimit,
            Some(date.0.expires_at_unix()),
            None,
        ),
        ExpirySpec::For { secs: lifetime } => (
            ExpirationModel::HardLimit,
            Some(now.saturating_add(secs(lifetime))),
            None,
        ),
        ExpirySpec::AutoRefresh { window_secs } => (
            ExpirationModel::AutoRefresh,
            Some(now.saturating_add(secs(window_secs))),
            Some(secs(window_secs)),
        ),
    }
}
