//! The check on every API call's path: parse, look up by digest, then owner, expiry, method.
//! The look-up is one indexed read, or none for a token checked recently (see `cache`); uses
//! are recorded in memory (see `usage`).

use std::{fmt, sync::Arc};

use domain::{
    account::Role,
    catalog::{Access, MethodName},
    client::ClientInfo,
    token::{EnvName, Scope, TokenSecret, scopes_allow},
};
use zeroize::Zeroize as _;

use super::{Refusal, TokenService, usage::RefusedUse};
use crate::{
    auth::secret,
    clock,
    storage::{StorageError, tokens},
};

/// A token value as a request carried it, with the login when it came as HTTP Basic auth's
/// password. `Debug` never shows it; its memory is wiped when dropped.
pub struct Presented {
    value: String,
    basic_login: Option<String>,
    transport: Transport,
}

/// How a request carried its token (a metrics label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    SessionParameter,
    Bearer,
    XAuthToken,
    Basic,
}

impl Transport {
    pub fn label(self) -> &'static str {
        match self {
            Self::SessionParameter => "session",
            Self::Bearer => "bearer",
            Self::XAuthToken => "x_auth_token",
            Self::Basic => "basic",
        }
    }
}

impl Presented {
    pub fn new(value: String, basic_login: Option<String>, transport: Transport) -> Self {
        Self {
            value,
            basic_login,
            transport,
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for Presented {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Presented")
            .field("value", &"<redacted>")
            .field("basic_login", &self.basic_login)
            .field("transport", &self.transport)
            .finish()
    }
}

impl Drop for Presented {
    fn drop(&mut self) {
        self.value.zeroize();
    }
}

/// What a checked token lets this request do.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub token_id: i64,
    pub user_id: i64,
    pub login: String,
    pub role: Role,
    pub scopes: Vec<Scope>,
}

impl TokenGrant {
    /// Whether the token's scopes (none = all of the owner's) let it see `env`.
    pub fn can_see(&self, env: &EnvName) -> bool {
        scopes_allow(&self.scopes, env, Access::Read)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl TokenService {
    /// Checks a presented token for a call of `method` (`None`: any valid token, as for
    /// introspecting itself). Refusals are recorded for the audit log; every check is
    /// counted by outcome and transport, and timed.
    #[tracing::instrument(skip_all, fields(method = method.map(MethodName::as_str)))]
    pub async fn authenticate(
        &self,
        presented: &Presented,
        method: Option<&MethodName>,
        client: &ClientInfo,
    ) -> Result<TokenGrant, CheckError> {
        let started = std::time::Instant::now();
        let checked = self.check(presented, method, client).await;
        let outcome = match &checked {
            Ok(_) => "success",
            Err(CheckError::Refused(refusal)) => refusal.code(),
            Err(CheckError::Storage(_)) => "storage_error",
        };
        crate::metrics::token_checked(outcome, presented.transport.label(), started.elapsed());
        checked
    }

    async fn check(
        &self,
        presented: &Presented,
        method: Option<&MethodName>,
        client: &ClientInfo,
    ) -> Result<TokenGrant, CheckError> {
        let now = clock::now();
        let secret = match TokenSecret::parse(presented.value()) {
            Ok(secret) => secret,
            Err(error) => {
                return Err(self.refuse(Refusal::Malformed(error), None, None, client, now));
            }
        };
        let digest = secret::digest(secret.expose());
        let row = match self.cache.get(&digest) {
            Some(row) => row,
            None => {
                let ticket = self.cache.ticket();
                let pool = self.database.pool();
                let Some(row) = tokens::find_by_digest(pool, &digest).await? else {
                    let retired = tokens::find_retired(pool, &digest).await?;
                    let refusal = if retired.is_some() {
                        Refusal::Regenerated
                    } else {
                        Refusal::Unknown
                    };
                    return Err(self.refuse(refusal, retired.as_ref(), method, client, now));
                };
                let row = Arc::new(row);
                self.cache.insert(ticket, digest, row.clone());
                row
            }
        };
        let refuse = |refusal| Err(self.refuse(refusal, Some(&row), method, client, now));
        if let Some(login) = &presented.basic_login
            && !login.eq_ignore_ascii_case(&row.owner_login)
        {
            // Says nothing about whose token it is.
            return refuse(Refusal::Unknown);
        }
        if row.removed_at.is_some() {
            return refuse(Refusal::Removed);
        }
        if row.owner_disabled_at.is_some() {
            return refuse(Refusal::OwnerDisabled);
        }
        if self.current_expiry(&row).has_passed(now) {
            return refuse(Refusal::Expired);
        }
        if let Some(method) = method
            && !self.catalog.grants(&row.api, method)
        {
            return refuse(Refusal::MethodNotAllowed(method.to_string()));
        }
        self.usage.record_use(row.token_id, now, client, row.expiry);
        Ok(TokenGrant {
            token_id: row.token_id,
            user_id: row.user_id,
            login: row.owner_login.clone(),
            role: row.owner_role,
            scopes: row.scopes.clone(),
        })
    }

    /// Refuses a call on `env` that the token's scopes do not cover (recorded for the audit).
    pub fn check_scope(
        &self,
        grant: &TokenGrant,
        env: &EnvName,
        access: Access,
        method: &MethodName,
        client: &ClientInfo,
    ) -> Result<(), Refusal> {
        if scopes_allow(&grant.scopes, env, access) {
            return Ok(());
        }
        let refusal = Refusal::OutOfScope {
            env: env.to_string(),
            access: access.as_str(),
        };
        self.usage.record_refusal(RefusedUse {
            at: clock::now(),
            owner_login: Some(grant.login.clone()),
            detail: format!(
                "{}: token {} calling {method} on {env}",
                refusal.code(),
                grant.token_id
            ),
            client: client.clone(),
        });
        Err(refusal)
    }

    fn refuse(
        &self,
        refusal: Refusal,
        row: Option<&tokens::TokenRecord>,
        method: Option<&MethodName>,
        client: &ClientInfo,
        now: i64,
    ) -> CheckError {
        let token = row.map_or_else(String::new, |row| format!(" token {}", row.token_id));
        let method = method.map_or_else(String::new, |m| format!(" calling {m}"));
        self.usage.record_refusal(RefusedUse {
            at: now,
            owner_login: row.map(|row| row.owner_login.clone()),
            detail: format!("{}:{token}{method}", refusal.code()),
            client: client.clone(),
        });
        CheckError::Refused(refusal)
    }
}
