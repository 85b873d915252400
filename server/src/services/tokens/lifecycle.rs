//! Making and changing tokens. Every change takes a [`Confirmed`]: the acting user's
//! password was checked in this request (or the operator acts at the command line).

use app::{
    catalog::ApiSelection,
    request::ClientInfo,
    token::{Description, ExpirySpec, Scope, TokenView},
};

use super::{
    IssuedToken, Result, TokenError, TokenGrant, TokenService, TokenSpec, expiry_columns,
    policy::kept_expiry, stored_scopes, stored_selection,
};
use crate::{
    auth::secret,
    clock,
    services::{
        accounts::Confirmed,
        audit::{self, Action, Actor, Event},
    },
    storage::{
        StorageError,
        tokens::{self, NewToken, TokenRow, TokenSettings},
    },
};

/// The user whose tokens a call reads or changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    pub user_id: i64,
    pub login: String,
}

/// An edit: `None` keeps what the token has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenChanges {
    pub description: Option<Description>,
    pub api: Option<ApiSelection>,
    pub scopes: Option<Vec<Scope>>,
    pub expiry: Option<ExpirySpec>,
}

/// The columns of a token's settings, owned.
struct Columns {
    description: String,
    api_set: Option<String>,
    methods: String,
    scopes: String,
    expiration: &'static str,
    expires_at: Option<i64>,
    refresh_window_secs: Option<i64>,
}

impl Columns {
    fn settings(&self) -> TokenSettings<'_> {
        TokenSettings {
            description: &self.description,
            api_set: self.api_set.as_deref(),
            methods: &self.methods,
            scopes: &self.scopes,
            expiration: self.expiration,
            expires_at: self.expires_at,
            refresh_window_secs: self.refresh_window_secs,
        }
    }
}

impl TokenService {
    pub async fn list(&self, owner: &TokenOwner, include_removed: bool) -> Result<Vec<TokenView>> {
        let rows =
            tokens::list_for_user(self.database.pool(), owner.user_id, include_removed).await?;
        let now = clock::now();
        Ok(rows.iter().map(|row| self.view(row, now)).collect())
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

    pub async fn generate(
        &self,
        owner: &TokenOwner,
        spec: TokenSpec,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<IssuedToken> {
        let now = clock::now();
        self.enforce_policy(Some(&spec.api), Some(&spec.expiry), now)
            .await?;
        let columns = self.columns(spec, now)?;
        self.insert(
            owner,
            &columns,
            confirmed.actor(),
            Action::TokenCreated,
            None,
            client,
        )
        .await
    }

    /// A new token with another's settings, changed by `overrides`.
    pub async fn copy(
        &self,
        owner: &TokenOwner,
        source_id: i64,
        overrides: TokenChanges,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<IssuedToken> {
        let source = self.live_row(owner, source_id).await?;
        let now = clock::now();
        let api = overrides
            .api
            .clone()
            .unwrap_or_else(|| stored_selection(&source));
        let expiry = overrides
            .expiry
            .unwrap_or_else(|| kept_expiry(&source, now));
        self.enforce_policy(Some(&api), Some(&expiry), now).await?;
        let columns = self.changed_columns(&source, overrides, now)?;
        let detail = format!("copied from token {source_id}");
        self.insert(
            owner,
            &columns,
            confirmed.actor(),
            Action::TokenCopied,
            Some(detail),
            client,
        )
        .await
    }

    pub async fn edit(
        &self,
        owner: &TokenOwner,
        token_id: i64,
        changes: TokenChanges,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<TokenView> {
        let row = self.live_row(owner, token_id).await?;
        let now = clock::now();
        // Only what changes must satisfy the policy: it may have tightened since.
        let new_api = changes
            .api
            .as_ref()
            .filter(|api| **api != stored_selection(&row));
        self.enforce_policy(new_api, changes.expiry.as_ref(), now)
            .await?;
        let columns = self.changed_columns(&row, changes, now)?;
        let mut tx = self.database.begin_write().await?;
        if !tokens::update_settings(&mut *tx, token_id, columns.settings(), now).await? {
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
        tx.commit().await.map_err(StorageError::from)?;
        self.get(owner, token_id).await
    }

    /// A new value for the token; the old one is refused from this moment on.
    pub async fn regenerate(
        &self,
        owner: &TokenOwner,
        token_id: i64,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<IssuedToken> {
        self.live_row(owner, token_id).await?;
        self.replace_value(
            owner,
            token_id,
            confirmed.actor(),
            Action::TokenRegenerated,
            client,
        )
        .await
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
            let row = tokens::find(&mut *tx, owner.user_id, token_id)
                .await?
                .filter(|row| row.removed_at.is_none())
                .ok_or(TokenError::NotFound)?;
            tokens::mark_removed(&mut *tx, token_id, actor.login(), clock::now()).await?;
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
        tx.commit().await.map_err(StorageError::from)?;
        Ok(ids.len())
    }

    /// A token replacing its own value (no password: holding the token is the proof).
    pub async fn rotate_self(
        &self,
        grant: &TokenGrant,
        client: &ClientInfo,
    ) -> Result<IssuedToken> {
        let owner = grant_owner(grant);
        let actor = grant_actor(grant);
        self.replace_value(&owner, grant.token_id, &actor, Action::TokenRotated, client)
            .await
    }

    /// A token removing itself.
    pub async fn revoke_self(&self, grant: &TokenGrant, client: &ClientInfo) -> Result<()> {
        let owner = grant_owner(grant);
        let actor = grant_actor(grant);
        let row = self.live_row(&owner, grant.token_id).await?;
        let mut tx = self.database.begin_write().await?;
        if !tokens::mark_removed(&mut *tx, grant.token_id, &grant.login, clock::now()).await? {
            return Err(TokenError::NotFound);
        }
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
        tx.commit().await.map_err(StorageError::from)?;
        Ok(())
    }

    async fn live_row(&self, owner: &TokenOwner, token_id: i64) -> Result<TokenRow> {
        tokens::find(self.database.pool(), owner.user_id, token_id)
            .await?
            .filter(|row| row.removed_at.is_none())
            .ok_or(TokenError::NotFound)
    }

    async fn insert(
        &self,
        owner: &TokenOwner,
        columns: &Columns,
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
                user_id: owner.user_id,
                digest: &digest,
                hint: secret.hint(),
                settings: columns.settings(),
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
    /// regenerations leave exactly one working value, and every replaced digest is retired.
    async fn replace_value(
        &self,
        owner: &TokenOwner,
        token_id: i64,
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
            if !tokens::replace_digest(&mut *tx, token_id, &old, &digest, secret.hint(), now)
                .await?
            {
                continue;
            }
            tokens::retire_digest(&mut *tx, token_id, &old, now).await?;
            record(
                &mut tx,
                action,
                actor,
                owner,
                token_id,
                secret.hint(),
                None,
                client,
            )
            .await?;
            tx.commit().await.map_err(StorageError::from)?;
            break;
        }
        let token = self.get(owner, token_id).await?;
        Ok(IssuedToken { secret, token })
    }

    fn columns(&self, spec: TokenSpec, now: i64) -> Result<Columns> {
        self.catalog
            .check_selection(&spec.api)
            .map_err(TokenError::Invalid)?;
        let (model, expires_at, window) = expiry_columns(spec.expiry, now)?;
        let (api_set, methods) = match spec.api {
            ApiSelection::Set(id) => (Some(id), String::new()),
            ApiSelection::Custom(names) => (
                None,
                names
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        };
        Ok(Columns {
            description: spec.description.as_str().to_owned(),
            api_set,
            methods,
            scopes: spec
                .scopes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            expiration: model.as_str(),
            expires_at,
            refresh_window_secs: window,
        })
    }

    fn changed_columns(&self, row: &TokenRow, changes: TokenChanges, now: i64) -> Result<Columns> {
        let keep_expiry = changes.expiry.is_none();
        let description = match changes.description {
            Some(description) => description,
            None => Description::parse(&row.description)
                .map_err(|e| TokenError::Invalid(e.to_string()))?,
        };
        let spec = TokenSpec {
            description,
            api: changes.api.unwrap_or_else(|| stored_selection(row)),
            scopes: changes.scopes.unwrap_or_else(|| stored_scopes(row)),
            expiry: changes.expiry.unwrap_or(ExpirySpec::Never),
        };
        let mut columns = self.columns(spec, now)?;
        if keep_expiry {
            columns.expiration = app::token::ExpirationModel::parse(&row.expiration)
                .unwrap_or(app::token::ExpirationModel::Never)
                .as_str();
            columns.expires_at = row.expires_at;
            columns.refresh_window_secs = row.refresh_window_secs;
        }
        Ok(columns)
    }
}

fn grant_owner(grant: &TokenGrant) -> TokenOwner {
    TokenOwner {
        user_id: grant.user_id,
        login: grant.login.clone(),
    }
}

fn grant_actor(grant: &TokenGrant) -> Actor {
    Actor::User {
        user_id: grant.user_id,
        login: grant.login.clone(),
    }
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
            subject_login: Some(&owner.login),
            client,
            detail: Some(&detail),
        },
    )
    .await
}
