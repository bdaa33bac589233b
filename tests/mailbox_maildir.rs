//! The Maildir mailbox on a temp dir: listing by unique name, fetching, filing into
//! Maildir++ subfolders, the polling watcher, and the errors a wrong path gives.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use onbehalf::config::{MailboxConfig, MaildirConfig};
use onbehalf::mailbox::{Destination, Filed, Mailbox, MailboxError, MessageLocation};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

fn maildir(root: &Path, poll_interval: Duration) -> Mailbox {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    Mailbox::from_config(&MailboxConfig::Maildir(MaildirConfig {
        path: root.to_owned(),
        done_folder: "onbehalf/done".into(),
        needs_human_folder: "onbehalf/needs-human".into(),
        poll_interval,
    }))
    .unwrap()
}

/// Delivers like an MTA: write into tmp/, then rename into new/.
fn deliver(root: &Path, unique: &str, body: &str) {
    let tmp = root.join("tmp").join(unique);
    std::fs::write(&tmp, body).unwrap();
    std::fs::rename(&tmp, root.join("new").join(unique)).unwrap();
}

fn names(listing: &onbehalf::mailbox::Listing) -> Vec<&str> {
    listing.messages.iter().map(|m| m.name.as_str()).collect()
}

#[tokio::test]
async fn lists_fetches_and_files_by_unique_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut mailbox = maildir(root, Duration::from_secs(60));
    deliver(root, "1700000002.M2P1.host", "second");
    std::fs::write(root.join("cur/1700000001.M1P1.host:2,S"), "first").unwrap();
    std::fs::write(root.join("new/.hidden"), "not mail").unwrap();

    let listing = mailbox.list().await.unwrap();
    assert_eq!(listing.uidvalidity, None);
    assert_eq!(
        names(&listing),
        ["1700000001.M1P1.host", "1700000002.M2P1.host"]
    );
    let [first, second] = listing.messages.as_slice() else {
        panic!()
    };
    assert_eq!(mailbox.fetch(first).await.unwrap(), b"first");
    assert_eq!(mailbox.fetch(second).await.unwrap(), b"second");

    // Another client setting a flag renames the file; the location still works.
    std::fs::rename(
        root.join("cur/1700000001.M1P1.host:2,S"),
        root.join("cur/1700000001.M1P1.host:2,FS"),
    )
    .unwrap();
    assert_eq!(mailbox.fetch(first).await.unwrap(), b"first");

    assert_eq!(
        mailbox.file(first, Destination::Done).await.unwrap(),
        Filed::Moved
    );
    assert_eq!(
        mailbox.file(second, Destination::NeedsHuman).await.unwrap(),
        Filed::Moved
    );
    assert_eq!(
        mailbox.file(first, Destination::Done).await.unwrap(),
        Filed::AlreadyGone
    );
    let done = root.join(".onbehalf.done");
    assert_eq!(
        std::fs::read(done.join("cur/1700000001.M1P1.host:2,FS")).unwrap(),
        b"first"
    );
    assert!(done.join("maildirfolder").is_file() && done.join("tmp").is_dir());
    let human = root.join(".onbehalf.needs-human/new/1700000002.M2P1.host");
    assert_eq!(std::fs::read(human).unwrap(), b"second");
    assert!(mailbox.list().await.unwrap().messages.is_empty());
    assert!(matches!(
        mailbox.fetch(first).await.unwrap_err(),
        MailboxError::Gone { .. }
    ));
    assert!(mailbox.health().is_fresh(Duration::from_secs(10)));
}

#[tokio::test]
async fn names_that_are_not_message_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut mailbox = maildir(dir.path(), Duration::from_secs(60));
    for name in ["../../etc/passwd", ".onbehalf.done", "", "x:2,S"] {
        let error = mailbox
            .fetch(&MessageLocation::maildir(name))
            .await
            .unwrap_err();
        assert!(
            matches!(error, MailboxError::ForeignLocation { .. }),
            "{name}: {error:?}"
        );
    }
    let imap = MessageLocation::imap(1, 5);
    let error = mailbox.file(&imap, Destination::Done).await;
    assert_eq!(
        error.unwrap(),
        Filed::AlreadyGone,
        "name \"5\" is simply not there"
    );
}

#[tokio::test]
async fn a_directory_that_is_not_a_maildir_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut mailbox = Mailbox::from_config(&MailboxConfig::Maildir(MaildirConfig {
        path: dir.path().to_owned(),
        done_folder: "onbehalf/done".into(),
        needs_human_folder: "onbehalf/needs-human".into(),
        poll_interval: Duration::from_secs(60),
    }))
    .unwrap();
    let error = mailbox.list().await.unwrap_err().to_string();
    assert!(error.contains(&dir.path().display().to_string()), "{error}");
    assert!(
        error.contains("no new/ directory") && error.contains("mailbox.path"),
        "{error}"
    );
    assert!(mailbox.check().await.is_err());
    assert!(!mailbox.health().connected());
}

#[tokio::test]
async fn check_creates_the_filing_folders() {
    let dir = tempfile::tempdir().unwrap();
    let mut mailbox = maildir(dir.path(), Duration::from_secs(60));
    deliver(dir.path(), "1.M1.host", "x");
    let report = mailbox.check().await.unwrap();
    let text = report.passed.join("\n");
    assert!(text.contains("holds 1 message(s)"), "{text}");
    assert!(
        text.contains("\"onbehalf/needs-human\" was missing and has been created"),
        "{text}"
    );
    assert!(dir.path().join(".onbehalf.needs-human/cur").is_dir());
    assert_eq!(
        mailbox.source_name(),
        format!("maildir:{}", dir.path().display())
    );
}

#[tokio::test]
async fn a_delivery_wakes_the_watcher() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mailbox = maildir(root, Duration::from_millis(30));
    let health = mailbox.health();
    let changed = Arc::new(Notify::new());
    let shutdown = CancellationToken::new();
    let watcher = tokio::spawn(mailbox.watcher().run(changed.clone(), shutdown.clone()));
    let wait = |what: &'static str| {
        let changed = changed.clone();
        async move {
            tokio::time::timeout(Duration::from_secs(2), changed.notified())
                .await
                .unwrap_or_else(|_| panic!("no signal {what}"));
        }
    };
    wait("after the first scan").await;
    assert!(health.watching());

    deliver(root, "1700000003.M3P1.host", "new mail");
    wait("after a delivery").await;
    // Nothing changes for several scans: no signal.
    let quiet = tokio::time::timeout(Duration::from_millis(200), changed.notified()).await;
    assert!(quiet.is_err(), "signalled without a change");

    std::fs::remove_file(root.join("new/1700000003.M3P1.host")).unwrap();
    wait("after a removal").await;
    shutdown.cancel();
    watcher.await.unwrap();
    assert!(!health.watching());
}

#[tokio::test]
async fn fetch_within_reads_only_the_header_of_a_message_over_the_limit() {
    use onbehalf::mailbox::Fetched;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut mailbox = maildir(root, Duration::from_secs(60));
    let header = "From: jane@partner.test\r\nSubject: Fwd: big\r\n\r\n";
    let big = format!("{header}{}\n\nmore\n", "x".repeat(4096));
    deliver(root, "1700000001.M1P1.host", &big);
    deliver(root, "1700000002.M2P1.host", "Subject: small\n\nbody\n");
    let listing = mailbox.list().await.unwrap();
    let [large, small] = listing.messages.as_slice() else {
        panic!()
    };

    let fetched = mailbox.fetch_within(large, 1024).await.unwrap();
    assert_eq!(
        fetched,
        Fetched::TooLarge {
            size: big.len() as u64,
            header: header.as_bytes().to_vec()
        }
    );
    assert_eq!(
        mailbox.fetch_within(small, 1024).await.unwrap(),
        Fetched::Whole(b"Subject: small\n\nbody\n".to_vec())
    );
    assert_eq!(
        mailbox.fetch_within(large, big.len()).await.unwrap(),
        Fetched::Whole(big.into_bytes())
    );
}
