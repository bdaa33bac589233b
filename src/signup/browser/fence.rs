//! The allowlist for every request a page makes.
//!
//! In: a page of a fresh browser context, the platform profile and the job's options.
//! Out: a running [`Fence`]: every request the page makes pauses (the DevTools Fetch
//! domain, pattern `*`), is checked with the HTTP engine's own rule ([`check_url`]:
//! scheme and host on `allowed_hosts`, an IP literal against the address guard) and is
//! then sent by onbehalf itself through a fenced [`Session`] (the HTTP engine's client:
//! its resolver is the private-address guard, its TLS trusts the profile's `ca_file`, its
//! bodies are capped) and the answer handed back to the page. A redirect goes back to the
//! page too, so its next hop pauses and is checked like any other request. Everything
//! else fails with `BlockedByClient` and is logged by host only.
//!
//! The browser itself resolves no host name (`--host-resolver-rules`, see
//! [`super::process`]), so what this fence does not see (websockets, service and shared
//! workers, prefetches) cannot reach the network either. A request whose URL carries the
//! password being typed is refused: a form sent with `method=get` would put it there.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::fetch::{
    ContinueRequestParams, EnableParams, EventRequestPaused, FailRequestParams,
    FulfillRequestParams, HeaderEntry, RequestPattern, RequestStage,
};
use chromiumoxide::cdp::browser_protocol::network::{
    ErrorReason, ResourceType, SetBypassServiceWorkerParams, SetCacheDisabledParams,
};
use futures::StreamExt;
use url::Url;

use crate::config::Platform;
use crate::secret::Secret;
use crate::signup::address::{AddressRule, Lookup};
use crate::signup::session::{Relayed, Session, check_url};
use crate::signup::{Reason, SignupFailure, SignupOptions};

/// What the fence saw, shared with the flow.
#[derive(Debug, Default)]
pub(super) struct Seen {
    /// Answers handed back to the page so far: the flow waits for one after a click.
    pub answered: AtomicU64,
    /// The status of the last document (page) answer: 410 for a used invite, say.
    pub document_status: Mutex<Option<u16>>,
    /// Requests refused, by host (never the path: it may hold the invite's token).
    pub blocked_hosts: Mutex<Vec<String>>,
    /// The password being typed, once there is one: no URL may carry it.
    pub password: Mutex<Option<Secret>>,
}

/// The running interception of one page; stops with the page's context.
pub(super) struct Fence {
    /// What was seen, for the flow.
    pub seen: Arc<Seen>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Fence {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Everything one paused request needs.
struct Relay {
    page: Page,
    session: Session,
    platform: Platform,
    rule: AddressRule,
    seen: Arc<Seen>,
}

/// Starts intercepting every request of `page` (before it navigates anywhere).
pub(super) async fn install(
    page: &Page,
    platform: &Platform,
    options: &SignupOptions,
    lookup: Lookup,
) -> Result<Fence, SignupFailure> {
    let session = Session::open_for_relay(platform, options, lookup)?;
    let mut paused = page
        .event_listener::<EventRequestPaused>()
        .await
        .map_err(super::crashed)?;
    let pattern = RequestPattern {
        url_pattern: Some("*".to_owned()),
        resource_type: None,
        request_stage: Some(RequestStage::Request),
    };
    page.execute(EnableParams {
        patterns: Some(vec![pattern]),
        handle_auth_requests: None,
    })
    .await
    .map_err(super::crashed)?;
    // A service worker could answer requests from its own cache without them pausing.
    page.execute(SetBypassServiceWorkerParams::new(true))
        .await
        .map_err(super::crashed)?;
    page.execute(SetCacheDisabledParams::new(true))
        .await
        .map_err(super::crashed)?;
    let seen = Arc::new(Seen::default());
    let relay = Arc::new(Relay {
        page: page.clone(),
        session,
        platform: platform.clone(),
        rule: AddressRule::for_platform(platform),
        seen: Arc::clone(&seen),
    });
    let task = tokio::spawn(async move {
        while let Some(event) = paused.next().await {
            let relay = Arc::clone(&relay);
            // Requests are answered concurrently, as a browser loads a page's assets.
            tokio::spawn(async move { relay.answer(&event).await });
        }
    });
    Ok(Fence { seen, task })
}

impl Relay {
    async fn answer(&self, event: &EventRequestPaused) {
        let id = event.request_id.clone();
        let Some(url) = self.allowed(event) else {
            let _ = self
                .page
                .execute(FailRequestParams::new(id, ErrorReason::BlockedByClient))
                .await;
            return;
        };
        if url.scheme() == "data" {
            let _ = self.page.execute(ContinueRequestParams::new(id)).await;
            return;
        }
        let headers = forwarded_headers(event);
        let body = request_body(event);
        match self
            .session
            .relay(&event.request.method, &url, &headers, body)
            .await
        {
            Ok(answer) => {
                if event.resource_type == ResourceType::Document {
                    if let Ok(mut status) = self.seen.document_status.lock() {
                        *status = Some(answer.status);
                    }
                }
                let _ = self.page.execute(fulfil(id, answer)).await;
                self.seen.answered.fetch_add(1, Ordering::SeqCst);
            }
            Err(failure) => {
                tracing::info!(host = url.host_str().unwrap_or_default(), reason = %failure.reason, "browser: a request of the page failed");
                let reason = match failure.reason {
                    Reason::BlockedRedirect => ErrorReason::BlockedByClient,
                    _ => ErrorReason::ConnectionFailed,
                };
                let _ = self.page.execute(FailRequestParams::new(id, reason)).await;
                self.seen.answered.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    /// The URL when the request may go out: `data:` URLs (no network), or on the
    /// allowlist and not carrying the password.
    fn allowed(&self, event: &EventRequestPaused) -> Option<Url> {
        let url = Url::parse(&event.request.url).ok()?;
        if url.scheme() == "data" {
            return Some(url);
        }
        let host = url.host_str().unwrap_or_default().to_owned();
        let carries_password = self
            .seen
            .password
            .lock()
            .ok()
            .and_then(|p| p.as_ref().map(|p| carries(&event.request.url, p)))
            .unwrap_or(false);
        if carries_password {
            tracing::warn!(
                host,
                "browser: refused a request whose URL holds the password"
            );
        } else if check_url(&self.platform, &self.rule, &url).is_ok() {
            return Some(url);
        } else {
            tracing::info!(
                host,
                "browser: blocked a request to a host not on allowed_hosts"
            );
        }
        if let Ok(mut hosts) = self.seen.blocked_hosts.lock() {
            hosts.push(host);
        }
        None
    }
}

/// Whether `url` holds the password, as typed or percent-encoded.
fn carries(url: &str, password: &Secret) -> bool {
    let plain = password.expose();
    let encoded: String = url::form_urlencoded::byte_serialize(plain.as_bytes()).collect();
    let decoded = percent_encoding::percent_decode_str(url).decode_utf8_lossy();
    !plain.is_empty() && (url.contains(plain) || url.contains(&encoded) || decoded.contains(plain))
}

/// The page's request headers, less those the relaying client sets itself (the
/// connection, the body's length, the encodings it can read, its own cookies).
fn forwarded_headers(event: &EventRequestPaused) -> Vec<(String, String)> {
    const OWN: [&str; 7] = [
        "host",
        "content-length",
        "connection",
        "cookie",
        "accept-encoding",
        "upgrade",
        "transfer-encoding",
    ];
    let Some(map) = event.request.headers.inner().as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter(|(name, _)| !OWN.contains(&name.to_ascii_lowercase().as_str()))
        .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
        .collect()
}

/// The request body, joined from its entries (each base64).
fn request_body(event: &EventRequestPaused) -> Option<Vec<u8>> {
    let entries = event.request.post_data_entries.as_ref()?;
    let mut body = Vec::new();
    for entry in entries {
        let Some(bytes) = &entry.bytes else { continue };
        let text: &str = bytes.as_ref();
        body.extend(
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()?,
        );
    }
    Some(body)
}

/// The answer as the page receives it; headers describing the transfer are dropped (the
/// body is handed over whole and as received).
fn fulfil(
    id: chromiumoxide::cdp::browser_protocol::fetch::RequestId,
    answer: Relayed,
) -> FulfillRequestParams {
    const TRANSFER: [&str; 3] = ["content-length", "transfer-encoding", "connection"];
    let headers: Vec<HeaderEntry> = answer
        .headers
        .into_iter()
        .filter(|(name, _)| !TRANSFER.contains(&name.as_str()))
        .map(|(name, value)| HeaderEntry::new(name, value))
        .collect();
    let mut params = FulfillRequestParams::new(id, i64::from(answer.status));
    params.response_headers = Some(headers);
    params.body = Some(
        base64::engine::general_purpose::STANDARD
            .encode(&answer.body)
            .into(),
    );
    params
}
