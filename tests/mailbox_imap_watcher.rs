//! The IMAP watcher and the commander's recovery against a real Dovecot: IDLE signals and
//! renewal, polling without IDLE, a restart, a wedged (SIGSTOPped) server, shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use onbehalf::config::{ImapConfig, ImapSecurity, MailboxConfig};
use onbehalf::mailbox::{BackoffPolicy, Mailbox, MailboxError};
use support::dovecot::{Dovecot, DovecotOptions};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

const FAST: BackoffPolicy = BackoffPolicy {
    base: Duration::from_millis(50),
    cap: Duration::from_millis(400),
};

fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: Ann <ann@example.org>\r\nTo: support@example.com\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@example.org>\r\n\r\nPlease sign me up.\r\n"
    )
    .into_bytes()
}

fn mailbox(config: ImapConfig) -> Mailbox {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Mailbox::from_config(&MailboxConfig::Imap(config))
        .unwrap()
        .with_backoff(FAST)
}

/// Polls `condition` every 20ms until it holds; fails the test after `limit`.
async fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Takes a pending notification, if any, so the next wait sees only new ones.
fn drain(changed: &Notify) {
    use futures::FutureExt;
    let _ = changed.notified().now_or_never();
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watcher_signals_an_append_quickly() {
    let dovecot = Dovecot::start();
    let mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let health = mailbox.health();
    let changed = Arc::new(Notify::new());
    let shutdown = CancellationToken::new();
    let watcher = tokio::spawn(mailbox.watcher().run(changed.clone(), shutdown.clone()));

    wait_until("the watcher is in IDLE", Duration::from_secs(10), || {
        health.watching()
    })
    .await;
    drain(&changed);
    dovecot.append("INBOX", &message("new")).await;
    tokio::time::timeout(Duration::from_secs(5), changed.notified())
        .await
        .expect("no signal within 5s of the APPEND");

    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), watcher)
        .await
        .expect("the watcher did not stop")
        .unwrap();
    assert!(!health.watching());
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_idle_the_watcher_polls() {
    let dovecot = Dovecot::start_with(DovecotOptions {
        extra_config: "imap_capability = IMAP4rev1 MOVE UIDPLUS LITERAL+\n".into(),
        ..DovecotOptions::default()
    });
    let mut config = dovecot.imap_config(ImapSecurity::Tls);
    config.poll_interval = Duration::from_millis(100);
    let mailbox = mailbox(config);
    let changed = Arc::new(Notify::new());
    let shutdown = CancellationToken::new();
    tokio::spawn(mailbox.watcher().run(changed.clone(), shutdown.clone()));
    for _ in 0..3 {
        tokio::time::timeout(Duration::from_secs(2), changed.notified())
            .await
            .expect("the poll timer should signal every 100ms");
    }
    assert!(!mailbox.health().watching());
    shutdown.cancel();
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_is_survived_by_commander_and_watcher() {
    let mut dovecot = Dovecot::start();
    dovecot.append("INBOX", &message("before")).await;
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let health = mailbox.health();
    let changed = Arc::new(Notify::new());
    let shutdown = CancellationToken::new();
    tokio::spawn(mailbox.watcher().run(changed.clone(), shutdown.clone()));
    mailbox.list().await.unwrap();
    wait_until("the watcher is in IDLE", Duration::from_secs(10), || {
        health.watching()
    })
    .await;
    let first_check = health.last_success().unwrap();

    dovecot.stop();
    let error = mailbox.list().await.unwrap_err();
    assert!(error.is_connection_problem(), "{error:?}");
    wait_until("health reports the outage", Duration::from_secs(10), || {
        !health.connected() && !health.watching()
    })
    .await;

    dovecot.start_again();
    dovecot.append("INBOX", &message("after")).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let listing = loop {
        match mailbox.list().await {
            Ok(listing) => break listing,
            Err(error) => assert!(Instant::now() < deadline, "still failing: {error}"),
        }
    };
    assert_eq!(listing.messages.len(), 2);
    wait_until(
        "the watcher is back in IDLE",
        Duration::from_secs(10),
        || health.watching() && health.connected(),
    )
    .await;
    assert!(health.last_success().unwrap() > first_check);
    shutdown.cancel();
}
#[tokio::test]
async fn a_wedged_server_times_out_and_health_goes_bad() {
    let dovecot = Dovecot::start();
    let mut config = dovecot.imap_config(ImapSecurity::Tls);
    config.timeout = Duration::from_millis(500);
    let mut mailbox = mailbox(config);
    mailbox.list().await.unwrap();
    let health = mailbox.health();
    assert!(health.connected());

    dovecot.pause();
    let started = Instant::now();
    let error = mailbox.list().await.unwrap_err();
    assert!(matches!(error, MailboxError::Timeout { .. }), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(!health.connected());
    assert!(
        health
            .last_error()
            .unwrap()
            .contains("no answer within 500ms")
    );
    // A new connection is accepted by the kernel, but the TLS handshake gets no answer.
    let error = mailbox.list().await.unwrap_err();
    assert!(error.to_string().contains("TLS handshake"), "{error}");
    assert!(matches!(error, MailboxError::Timeout { .. }), "{error:?}");

    dovecot.resume();
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(error) = mailbox.list().await {
        assert!(
            Instant::now() < deadline,
            "still failing after resume: {error}"
        );
    }
    assert!(health.connected());
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_is_renewed_and_each_renewal_counts_as_a_check() {
    let dovecot = Dovecot::start();
    let mut config = dovecot.imap_config(ImapSecurity::Tls);
    config.idle_renew = Duration::from_millis(300);
    let mailbox = mailbox(config);
    let health = mailbox.health();
    let changed = Arc::new(Notify::new());
    let shutdown = CancellationToken::new();
    tokio::spawn(mailbox.watcher().run(changed.clone(), shutdown.clone()));
    wait_until("the watcher is in IDLE", Duration::from_secs(10), || {
        health.watching()
    })
    .await;
    let first = health.last_success().unwrap();
    wait_until("a renewal is recorded", Duration::from_secs(5), || {
        health.last_success().unwrap() > first
    })
    .await;
    assert!(health.watching() && health.connected());
    shutdown.cancel();
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_prompt_even_when_the_server_is_wedged() {
    let dovecot = Dovecot::start();
    let mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let health = mailbox.health();
    let shutdown = CancellationToken::new();
    let watcher = tokio::spawn(mailbox.watcher().run(Arc::default(), shutdown.clone()));
    wait_until("the watcher is in IDLE", Duration::from_secs(10), || {
        health.watching()
    })
    .await;
    dovecot.pause();
    let started = Instant::now();
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(4), watcher)
        .await
        .expect("the watcher hung on a wedged server")
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(4));
    dovecot.resume();
}
