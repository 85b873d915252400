//! A token's usage report: its stored counts and sources with those not yet written added,
//! for the owner or an admin.

use domain::token::{MAX_USAGE_DAYS, TokenUsage, UsageCount, UsageSource};

use super::{Result, TokenError, TokenOwner, TokenService};
use crate::{
    clock,
    storage::{StorageError, tokens, usage},
};

impl TokenService {
    /// What the owner's token (removed ones too) did over the last `days` days (UTC, today
    /// included; 1 to [`MAX_USAGE_DAYS`]).
    pub async fn usage_report(
        &self,
        owner: &TokenOwner,
        token_id: i64,
        days: u32,
    ) -> Result<TokenUsage> {
        let pool = self.database.pool();
        let row = tokens::find(pool, owner.user_id(), token_id)
            .await?
            .ok_or(TokenError::NotFound)?;
        let now = clock::now();
        let today = now.div_euclid(86_400);
        let days = days.clamp(1, MAX_USAGE_DAYS);
        // The connection first: a write holding the database waits for the gate, so the
        // report must not wait for a connection while holding it.
        let mut connection = pool.acquire().await.map_err(StorageError::from)?;
        let gate = self.usage.report_gate().await;
        let since = today - i64::from(days) + 1;
        let mut counts = usage::counts(&mut *connection, token_id, since).await?;
        let mut sources = usage::sources(&mut *connection, token_id).await?;
        let unwritten = self.usage.unwritten(token_id);
        drop(gate);
        drop(connection);
        counts.extend(unwritten.iter().flat_map(|tally| {
            tally.counts().into_iter().map(|(count, calls)| UsageCount {
                day: count.day,
                method: count.method,
                env: count.env,
                outcome: count.outcome.to_owned(),
                calls,
            })
        }));
        for (key, seen) in unwritten.into_iter().flat_map(|tally| tally.sources) {
            let ip = (!key.ip.is_empty()).then_some(key.ip);
            let user_agent = (!key.user_agent.is_empty()).then_some(key.user_agent);
            match sources
                .iter_mut()
                .find(|s| s.ip == ip && s.user_agent == user_agent)
            {
                Some(stored) => {
                    stored.first_seen = stored.first_seen.min(seen.first);
                    stored.last_seen = stored.last_seen.max(seen.last);
                    stored.calls += seen.calls;
                }
                None => sources.push(UsageSource {
                    ip,
                    user_agent,
                    first_seen: seen.first,
                    last_seen: seen.last,
                    calls: seen.calls,
                }),
            }
        }
        let token = self.view(&row, now);
        Ok(TokenUsage::assemble(
            &token,
            &self.catalog,
            &counts,
            sources,
            today,
            days,
        ))
    }
}
