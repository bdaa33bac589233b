//! The IMAP mailbox against a real Dovecot: TLS modes, login errors, listing, fetching
//! without `\Seen`, filing, the IDLE watcher, reconnects, UIDVALIDITY, a wedged server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use onbehalf::config::{ImapConfig, ImapSecurity, MailboxConfig};
use onbehalf::mailbox::{
    BackoffPolicy, Destination, Filed, Mailbox, MailboxError, MessageLocation,
};
use onbehalf::secret::SecretSource;
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

#[tokio::test]
async fn implicit_tls_lists_and_fetches_without_setting_seen() {
    let dovecot = Dovecot::start();
    dovecot.append("INBOX", &message("first")).await;
    dovecot.append("INBOX", &message("second")).await;
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));

    let listing = mailbox.list().await.unwrap();
    assert_eq!(listing.uidvalidity, Some(dovecot.uidvalidity("INBOX")));
    assert_eq!(listing.messages.len(), 2);
    let second = &listing.messages[1];
    assert_eq!(second.uidvalidity, listing.uidvalidity);
    assert_eq!(mailbox.fetch(second).await.unwrap(), message("second"));

    let flags = dovecot.flags("INBOX").await;
    assert!(
        flags.iter().all(|(_, f)| !f.iter().any(|f| f == "\\Seen")),
        "{flags:?}"
    );
    let health = mailbox.health();
    assert!(health.connected());
    assert!(health.is_fresh(Duration::from_secs(10)));
    assert_eq!(
        mailbox.source_name(),
        format!("imap:{}@127.0.0.1/INBOX", dovecot.username())
    );
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_refused_clearly() {
    let dovecot = Dovecot::start();
    let mut config = dovecot.imap_config(ImapSecurity::Tls);
    config.ca_file = None;
    let error = mailbox(config).list().await.unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, MailboxError::Tls { .. }), "{error:?}");
    assert!(
        text.contains(&format!("127.0.0.1:{}", dovecot.imaps_port())),
        "{text}"
    );
    assert!(
        text.contains("UnknownIssuer") && text.contains("ca_file"),
        "{text}"
    );
}

#[tokio::test]
async fn starttls_upgrades_the_plain_port() {
    let dovecot = Dovecot::start();
    dovecot.append("INBOX", &message("one")).await;
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::StartTls));
    assert_eq!(mailbox.list().await.unwrap().messages.len(), 1);
    let report = mailbox.check().await.unwrap();
    assert!(report.passed[0].contains("STARTTLS"), "{report:?}");
}

#[tokio::test]
async fn plain_works_on_loopback() {
    let dovecot = Dovecot::start();
    dovecot.append("INBOX", &message("one")).await;
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Plain));
    let listing = mailbox.list().await.unwrap();
    assert_eq!(
        mailbox.fetch(&listing.messages[0]).await.unwrap(),
        message("one")
    );
}

#[tokio::test]
async fn a_wrong_password_is_named_without_the_password() {
    let dovecot = Dovecot::start();
    let wrong = dovecot.dir().join("wrong-password");
    std::fs::write(&wrong, "hunter2-not-it\n").unwrap();
    let mut config = dovecot.imap_config(ImapSecurity::Tls);
    config.auth = onbehalf::config::ImapAuth::Password(SecretSource::File(wrong));
    let mut mailbox = mailbox(config);
    let error = mailbox.list().await.unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, MailboxError::Login { .. }), "{error:?}");
    assert!(
        text.starts_with(&format!(
            "cannot log in to 127.0.0.1:{} as testuser: the server said: NO \
             [AUTHENTICATIONFAILED] Authentication failed.",
            dovecot.imaps_port()
        )),
        "{text}"
    );
    assert!(!text.contains("hunter2") && !format!("{error:?}").contains("hunter2"));
    let health = mailbox.health();
    assert!(!health.connected());
    assert!(!health.last_error().unwrap().contains("hunter2"));
}

#[tokio::test]
async fn filing_creates_the_folders_and_moves_once() {
    let dovecot = Dovecot::start();
    for subject in ["a", "b", "c"] {
        dovecot.append("INBOX", &message(subject)).await;
    }
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let listing = mailbox.list().await.unwrap();
    let [a, b, _c] = listing.messages.as_slice() else {
        panic!("{listing:?}")
    };
    assert_eq!(
        mailbox.file(a, Destination::Done).await.unwrap(),
        Filed::Moved
    );
    assert_eq!(
        mailbox.file(b, Destination::NeedsHuman).await.unwrap(),
        Filed::Moved
    );
    assert_eq!(
        mailbox.file(a, Destination::Done).await.unwrap(),
        Filed::AlreadyGone
    );
    assert_eq!(dovecot.messages("onbehalf/done").await, vec![message("a")]);
    assert_eq!(
        dovecot.messages("onbehalf/needs-human").await,
        vec![message("b")]
    );
    assert_eq!(dovecot.messages("INBOX").await, vec![message("c")]);
    assert_eq!(mailbox.list().await.unwrap().messages.len(), 1);
    assert!(matches!(
        mailbox.fetch(a).await.unwrap_err(),
        MailboxError::Gone { .. }
    ));
}

#[tokio::test]
async fn filing_without_move_copies_and_expunges() {
    let dovecot = Dovecot::start_with(DovecotOptions {
        extra_config: "imap_capability = IMAP4rev1 IDLE UIDPLUS LITERAL+\n".into(),
        ..DovecotOptions::default()
    });
    dovecot.append("INBOX", &message("a")).await;
    dovecot.append("INBOX", &message("b")).await;
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let report = mailbox.check().await.unwrap();
    assert!(
        report.warnings.iter().any(|w| w.contains("no MOVE")),
        "{report:?}"
    );
    let listing = mailbox.list().await.unwrap();
    assert_eq!(
        mailbox
            .file(&listing.messages[0], Destination::Done)
            .await
            .unwrap(),
        Filed::Moved
    );
    assert_eq!(dovecot.messages("onbehalf/done").await, vec![message("a")]);
    assert_eq!(
        dovecot.messages("INBOX").await,
        vec![message("b")],
        "only ours expunged"
    );
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
async fn a_uidvalidity_change_shows_in_the_listing() {
    let dovecot = Dovecot::start();
    dovecot.append("INBOX", &message("one")).await;
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let before = mailbox.list().await.unwrap();
    let new_validity = dovecot.change_uidvalidity("INBOX");

    let after = mailbox.list().await.unwrap();
    assert_eq!(after.uidvalidity, Some(new_validity));
    assert_ne!(after.uidvalidity, before.uidvalidity);
    assert_eq!(after.messages.len(), 1);
    let stale = &before.messages[0];
    for error in [
        mailbox.fetch(stale).await.unwrap_err(),
        mailbox.file(stale, Destination::Done).await.unwrap_err(),
    ] {
        assert!(
            matches!(error, MailboxError::UidValidityChanged { now, .. } if now == new_validity)
        );
    }
    assert_eq!(
        dovecot.count("INBOX").await,
        1,
        "nothing was moved under a stale UID"
    );
    assert_eq!(
        mailbox.fetch(&after.messages[0]).await.unwrap(),
        message("one")
    );
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

#[tokio::test]
async fn check_reports_and_creates_the_filing_folders() {
    let dovecot = Dovecot::start();
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let report = mailbox.check().await.unwrap();
    let text = report.passed.join("\n");
    assert!(text.contains("logged in as testuser"), "{text}");
    assert!(text.contains("\"INBOX\" holds 0 message(s)"), "{text}");
    assert!(
        text.contains("\"onbehalf/done\" was missing and has been created"),
        "{text}"
    );
    assert!(text.contains("IDLE is supported"), "{text}");
    assert!(report.warnings.is_empty(), "{report:?}");
    let folders = dovecot.folders().await;
    assert!(
        folders.contains(&"onbehalf/needs-human".to_owned()),
        "{folders:?}"
    );
    let again = mailbox.check().await.unwrap();
    assert!(again.passed.join("\n").contains("\"onbehalf/done\" exists"));
}

#[tokio::test]
async fn a_missing_folder_is_named() {
    let dovecot = Dovecot::start();
    let mut config = dovecot.imap_config(ImapSecurity::Tls);
    config.folder = "Support/Invites".into();
    let error = mailbox(config).list().await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("SELECT \"Support.Invites\" on 127.0.0.1:")
            && text.contains(": NO Mailbox doesn't exist: Support.Invites"),
        "{text}"
    );
    assert!(!error.is_connection_problem());
}

#[tokio::test]
async fn a_location_from_a_maildir_is_refused() {
    let dovecot = Dovecot::start();
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let error = mailbox
        .fetch(&MessageLocation::maildir("1700000000.M1P2.host"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, MailboxError::ForeignLocation { .. }),
        "{error:?}"
    );
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

/// Daemon tests write the harness's `[mailbox]` table into a config file: it must say
/// what `imap_config` says.
#[test]
fn the_harness_toml_matches_its_config() {
    let dovecot = Dovecot::start();
    for security in [
        ImapSecurity::Tls,
        ImapSecurity::StartTls,
        ImapSecurity::Plain,
    ] {
        let text = format!(
            "[[platform]]\nname = \"E\"\ninvite_links = [\"https://e.test/i?*\"]\n\
             allowed_hosts = [\"e.test\"]\n{}",
            dovecot.mailbox_toml(security)
        );
        let config =
            onbehalf::config::Config::from_toml(&text, std::path::Path::new("/x/o.toml")).unwrap();
        assert_eq!(
            config.mailbox,
            Some(MailboxConfig::Imap(dovecot.imap_config(security)))
        );
    }
}
