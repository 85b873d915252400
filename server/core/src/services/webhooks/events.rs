//! What each token event's delivery says: JSON about the token (never its value), queued in
//! the transaction of the change it announces.

use domain::{calendar::format_rfc3339, webhook::WebhookEvent};
use serde_json::{Value, json};
use sqlx::AnyConnection;

use crate::storage::{StorageError, webhooks};

/// The token an event is about, as a delivery describes it.
#[derive(Debug, Clone)]
pub struct TokenAbout<'a> {
    pub token_id: i64,
    pub owner_user_id: i64,
    pub owner_login: &'a str,
    pub description: &'a str,
    /// The value's last four characters.
    pub hint: &'a str,
}

/// The body of a delivery: `{"id", "event", "created_at", "token": {...}, ...details}`. The
/// id is the event's, random and signed with the rest: a receiver that keeps the ids it saw
/// can refuse a replayed or repeated delivery.
pub fn payload(event: WebhookEvent, token: &TokenAbout<'_>, details: Value, now: i64) -> String {
    let mut body = json!({
        "id": format!("evt_{}", crate::auth::secret::random_token(12)),
        "event": event.as_str(),
        "created_at": format_rfc3339(now),
        "token": {
            "id": token.token_id,
            "owner": token.owner_login,
            "description": token.description,
            "hint": token.hint,
        },
    });
    if let (Some(body), Value::Object(details)) = (body.as_object_mut(), details) {
        body.extend(details);
    }
    body.to_string()
}

/// Queues `event` about `token` for every endpoint that hears of it, in the caller's
/// transaction: committed with the change, or not at all.
pub async fn queue_token_event(
    connection: &mut AnyConnection,
    event: WebhookEvent,
    token: &TokenAbout<'_>,
    details: Value,
    now: i64,
) -> Result<u64, StorageError> {
    let body = payload(event, token, details, now);
    webhooks::enqueue_token_event(connection, token.owner_user_id, event.as_str(), &body, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_describes_the_token_and_its_details() {
        let token = TokenAbout {
            token_id: 7,
            owner_user_id: 1,
            owner_login: "ann",
            description: "CI",
            hint: "WXYZ",
        };
        let body: Value = serde_json::from_str(&payload(
            WebhookEvent::TokenRegenerated,
            &token,
            json!({ "old_value_expires_at": null }),
            0,
        ))
        .unwrap();
        assert_eq!(body["event"], "token.regenerated");
        assert!(body["id"].as_str().unwrap().starts_with("evt_"));
        assert_eq!(body["created_at"], "1970-01-01T00:00:00Z");
        assert_eq!(body["token"]["hint"], "WXYZ");
        assert_eq!(body["token"]["owner"], "ann");
        assert!(
            body.as_object()
                .unwrap()
                .contains_key("old_value_expires_at")
        );
    }
}
