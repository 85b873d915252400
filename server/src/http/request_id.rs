//! Every request gets an id, logged with each line the request causes and returned in
//! `X-Request-Id`, so an operator can find a user's failed request in the logs. A proxy's id
//! (nginx `$request_id`) is kept when it looks like one.

use std::sync::{
    LazyLock,
    atomic::{AtomicU64, Ordering},
};

use axum::{extract::Request, middleware::Next, response::Response};
use http::{HeaderName, HeaderValue};
use rand_core::{OsRng, RngCore as _};

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const LONGEST_ACCEPTED: usize = 64;

#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

/// A random prefix per process (replicas differ) and a counter: unique without a system call
/// per request.
static PROCESS_PREFIX: LazyLock<u64> = LazyLock::new(|| OsRng.next_u64());
static COUNTER: AtomicU64 = AtomicU64::new(0);

pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .filter(|value| is_acceptable(value.as_bytes()))
        .cloned()
        .unwrap_or_else(next_id);
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    response.headers_mut().insert(X_REQUEST_ID.clone(), id);
    response
}

fn next_id() -> HeaderValue {
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    HeaderValue::try_from(format!("{:016x}-{count:x}", *PROCESS_PREFIX))
        .expect("hex digits and a dash are a valid header value")
}

fn is_acceptable(raw: &[u8]) -> bool {
    !raw.is_empty()
        && raw.len() <= LONGEST_ACCEPTED
        && raw
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.:".contains(byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_differ_and_proxies_ids_are_kept_only_when_plain() {
        assert_ne!(next_id(), next_id());
        assert!(is_acceptable(b"5f2b6c0e9d1a4b3c8e7f6a5b4c3d2e1f"));
        assert!(!is_acceptable(b""));
        assert!(!is_acceptable(b"id with spaces"));
        assert!(!is_acceptable(b"id\"quoted"));
        assert!(!is_acceptable(&[b'a'; LONGEST_ACCEPTED + 1]));
    }
}
