//! The private-address guard.
//!
//! In: a host name and the addresses it resolves to (or an IP literal from a URL), and the
//! profile's `allowed_hosts`. Out: only the addresses the signup may connect to, or an
//! [`AddressRefused`] naming the host and what it resolved to.
//!
//! A name on the allowlist could still point at the machine itself, the internal network
//! or a cloud metadata service (169.254.169.254). Such addresses are refused unless
//! `allowed_hosts` names that address itself, or the host is `localhost` and
//! `allowed_hosts` names `localhost` (a test setup). The guard is the client's DNS resolver,
//! so the addresses checked are the very ones connected to; there is no second lookup.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::config::Platform;

/// Which non-public addresses the profile names explicitly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressRule {
    allowed_ips: Vec<IpAddr>,
    localhost_listed: bool,
}

impl AddressRule {
    /// The rule for a platform's `allowed_hosts`.
    pub fn for_platform(platform: &Platform) -> Self {
        let allowed_ips = platform
            .allowed_hosts
            .iter()
            .filter_map(|h| h.host.parse::<IpAddr>().ok())
            .map(|ip| ip.to_canonical())
            .collect();
        let localhost_listed = platform
            .allowed_hosts
            .iter()
            .any(|h| h.host.eq_ignore_ascii_case("localhost"));
        Self {
            allowed_ips,
            localhost_listed,
        }
    }

    /// Whether `host` may be reached at `ip`.
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        is_public(ip)
            || self.allowed_ips.contains(&ip)
            || (self.localhost_listed && host.eq_ignore_ascii_case("localhost"))
    }
}

/// Whether `ip` is an ordinary public address (not loopback, private, link-local, unique
/// local, unspecified, multicast, shared CGNAT space, reserved, benchmarking or
/// documentation; an IPv6 translation or tunnel address only when its IPv4 one is public).
pub fn is_public(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let special = ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // includes the 169.254.169.254 metadata service
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || a >= 240 // reserved
        || (a == 100 && (64..128).contains(&b)) // CGNAT shared space
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast (deprecated, RFC 7526)
        || (a == 198 && (b == 18 || b == 19)); // benchmarking
    !special
}

/// An IPv6 address that carries an IPv4 one is judged by that IPv4 address, since a
/// translator or tunnel delivers to it; ranges whose IPv4 part cannot be trusted are
/// refused whole. Only global unicast (2000::/3) is otherwise public: the rest is
/// loopback, unique or link-local, multicast, the discard prefix 100::/64, or unassigned.
fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let v4 =
        |hi: u16, lo: u16| is_public_v4(Ipv4Addr::from_bits(u32::from(hi) << 16 | u32::from(lo)));
    match s {
        // `::`, `::1` and the deprecated IPv4-compatible form.
        [0, 0, 0, 0, 0, 0, hi, lo] => !ip.is_unspecified() && !ip.is_loopback() && v4(hi, lo),
        // IPv4-mapped (also canonicalised by the caller) and SIIT's IPv4-translated
        // ::ffff:0:0:0/96 (RFC 6145).
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0xffff, 0, hi, lo] => v4(hi, lo),
        // The NAT64 well-known prefix 64:ff9b::/96 (RFC 6052).
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => v4(hi, lo),
        // Local-use NAT64 64:ff9b:1::/48 (RFC 8215): not globally reachable, and where the
        // IPv4 address sits depends on a prefix length only the local network knows.
        [0x64, 0xff9b, 1, ..] => false,
        // 6to4 2002::/16: the relay delivers to the IPv4 address in bits 16..48.
        [0x2002, hi, lo, ..] => v4(hi, lo),
        // Teredo 2001::/32: the client's IPv4 address is obfuscated and reached through
        // whichever relay and NAT the tunnel uses; nothing a signup needs.
        [0x2001, 0, ..] => false,
        // Benchmarking 2001:2::/48 (RFC 5180) and documentation 2001:db8::/32.
        [0x2001, 2, 0, ..] | [0x2001, 0x0db8, ..] => false,
        // Documentation 3fff::/20 (RFC 9637).
        [0x3fff, second, ..] if second < 0x1000 => false,
        _ => (s[0] & 0xe000) == 0x2000,
    }
}

/// A host resolved only to addresses the guard refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot connect to {host}: it resolves to {}, a private, loopback or link-local \
     address that allowed_hosts does not name",
    list(.addresses)
)]
pub struct AddressRefused {
    /// The host name (or IP literal).
    pub host: String,
    /// What it resolved to.
    pub addresses: Vec<IpAddr>,
}

fn list(addresses: &[IpAddr]) -> String {
    let texts: Vec<String> = addresses.iter().map(IpAddr::to_string).collect();
    texts.join(", ")
}

/// Looks a host name up; replaceable so tests can make a name resolve to loopback.
pub(crate) type Lookup = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send>>
        + Send
        + Sync,
>;

/// The system resolver, through tokio.
pub(crate) fn system_lookup() -> Lookup {
    Arc::new(|host: String| {
        Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), 0)).await?.collect()) })
    })
}

/// The client's DNS resolver: operator overrides first, then a lookup whose answers pass
/// through [`AddressRule`].
pub(crate) struct GuardedResolver {
    pub(crate) rule: AddressRule,
    pub(crate) overrides: Arc<HashMap<String, SocketAddr>>,
    pub(crate) lookup: Lookup,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        if let Some(addr) = self.overrides.get(&host) {
            let addrs: Addrs = Box::new(std::iter::once(*addr));
            return Box::pin(std::future::ready(Ok(addrs)));
        }
        let rule = self.rule.clone();
        let lookup = Arc::clone(&self.lookup);
        Box::pin(async move {
            let found = lookup(host.clone()).await?;
            let (permitted, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = found
                .into_iter()
                .partition(|addr| rule.permits(&host, addr.ip()));
            if permitted.is_empty() && !refused.is_empty() {
                tracing::info!(
                    host,
                    "signup: refused a host resolving to a private address"
                );
                let addresses = refused.iter().map(SocketAddr::ip).collect();
                return Err(Box::new(AddressRefused { host, addresses }) as _);
            }
            let addrs: Addrs = Box::new(permitted.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn public_and_special_addresses() {
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert!(is_public(ip(public)), "{public}");
        }
        for special in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:c0a8:0101::1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip(special)), "{special}");
        }
    }

    /// Issue 11: translation and tunnel ranges carry an IPv4 address (or reach one) that
    /// the guard did not look at.
    #[test]
    fn ipv6_translation_ranges_are_judged_by_their_ipv4_address() {
        for refused in [
            "64:ff9b:1::a00:1",                     // local-use NAT64 to 10.0.0.1
            "64:ff9b:1:5db8:d8:2200::",             // local-use NAT64, /56 layout, public IPv4
            "::ffff:0:a00:1",                       // SIIT IPv4-translated 10.0.0.1
            "::ffff:0:7f00:1",                      // SIIT 127.0.0.1
            "::ffff:0:a9fe:a9fe",                   // SIIT 169.254.169.254
            "64:ff9b::7f00:1",                      // NAT64 127.0.0.1
            "2002:7f00:1::1",                       // 6to4 127.0.0.1
            "2002:a9fe:a9fe::1",                    // 6to4 169.254.169.254
            "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
            "2001::1",
            "100::1", // discard-only
            "100::ffff:ffff:ffff:ffff",
            "2001:2::1", // benchmarking
            "2001:2:0:ffff::1",
            "3fff::1",     // documentation
            "4000::1",     // not global unicast
            "192.88.99.1", // 6to4 relay anycast
            "::ffff:192.88.99.1",
        ] {
            assert!(!is_public(ip(refused)), "{refused}");
        }
        for public in [
            "::ffff:0:5db8:d822", // SIIT 93.184.216.34
            "64:ff9b::5db8:d822", // NAT64 93.184.216.34
            "2002:5db8:d822::1",  // 6to4 93.184.216.34
            "2001:3::1",          // outside Teredo and benchmarking
            "2001:4860:4860::8888",
            "3fff:1000::1",
            "192.88.98.1",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
    }

    fn rule(hosts: &[&str]) -> AddressRule {
        let allowed_hosts = hosts
            .iter()
            .map(|h| crate::config::AllowedHost::parse(h).unwrap())
            .collect();
        AddressRule::for_platform(&crate::signup::tests::platform_with_hosts(allowed_hosts))
    }

    #[test]
    fn only_named_private_addresses_pass() {
        let plain = rule(&["engage.example.com"]);
        assert!(plain.permits("engage.example.com", ip("93.184.216.34")));
        assert!(!plain.permits("engage.example.com", ip("127.0.0.1")));
        assert!(!plain.permits("localhost", ip("127.0.0.1")));
        let by_ip = rule(&["10.0.0.5:8443"]);
        assert!(by_ip.permits("10.0.0.5", ip("10.0.0.5")));
        assert!(by_ip.permits("anything", ip("::ffff:10.0.0.5")));
        assert!(!by_ip.permits("10.0.0.6", ip("10.0.0.6")));
        let local = rule(&["localhost:8443"]);
        assert!(local.permits("localhost", ip("127.0.0.1")));
        assert!(local.permits("LOCALHOST", ip("::1")));
        assert!(!local.permits("vm", ip("127.0.0.1")));
    }

    fn fixed_lookup(addrs: Vec<SocketAddr>) -> Lookup {
        Arc::new(move |_host| {
            let addrs = addrs.clone();
            Box::pin(async move { Ok(addrs) })
        })
    }

    async fn resolve(resolver: &GuardedResolver, host: &str) -> Result<Vec<SocketAddr>, String> {
        match resolver.resolve(host.parse().unwrap()).await {
            Ok(addrs) => Ok(addrs.collect()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[tokio::test]
    async fn resolver_returns_only_checked_addresses() {
        let public: SocketAddr = "93.184.216.34:0".parse().unwrap();
        let private: SocketAddr = "10.0.0.1:0".parse().unwrap();
        let resolver = GuardedResolver {
            rule: rule(&["engage.example.com"]),
            overrides: Arc::default(),
            lookup: fixed_lookup(vec![private, public]),
        };
        assert_eq!(
            resolve(&resolver, "engage.example.com").await,
            Ok(vec![public])
        );
        let only_private = GuardedResolver {
            lookup: fixed_lookup(vec![private]),
            ..resolver
        };
        let err = resolve(&only_private, "engage.example.com")
            .await
            .unwrap_err();
        assert!(
            err.contains("engage.example.com") && err.contains("10.0.0.1"),
            "{err}"
        );
    }

    /// A name resolving only to translation addresses of the internal network is
    /// refused by the client's resolver, before any connection.
    #[tokio::test]
    async fn resolver_refuses_translated_private_addresses() {
        let translated: Vec<SocketAddr> = [
            "[64:ff9b:1::a00:1]:0",
            "[::ffff:0:a9fe:a9fe]:0",
            "[2001::1]:0",
        ]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
        let resolver = GuardedResolver {
            rule: rule(&["engage.example.com"]),
            overrides: Arc::default(),
            lookup: fixed_lookup(translated),
        };
        let err = resolve(&resolver, "engage.example.com").await.unwrap_err();
        assert!(err.contains("64:ff9b:1::a00:1"), "{err}");
    }

    #[tokio::test]
    async fn overrides_are_the_operators_choice() {
        let target: SocketAddr = "127.0.0.1:8443".parse().unwrap();
        let resolver = GuardedResolver {
            rule: rule(&["engage.example.com"]),
            overrides: Arc::new(HashMap::from([("engage.example.com".to_owned(), target)])),
            lookup: fixed_lookup(vec![]),
        };
        assert_eq!(
            resolve(&resolver, "Engage.Example.com").await,
            Ok(vec![target])
        );
    }

    #[tokio::test]
    async fn real_lookup_of_unlisted_localhost_is_refused() {
        let resolver = GuardedResolver {
            rule: rule(&["engage.example.com"]),
            overrides: Arc::default(),
            lookup: system_lookup(),
        };
        let err = resolve(&resolver, "localhost").await.unwrap_err();
        assert!(err.contains("cannot connect to localhost"), "{err}");
        let listed = GuardedResolver {
            rule: rule(&["localhost:1234"]),
            ..resolver
        };
        assert!(!resolve(&listed, "localhost").await.unwrap().is_empty());
    }
}
