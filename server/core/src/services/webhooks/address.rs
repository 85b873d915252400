//! Where an endpoint may point: its host is resolved, and every address must be public
//! (not loopback, private, link-local, shared, multicast or reserved) unless the operator
//! allows private ones (`TESSERA_WEBHOOK_ALLOW_PRIVATE=true`). Checked at registration and
//! again at each delivery, which then connects only to the addresses checked, so a DNS answer
//! that changes in between cannot point a delivery inside the network.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    time::Duration,
};

use domain::webhook::WebhookUrl;

const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// The addresses `url`'s host resolves to, all of them allowed.
pub async fn resolve_allowed(
    url: &WebhookUrl,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, String> {
    let host = url.host();
    let lookup = tokio::net::lookup_host((host, url.port()));
    let addrs: Vec<SocketAddr> = match tokio::time::timeout(RESOLVE_TIMEOUT, lookup).await {
        Ok(Ok(addrs)) => addrs.collect(),
        Ok(Err(_)) | Err(_) => return Err(format!("“{host}” could not be resolved.")),
    };
    if addrs.is_empty() {
        return Err(format!("“{host}” has no address."));
    }
    // Says which name, not which address: the server's view of the network is not for the
    // person who typed the URL.
    if !allow_private && addrs.iter().any(|addr| !is_public(addr.ip())) {
        return Err(format!(
            "“{host}” resolves to a loopback, private or link-local address: webhooks may not \
             point inside the network."
        ));
    }
    Ok(addrs)
}

/// Whether `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // shared address space (carrier-grade NAT)
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments
        || (a == 192 && b == 0 && c == 0)
        // benchmarking
        || (a == 198 && (b == 18 || b == 19))
        // reserved
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let first = segments[0];
    let octets = ip.octets();
    // NAT64 and IPv4-compatible addresses carry an IPv4 address in their last 32 bits, 6to4
    // in bits 16 to 48: that address decides.
    let nat64 = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    let compatible = segments[..6] == [0; 6];
    if nat64 || compatible {
        let [.., a, b, c, d] = octets;
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    if first == 0x2002 {
        return is_public_v4(Ipv4Addr::new(octets[2], octets[3], octets[4], octets[5]));
    }
    !(ip.is_unspecified()
        // Teredo 2001::/32, local-use NAT64 64:ff9b:1::/48, discard-only 100::/64
        || (first == 0x2001 && segments[1] == 0)
        || (first == 0x64 && segments[1] == 0xff9b && segments[2] == 1)
        || (first == 0x100 && segments[1..4] == [0, 0, 0])
        || ip.is_loopback()
        || ip.is_multicast()
        // unique local fc00::/7
        || (first & 0xfe00) == 0xfc00
        // link-local fe80::/10 and the old site-local fec0::/10
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        // documentation 2001:db8::/32
        || (first == 0x2001 && ip.segments()[1] == 0x0db8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_addresses_are_not_public() {
        for inside in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
            "::7f00:1",
            "2002:7f00:1::1",
            "2001::1",
            "64:ff9b:1::1",
            "100::1",
        ] {
            assert!(!is_public(inside.parse().unwrap()), "{inside}");
        }
        for outside in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "2002:808:808::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(outside.parse().unwrap()), "{outside}");
        }
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_allowed() {
        let url = WebhookUrl::parse("http://127.0.0.1:9/hook").unwrap();
        let refused = resolve_allowed(&url, false).await.unwrap_err();
        assert!(refused.contains("inside the network"), "{refused}");
        let allowed = resolve_allowed(&url, true).await.unwrap();
        assert_eq!(allowed, ["127.0.0.1:9".parse().unwrap()]);
        let localhost = WebhookUrl::parse("http://localhost/hook").unwrap();
        assert!(resolve_allowed(&localhost, false).await.is_err());
    }
}
