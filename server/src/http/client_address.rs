//! The client's address behind reverse proxies.
//!
//! Only a proxy the operator trusts may say who the client is: when the peer is one of
//! `--trusted-proxies`, the client is the right-most `X-Forwarded-For` entry that is not
//! itself a trusted proxy. Otherwise the header is ignored (anyone can send it), and the peer
//! is the client. The result replaces `ConnectInfo`, so everything downstream (the sign-in
//! throttle, audit events) sees the real client.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};

#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[IpAddr]>);

impl TrustedProxies {
    pub fn new(addresses: Vec<IpAddr>) -> Self {
        Self(addresses.into())
    }

    fn contains(&self, address: IpAddr) -> bool {
        self.0.contains(&address)
    }
}

pub async fn resolve_client(
    State(trusted): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
        && let Some(client) = forwarded_client(&trusted, peer.ip(), request.headers())
    {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(client, 0)));
    }
    next.run(request).await
}

fn forwarded_client(
    trusted: &TrustedProxies,
    peer: IpAddr,
    headers: &http::HeaderMap,
) -> Option<IpAddr> {
    if !trusted.contains(peer) {
        return None;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|hop| hop.trim().parse().ok())
        .collect::<Option<Vec<_>>>()?;
    hops.into_iter().rev().find(|hop| !trusted.contains(*hop))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(xff: &[&str]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for value in xff {
            map.append("x-forwarded-for", value.parse().unwrap());
        }
        map
    }

    #[test]
    fn only_a_trusted_peer_may_name_the_client() {
        let trusted = TrustedProxies::new(vec![ip("10.0.0.1"), ip("10.0.0.2")]);
        let xff = headers(&["203.0.113.9, 198.51.100.4", "10.0.0.2"]);

        assert_eq!(
            forwarded_client(&trusted, ip("10.0.0.1"), &xff),
            Some(ip("198.51.100.4"))
        );
        assert_eq!(forwarded_client(&trusted, ip("192.0.2.1"), &xff), None);
        assert_eq!(
            forwarded_client(&TrustedProxies::default(), ip("10.0.0.1"), &xff),
            None
        );
    }

    #[test]
    fn a_malformed_or_missing_header_names_nobody() {
        let trusted = TrustedProxies::new(vec![ip("10.0.0.1")]);
        assert_eq!(
            forwarded_client(&trusted, ip("10.0.0.1"), &headers(&["not-an-ip"])),
            None
        );
        assert_eq!(
            forwarded_client(&trusted, ip("10.0.0.1"), &headers(&[])),
            None
        );
    }
}
