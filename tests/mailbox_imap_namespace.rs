//! Folder placement against a real Dovecot laid out as Cyrus and Courier are: personal
//! folders under `INBOX.` with `.` between levels (RFC 2342 NAMESPACE). The configured
//! names (`onbehalf/done`, a watched `Invites`) land under the prefix, INBOX stays INBOX,
//! a name already carrying the prefix is not prefixed twice; check-config names the
//! server's folders, times IDLE on a scratch folder it removes, and a refused command
//! reads as a sentence. (An IDLE that announces nothing in time is worded by
//! `mailbox::imap::check`'s unit tests: Dovecot's inotify cannot be turned off here.)
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use onbehalf::config::{ImapConfig, ImapSecurity, MailboxConfig};
use onbehalf::mailbox::{BackoffPolicy, Destination, Filed, Mailbox, MailboxError};
use support::dovecot::{Dovecot, DovecotOptions, INBOX_PREFIX};
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

fn prefixed_dovecot() -> Dovecot {
    Dovecot::start_with(DovecotOptions {
        extra_config: INBOX_PREFIX.into(),
        ..DovecotOptions::default()
    })
}

fn mailbox(config: ImapConfig) -> Mailbox {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Mailbox::from_config(&MailboxConfig::Imap(config))
        .unwrap()
        .with_backoff(FAST)
}

#[tokio::test]
async fn the_default_folders_land_under_the_inbox_prefix() {
    let dovecot = prefixed_dovecot();
    dovecot.append("INBOX", &message("one")).await;
    dovecot.append("INBOX", &message("two")).await;
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));

    let listing = mailbox.list().await.unwrap();
    assert_eq!(listing.messages.len(), 2);
    assert_eq!(
        mailbox.fetch(&listing.messages[0]).await.unwrap(),
        message("one")
    );
    let (first, second) = (&listing.messages[0], &listing.messages[1]);
    assert_eq!(
        mailbox.file(first, Destination::Done).await.unwrap(),
        Filed::Moved
    );
    assert_eq!(
        mailbox.file(second, Destination::NeedsHuman).await.unwrap(),
        Filed::Moved
    );

    assert_eq!(dovecot.count("INBOX").await, 0);
    assert_eq!(dovecot.count("INBOX/onbehalf/done").await, 1);
    assert_eq!(dovecot.count("INBOX/onbehalf/needs-human").await, 1);
    let folders = dovecot.folders().await;
    assert!(
        folders
            .iter()
            .all(|f| f == "INBOX" || f.starts_with("INBOX/")),
        "{folders:?}"
    );
}

#[tokio::test]
async fn a_watched_folder_is_found_with_or_without_the_prefix() {
    let dovecot = prefixed_dovecot();
    dovecot.append("INBOX/Invites", &message("invite")).await;
    for (watched, done) in [
        ("Invites", "onbehalf/done"),
        ("INBOX/Invites", "INBOX/onbehalf/done"),
        ("INBOX.Invites", "INBOX.onbehalf.done"),
    ] {
        let mut config = dovecot.imap_config(ImapSecurity::Tls);
        config.folder = watched.into();
        config.done_folder = done.into();
        let listing = mailbox(config).list().await.unwrap();
        assert_eq!(listing.messages.len(), 1, "{watched}");
    }
    let mut config = dovecot.imap_config(ImapSecurity::Tls);
    config.folder = "Invites".into();
    let mut mailbox = mailbox(config);
    let listing = mailbox.list().await.unwrap();
    mailbox
        .file(&listing.messages[0], Destination::Done)
        .await
        .unwrap();
    assert_eq!(dovecot.count("INBOX/onbehalf/done").await, 1);
    assert!(!dovecot.folders().await.iter().any(|f| f == "INBOX/INBOX"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watcher_idles_on_the_prefixed_folder() {
    let dovecot = prefixed_dovecot();
    dovecot.append("INBOX/Invites", &message("first")).await;
    let mut config = dovecot.imap_config(ImapSecurity::Tls);
    config.folder = "Invites".into();
    let mailbox = mailbox(config);
    let health = mailbox.health();
    let changed = Arc::new(Notify::new());
    let shutdown = CancellationToken::new();
    let watcher = tokio::spawn(mailbox.watcher().run(changed.clone(), shutdown.clone()));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !health.watching() {
        assert!(Instant::now() < deadline, "the watcher never reached IDLE");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The (re)connect poke may be pending; take it, then expect the append's.
    let _ = tokio::time::timeout(Duration::from_millis(50), changed.notified()).await;
    dovecot.append("INBOX/Invites", &message("second")).await;
    tokio::time::timeout(Duration::from_secs(10), changed.notified())
        .await
        .expect("IDLE on INBOX.Invites announced nothing");
    shutdown.cancel();
    watcher.await.unwrap();
}

#[tokio::test]
async fn check_names_the_server_folders_and_measures_idle_without_leaving_a_trace() {
    let dovecot = prefixed_dovecot();
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let report = mailbox.check().await.unwrap();
    let text = report.passed.join("\n");
    assert!(
        text.contains(
            "folder \"onbehalf/done\" was missing and has been created \
             (on the server: INBOX.onbehalf.done)"
        ),
        "{text}"
    );
    assert!(
        text.contains("IDLE is supported and announced a test message after")
            && text.contains("new mail is seen at once"),
        "{text}"
    );
    assert!(report.warnings.is_empty(), "{report:?}");
    let folders = dovecot.folders().await;
    assert!(
        !folders.iter().any(|f| f.contains("probe")),
        "the IDLE probe folder was left behind: {folders:?}"
    );
    assert_eq!(dovecot.count("INBOX").await, 0, "no probe in the inbox");
}

#[tokio::test]
async fn a_refused_folder_reads_as_a_sentence() {
    let dovecot = prefixed_dovecot();
    dovecot.append("INBOX", &message("one")).await;
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let listing = mailbox.list().await.unwrap();
    // The account may not make folders (as on the Cyrus and Courier of the report).
    let maildir = dovecot
        .dir()
        .join("home")
        .join(dovecot.username())
        .join("Maildir");
    std::fs::set_permissions(&maildir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let error = mailbox
        .file(&listing.messages[0], Destination::Done)
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, MailboxError::Refused { .. }), "{error:?}");
    assert!(
        text.starts_with("the mail server 127.0.0.1:")
            // Dovecot words a file-system refusal as `[SERVERBUG] Internal error …`.
            && text.contains(" refused to create folder INBOX.onbehalf.done: [SERVERBUG] "),
        "{text}"
    );
    for debug in ["code:", "info:", "Some(", "None"] {
        assert!(!text.contains(debug), "{text}");
    }
    assert!(std::error::Error::source(&error).is_none());
    assert!(!error.is_connection_problem());
}
