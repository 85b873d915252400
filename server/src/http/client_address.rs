//! The client's address behind reverse proxies.
//!
//! Only a proxy the operator trusts may say who the client is: when the peer is one of
//! `--trusted-proxies`, the client is the right-most `X-Forwarded-For` entry that is not
//! itself a trusted proxy. Entries to its left are never read: a client may have sent them,
//! so junk there cannot hide the client behind the proxy. From any other peer the header is
//! ignored (anyone can send it) and the peer is the client; so is `X-Forwarded-Proto`, which
//! is removed. The result replaces `ConnectInfo`, so everything downstream (the sign-in
//! throttle, audit events, the Secure cookie and HSTS) sees the real client.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use app::token::AddressRange;
use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};

#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[AddressRange]>);

impl TrustedProxies {
    pub fn new(ranges: Vec<AddressRange>) -> Self {
        Self(ranges.into())
    }

    /// IPv4 peers of a server listening on `[::]` arrive as `::ffff:a.b.c.d`: ranges compare
    /// them in their canonical form, so they match the IPv4 ranges operators list.
    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(address))
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
    {
        if !trusted.contains(peer.ip()) {
            request.headers_mut().remove("x-forwarded-proto");
        } else if let Some(client) = forwarded_client(&trusted, peer.ip(), request.headers()) {
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(client, 0)));
        }
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
    // Byte by byte from the right: bytes a client put further left (even ones that are not
    // text) are never looked at.
    let values: Vec<&[u8]> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(http::HeaderValue::as_bytes)
        .collect();
    for hop in values
        .iter()
        .rev()
        .flat_map(|value| value.rsplit(|&byte| byte == b','))
    {
        let address = std::str::from_utf8(hop)
            .ok()
            .and_then(|hop| parse_hop(hop.trim()))?;
        if !trusted.contains(address) {
            return Some(address);
        }
    }
    None
}

/// An address as proxies write it: `203.0.113.9`, `2001:db8::1`, or with a port
/// (`203.0.113.9:5678`, `[2001:db8::1]:5678`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
        .map(|address: IpAddr| address.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn range(text: &str) -> AddressRange {
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
        let trusted = TrustedProxies::new(vec![range("10.0.0.1"), range("10.0.0.2")]);
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
    fn junk_a_client_put_left_of_the_proxys_entry_is_never_read() {
        let trusted = TrustedProxies::new(vec![range("10.0.0.1")]);
        // nginx with $proxy_add_x_forwarded_for after a client sent "junk, 6.6.6.6".
        assert_eq!(
            forwarded_client(
                &trusted,
                ip("10.0.0.1"),
                &headers(&["junk, 6.6.6.6, 203.0.113.9"])
            ),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            forwarded_client(&trusted, ip("10.0.0.1"), &headers(&["junk", "203.0.113.9"])),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn bytes_that_are_not_text_left_of_the_proxys_entry_are_never_read() {
        let trusted = TrustedProxies::new(vec![range("10.0.0.1")]);
        let mut xff = http::HeaderMap::new();
        xff.append(
            "x-forwarded-for",
            http::HeaderValue::from_bytes(b"\xff\xfe, 203.0.113.9").unwrap(),
        );
        assert_eq!(
            forwarded_client(&trusted, ip("10.0.0.1"), &xff),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn ipv4_mapped_peers_match_the_ipv4_addresses_listed() {
        let trusted = TrustedProxies::new(vec![range("127.0.0.1")]);
        assert_eq!(
            forwarded_client(&trusted, ip("::ffff:127.0.0.1"), &headers(&["203.0.113.9"])),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn entries_with_ports_name_their_address() {
        let trusted = TrustedProxies::new(vec![range("10.0.0.1")]);
        assert_eq!(
            forwarded_client(&trusted, ip("10.0.0.1"), &headers(&["203.0.113.9:5678"])),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            forwarded_client(&trusted, ip("10.0.0.1"), &headers(&["[2001:db8::7]:443"])),
            Some(ip("2001:db8::7"))
        );
    }

    #[test]
    fn a_trusted_range_covers_every_proxy_in_it() {
        let trusted = TrustedProxies::new(vec![range("10.0.0.0/8"), range("fd00::/8")]);
        let xff = headers(&["203.0.113.9, 10.1.2.3"]);
        assert_eq!(
            forwarded_client(&trusted, ip("10.200.0.1"), &xff),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            forwarded_client(&trusted, ip("fd12::1"), &headers(&["203.0.113.9"])),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(forwarded_client(&trusted, ip("11.0.0.1"), &xff), None);
    }

    #[test]
    fn a_malformed_or_missing_header_names_nobody() {
        let trusted = TrustedProxies::new(vec![range("10.0.0.1")]);
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
