//! Each platform's allowed hosts, asked over HTTPS as a signup would ask them.
//!
//! In: a platform profile. Out: one line per allowed host: the status of a `HEAD` of
//! `https://host[:port]/` made with the signup's own fenced client (allowlist, private
//! address guard, `ca_file`, timeouts; [`Session::open_for_check`]), where any answer,
//! a redirect included, is a pass — or what kept it from answering and what to change.

use futures::future::join_all;
use url::Url;

use crate::config::{AllowedHost, Platform};
use crate::signup::SignupOptions;
use crate::signup::address::{AddressRefused, AddressRule};
use crate::signup::session::{Session, check_url};

use super::imap::{CertKeys, cert_line};
use super::line::{Line, find_cause, has_io_kind};
use crate::report::chain;

/// Checks every allowed host of the platform at `index` (in the file), at once.
pub async fn check(index: usize, platform: &Platform) -> Vec<Line> {
    let topic = format!("platform {}", platform.name);
    let session = match Session::open_for_check(platform, &SignupOptions::default()) {
        Ok(session) => session,
        Err(failure) => {
            return vec![Line::fail(
                topic,
                failure.detail,
                &format!("fix platform[{index}].ca_file"),
            )];
        }
    };
    let probes = platform
        .allowed_hosts
        .iter()
        .map(|host| probe(&session, index, platform, host));
    join_all(probes).await
}

async fn probe(session: &Session, index: usize, platform: &Platform, host: &AllowedHost) -> Line {
    let topic = format!("platform {}", platform.name);
    let scheme = scheme_for(platform, host);
    let url = match root_url(scheme, host) {
        Some(url) => url,
        None => {
            return Line::fail(
                topic,
                format!("{host} does not make a URL"),
                &format!("correct platform[{index}].allowed_hosts"),
            );
        }
    };
    if let Err(refusal) = check_url(platform, &AddressRule::for_platform(platform), &url) {
        return Line::fail(
            topic,
            refusal,
            &format!("correct platform[{index}].allowed_hosts"),
        );
    }
    let limit = platform
        .connect_timeout
        .saturating_add(platform.request_timeout);
    let label = scheme.to_ascii_uppercase();
    match tokio::time::timeout(limit, session.head(&url)).await {
        Ok(Ok(status)) if status >= 500 => Line::warn(
            topic,
            format!(
                "{url} answers over {label} with HTTP {status}: the platform reports trouble \
                 (signups would be retried)"
            ),
        ),
        Ok(Ok(status)) if (300..400).contains(&status) => Line::pass(
            topic,
            format!("{url} answers over {label} (HTTP {status}, a redirect)"),
        ),
        Ok(Ok(status)) => Line::pass(topic, format!("{url} answers over {label} (HTTP {status})")),
        Ok(Err(error)) => request_failure(&topic, index, platform, &url, &error),
        Err(_) => timed_out(&topic, index, &url, limit),
    }
}

/// `https`, unless the profile allows `http` and its invite links reach this host only
/// over `http` (a local test setup).
fn scheme_for(platform: &Platform, host: &AllowedHost) -> &'static str {
    let schemes: Vec<&str> = platform
        .invite_links
        .iter()
        .filter(|pattern| {
            Url::parse(&format!("{}://{}/", pattern.scheme(), pattern.authority()))
                .ok()
                .is_some_and(|u| {
                    let port = u.port_or_known_default().unwrap_or(0);
                    host.permits(u.scheme(), u.host_str().unwrap_or_default(), port)
                })
        })
        .map(|pattern| pattern.scheme())
        .collect();
    let http_only = !schemes.is_empty() && schemes.iter().all(|s| *s == "http");
    if platform.allow_http && http_only {
        "http"
    } else {
        "https"
    }
}

fn root_url(scheme: &str, host: &AllowedHost) -> Option<Url> {
    let name = if host.host.contains(':') {
        format!("[{}]", host.host)
    } else {
        host.host.clone()
    };
    let port = host.port.map(|p| format!(":{p}")).unwrap_or_default();
    Url::parse(&format!("{scheme}://{name}{port}/")).ok()
}

fn target(url: &Url) -> String {
    let port = url.port_or_known_default().unwrap_or(0);
    match url.host() {
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]:{port}"),
        _ => format!("{}:{port}", url.host_str().unwrap_or_default()),
    }
}

fn timed_out(topic: &str, index: usize, url: &Url, limit: std::time::Duration) -> Line {
    Line::fail(
        topic,
        format!(
            "no answer from {} within {}",
            target(url),
            humantime_serde::re::humantime::format_duration(limit)
        ),
        &format!(
            "check the host and the firewall, or raise platform[{index}].connect_timeout / \
             request_timeout"
        ),
    )
}

fn request_failure(
    topic: &str,
    index: usize,
    platform: &Platform,
    url: &Url,
    error: &reqwest::Error,
) -> Line {
    let hosts_key = format!("platform[{index}].allowed_hosts");
    let host = url.host_str().unwrap_or_default();
    if let Some(refused) = find_cause::<AddressRefused>(error) {
        return Line::fail(
            topic,
            refused,
            &format!("name that address itself in {hosts_key} if the platform really lives there"),
        );
    }
    if let Some(rustls::Error::InvalidCertificate(problem)) = find_cause::<rustls::Error>(error) {
        let ca_key = format!("platform[{index}].ca_file");
        let keys = CertKeys {
            host: &hosts_key,
            ca_file: &ca_key,
            ca_path: platform.ca_file.as_deref(),
        };
        return cert_line(topic, problem, host, &keys);
    }
    if has_io_kind(error, std::io::ErrorKind::ConnectionRefused) {
        return Line::fail(
            topic,
            format!("nothing answers on {}", target(url)),
            &format!("check {hosts_key} and the firewall"),
        );
    }
    if error.is_timeout() {
        return timed_out(
            topic,
            index,
            url,
            platform
                .connect_timeout
                .saturating_add(platform.request_timeout),
        );
    }
    // reqwest's own message repeats the URL; its causes say what happened.
    let why = std::error::Error::source(error).map_or_else(|| error.to_string(), chain);
    if why.contains("dns error") || why.contains("lookup") {
        return Line::fail(
            topic,
            format!("{host} does not resolve ({})", innermost(error)),
            &format!("check the spelling in {hosts_key} and this machine's DNS"),
        );
    }
    Line::fail(
        topic,
        format!("cannot reach {} ({why})", target(url)),
        &format!("check {hosts_key}, platform[{index}].ca_file and the firewall"),
    )
}

/// The deepest cause's words: for a failed lookup, the resolver's own sentence.
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_urls_keep_the_port_and_bracket_ipv6() {
        let url = |text: &str| {
            root_url("https", &AllowedHost::parse(text).unwrap())
                .unwrap()
                .to_string()
        };
        assert_eq!(url("engage.example.com"), "https://engage.example.com/");
        assert_eq!(url("localhost:8443"), "https://localhost:8443/");
        assert_eq!(url("[::1]:8443"), "https://[::1]:8443/");
    }
}
