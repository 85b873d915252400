//! Every request gets an id, logged with each line the request causes and returned in
//! `X-Request-Id`, so an operator can find a user's failed request in the logs. A trusted
//! proxy's id (nginx `$request_id`) is kept when it looks like one. From any other peer the
//! header is replaced: a client could otherwise pick ids that collide with other requests'
//! in the logs.

use std::{
    net::SocketAddr,
    sync::{
        LazyLock,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};
use http::{HeaderName, HeaderValue};
use rand_core::{OsRng, RngCore as _};

use super::client_address::TrustedProxies;

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const LONGEST_ACCEPTED: usize = 64;

#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

/// A random prefix per process (replicas differ) and a counter: unique without a system call
/// per request.
static PROCESS_PREFIX: LazyLock<u64> = LazyLock::new(|| OsRng.next_u64());
static COUNTER: AtomicU64 = AtomicU64::new(0);

pub async fn assign(
    State(trusted): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    // Outside `resolve_client`, so the peer is still the connection's, not the client a proxy
    // named.
    let from_trusted_proxy = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| trusted.contains(peer.ip()));
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .filter(|value| from_trusted_proxy && is_acceptable(value.as_bytes()))
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
