//! The "incognito window": one HTTP client per signup, fenced in by the profile.
//!
//! In: the platform profile and the run's options. Out: a [`Session`] whose requests go
//! only to `https` (or, with `allow_http`, `http`) URLs on `allowed_hosts`, whose every
//! redirect hop is checked by the same rule (at most [`MAX_HOPS`]), whose connections go
//! only to addresses the [`address`](super::address) guard accepts, with the profile's
//! timeouts, and whose response bodies are read in chunks up to `max_response_bytes`.
//! Every failure comes back as a [`SignupFailure`] whose detail names host and path, never
//! the query string (it holds the invite token). [`Session::open_for_check`] builds the
//! same fenced client without following redirects, for `check-config`'s `HEAD` of each
//! allowed host.
//!
//! The client has its own empty cookie store and is dropped with the session. TLS is the
//! shared rustls configuration ([`crate::net::tls`]: the ring provider, the webpki roots
//! and the profile's `ca_file`), built once per `ca_file`; signups share only its TLS
//! session store, so a handshake can resume, and nothing of the application.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, ORIGIN, REFERER, RETRY_AFTER};
use reqwest::redirect;
use url::Url;

use super::address::{AddressRefused, AddressRule, GuardedResolver, Lookup, system_lookup};
use super::form::{Method, Submission};
use super::page::Fetched;
use super::{Reason, SignupFailure, SignupOptions};
use crate::config::Platform;
use crate::net;

/// Redirect hops followed before giving up.
pub const MAX_HOPS: usize = 10;

/// Why a URL is not visited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Scheme, host or port is not what `allowed_hosts` permits.
    #[error("refused to visit {url}: it is not on the platform's allowed_hosts{}", if *.http { " (or uses http://, which the profile does not allow)" } else { "" })]
    NotAllowed {
        /// The URL without its query string.
        url: String,
        /// Whether the scheme is plain http.
        http: bool,
    },
    /// The URL names an IP address the address guard refuses.
    #[error(transparent)]
    Address(#[from] AddressRefused),
    /// The redirect chain is longer than [`MAX_HOPS`].
    #[error("more than {MAX_HOPS} redirects in a row")]
    TooManyRedirects,
}

/// A URL as logs and details show it: [`Platform::shown_url`].
pub fn shown(platform: &Platform, url: &Url) -> String {
    platform.shown_url(url)
}

/// Checks one URL against the profile: scheme, host and port on `allowed_hosts`, and an
/// IP-literal host against the address guard (such hosts never reach the resolver).
pub fn check_url(platform: &Platform, rule: &AddressRule, url: &Url) -> Result<(), Refusal> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(0);
    if !platform.allows(url.scheme(), host, port) {
        return Err(Refusal::NotAllowed {
            url: shown(platform, url),
            http: url.scheme() == "http",
        });
    }
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
        _ => None,
    };
    match literal {
        Some(ip) if !rule.permits(host, ip) => Err(Refusal::Address(AddressRefused {
            host: host.to_owned(),
            addresses: vec![ip],
        })),
        _ => Ok(()),
    }
}

/// A fresh, fenced HTTP client for one signup.
pub struct Session {
    client: reqwest::Client,
    /// The profile, for showing URLs ([`Platform::shown_url`]).
    platform: Arc<Platform>,
    max_body: usize,
    request_timeout: Duration,
}

impl Session {
    /// Builds the client; fails (as `network`) only when the TLS setup cannot be made,
    /// e.g. an unreadable `ca_file`.
    pub fn open(platform: &Platform, options: &SignupOptions) -> Result<Self, SignupFailure> {
        Self::open_with(platform, options, system_lookup())
    }

    pub(crate) fn open_with(
        platform: &Platform,
        options: &SignupOptions,
        lookup: Lookup,
    ) -> Result<Self, SignupFailure> {
        let rule = AddressRule::for_platform(platform);
        let fence = Arc::new(platform.clone());
        let checked = rule.clone();
        let policy = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_HOPS {
                return attempt.error(Refusal::TooManyRedirects);
            }
            match check_url(&fence, &checked, attempt.url()) {
                Ok(()) => {
                    tracing::debug!(to = %shown(&fence, attempt.url()), "signup: following a redirect");
                    attempt.follow()
                }
                Err(refusal) => {
                    tracing::info!(to = %shown(&fence, attempt.url()), "signup: refused a redirect");
                    attempt.error(refusal)
                }
            }
        });
        Self::build(platform, options, lookup, rule, policy)
    }

    /// A client fenced like a signup's (allowlist, address guard, `ca_file`, timeouts)
    /// that follows no redirect: `check-config` asks whether each allowed host answers,
    /// and a redirect (to a login page, say) is an answer, wherever it points.
    pub fn open_for_check(
        platform: &Platform,
        options: &SignupOptions,
    ) -> Result<Self, SignupFailure> {
        let rule = AddressRule::for_platform(platform);
        let policy = redirect::Policy::none();
        Self::build(platform, options, system_lookup(), rule, policy)
    }

    fn build(
        platform: &Platform,
        options: &SignupOptions,
        lookup: Lookup,
        rule: AddressRule,
        policy: redirect::Policy,
    ) -> Result<Self, SignupFailure> {
        let overrides: HashMap<String, std::net::SocketAddr> = options
            .address_overrides
            .iter()
            .map(|(host, addr)| (host.to_ascii_lowercase(), *addr))
            .collect();
        let resolver = GuardedResolver {
            rule,
            overrides: Arc::new(overrides),
            lookup,
        };
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config(platform)?)
            .cookie_store(true)
            .redirect(policy)
            .dns_resolver(resolver)
            .no_proxy()
            .https_only(!platform.allow_http)
            .connect_timeout(platform.connect_timeout)
            .timeout(platform.request_timeout)
            .user_agent(concat!("onbehalf/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| network(format!("cannot set up the HTTP client: {}", chain(&e))))?;
        Ok(Self {
            client,
            platform: Arc::new(platform.clone()),
            max_body: platform.max_response_bytes,
            request_timeout: platform.request_timeout,
        })
    }

    /// A client fenced like a signup's that follows no redirect and keeps its own cookies:
    /// the browser engine relays every request of its page through it ([`Session::relay`]),
    /// and hands a redirect back to the browser, which asks for the next hop (checked
    /// again) itself.
    pub(crate) fn open_for_relay(
        platform: &Platform,
        options: &SignupOptions,
        lookup: Lookup,
    ) -> Result<Self, SignupFailure> {
        let rule = AddressRule::for_platform(platform);
        Self::build(platform, options, lookup, rule, redirect::Policy::none())
    }

    /// Sends one request as the browser asked for it (the caller checked `url`) and reads
    /// the whole answer, up to `max_response_bytes`.
    pub(crate) async fn relay(
        &self,
        method: &str,
        url: &Url,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Relayed, SignupFailure> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| network(format!("cannot send a {method:?} request")))?;
        let mut request = self.client.request(method, url.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| request_failure(&e, self.request_timeout))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let body = self.read_capped(&mut response, url).await?;
        Ok(Relayed {
            status,
            headers,
            body,
        })
    }

    /// Sends `HEAD url` and returns the status, reading no body (for `check-config`).
    /// The caller checks `url` against the profile first ([`check_url`]); the error is
    /// reqwest's own, so the caller can tell a refused connection, an untrusted
    /// certificate and a refused address apart by its source chain.
    pub async fn head(&self, url: &Url) -> Result<u16, reqwest::Error> {
        tracing::debug!(url = %shown(&self.platform, url), "check: HEAD");
        let response = self.client.head(url.clone()).send().await?;
        Ok(response.status().as_u16())
    }

    /// GETs `url`, following checked redirects.
    pub async fn get(&self, url: &Url) -> Result<Fetched, SignupFailure> {
        tracing::debug!(url = %shown(&self.platform, url), "signup: opening");
        let request = self.client.get(url.clone()).header(ACCEPT, HTML);
        self.send(request).await
    }

    /// Sends a form submission, with `Referer` and `Origin` as a browser would (some CSRF
    /// protections demand them). The caller checks `submission.url` first.
    pub async fn submit(
        &self,
        submission: &Submission,
        page: &Url,
    ) -> Result<Fetched, SignupFailure> {
        tracing::debug!(url = %shown(&self.platform, &submission.url), method = submission.method.as_str(), "signup: submitting the form");
        let same_origin = page.origin() == submission.url.origin();
        let referer = if same_origin {
            page.as_str().to_owned()
        } else {
            format!("{}/", page.origin().ascii_serialization())
        };
        let mut request = match submission.method {
            Method::Get => self.client.get(submission.url.clone()),
            Method::Post => self
                .client
                .post(submission.url.clone())
                .header(ORIGIN, page.origin().ascii_serialization())
                .body(submission.body.to_vec()),
        };
        if let Some(content_type) = &submission.content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        self.send(request.header(ACCEPT, HTML).header(REFERER, referer))
            .await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Fetched, SignupFailure> {
        let mut response = request
            .send()
            .await
            .map_err(|e| request_failure(&e, self.request_timeout))?;
        let url = response.url().clone();
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = self.read_capped(&mut response, &url).await?;
        tracing::debug!(url = %shown(&self.platform, &url), status, bytes = body.len(), "signup: page read");
        Ok(Fetched {
            status,
            url,
            retry_after,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// The whole body of `response` from `url`, refused (unread, or as soon as it passes
    /// the limit) when it is larger than `max_response_bytes`.
    async fn read_capped(
        &self,
        response: &mut reqwest::Response,
        url: &Url,
    ) -> Result<Vec<u8>, SignupFailure> {
        let too_large = || {
            SignupFailure::new(
                Reason::UnexpectedPage,
                format!(
                    "the page at {} is larger than max_response_bytes ({} bytes), so it was \
                     not read",
                    shown(&self.platform, url),
                    self.max_body
                ),
            )
        };
        if response
            .content_length()
            .is_some_and(|n| n > self.max_body as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| request_failure(&e, self.request_timeout))?
        {
            if body.len() + chunk.len() > self.max_body {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// An answer relayed to the browser: status, headers and the whole body.
#[derive(Debug)]
pub(crate) struct Relayed {
    /// The HTTP status.
    pub status: u16,
    /// The response headers, in order (those that are valid text).
    pub headers: Vec<(String, String)>,
    /// The body as received.
    pub body: Vec<u8>,
}

const HTML: &str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";

fn network(detail: String) -> SignupFailure {
    SignupFailure::new(Reason::Network, detail)
}

/// The shared client config ([`crate::net::tls`]) with the profile's extra root,
/// offering HTTP/1.1 only: a signup is two or three requests on one connection, and
/// HTTP/2's connection task, flow control and header compression cost more CPU than they
/// saved (5% of a 600-job drain). It is built once per `ca_file` and kept for the life of
/// the process: building it copies the web PKI roots and reads the file, and its session
/// store (shared by every clone) lets the next signup's handshake resume. A TLS 1.3
/// ticket carries no cookie, no form and no account: a signup still starts with nothing
/// from the one before, as in a fresh incognito window.
fn tls_config(platform: &Platform) -> Result<rustls::ClientConfig, SignupFailure> {
    static BUILT: LazyLock<Mutex<HashMap<Option<PathBuf>, rustls::ClientConfig>>> =
        LazyLock::new(Mutex::default);
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(config) = built.get(&platform.ca_file) {
        return Ok(config.clone());
    }
    let ca_file = platform.ca_file.as_deref();
    let config = net::tls::client_config(ca_file, &[b"http/1.1"]).map_err(|e| {
        network(format!(
            "cannot use ca_file {}: {}",
            e.path.display(),
            e.problem
        ))
    })?;
    built.insert(platform.ca_file.clone(), config.clone());
    Ok(config)
}

/// Classifies a failed request. The detail names host:port and the cause, never the URL's
/// query (reqwest's own message would include it, so only its sources are used).
fn request_failure(err: &reqwest::Error, timeout: Duration) -> SignupFailure {
    if let Some(refusal) = find::<Refusal>(err) {
        let reason = match refusal {
            Refusal::TooManyRedirects => Reason::UnexpectedPage,
            _ => Reason::BlockedRedirect,
        };
        return SignupFailure::new(reason, refusal.to_string());
    }
    if let Some(refused) = find::<AddressRefused>(err) {
        return SignupFailure::new(Reason::BlockedRedirect, refused.to_string());
    }
    let target = err
        .url()
        .map(|u| {
            let host = u.host_str().unwrap_or_default();
            let port = u.port_or_known_default().unwrap_or(0);
            format!("{host}:{port}")
        })
        .unwrap_or_else(|| "the platform".to_owned());
    if err.is_timeout() {
        return network(format!(
            "no complete answer from {target} within {}s (request_timeout or connect_timeout)",
            timeout.as_secs_f32()
        ));
    }
    network(format!("cannot talk to {target}: {}", chain(err)))
}

/// The error's causes joined with `: `, starting below reqwest's own message (which
/// carries the full URL).
fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = err.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = cause.source();
    }
    if parts.is_empty() {
        let kind = if err.to_string().contains("builder") {
            "client setup failed"
        } else {
            "request failed"
        };
        return kind.to_owned();
    }
    parts.join(": ")
}

/// The first error of type `E` in `err`'s source chain.
fn find<'a, E: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    let mut next: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(current) = next {
        if let Some(found) = current.downcast_ref::<E>() {
            return Some(found);
        }
        next = current.source();
    }
    None
}
