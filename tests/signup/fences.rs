//! What the stage refuses against the simulator: redirects off the allowlist (a canary
//! must hear nothing), slow answers, untrusted certificates; and what its logs never show.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use onbehalf::config::UrlPattern;
use onbehalf::reason::Reason;
use onbehalf_sim::{Behaviour, InviteSpec};

use super::{ENGAGE_EXTRAS, Env, expect_failure, sign_up};

/// A listener that counts the connections it accepts.
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

#[tokio::test]
async fn a_redirect_to_another_port_is_blocked_and_the_canary_hears_nothing() {
    let env = Env::start().await;
    let platform = env.platform();
    let (canary_addr, count) = canary().await;
    for target in [
        format!("https://localhost:{}/collect", canary_addr.port()),
        format!("https://127.0.0.1:{}/collect", canary_addr.port()),
        format!("http://{}/collect", env.sim.authority()),
    ] {
        let (url, token) = env.invite(Behaviour::RedirectTo(target.clone()));
        let failure = expect_failure(
            sign_up(&platform, &url).await,
            Reason::BlockedRedirect,
            &token,
        );
        assert!(!failure.submitted, "{target}");
    }
    assert_eq!(
        count.load(Ordering::SeqCst),
        0,
        "a request reached the canary"
    );
    // The canary was listening all along.
    let _probe = tokio::net::TcpStream::connect(canary_addr).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while count.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline);
        tokio::task::yield_now().await;
    }
    assert_eq!(env.posts(), 0);
}

#[tokio::test]
async fn slow_responses_hit_the_request_timeout_as_network() {
    let env = Env::start().await;
    let platform = env.platform_with(&ENGAGE_EXTRAS.replace("3s", "300ms"));
    let (url, token) = env.invite(Behaviour::Slow(Duration::from_secs(20)));
    let started = Instant::now();
    let failure = expect_failure(sign_up(&platform, &url).await, Reason::Network, &token);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(failure.detail.contains(&env.sim.authority()), "{failure}");
}

#[tokio::test]
async fn an_untrusted_certificate_is_network_and_names_the_cause() {
    let env = Env::start().await;
    let mut platform = env.platform();
    platform.ca_file = None;
    let (url, token) = env.invite(Behaviour::Normal);
    let failure = expect_failure(sign_up(&platform, &url).await, Reason::Network, &token);
    assert!(
        failure.detail.to_lowercase().contains("certificate"),
        "{failure}"
    );
    assert!(
        env.sim.requests().is_empty(),
        "no request may pass an untrusted TLS session"
    );
}

/// Everything the signup stage logs, captured for the test's thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_show_hosts_and_paths_but_never_the_token_or_the_password() {
    let env = Env::start().await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("onbehalf::signup=trace")
        .with_writer(move || writer.clone())
        .finish();
    // tracing caches each log site's interest process-wide, and while only one subscriber
    // is registered it asks just the current thread's: a parallel test thread (which has
    // none) could then mark this stage's sites "never". A second registered subscriber
    // makes it ask every registered one.
    let _second = tracing::Dispatch::new(tracing_subscriber::registry());
    let _default = tracing::subscriber::set_default(subscriber);
    let (url, token) = env.invite(Behaviour::Normal);
    let account = sign_up(&env.platform(), &url).await.unwrap();
    let (refused, refused_token) =
        env.invite(Behaviour::RedirectTo("https://elsewhere.test/".into()));
    sign_up(&env.platform(), &refused).await.unwrap_err();
    // Tokens in the path (django-invitations' `/join/<key>`): the pattern's `*` marks them.
    let mut joins = env.platform();
    let pattern = format!("{}/join/*", env.sim.base_url());
    joins
        .invite_links
        .push(UrlPattern::parse(&pattern).unwrap());
    let path_token = format!("path{}", super::rand_suffix());
    let joined = env
        .sim
        .issue_path_invite(InviteSpec::new("max@partner.test", "Max", "Muster").token(&path_token));
    let joined_account = sign_up(&joins, &joined).await.unwrap();
    let gone_token = format!("gone{}", super::rand_suffix());
    let gone = env.sim.issue_path_invite(
        super::jane()
            .token(&gone_token)
            .behaviour(Behaviour::Expired),
    );
    let failure = expect_failure(
        sign_up(&joins, &gone).await,
        Reason::LinkExpired,
        &gone_token,
    );
    assert!(failure.detail.contains("/join/[redacted]"), "{failure}");
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("/invitations/accept"), "{logs}");
    assert!(logs.contains("/join/[redacted]"), "{logs}");
    assert!(logs.contains("account created"), "{logs}");
    assert!(logs.contains("elsewhere.test"), "{logs}");
    for secret in [
        token.as_str(),
        refused_token.as_str(),
        path_token.as_str(),
        gone_token.as_str(),
        account.password.expose(),
        joined_account.password.expose(),
    ] {
        assert!(!logs.contains(secret), "a secret reached the logs:\n{logs}");
    }
}
