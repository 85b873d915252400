//! The token policy: read where tokens are made or changed, set by admins.

use domain::{client::ClientInfo, token::TokenPolicy};

use super::{Result, TokenError, TokenService};
use crate::{
    clock,
    services::{
        accounts::Confirmed,
        audit::{self, Action, Event},
    },
    storage::{StorageError, policy},
};

impl TokenService {
    pub async fn policy(&self) -> Result<TokenPolicy> {
        Ok(policy::get(self.database.pool()).await?)
    }

    /// Replaces the policy. Tokens made before keep working; it applies from the next change.
    pub async fn set_policy(
        &self,
        new: TokenPolicy,
        confirmed: &Confirmed,
        client: &ClientInfo,
    ) -> Result<TokenPolicy> {
        if let Some(unknown) = new
            .api_sets
            .iter()
            .flatten()
            .find(|id| self.catalog.set(id).is_none())
        {
            return Err(TokenError::Invalid(format!(
                "There is no API set “{unknown}”."
            )));
        }
        if let Some(unknown) = new
            .allowed_ips_required_for
            .iter()
            .find(|id| self.catalog.set(id).is_none())
        {
            return Err(TokenError::Invalid(format!(
                "There is no API set “{unknown}” to require allowed addresses for."
            )));
        }
        if !new.allows_some_api() {
            return Err(TokenError::Invalid(
                "This policy would let nobody make a token: allow at least one API set, or \
                 hand-picked methods."
                    .into(),
            ));
        }
        if let Some(secs) = new.max_lifetime_secs {
            domain::token::Lifetime::from_secs(secs)
                .map_err(|e| TokenError::Invalid(e.to_string()))?;
        }
        if new
            .max_rotation_grace_secs
            .is_some_and(|secs| secs > domain::token::MAX_GRACE_SECS)
        {
            return Err(TokenError::Invalid(
                "An old value can be kept working for at most 7 days after a regeneration.".into(),
            ));
        }
        let actor = confirmed.actor();
        let mut tx = self.database.begin_write().await?;
        policy::set(&mut *tx, &new, actor.login(), clock::now()).await?;
        let detail = new.summary(&self.catalog).join(" ");
        audit::record(
            &mut *tx,
            Event {
                action: Action::PolicyChanged,
                actor: Some(actor),
                subject_login: None,
                client,
                detail: Some(&detail),
            },
        )
        .await?;
        // The owner's rate limit is read with each token: this server's next check must see it.
        let invalidate = self.cache.invalidate_on_drop();
        tx.commit().await.map_err(StorageError::from)?;
        drop(invalidate);
        Ok(new)
    }
}
