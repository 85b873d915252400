//! Personal access tokens: their lifecycle (generate, edit, regenerate, copy, remove), the
//! check every API call makes, and the buffered record of their use.

mod after_grace;
mod cache;
mod check;
mod leaks;
mod lifecycle;
mod policy;
mod rate;
mod refusal;
mod report;
mod tally;
mod usage;
mod watch;

use std::sync::Arc;

use domain::{
    catalog::Catalog,
    token::{
        Basis, DecidedToken, Expiry, LastUse, LeakReport, TokenInput, TokenInputErrors, TokenRules,
        TokenSecret, TokenStatus, TokenView,
    },
};

pub use cache::{CheckCache, REVISION_POLL};
pub use check::{Admission, CheckError, Presented, TokenGrant, Transport};
pub use domain::token::TokenRequest;
pub use leaks::{FoundValue, LeakAction, LeakPolicy, MAX_VALUES_PER_REPORT, REPORTS_PER_MINUTE};
pub use lifecycle::TokenOwner;
pub use refusal::Refusal;
pub use usage::{Backlog, FLUSH_INTERVAL, UsageRecorder};

use super::accounts::AccountError;
use crate::{
    clock,
    storage::{Database, StorageError, tokens::TokenRecord},
};

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("There is no such token.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    /// A value regeneration replaced, still in its grace period, may not rotate the token:
    /// its holder would take the token from whoever has the new value.
    #[error("This value was replaced by a regeneration: rotate with the token's current value.")]
    ReplacedValue,
    /// A token's settings that cannot be accepted, field by field.
    #[error("{}", .0.summary())]
    Input(Box<TokenInputErrors>),
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
    /// Shared with the account service, whose changes to owners also alter checks.
    cache: Arc<CheckCache>,
    rates: Arc<rate::RateLimiter>,
    after_grace: Arc<after_grace::AfterGrace>,
    leak_reports: Arc<leaks::ReportWindows>,
    leak_policy: leaks::LeakPolicy,
}

impl TokenService {
    pub fn new(database: Database, catalog: Arc<Catalog>, cache: Arc<CheckCache>) -> Self {
        Self {
            database,
            catalog,
            usage: UsageRecorder::default(),
            cache,
            rates: Arc::default(),
            after_grace: Arc::default(),
            leak_reports: Arc::default(),
            leak_policy: leaks::LeakPolicy::default(),
        }
    }

    /// With this handling of leaked-token reports (revoke by default, unsigned reports taken).
    pub fn with_leak_policy(mut self, policy: leaks::LeakPolicy) -> Self {
        self.leak_policy = policy;
        self
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// How many checked tokens this process keeps in memory.
    pub fn kept_checks(&self) -> usize {
        self.cache.len()
    }

    /// Whether kept tokens are answered from memory now: only while the change watcher
    /// ([`Self::watch_changes`]) shows it works.
    pub fn answers_from_memory(&self) -> bool {
        self.cache.watched()
    }

    /// Uses and refusals recorded in memory and not yet written.
    pub fn usage_backlog(&self) -> Backlog {
        self.usage.backlog()
    }

    /// Writes buffered uses and refusals now (the server also does it every few seconds and
    /// at shutdown).
    pub async fn flush_usage(&self) -> Result<(), StorageError> {
        let slid = self.usage.flush(&self.database).await?;
        if slid {
            // The written expiries replace the pending uses the cached records relied on.
            self.cache.invalidate();
        }
        Ok(())
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

    /// When `record` stops working: its stored expiry, moved by a use not yet written.
    fn current_expiry(&self, record: &TokenRecord) -> Expiry {
        match self.usage.pending_use(record.token_id) {
            Some(used) => record.expiry.after_use(used.at),
            None => record.expiry,
        }
    }

    fn view(&self, record: &TokenRecord, now: i64) -> TokenView {
        let expiry = self.current_expiry(record);
        let revoked_as_leaked = record
            .leak
            .as_ref()
            .is_some_and(|leak| leak.revoked_at.is_some());
        let status = if record.removed_at.is_some() {
            TokenStatus::Removed
        } else if revoked_as_leaked {
            TokenStatus::Leaked
        } else if expiry.has_passed(now) {
            TokenStatus::Expired
        } else if record.suspended_at.is_some() {
            TokenStatus::Suspended
        } else {
            TokenStatus::Active
        };
        let last_used = match self.usage.pending_use(record.token_id) {
            Some(used) if record.last_used_at.is_none_or(|at| at < used.at) => Some(LastUse {
                at: used.at,
                ip: used.client.ip,
                user_agent: used.client.user_agent,
            }),
            _ => record.last_used_at.map(|at| LastUse {
                at,
                ip: record.last_used_ip.clone(),
                user_agent: record.last_used_user_agent.clone(),
            }),
        };
        TokenView {
            id: record.token_id,
            owner: record.owner_login.clone(),
            description: record.description.clone(),
            hint: record.hint.clone(),
            api_label: self.catalog.describe(&record.api),
            api: record.api.clone(),
            scopes: record.scopes.iter().map(ToString::to_string).collect(),
            expiration: expiry.model(),
            expires_at: expiry.at(),
            refresh_window_secs: expiry.window_secs(),
            not_after: expiry.not_after(),
            status,
            created_at: record.created_at,
            created_by: record.created_by_login.clone(),
            updated_at: record.updated_at,
            last_used,
            suspended_at: record.suspended_at,
            max_uses: record.max_uses,
            uses_left: record.uses_left,
            rate_limit: record.rate_limit,
            allowed_ips: record.allowed_ips.clone(),
            old_value_expires_at: record
                .old_value_expires_at
                .filter(|&until| until > now && status == TokenStatus::Active),
            leak: record.leak.as_ref().map(|leak| LeakReport {
                reported_at: leak.reported_at,
                url: leak.url.clone(),
                source: leak.source.clone(),
                revoked: leak.revoked_at.is_some(),
            }),
        }
    }
}
