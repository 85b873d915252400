//! `token.expiring` and `token.expired`: once a minute each server looks for token ends (hard
//! limits, and auto-refresh tokens' absolute ends) within an endpoint's lead times or just
//! past, and queues each announcement once per endpoint, lead time and end, whichever server
//! finds it first (an extension moves the end, and is announced anew when its time comes).

use domain::{
    token::Lifetime,
    webhook::{MAX_LEAD_SECS, WebhookEvent},
};
use serde_json::json;

use super::{
    WebhookService,
    events::{TokenAbout, payload},
    lead_times,
};
use crate::storage::{StorageError, webhooks};

/// An end that passed longer ago than this is not announced (a server that was down for a
/// day does not flood its endpoints).
const EXPIRED_WITHIN_SECS: i64 = 86_400;

impl WebhookService {
    /// Queues the announcements due at `now`; how many.
    pub async fn announce_token_ends(&self, now: i64) -> Result<usize, StorageError> {
        let pool = self.database.pool();
        let hooks: Vec<_> = webhooks::list_live(pool)
            .await?
            .into_iter()
            .filter(|hook| {
                let events: Vec<_> = hook.events.split_whitespace().collect();
                events.contains(&WebhookEvent::TokenExpiring.as_str())
                    || events.contains(&WebhookEvent::TokenExpired.as_str())
            })
            .collect();
        if hooks.is_empty() {
            return Ok(0);
        }
        let max_lead = i64::try_from(MAX_LEAD_SECS).unwrap_or(i64::MAX);
        let ending =
            webhooks::tokens_ending(pool, now - EXPIRED_WITHIN_SECS, now + max_lead).await?;
        let mut queued = 0;
        for token in &ending {
            for hook in hooks
                .iter()
                .filter(|hook| hook.all_people != 0 || hook.user_id == token.user_id)
            {
                let Some((event, kind, details)) = due_announcement(hook, token.token_end, now)
                else {
                    continue;
                };
                let kind = kind.as_str();
                let announced = webhooks::notice_exists(
                    pool,
                    hook.webhook_id,
                    token.token_id,
                    kind,
                    token.token_end,
                );
                if announced.await? {
                    continue;
                }
                let mut tx = self.database.begin_write().await?;
                if webhooks::record_notice(
                    &mut *tx,
                    hook.webhook_id,
                    token.token_id,
                    kind,
                    token.token_end,
                )
                .await?
                {
                    let about = TokenAbout {
                        token_id: token.token_id,
                        owner_user_id: token.user_id,
                        owner_login: &token.owner_login,
                        description: &token.description,
                        hint: &token.hint,
                    };
                    let body = payload(event, &about, details, now);
                    webhooks::enqueue(&mut *tx, hook.webhook_id, event.as_str(), &body, now)
                        .await?;
                    queued += 1;
                }
                tx.commit().await?;
            }
        }
        Ok(queued)
    }
}

/// What `hook` should hear of a token ending at `end`, at `now`: expired, or expiring within
/// its shortest lead time that has been reached; with the notice's kind (its once-only key).
fn due_announcement(
    hook: &webhooks::WebhookRow,
    end: i64,
    now: i64,
) -> Option<(WebhookEvent, String, serde_json::Value)> {
    let hears = |event: WebhookEvent| hook.events.split_whitespace().any(|e| e == event.as_str());
    let at = domain::calendar::format_rfc3339(end);
    if end <= now {
        return hears(WebhookEvent::TokenExpired).then(|| {
            (
                WebhookEvent::TokenExpired,
                "expired".to_owned(),
                json!({ "expired_at": at }),
            )
        });
    }
    if !hears(WebhookEvent::TokenExpiring) {
        return None;
    }
    let left = u64::try_from(end - now).ok()?;
    let lead = lead_times(hook)
        .into_iter()
        .filter(|&lead| left <= lead)
        .min()?;
    let lead_label = Lifetime::from_secs(lead)
        .map(|l| l.to_string())
        .unwrap_or_default();
    Some((
        WebhookEvent::TokenExpiring,
        format!("expiring:{lead}"),
        json!({ "expires_at": at, "lead_time": lead_label }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(events: &str, lead_times: &str) -> webhooks::WebhookRow {
        webhooks::WebhookRow {
            webhook_id: 1,
            user_id: 1,
            owner_login: "ann".into(),
            url: "https://ci.example.com/".into(),
            events: events.into(),
            lead_times: lead_times.into(),
            all_people: 0,
            secret: "whsec_x".into(),
            created_at: 0,
            removed_at: None,
            owner_role: "user".into(),
            owner_disabled_at: None,
        }
    }

    #[test]
    fn the_shortest_lead_time_reached_is_announced_once_per_kind() {
        let both = hook("token.expiring token.expired", "604800 86400");
        let now = 1_000_000;
        let (event, kind, _) = due_announcement(&both, now + 3 * 86_400, now).unwrap();
        assert_eq!(
            (event, kind.as_str()),
            (WebhookEvent::TokenExpiring, "expiring:604800")
        );
        let (_, kind, details) = due_announcement(&both, now + 3600, now).unwrap();
        assert_eq!(kind, "expiring:86400");
        assert_eq!(details["lead_time"], "1d");
        assert!(due_announcement(&both, now + 8 * 86_400, now).is_none());
        let (event, kind, _) = due_announcement(&both, now, now).unwrap();
        assert_eq!(
            (event, kind.as_str()),
            (WebhookEvent::TokenExpired, "expired")
        );
        let removals_only = hook("token.removed", "604800");
        assert!(due_announcement(&removals_only, now + 3600, now).is_none());
        assert!(due_announcement(&removals_only, now - 1, now).is_none());
    }
}
