//! The session's fences and the flow's bookkeeping, against small servers on loopback
//! (plain HTTP with `allow_http`; HTTPS is exercised against the simulator in
//! `tests/signup.rs`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

use super::address::{Lookup, system_lookup};
use super::flow::sign_up_with;
use super::*;
use crate::config::{AllowedHost, FailureMarkers, PasswordPolicy, Platform, UrlPattern};

/// A platform profile allowing `hosts`, with test-friendly timeouts.
pub(crate) fn platform_with_hosts(allowed_hosts: Vec<AllowedHost>) -> Platform {
    Platform {
        engine: crate::config::Engine::Http,
        name: "Test".to_owned(),
        invite_links: Vec::new(),
        invite_token: None,
        allowed_hosts,
        signup_form: None,
        password_fields: Vec::new(),
        tick_checkboxes: Vec::new(),
        login_field: None,
        success_url: None,
        success_selector: None,
        ca_file: None,
        allow_http: false,
        password: PasswordPolicy::default(),
        failures: FailureMarkers::default(),
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(5),
        max_response_bytes: 1024 * 1024,
    }
}

#[path = "flow_tests.rs"]
mod flow;

/// A plain-HTTP profile for a server on `localhost:port`.
fn local_platform(port: u16) -> Platform {
    let mut platform = platform_with_hosts(vec![
        AllowedHost::parse(&format!("localhost:{port}")).unwrap(),
    ]);
    platform.allow_http = true;
    platform.success_url =
        Some(UrlPattern::parse(&format!("http://localhost:{port}/home*")).unwrap());
    platform
}

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// A listener that counts the connections it accepts: it must see none.
async fn canary() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    tokio::spawn(async move {
        while listener.accept().await.is_ok() {
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    (addr, count)
}

/// Proves the canary was reachable all along, so its zero count means something.
async fn assert_canary_untouched_but_alive(addr: SocketAddr, count: &AtomicUsize) {
    assert_eq!(count.load(Ordering::SeqCst), 0, "the canary was contacted");
    let _probe = tokio::net::TcpStream::connect(addr).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while count.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the canary never counted our own connection"
        );
        tokio::task::yield_now().await;
    }
}

const FORM: &str = r#"<html><head><title>Join</title></head><body>
<form method="post" action="/signup"><input type="hidden" name="csrf" value="CSRF">
<input type="email" name="email" value="ann@example.org" readonly>
<input type="password" name="password"><button>Join</button></form></body></html>"#;

fn lookup_to(addr: SocketAddr) -> Lookup {
    Arc::new(move |_host| Box::pin(async move { Ok(vec![addr]) }))
}

async fn run(platform: &Platform, url: &str) -> Result<Account, SignupFailure> {
    sign_up_with(
        platform,
        url,
        &SignupOptions::default(),
        &mut NoGuard,
        system_lookup(),
    )
    .await
}

#[tokio::test]
async fn ten_redirect_hops_are_followed_and_the_eleventh_refused() {
    async fn hop(Path(n): Path<u32>) -> Response {
        match n {
            0 => Html(FORM).into_response(),
            n => Redirect::to(&format!("/hop/{}", n - 1)).into_response(),
        }
    }
    let addr = serve(Router::new().route("/hop/{n}", get(hop))).await;
    let platform = local_platform(addr.port());
    let base = format!("http://localhost:{}", addr.port());
    let probed = probe(
        &platform,
        &format!("{base}/hop/10"),
        &SignupOptions::default(),
    )
    .await;
    assert_eq!(probed.unwrap().login.as_deref(), Some("ann@example.org"));
    let err = probe(
        &platform,
        &format!("{base}/hop/11"),
        &SignupOptions::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.reason, Reason::UnexpectedPage, "{err}");
    assert!(err.detail.contains("more than 10 redirects"), "{err}");
}

#[tokio::test]
async fn redirects_off_the_allowlist_never_reach_the_canary() {
    let (canary_addr, count) = canary().await;
    let port = canary_addr.port();
    let router = Router::new()
        .route(
            "/by-name",
            get(move || async move {
                Redirect::to(&format!("http://localhost:{port}/steal?token=TOKEN123"))
            }),
        )
        .route(
            "/by-ip",
            get(move || async move { Redirect::to(&format!("http://127.0.0.1:{port}/")) }),
        );
    let addr = serve(router).await;
    let platform = local_platform(addr.port());
    for path in ["by-name", "by-ip"] {
        let err = run(
            &platform,
            &format!("http://localhost:{}/{path}?token=TOKEN123", addr.port()),
        )
        .await
        .unwrap_err();
        assert_eq!(err.reason, Reason::BlockedRedirect, "{err}");
        assert!(err.detail.contains(&format!(":{port}/")), "{err}");
        assert!(!err.detail.contains("TOKEN123"), "{err}");
        assert!(!err.submitted);
    }
    assert_canary_untouched_but_alive(canary_addr, &count).await;
}

#[tokio::test]
async fn invite_off_the_allowlist_is_refused_before_any_request() {
    let (canary_addr, count) = canary().await;
    let platform = local_platform(1);
    let err = run(
        &platform,
        &format!("http://localhost:{}/invite?t=x", canary_addr.port()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.reason, Reason::BlockedRedirect, "{err}");
    let mut https_only = local_platform(canary_addr.port());
    https_only.allow_http = false;
    let err = run(
        &https_only,
        &format!("http://localhost:{}/invite", canary_addr.port()),
    )
    .await
    .unwrap_err();
    assert!(err.detail.contains("http://"), "{err}");
    assert_canary_untouched_but_alive(canary_addr, &count).await;
}

#[tokio::test]
async fn names_resolving_to_private_addresses_are_refused_unless_listed() {
    let (canary_addr, count) = canary().await;
    let mut platform = platform_with_hosts(vec![
        AllowedHost::parse(&format!("internal.test:{}", canary_addr.port())).unwrap(),
    ]);
    platform.allow_http = true;
    platform.success_selector = Some(crate::config::CssSelector::parse("h1").unwrap());
    let url = format!("http://internal.test:{}/invite", canary_addr.port());
    let err = sign_up_with(
        &platform,
        &url,
        &SignupOptions::default(),
        &mut NoGuard,
        lookup_to(canary_addr),
    )
    .await
    .unwrap_err();
    assert_eq!(err.reason, Reason::BlockedRedirect, "{err}");
    assert!(
        err.detail.contains("internal.test") && err.detail.contains("127.0.0.1"),
        "{err}"
    );
    assert_canary_untouched_but_alive(canary_addr, &count).await;

    // Listing the address itself is the operator's explicit consent.
    let addr = serve(Router::new().route("/invite", get(|| async { Html(FORM) }))).await;
    let mut listed = platform_with_hosts(vec![
        AllowedHost::parse(&format!("internal.test:{}", addr.port())).unwrap(),
        AllowedHost::parse("127.0.0.1").unwrap(),
    ]);
    listed.allow_http = true;
    let url = format!("http://internal.test:{}/invite", addr.port());
    let probed =
        super::flow::probe_with(&listed, &url, &SignupOptions::default(), lookup_to(addr)).await;
    assert_eq!(probed.unwrap().method, "POST");
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_or_without_a_length() {
    let big = || "x".repeat(2 * 1024 * 1024);
    let router = Router::new()
        .route("/sized", get(move || async move { big() }))
        .route(
            "/streamed",
            get(|| async {
                let chunks = (0..64).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 64 * 1024]));
                axum::body::Body::from_stream(futures::stream::iter(chunks))
            }),
        );
    let addr = serve(router).await;
    let platform = local_platform(addr.port());
    for path in ["sized", "streamed"] {
        let err = run(
            &platform,
            &format!("http://localhost:{}/{path}", addr.port()),
        )
        .await
        .unwrap_err();
        assert_eq!(err.reason, Reason::UnexpectedPage, "{err}");
        assert!(err.detail.contains("max_response_bytes"), "{err}");
    }
}

#[tokio::test]
async fn a_server_slower_than_request_timeout_is_a_network_failure() {
    let router = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Html(FORM)
        }),
    );
    let addr = serve(router).await;
    let mut platform = local_platform(addr.port());
    platform.request_timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = run(
        &platform,
        &format!("http://localhost:{}/slow?token=TOKEN123", addr.port()),
    )
    .await
    .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.reason, Reason::Network, "{err}");
    assert!(err.reason.retryable());
    assert!(
        err.detail.contains(&format!("localhost:{}", addr.port())),
        "{err}"
    );
    assert!(!err.detail.contains("TOKEN123"), "{err}");
}

#[tokio::test]
async fn a_refused_connection_names_host_and_port_but_not_the_token() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let platform = local_platform(closed.port());
    let err = run(
        &platform,
        &format!("http://localhost:{}/i?token=TOKEN123", closed.port()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.reason, Reason::Network, "{err}");
    assert!(
        err.detail.contains(&format!("localhost:{}", closed.port())),
        "{err}"
    );
    assert!(!err.detail.contains("TOKEN123"), "{err}");
}

#[test]
fn urls_are_shown_without_query_and_without_the_tokens_a_pattern_marks() {
    let mut platform = platform_with_hosts(Vec::new());
    platform.invite_links = vec![
        UrlPattern::parse("https://p.test/accept?*").unwrap(),
        UrlPattern::parse("https://p.test/join/*").unwrap(),
        UrlPattern::parse("https://p.test/i/*/go*").unwrap(),
    ];
    let shown = |text: &str| platform.shown_url(&url::Url::parse(text).unwrap());
    assert_eq!(
        shown("https://p.test/accept?token=T1"),
        "https://p.test/accept"
    );
    assert_eq!(
        shown("https://P.test/join/T2/?x=T3#T4"),
        "https://p.test/join/[redacted]"
    );
    assert_eq!(
        shown("https://p.test/i/T5/go/T6?T7"),
        "https://p.test/i/[redacted]/go[redacted]"
    );
    assert_eq!(
        shown("https://u:T8@p.test:8443/home?T9"),
        "https://p.test:8443/home"
    );
    assert_eq!(
        shown("https://other.test/join/x"),
        "https://other.test/join/x"
    );
}

#[test]
fn the_stage_can_run_on_any_worker_thread() {
    fn assert_send<T: Send>(_: &T) {}
    let platform = local_platform(1);
    let options = SignupOptions::default();
    let mut guard = NoGuard;
    let signing_up = sign_up(&platform, "http://localhost:1/", &options, &mut guard);
    assert_send(&signing_up);
    let probing = probe(&platform, "http://localhost:1/", &options);
    assert_send(&probing);
}
