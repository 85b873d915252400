//! The check on every API call's path: parse, look up by digest, then owner, suspension,
//! expiry, method, address and rate ([`TokenService::verify`]); then, once the call's scope is
//! known to fit, the use itself ([`TokenService::admit`]).
//!
//! The look-up is one indexed read, or none for a token checked recently (see `cache`); uses
//! are recorded in memory (see `usage`), rates counted in memory (see `rate`). Only a token
//! with a limited number of uses pays a write, to take one.

use std::{
    fmt,
    sync::Arc,
    time::{Duration, Instant},
};

use domain::{
    account::Role,
    catalog::{Access, MethodName},
    client::ClientInfo,
    token::{
        EnvName, Expiry, RateLimit, SUCCESS, Scope, TokenSecret, addresses_allow, scopes_allow,
    },
};
use zeroize::Zeroize as _;

use super::{
    Refusal, TokenService,
    cache::{KnownValue, ReadTicket},
    rate::Limited,
    tally::Call,
    usage::RefusedUse,
};
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
    /// When the token stops working, this use included (an auto-refresh token's slid end).
    pub expiry: Expiry,
    /// Presented as a value regeneration replaced, in its grace period.
    pub replaced_value: bool,
}

impl TokenGrant {
    /// Whether the token's scopes (none = all of the owner's) let it see `env`.
    pub fn can_see(&self, env: &EnvName) -> bool {
        scopes_allow(&self.scopes, env, Access::Read)
    }
}

/// A token that passed every check but its scope for this call and its uses:
/// [`TokenService::admit`] turns it into a [`TokenGrant`]. Until then the call has not used
/// the token.
#[derive(Debug)]
#[must_use = "a verified token must be admitted (or refused) for the call to use it"]
pub struct Admission {
    grant: TokenGrant,
    limited_uses: bool,
    /// The token's current value, while its replaced one still works: its first use ends that.
    ends_grace: bool,
    /// The token's own rate limit and its owner's, those that are set: charged on admission,
    /// so a call refused before (its scope, say) costs the allowance nothing.
    rate_limits: Vec<(Limited, RateLimit)>,
    expiry: Expiry,
    transport: Transport,
    started: Instant,
    at: i64,
    /// What the call is, for its counts: the method, and the environment once its scope passed.
    method: Option<MethodName>,
    env: Option<EnvName>,
}

impl Admission {
    pub fn grant(&self) -> &TokenGrant {
        &self.grant
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
    /// introspecting itself) and admits the call: [`Self::verify`] then [`Self::admit`], for
    /// calls that act on no environment.
    pub async fn authenticate(
        &self,
        presented: &Presented,
        method: Option<&MethodName>,
        client: &ClientInfo,
    ) -> Result<TokenGrant, CheckError> {
        let admission = self.verify(presented, method, client).await?;
        self.admit(admission, client).await
    }

    /// Every check a call's token must pass before its scope is known. Refusals are recorded
    /// for the audit log, counted by outcome and transport, and timed.
    #[tracing::instrument(skip_all, fields(method = method.map(MethodName::as_str)))]
    pub async fn verify(
        &self,
        presented: &Presented,
        method: Option<&MethodName>,
        client: &ClientInfo,
    ) -> Result<Admission, CheckError> {
        let started = Instant::now();
        let checked = self.check(presented, method, client, started).await;
        if let Err(error) = &checked {
            let outcome = match error {
                CheckError::Refused(refusal) => refusal.code(),
                CheckError::Storage(_) => "storage_error",
            };
            crate::metrics::token_checked(outcome, presented.transport.label(), started.elapsed());
        }
        checked
    }

    /// Lets the verified call use its token: charges its rates, takes one of its uses if they
    /// are limited (refusing when over a rate or when none are left), and records the use.
    pub async fn admit(
        &self,
        admission: Admission,
        client: &ClientInfo,
    ) -> Result<TokenGrant, CheckError> {
        let spent = self.take_use(&admission, client).await;
        let outcome = match &spent {
            Ok(()) => "success",
            Err(CheckError::Refused(refusal)) => refusal.code(),
            Err(CheckError::Storage(_)) => "storage_error",
        };
        let transport = admission.transport.label();
        crate::metrics::token_checked(outcome, transport, admission.started.elapsed());
        spent?;
        if admission.ends_grace {
            self.end_grace(admission.grant.token_id, admission.at).await;
        }
        self.usage.count_call(Call {
            token_id: admission.grant.token_id,
            at: admission.at,
            method: admission.method.as_ref(),
            env: named_env(&admission.grant.scopes, admission.env.as_ref()),
            outcome: SUCCESS,
            client,
        });
        let mut grant = admission.grant;
        grant.expiry = admission.expiry.after_use(admission.at);
        self.usage
            .record_use(grant.token_id, admission.at, client, admission.expiry);
        Ok(grant)
    }

    /// Charges the call to the token's and its owner's rates, then takes one of its uses if
    /// they are limited.
    async fn take_use(&self, admission: &Admission, client: &ClientInfo) -> Result<(), CheckError> {
        let refuse = |refusal| {
            let token = (admission.grant.token_id, admission.grant.login.as_str());
            CheckError::Refused(self.record_refusal_of(
                refusal,
                Some(token),
                (
                    admission.method.as_ref(),
                    named_env(&admission.grant.scopes, admission.env.as_ref()),
                ),
                client,
                admission.at,
            ))
        };
        if let Err(wait) = self.rates.admit(&admission.rate_limits, Instant::now()) {
            return Err(refuse(Refusal::RateLimited {
                retry_after_secs: whole_seconds(wait),
            }));
        }
        if admission.limited_uses {
            match tokens::spend_use(self.database.pool(), admission.grant.token_id).await {
                // A use taken; or none to take, the token being unlimited since it was read.
                Ok(Some(_)) => {}
                Ok(None) => {
                    self.rates.refund(&admission.rate_limits);
                    return Err(refuse(Refusal::Exhausted));
                }
                Err(error) => {
                    self.rates.refund(&admission.rate_limits);
                    return Err(CheckError::Storage(error));
                }
            }
        }
        Ok(())
    }

    async fn check(
        &self,
        presented: &Presented,
        method: Option<&MethodName>,
        client: &ClientInfo,
        started: Instant,
    ) -> Result<Admission, CheckError> {
        let now = clock::now();
        let secret = match TokenSecret::parse(presented.value()) {
            Ok(secret) => secret,
            Err(error) => {
                return Err(self.refuse(Refusal::Malformed(error), None, None, client, now));
            }
        };
        let digest = secret::digest(secret.expose());
        let known = match self.cache.get(&digest) {
            Some(known) => known,
            None if self.cache.is_known_unknown(&digest) => {
                return Err(self.refuse(Refusal::Unknown, None, method, client, now));
            }
            None => {
                let ticket = self.cache.ticket();
                let known = self.look_up(&digest, ticket, method, client, now).await?;
                self.cache.insert(ticket, digest, known.clone());
                known
            }
        };
        let row = &known.token;
        if known.replaced_until.is_some_and(|until| until <= now) {
            self.after_grace.announce(&self.database, row, now);
            return Err(self.refuse(Refusal::Regenerated, Some(row), method, client, now));
        }
        let refuse = |refusal| Err(self.refuse(refusal, Some(row), method, client, now));
        if let Some(login) = &presented.basic_login
            && !login.eq_ignore_ascii_case(&row.owner_login)
        {
            // Says nothing about whose token it is.
            return refuse(Refusal::Unknown);
        }
        // Before the token's state: from elsewhere, a stolen token tells nothing about it.
        if !addresses_allow(&row.allowed_ips, client.ip.as_deref()) {
            return refuse(Refusal::AddressNotAllowed);
        }
        if row.removed_at.is_some() {
            return refuse(Refusal::Removed);
        }
        if row
            .leak
            .as_ref()
            .is_some_and(|leak| leak.revoked_at.is_some())
        {
            return refuse(Refusal::Leaked);
        }
        if row.owner_disabled_at.is_some() {
            return refuse(Refusal::OwnerDisabled);
        }
        if row.suspended_at.is_some() {
            return refuse(Refusal::Suspended);
        }
        let expiry = self.current_expiry(row);
        if expiry.has_passed(now) {
            return refuse(Refusal::Expired);
        }
        if let Some(method) = method
            && !self.catalog.grants(&row.api, method)
        {
            return refuse(Refusal::MethodNotAllowed(method.to_string()));
        }
        Ok(Admission {
            grant: TokenGrant {
                token_id: row.token_id,
                user_id: row.user_id,
                login: row.owner_login.clone(),
                role: row.owner_role,
                scopes: row.scopes.clone(),
                expiry,
                replaced_value: known.replaced_until.is_some(),
            },
            limited_uses: row.max_uses.is_some(),
            ends_grace: known.replaced_until.is_none()
                && row.old_value_expires_at.is_some_and(|until| until > now),
            rate_limits: rate_limits(row),
            expiry: row.expiry,
            transport: presented.transport,
            started,
            at: now,
            method: method.cloned(),
            env: None,
        })
    }

    /// The token a digest names: by its current value, or by a value regeneration replaced
    /// whose grace period still runs. Any other replaced value is refused as such.
    async fn look_up(
        &self,
        digest: &str,
        ticket: ReadTicket,
        method: Option<&MethodName>,
        client: &ClientInfo,
        now: i64,
    ) -> Result<KnownValue, CheckError> {
        let pool = self.database.pool();
        if let Some(row) = tokens::find_by_digest(pool, digest).await? {
            return Ok(KnownValue::current(row));
        }
        let Some(retired) = tokens::find_retired(pool, digest).await? else {
            self.cache.insert_unknown(ticket, digest.to_owned());
            return Err(self.refuse(Refusal::Unknown, None, method, client, now));
        };
        match retired.works_until {
            Some(until) if until > now => Ok(KnownValue {
                token: Arc::new(retired.token),
                replaced_until: Some(until),
            }),
            _ => {
                // With a grace or without: either way something still uses a value that was
                // replaced (unless the token itself is gone).
                let token = &retired.token;
                if token.removed_at.is_none() && token.owner_disabled_at.is_none() {
                    self.after_grace.announce(&self.database, token, now);
                }
                Err(self.refuse(
                    Refusal::Regenerated,
                    Some(&retired.token),
                    method,
                    client,
                    now,
                ))
            }
        }
    }

    /// The new value's first use shows its client has it: the replaced value stops now, on
    /// every server (the change moves the token revision). Should the write fail, the old
    /// value works on until its grace period ends, as it was granted to.
    async fn end_grace(&self, token_id: i64, now: i64) {
        let ended = async {
            let mut tx = self.database.begin_write().await?;
            tokens::end_grace(&mut tx, token_id, now).await?;
            let invalidate = self.cache.invalidate_on_drop();
            tx.commit().await?;
            drop(invalidate);
            Ok::<_, StorageError>(())
        }
        .await;
        if let Err(error) = ended {
            tracing::warn!(%error, token_id, "the grace period of a regenerated token's old value could not be ended at its new value's first use");
        }
    }

    /// Refuses a call on `env` that the token's scopes do not cover (recorded for the audit).
    pub fn check_scope(
        &self,
        admission: &mut Admission,
        env: &EnvName,
        access: Access,
        method: &MethodName,
        client: &ClientInfo,
    ) -> Result<(), Refusal> {
        let grant = &admission.grant;
        if scopes_allow(&grant.scopes, env, access) {
            admission.env = Some(env.clone());
            return Ok(());
        }
        let refusal = Refusal::OutOfScope {
            env: env.to_string(),
            access: access.as_str(),
        };
        crate::metrics::token_checked(
            refusal.code(),
            admission.transport.label(),
            admission.started.elapsed(),
        );
        let now = clock::now();
        self.usage.count_call(Call {
            token_id: grant.token_id,
            at: now,
            method: Some(method),
            env: named_env(&grant.scopes, Some(env)),
            outcome: refusal.code(),
            client,
        });
        self.usage.record_refusal(RefusedUse {
            at: now,
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
        let owner = row.map(|row| (row.token_id, row.owner_login.as_str()));
        CheckError::Refused(self.record_refusal_of(refusal, owner, (method, None), client, now))
    }

    /// Records a refusal for the audit log and, when the token is known (`owner`: its id and
    /// its owner's login), in its counts.
    fn record_refusal_of(
        &self,
        refusal: Refusal,
        owner: Option<(i64, &str)>,
        (method, env): (Option<&MethodName>, Option<&EnvName>),
        client: &ClientInfo,
        now: i64,
    ) -> Refusal {
        if let Some((token_id, _)) = owner {
            self.usage.count_call(Call {
                token_id,
                at: now,
                method,
                env,
                outcome: refusal.code(),
                client,
            });
        }
        let token = owner.map_or_else(String::new, |(id, _)| format!(" token {id}"));
        let method = method.map_or_else(String::new, |m| format!(" calling {m}"));
        self.usage.record_refusal(RefusedUse {
            at: now,
            owner_login: owner.map(|(_, login)| login.to_owned()),
            detail: format!("{}:{token}{method}", refusal.code()),
            client: client.clone(),
        });
        refusal
    }
}

/// `env` when the token's scopes name it: only those are counted by name, so that names a
/// caller makes up cannot grow the counts.
fn named_env<'a>(scopes: &[Scope], env: Option<&'a EnvName>) -> Option<&'a EnvName> {
    env.filter(|env| scopes.iter().any(|scope| scope.env() == *env))
}

/// The token's own rate limit and its owner's, those that are set.
fn rate_limits(row: &tokens::TokenRecord) -> Vec<(Limited, RateLimit)> {
    [
        row.rate_limit
            .map(|limit| (Limited::Token(row.token_id), limit)),
        row.owner_rate_limit
            .map(|limit| (Limited::Owner(row.user_id), limit)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A wait as `Retry-After` states it: whole seconds, rounded up, at least one.
fn whole_seconds(wait: Duration) -> u64 {
    u64::try_from(wait.as_nanos().div_ceil(1_000_000_000))
        .unwrap_or(u64::MAX)
        .max(1)
}
