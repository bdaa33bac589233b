//! Whether a configured host is this machine.
//!
//! In: a host as written in the config (`localhost`, an IP address, or an IPv6 address
//! in brackets as in a URL). Out: true only for `localhost` and loopback addresses, the
//! only hosts a plain-text protocol (IMAP or SMTP without TLS) may talk to.

use std::net::IpAddr;

/// True for `localhost` (any case, with or without the root's trailing dot) and loopback
/// addresses: `127.0.0.0/8`, `::1` (bare or `[::1]`), and `::ffff:127.x.y.z`.
pub fn is_loopback(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let name = bare.strip_suffix('.').unwrap_or(bare);
    name.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_hosts_in_every_spelling() {
        for host in [
            "localhost",
            "LocalHost",
            "localhost.",
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
            "::ffff:127.0.0.1",
            "[::ffff:127.0.0.1]",
        ] {
            assert!(is_loopback(host), "{host}");
        }
    }

    #[test]
    fn other_hosts_are_not() {
        for host in [
            "mail.example.com",
            "localhost.example.com",
            "mylocalhost",
            "10.0.0.1",
            "0.0.0.0",
            "::",
            "[::2]",
            "[::1",
            "::1]",
            "[localhost]x",
            "",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
