//! Sending what the outbox holds: each due delivery is claimed (so that one server sends it),
//! signed, posted to the endpoint's checked addresses, and recorded; a failure is retried with
//! exponential backoff for 24 hours.

use std::time::Duration;

use domain::webhook::WebhookUrl;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use super::{WebhookService, address::resolve_allowed};
use crate::{
    clock,
    storage::{
        StorageError,
        webhooks::{self, Attempt, DeliveryRow},
    },
};

/// The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub const SIGNATURE_HEADER: &str = "Tessera-Signature";
/// How long a server holds a delivery it is sending before another may take it.
const LEASE_SECS: i64 = 60;
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Retries stop this long after the event.
pub const RETRY_FOR_SECS: i64 = 24 * 3600;
/// Due deliveries taken per pass.
const BATCH: i64 = 20;

/// The signature of `body` sent at `timestamp`, as the header carries it.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

/// The wait before attempt `attempts + 1`: 10 s, doubling, at most an hour.
pub fn backoff_secs(attempts: u32) -> i64 {
    let doubling = 10_i64.saturating_mul(1_i64 << attempts.min(20));
    doubling.min(3600)
}

impl WebhookService {
    /// Sends the deliveries due now; how many were attempted.
    pub async fn deliver_due(&self) -> Result<usize, StorageError> {
        let pool = self.database.pool();
        let mut attempted = 0;
        for delivery in webhooks::due(pool, clock::now(), BATCH).await? {
            // Leased from now, not from when the batch was read: an earlier slow endpoint
            // must not leave this one's lease already over when it is sent.
            let lease = clock::now() + LEASE_SECS;
            if webhooks::claim(pool, delivery.delivery_id, delivery.next_attempt_at, lease).await? {
                self.attempt(&delivery, lease).await?;
                attempted += 1;
            }
        }
        Ok(attempted)
    }

    /// Sends a delivery this server holds until `lease`, and records how it went (unless the
    /// lease ran out and another server took it meanwhile).
    async fn attempt(&self, delivery: &DeliveryRow, lease: i64) -> Result<(), StorageError> {
        let pool = self.database.pool();
        let endpoint = webhooks::find(pool, delivery.webhook_id).await?;
        let live = endpoint.as_ref().filter(|endpoint| endpoint.hears());
        let outcome = match live {
            Some(endpoint) => self.send(&endpoint.url, &endpoint.secret, delivery).await,
            None => Err("The endpoint was removed, or its owner may no longer use it.".to_owned()),
        };
        let now = clock::now();
        let attempts = u32::try_from(delivery.attempts)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let attempt = match &outcome {
            Ok(status) if (200..300).contains(status) => Attempt {
                status: Some(*status),
                error: None,
                delivered_at: Some(now),
                next_attempt_at: None,
                gave_up_at: None,
            },
            failed => {
                let next = now + backoff_secs(attempts - 1);
                let give_up = live.is_none() || next > delivery.created_at + RETRY_FOR_SECS;
                Attempt {
                    status: failed.as_ref().ok().copied(),
                    error: failed.as_ref().err().map(String::as_str),
                    delivered_at: None,
                    next_attempt_at: (!give_up).then_some(next),
                    gave_up_at: give_up.then_some(now),
                }
            }
        };
        if attempt.delivered_at.is_none() {
            tracing::info!(
                delivery = delivery.delivery_id,
                webhook = delivery.webhook_id,
                status = ?attempt.status,
                error = attempt.error,
                gave_up = attempt.gave_up_at.is_some(),
                "webhook delivery failed"
            );
        }
        webhooks::record_attempt(pool, delivery.delivery_id, lease, &attempt).await
    }

    /// Posts the delivery; the endpoint's HTTP status, or why there was none.
    async fn send(&self, url: &str, secret: &str, delivery: &DeliveryRow) -> Result<u16, String> {
        let url = WebhookUrl::parse(url)?;
        let addrs = resolve_allowed(&url, self.allow_private).await?;
        let client = reqwest::Client::builder()
            .resolve_to_addrs(url.host(), &addrs)
            // A proxy from the environment would resolve the host itself, past the check.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(SEND_TIMEOUT)
            .user_agent(concat!("Tessera-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("The HTTP client could not be made: {e}"))?;
        let timestamp = clock::now();
        let response = client
            .post(url.as_str())
            .header("content-type", "application/json")
            .header("tessera-event", &delivery.event)
            .header("tessera-delivery", delivery.delivery_id.to_string())
            .header(
                SIGNATURE_HEADER,
                signature(secret, timestamp, &delivery.payload),
            )
            .body(delivery.payload.clone())
            .send()
            .await
            .map_err(|e| describe_send_error(&e))?;
        Ok(response.status().as_u16())
    }
}

/// Why a request got no answer, without the URL (which may hold a path secret).
fn describe_send_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "The endpoint did not answer within 10 s.".to_owned()
    } else if error.is_connect() {
        "The endpoint refused or dropped the connection.".to_owned()
    } else {
        "The request failed before an answer.".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently with Python's hmac module:
        // hmac.new(b'key', b'1.{}', hashlib.sha256).hexdigest()
        assert_eq!(
            signature("key", 1, "{}"),
            "t=1,v1=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(backoff_secs(0), 10);
        assert_eq!(backoff_secs(1), 20);
        assert_eq!(backoff_secs(5), 320);
        assert_eq!(backoff_secs(9), 3600);
        assert_eq!(backoff_secs(u32::MAX), 3600);
    }
}
