//! The token policy: read where tokens are made or changed, set by admins.

use domain::{
    client::ClientInfo,
    token::{ComplianceReport, NonCompliantToken, TokenPolicy, TokenStatus},
};

use super::{Result, TokenError, TokenService};
use crate::{
    clock,
    services::{
        accounts::{AdminProof, Confirmed},
        audit::{self, Action, Event},
    },
    storage::{StorageError, policy, tokens},
};

/// Tokens read per query while looking for those the policy would not allow.
const REPORT_BATCH: i64 = 1_000;

impl TokenService {
    pub async fn policy(&self) -> Result<TokenPolicy> {
        Ok(policy::get(self.database.pool()).await?)
    }

    /// The live tokens (of enabled people) that the current policy would not allow were they
    /// made now, oldest first, with why; read in batches, listing at most
    /// [`ComplianceReport::MAX_LISTED`].
    pub async fn compliance_report(&self, _admin: &AdminProof) -> Result<ComplianceReport> {
        let pool = self.database.pool();
        let policy = self.policy().await?;
        let now = clock::now();
        let mut report = ComplianceReport::default();
        let mut after = 0;
        loop {
            let batch = tokens::live_after(pool, after, REPORT_BATCH).await?;
            let Some(last) = batch.last() else {
                return Ok(report);
            };
            after = last.token_id;
            report.checked += batch.len() as u64;
            for row in &batch {
                let token = self.view(row, now);
                // Expired or revoked as leaked, it is refused already.
                if !matches!(token.status, TokenStatus::Active | TokenStatus::Suspended) {
                    continue;
                }
                let objections = policy.objections(&token, &self.catalog, now);
                if objections.is_empty() {
                    continue;
                }
                if report.tokens.len() == ComplianceReport::MAX_LISTED {
                    report.truncated = true;
                    return Ok(report);
                }
                report.tokens.push(NonCompliantToken { token, objections });
            }
        }
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
