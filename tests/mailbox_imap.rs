//! The IMAP mailbox against a real Dovecot: TLS modes, login errors, listing, fetching
//! without `\Seen`, filing (with and without MOVE), UIDVALIDITY, check-config. The
//! watcher and recovery drills are in `mailbox_imap_watcher.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

mod support;

use std::time::Duration;

use onbehalf::config::{ImapConfig, ImapSecurity, MailboxConfig};
use onbehalf::mailbox::{
    BackoffPolicy, Destination, Fetched, Filed, Mailbox, MailboxError, MessageLocation,
};
use onbehalf::secret::SecretSource;
use support::dovecot::{Dovecot, DovecotOptions};

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
    let text = onbehalf::report::chain(&error);
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
async fn a_backlog_is_fetched_in_batches_and_each_message_answered() {
    let dovecot = Dovecot::start();
    let large = [message("large"), vec![b'x'; 4096]].concat();
    for raw in [
        message("a"),
        message("b"),
        message("c"),
        large.clone(),
        message("e"),
    ] {
        dovecot.append("INBOX", &raw).await;
    }
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let listing = mailbox.list().await.unwrap();
    assert_eq!(listing.messages.len(), 5);
    // Another client removes "c" between the listing and the fetch.
    dovecot
        .expunge("INBOX", listing.messages[2].uid.unwrap())
        .await;

    let answers = mailbox
        .fetch_many_within(&listing.messages, 1024)
        .await
        .unwrap();
    assert_eq!(answers.len(), 5);
    assert_eq!(answers[0].as_ref().unwrap(), &Fetched::Whole(message("a")));
    assert_eq!(answers[1].as_ref().unwrap(), &Fetched::Whole(message("b")));
    assert!(
        matches!(answers[2], Err(MailboxError::Gone { .. })),
        "{:?}",
        answers[2]
    );
    let Ok(Fetched::TooLarge { size, header }) = &answers[3] else {
        panic!("{:?}", answers[3]);
    };
    assert_eq!(*size, large.len() as u64);
    assert!(header.starts_with(b"From: Ann") && header.ends_with(b"\r\n\r\n"));
    assert!(!header.windows(4).any(|w| w == b"xxxx"));
    assert_eq!(answers[4].as_ref().unwrap(), &Fetched::Whole(message("e")));
    let flags = dovecot.flags("INBOX").await;
    assert!(
        flags.iter().all(|(_, f)| !f.iter().any(|f| f == "\\Seen")),
        "{flags:?}"
    );
}

#[tokio::test]
async fn filing_many_moves_each_message_once_to_its_own_folder() {
    let dovecot = Dovecot::start();
    for subject in ["a", "b", "c", "d"] {
        dovecot.append("INBOX", &message(subject)).await;
    }
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let listing = mailbox.list().await.unwrap();
    let [a, b, c, d] = listing.messages.as_slice() else {
        panic!("{listing:?}")
    };
    dovecot.expunge("INBOX", c.uid.unwrap()).await;
    let answers = mailbox
        .file_many(&[
            (a.clone(), Destination::Done),
            (b.clone(), Destination::NeedsHuman),
            (c.clone(), Destination::Done),
            (d.clone(), Destination::Done),
        ])
        .await
        .unwrap();
    let answers: Vec<Filed> = answers.into_iter().map(Result::unwrap).collect();
    assert_eq!(
        answers,
        [Filed::Moved, Filed::Moved, Filed::AlreadyGone, Filed::Moved]
    );
    assert_eq!(
        dovecot.messages("onbehalf/done").await,
        vec![message("a"), message("d")]
    );
    assert_eq!(
        dovecot.messages("onbehalf/needs-human").await,
        vec![message("b")]
    );
    assert!(dovecot.messages("INBOX").await.is_empty());
}

#[tokio::test]
async fn a_filing_folder_deleted_meanwhile_is_made_again() {
    let dovecot = Dovecot::start();
    for subject in ["a", "b"] {
        dovecot.append("INBOX", &message(subject)).await;
    }
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let listing = mailbox.list().await.unwrap();
    let [a, b] = listing.messages.as_slice() else {
        panic!("{listing:?}")
    };
    assert_eq!(
        mailbox.file(a, Destination::Done).await.unwrap(),
        Filed::Moved
    );
    // A person deletes the done folder while the commander's connection stays open.
    dovecot.delete_folder("onbehalf/done").await;
    assert_eq!(
        mailbox.file(b, Destination::Done).await.unwrap(),
        Filed::Moved
    );
    assert_eq!(dovecot.messages("onbehalf/done").await, vec![message("b")]);
    assert!(dovecot.messages("INBOX").await.is_empty());
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
#[tokio::test]
async fn without_move_or_uidplus_the_filed_message_stays_flagged_deleted() {
    let dovecot = Dovecot::start_with(DovecotOptions {
        extra_config: "imap_capability = IMAP4rev1 IDLE LITERAL+\n".into(),
        ..DovecotOptions::default()
    });
    dovecot.append("INBOX", &message("a")).await;
    let mut mailbox = mailbox(dovecot.imap_config(ImapSecurity::Tls));
    let report = mailbox.check().await.unwrap();
    assert!(
        report.warnings.iter().any(|w| w.contains("no UIDPLUS")),
        "{report:?}"
    );
    let listing = mailbox.list().await.unwrap();
    let a = &listing.messages[0];
    assert_eq!(
        mailbox.file(a, Destination::Done).await.unwrap(),
        Filed::Moved
    );
    let flags = dovecot.flags("INBOX").await;
    assert!(flags[0].1.contains(&"\\Deleted".to_owned()), "{flags:?}");
    assert!(
        mailbox.list().await.unwrap().messages.is_empty(),
        "flagged means gone"
    );
    assert_eq!(
        mailbox.file(a, Destination::Done).await.unwrap(),
        Filed::AlreadyGone
    );
    assert_eq!(dovecot.count("onbehalf/done").await, 1, "filed once only");
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
    let text = onbehalf::report::chain(&error);
    assert!(
        text.starts_with("the mail server 127.0.0.1:")
            && text.contains(
                " refused to open folder Support.Invites: Mailbox doesn't exist: Support.Invites"
            ),
        "{text}"
    );
    assert!(std::error::Error::source(&error).is_none(), "{error:?}");
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
/// what `imap_config` says.
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
             allowed_hosts = [\"e.test\"]\n[policy]\ntrusted_authserv_ids = [\"mx.test\"]\n{}",
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
