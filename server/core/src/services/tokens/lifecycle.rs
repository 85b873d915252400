//! Making and changing tokens. Every change takes a [`Confirmed`]: the acting user's
//! password was checked in this request (or the operator acts at the command line).

use domain::{
    calendar::format_rfc3339,
    client::ClientInfo,
    paging::Paging,
    token::{
        DecidedToken, ENDED_SHOWN_SECS, EXPIRES_SOON_SECS, Expiry, RotationGrace, TokenOverview,
        TokenView, UNUSED_SECS, ending_near,
    },
    webhook::WebhookEvent,
};

use serde_json::json;

use super::{IssuedToken, Result, TokenError, TokenGrant, TokenService};
use crate::{
    auth::secret,
    clock,
    services::{
        accounts::{AdminProof, Confirmed, SessionUser},
        audit::{self, Action, Actor, Event},
        webhooks::events::{TokenAbout, queue_token_event},
    },
    storage::{
        StorageError,
        tokens::{self, NewToken, NewValue, TokenRecord, TokenSettings},
    },
};

/// The user whose tokens a call reads or changes: the caller themself, or anyone for an admin
/// (with the proof of the check) or the operator at the command line. It cannot be written
/// down for somebody else without one of those:
///
/// ```compile_fail
/// let anyone = tessera_core::services::tokens::TokenOwner { user_id: 1, login: "root".into() };
/// ```
///
/// ```compile_fail
/// # use tessera_core::services::tokens::TokenOwner;
/// let forgot_the_check = TokenOwner::for_admin(1, "root".into());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    user_id: i64,
    login: String,
}

impl TokenOwner {
    /// The signed-in user's own tokens.
    pub fn of_session(session: &SessionUser) -> Self {
        Self {
            user_id: session.user_id,
            login: session.user.login.clone(),
        }
    }

    /// The tokens of the presented token's owner.
    pub fn of_grant(grant: &TokenGrant) -> Self {
        Self {
            user_id: grant.user_id,
            login: grant.login.clone(),
        }
    }

    /// Anyone's tokens, for an admin.
    pub fn for_admin(_proof: &AdminProof, user_id: i64, login: String) -> Self {
        Self { user_id, login }
    }

    /// Anyone's tokens, for the operator at the command line (who holds the database anyway).
    pub fn by_operator(user_id: i64, login: String) -> Self {
        Self { user_id, login }
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub fn login(&self) -> &str {
        &self.login
    }
}

/// What decided settings store at `now`; an edit that keeps its expiry keeps `current`'s.
fn stored_settings<'a>(
    settings: &'a DecidedToken,
    current: Option<&TokenRecord>,
    now: i64,
) -> TokenSettings<'a> {
    let expiry = match (settings.expiry(), current) {
        (Some(spec), _) => spec.starting_at(now),
        (None, Some(current)) => current.expiry,
        (None, None) => Expiry::Never,
    };
    TokenSettings {
        description: settings.description().as_str(),
        api: settings.api(),
        scopes: settings.scopes(),
        expiry,
        rate_limit: settings.rate_limit(),
        allowed_ips: settings.allowed_ips(),
        uses: settings.uses(),
    }
}

impl TokenService {
    /// Every one of the owner's tokens (the command line and the platform API list them all).
    pub async fn list(&self, owner: &TokenOwner, include_removed: bool) -> Result<Vec<TokenView>> {
        let rows = tokens::list_for_user(
            self.database.pool(),
            owner.user_id(),
            include_removed,
            i64::MAX,
            0,
        )
        .await?;
        let now = clock::now();
        Ok(rows.iter().map(|row| self.view(row, now)).collect())
    }

    /// One page of the owner's tokens, newest first; a page past the end is the last one.
    pub async fn list_page(
        &self,
        owner: &TokenOwner,
        include_removed: bool,
        page: u32,
        per_page: u32,
    ) -> Result<(Vec<TokenView>, Paging)> {
        let pool = self.database.pool();
        let total = tokens::count_for_user(pool, owner.user_id(), include_removed).await?;
        let paging = Paging::new(page, per_page, total);
        let rows = tokens::list_for_user(
            pool,
            owner.user_id(),
            include_removed,
            i64::from(paging.per_page),
            paging.offset(),
        )
        .await?;
        let now = clock::now();
        Ok((rows.iter().map(|row| self.view(row, now)).collect(), paging))
    }

    /// The owner's tokens at a glance at `now` (the landing page), read without loading
    /// every token.
    pub async fn overview(&self, owner: &TokenOwner, now: i64) -> Result<TokenOverview> {
        let pool = self.database.pool();
        let live = tokens::count_for_user(pool, owner.user_id(), false).await?;
        let candidates = tokens::attention_candidates(
            pool,
            owner.user_id(),
            now + EXPIRES_SOON_SECS,
            now - UNUSED_SECS,
        )
        .await?;
        let views = candidates.iter().map(|row| self.view(row, now)).collect();
        Ok(TokenOverview::of(
            usize::try_from(live).unwrap_or_default(),
            views,
            now,
        ))
    }

    /// The owner's live tokens whose end is near or just past at `now` (see
    /// [`ending_near`]), the soonest first.
    pub async fn ending(&self, owner: &TokenOwner, now: i64) -> Result<Vec<TokenView>> {
        let rows = tokens::ending_between(
            self.database.pool(),
            owner.user_id(),
            now - ENDED_SHOWN_SECS,
            now + EXPIRES_SOON_SECS,
        )
        .await?;
        let mut ending: Vec<(i64, TokenView)> = rows
            .iter()
            .map(|row| self.view(row, now))
            .filter_map(|token| ending_near(&token, now).map(|end| (end, token)))
            .collect();
        ending.sort_by_key(|(end, token)| (*end, token.id));
        Ok(ending.into_iter().map(|(_, token)| token).collect())
    }

    pub async fn get(&self, owner: &TokenOwner, token_id: i64) -> Result<TokenView> {
        let row = self.live_row(owner, token_id).await?;
        Ok(self.view(&row, clock::now()))
    }

    /// The token a request presented, as its own list entry shows it.
    pub async fn introspect(&self, grant: &TokenGrant) -> Result<TokenView> {
        let row = tokens::find(self.database.pool(), grant.user_id, grant.token_id)
            .await?
            .ok_or(TokenError::NotFound)?;
        Ok(self.view(&row, clock::now()))
    }

    /// A new token with the settings [`TokenService::decide`] gave for [`TokenTarget::New`].
    ///
    /// [`TokenTarget::New`]: super::TokenTarget::New
    pub async fn generate(
        &self,
        owner: &TokenOwner,
        settings: &DecidedToken,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<IssuedToken> {
        let columns = stored_settings(settings, None, clock::now());
        self.insert(
            owner,
            columns,
            confirmed.actor(),
            Action::TokenCreated,
            None,
            client,
        )
        .await
    }

    /// A new token with the settings decided for a copy of `source_id`.
    pub async fn copy(
        &self,
        owner: &TokenOwner,
        source_id: i64,
        settings: &DecidedToken,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<IssuedToken> {
        self.live_row(owner, source_id).await?;
        let columns = stored_settings(settings, None, clock::now());
        let detail = format!("copied from token {source_id}");
        self.insert(
            owner,
            columns,
            confirmed.actor(),
            Action::TokenCopied,
            Some(detail),
            client,
        )
        .await
    }

    /// Applies the settings decided for an edit of `token_id`.
    pub async fn edit(
        &self,
        owner: &TokenOwner,
        token_id: i64,
        settings: &DecidedToken,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<TokenView> {
        let row = self.live_row(owner, token_id).await?;
        let now = clock::now();
        let columns = stored_settings(settings, Some(&row), now);
        let mut tx = self.database.begin_write().await?;
        if !tokens::update_settings(&mut *tx, token_id, columns, now).await? {
            return Err(TokenError::NotFound);
        }
        record(
            &mut tx,
            Action::TokenEdited,
            confirmed.actor(),
            owner,
            token_id,
            &row.hint,
            None,
            client,
        )
        .await?;
        let invalidate = self.cache.invalidate_on_drop();
        tx.commit().await.map_err(StorageError::from)?;
        drop(invalidate);
        self.get(owner, token_id).await
    }

    /// A new value for the token. The old one keeps working for `grace` (within the
    /// policy's longest) or until the new one is first used, whichever comes first; with no
    /// grace it is refused from this moment on.
    pub async fn regenerate(
        &self,
        owner: &TokenOwner,
        token_id: i64,
        grace: RotationGrace,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<IssuedToken> {
        self.live_row(owner, token_id).await?;
        let grace = self.allowed_grace(grace).await?;
        let actor = confirmed.actor();
        self.replace_value(
            owner,
            token_id,
            grace,
            actor,
            Action::TokenRegenerated,
            client,
        )
        .await
    }

    /// Suspends (`true`) or resumes a live token: while suspended it is refused, and it
    /// resumes with the same value and settings. Suspending a suspended token, or resuming
    /// an active one, changes nothing and is no error.
    pub async fn set_suspended(
        &self,
        owner: &TokenOwner,
        token_id: i64,
        suspend: bool,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<TokenView> {
        let row = self.live_row(owner, token_id).await?;
        let now = clock::now();
        let mut tx = self.database.begin_write().await?;
        let changed =
            tokens::set_suspended(&mut *tx, token_id, suspend.then_some(now), now).await?;
        if changed {
            let action = if suspend {
                Action::TokenSuspended
            } else {
                Action::TokenResumed
            };
            record(
                &mut tx,
                action,
                confirmed.actor(),
                owner,
                token_id,
                &row.hint,
                None,
                client,
            )
            .await?;
        }
        let invalidate = self.cache.invalidate_on_drop();
        tx.commit().await.map_err(StorageError::from)?;
        drop(invalidate);
        self.get(owner, token_id).await
    }

    /// Removes tokens, all or none: one that is not the owner's live token fails the lot.
    pub async fn remove(
        &self,
        owner: &TokenOwner,
        token_ids: &[i64],
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<usize> {
        if token_ids.is_empty() {
            return Err(TokenError::Invalid(
                "Choose at least one token to remove.".into(),
            ));
        }
        let mut ids = token_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let actor = confirmed.actor();
        let mut tx = self.database.begin_write().await?;
        for &token_id in &ids {
            let row = tokens::find(&mut *tx, owner.user_id(), token_id)
                .await?
                .filter(|row| row.removed_at.is_none())
                .ok_or(TokenError::NotFound)?;
            let now = clock::now();
            tokens::mark_removed(&mut *tx, token_id, actor.login(), now).await?;
            let removed_by = json!({ "removed_by": actor.login() });
            announce(&mut tx, WebhookEvent::TokenRemoved, &row, removed_by, now).await?;
            record(
                &mut tx,
                Action::TokenRemoved,
                actor,
                owner,
                token_id,
                &row.hint,
                None,
                client,
            )
            .await?;
        }
        let invalidate = self.cache.invalidate_on_drop();
        tx.commit().await.map_err(StorageError::from)?;
        drop(invalidate);
        Ok(ids.len())
    }

    /// Removes every live token of the owner (the incident button); how many there were.
    /// Tokens made while it runs may survive it; none that it found does.
    pub async fn remove_all(
        &self,
        owner: &TokenOwner,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<usize> {
        let ids = tokens::live_ids(self.database.pool(), owner.user_id()).await?;
        if ids.is_empty() {
            return Ok(0);
        }
        let actor = confirmed.actor();
        let mut tx = self.database.begin_write().await?;
        let mut removed = 0;
        for &token_id in &ids {
            let Some(row) = tokens::find(&mut *tx, owner.user_id(), token_id).await? else {
                continue;
            };
            // One removed meanwhile by someone else is already gone: not an error here.
            let now = clock::now();
            if !tokens::mark_removed(&mut *tx, token_id, actor.login(), now).await? {
                continue;
            }
            let removed_by = json!({ "removed_by": actor.login(), "all": true });
            announce(&mut tx, WebhookEvent::TokenRemoved, &row, removed_by, now).await?;
            record(
                &mut tx,
                Action::TokenRemoved,
                actor,
                owner,
                token_id,
                &row.hint,
                Some("all of the owner's tokens removed"),
                client,
            )
            .await?;
            removed += 1;
        }
        let invalidate = self.cache.invalidate_on_drop();
        tx.commit().await.map_err(StorageError::from)?;
        drop(invalidate);
        Ok(removed)
    }

    /// A token replacing its own value (no password: holding the token is the proof), the
    /// old one kept working as [`Self::regenerate`] does.
    pub async fn rotate_self(
        &self,
        grant: &TokenGrant,
        grace: RotationGrace,
        client: &ClientInfo,
    ) -> Result<IssuedToken> {
        if grant.replaced_value {
            return Err(TokenError::ReplacedValue);
        }
        let owner = TokenOwner::of_grant(grant);
        let actor = grant_actor(grant);
        let grace = self.allowed_grace(grace).await?;
        self.replace_value(
            &owner,
            grant.token_id,
            grace,
            &actor,
            Action::TokenRotated,
            client,
        )
        .await
    }

    /// `grace` if the policy allows it (adapters ask before the password is checked, so a
    /// refused choice costs no attempt; the regeneration asks again, as the authority).
    pub async fn allowed_grace(&self, grace: RotationGrace) -> Result<RotationGrace> {
        let policy = self.policy().await?;
        grace
            .allowed_by(policy.max_rotation_grace_secs)
            .map_err(|error| TokenError::Invalid(error.to_string()))
    }

    /// A token removing itself.
    pub async fn revoke_self(&self, grant: &TokenGrant, client: &ClientInfo) -> Result<()> {
        let owner = TokenOwner::of_grant(grant);
        let actor = grant_actor(grant);
        let row = self.live_row(&owner, grant.token_id).await?;
        let mut tx = self.database.begin_write().await?;
        let now = clock::now();
        if !tokens::mark_removed(&mut *tx, grant.token_id, &grant.login, now).await? {
            return Err(TokenError::NotFound);
        }
        let revoked = json!({ "removed_by": grant.login, "by_the_token_itself": true });
        announce(&mut tx, WebhookEvent::TokenRemoved, &row, revoked, now).await?;
        record(
            &mut tx,
            Action::TokenRevoked,
            &actor,
            &owner,
            grant.token_id,
            &row.hint,
            None,
            client,
        )
        .await?;
        let invalidate = self.cache.invalidate_on_drop();
        tx.commit().await.map_err(StorageError::from)?;
        drop(invalidate);
        Ok(())
    }

    async fn live_row(&self, owner: &TokenOwner, token_id: i64) -> Result<TokenRecord> {
        tokens::find(self.database.pool(), owner.user_id(), token_id)
            .await?
            .filter(|row| row.removed_at.is_none())
            .ok_or(TokenError::NotFound)
    }

    async fn insert(
        &self,
        owner: &TokenOwner,
        settings: TokenSettings<'_>,
        actor: &Actor,
        action: Action,
        detail: Option<String>,
        client: &ClientInfo,
    ) -> Result<IssuedToken> {
        let secret = secret::new_access_token();
        let digest = secret::digest(secret.expose());
        let mut tx = self.database.begin_write().await?;
        let token_id = tokens::insert(
            &mut *tx,
            NewToken {
                user_id: owner.user_id(),
                digest: &digest,
                hint: secret.hint(),
                settings,
                created_by_user_id: actor.user_id(),
                created_by_login: actor.login(),
                now: clock::now(),
            },
        )
        .await?;
        record(
            &mut tx,
            action,
            actor,
            owner,
            token_id,
            secret.hint(),
            detail.as_deref(),
            client,
        )
        .await?;
        tx.commit().await.map_err(StorageError::from)?;
        let token = self.get(owner, token_id).await?;
        Ok(IssuedToken { secret, token })
    }

    /// Swaps in a new value. Compare-and-swap on the old digest, so two concurrent
    /// regenerations leave exactly one new value, and every replaced digest is retired. Only
    /// the value just replaced may keep working: an earlier one's grace ends here.
    async fn replace_value(
        &self,
        owner: &TokenOwner,
        token_id: i64,
        grace: RotationGrace,
        actor: &Actor,
        action: Action,
        client: &ClientInfo,
    ) -> Result<IssuedToken> {
        let secret = secret::new_access_token();
        let digest = secret::digest(secret.expose());
        let pool = self.database.pool();
        loop {
            let old = tokens::current_digest(pool, token_id)
                .await?
                .ok_or(TokenError::NotFound)?;
            let mut tx = self.database.begin_write().await?;
            let now = clock::now();
            // A value reported found in public gets no grace: it stops now.
            let leaked = tokens::find(&mut *tx, owner.user_id(), token_id)
                .await?
                .is_some_and(|row| row.leak.is_some());
            let works_until = if leaked { None } else { grace.ends_at(now) };
            tokens::end_grace(&mut tx, token_id, now).await?;
            let value = NewValue {
                old_digest: &old,
                digest: &digest,
                hint: secret.hint(),
                old_value_works_until: works_until,
            };
            if !tokens::replace_digest(&mut *tx, token_id, &value, now).await? {
                continue;
            }
            tokens::retire_digest(&mut *tx, token_id, &old, works_until, now).await?;
            let row = tokens::find(&mut *tx, owner.user_id(), token_id)
                .await?
                .ok_or(TokenError::NotFound)?;
            let deadline = json!({ "old_value_expires_at": works_until.map(format_rfc3339) });
            announce(&mut tx, WebhookEvent::TokenRegenerated, &row, deadline, now).await?;
            let grace_note = works_until.map(|until| {
                format!(
                    "the old value works for {grace} at most, until {}",
                    format_rfc3339(until)
                )
            });
            record(
                &mut tx,
                action,
                actor,
                owner,
                token_id,
                secret.hint(),
                grace_note.as_deref(),
                client,
            )
            .await?;
            let invalidate = self.cache.invalidate_on_drop();
            tx.commit().await.map_err(StorageError::from)?;
            drop(invalidate);
            break;
        }
        let token = self.get(owner, token_id).await?;
        Ok(IssuedToken { secret, token })
    }
}

fn grant_actor(grant: &TokenGrant) -> Actor {
    Actor::User {
        user_id: grant.user_id,
        login: grant.login.clone(),
    }
}

/// Queues `event` about `row` (as the change leaves it) for the webhooks that hear of it, in
/// the change's transaction.
async fn announce(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    event: WebhookEvent,
    row: &TokenRecord,
    details: serde_json::Value,
    now: i64,
) -> Result<(), StorageError> {
    let about = TokenAbout {
        token_id: row.token_id,
        owner_user_id: row.user_id,
        owner_login: &row.owner_login,
        description: &row.description,
        hint: &row.hint,
    };
    queue_token_event(tx, event, &about, details, now)
        .await
        .map(drop)
}

#[allow(clippy::too_many_arguments)]
async fn record(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    action: Action,
    actor: &Actor,
    owner: &TokenOwner,
    token_id: i64,
    hint: &str,
    extra: Option<&str>,
    client: &ClientInfo,
) -> Result<(), StorageError> {
    let mut detail = format!("token {token_id} (…{hint})");
    if let Some(extra) = extra {
        detail.push_str(", ");
        detail.push_str(extra);
    }
    audit::record(
        &mut **tx,
        Event {
            action,
            actor: Some(actor),
            subject_login: Some(owner.login()),
            client,
            detail: Some(&detail),
        },
    )
    .await
}
