//! Every error path that carries a cause, built with a real cause, rendered once.

use std::error::Error;
use std::io;
use std::path::PathBuf;

use super::chain;
use crate::config::{Config, ConfigError};
use crate::daemon::DaemonError;
use crate::journal::JournalError;
use crate::mailbox::MailboxError;
use crate::metrics::MetricsError;
use crate::notify::templates::TemplateError;
use crate::notify::{MailKind, NotifyError, SmtpFailure};
use crate::secret::SecretError;
use crate::signup::password::PasswordError;

fn missing_file() -> io::Error {
    std::fs::read("/nonexistent/onbehalf-report-test").unwrap_err()
}

/// A real "connection refused": a port that was free a moment ago.
fn refused() -> io::Error {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::net::TcpStream::connect(("127.0.0.1", port)).unwrap_err()
}

fn sqlite_error() -> rusqlite::Error {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute("this is not sql", []).unwrap_err()
}

fn secret_error() -> SecretError {
    SecretError::File {
        path: "/run/secrets/imap".into(),
        source: missing_file(),
    }
}

fn imap_refusal() -> async_imap::error::Error {
    async_imap::error::Error::No(
        r#"code: None, info: Some("[NONEXISTENT] Mailbox doesn't exist: Invites")"#.into(),
    )
}

/// Asserts that none of the top `ours` errors prints its cause, and that the rendered
/// line says the deepest cause exactly once.
fn assert_said_once(error: &(dyn Error + 'static), ours: usize) {
    let mut level = Some(error);
    for _ in 0..ours {
        let Some(current) = level else { break };
        if let Some(source) = current.source() {
            let (message, cause) = (current.to_string(), source.to_string());
            assert!(
                !message.contains(&cause),
                "{message:?} prints its own cause {cause:?}"
            );
        }
        level = current.source();
    }
    let line = chain(error);
    let mut deepest = error;
    while let Some(source) = deepest.source() {
        deepest = source;
    }
    let root = deepest.to_string();
    assert_eq!(line.matches(&root).count(), 1, "{line}");
    let segments: Vec<&str> = line.split(": ").collect();
    for (i, segment) in segments.iter().enumerate() {
        assert!(
            !segments[i + 1..].contains(segment),
            "{segment:?} repeated in {line}"
        );
    }
}

fn mailbox_errors() -> Vec<MailboxError> {
    let address = "imap.example.com:993".to_owned();
    vec![
        MailboxError::Connect {
            address: address.clone(),
            source: refused(),
        },
        MailboxError::Tls {
            address: address.clone(),
            source: refused(),
            hint: " (is the server's certificate signed by a public CA?)",
        },
        MailboxError::Secret {
            username: "support".into(),
            source: secret_error(),
        },
        MailboxError::Maildir {
            action: "read".into(),
            path: "/var/mail/support/cur/1".into(),
            source: missing_file(),
        },
        MailboxError::StartTls {
            address: address.clone(),
            source: imap_refusal().into(),
        },
        MailboxError::Command {
            address: address.clone(),
            action: "SELECT Invites".into(),
            source: imap_refusal().into(),
        },
        MailboxError::Command {
            address,
            action: "UID FETCH 7".into(),
            source: async_imap::error::Error::Io(refused()).into(),
        },
    ]
}

fn notify_errors() -> Vec<NotifyError> {
    let server = "smtp.example.com:587".to_owned();
    let address_error = "not an address".parse::<lettre::Address>().unwrap_err();
    let build_error = lettre::Message::builder().body(String::new()).unwrap_err();
    vec![
        NotifyError::Password {
            server: server.clone(),
            source: secret_error(),
        },
        NotifyError::Tls {
            server: server.clone(),
            source: Box::new(missing_file()),
        },
        NotifyError::Folder {
            dir: "/var/spool/onbehalf".into(),
            source: missing_file(),
        },
        NotifyError::Address {
            kind: MailKind::Credentials,
            job_id: "job-1".into(),
            value: "not an address".into(),
            source: address_error,
        },
        NotifyError::Build {
            kind: MailKind::Ticket,
            job_id: "job-1".into(),
            source: Box::new(build_error),
        },
        NotifyError::Smtp {
            action: "send the ticket mail for job-1".into(),
            server: server.clone(),
            attempts: 3,
            temporary: true,
            source: SmtpFailure::Connect(refused()),
        },
        NotifyError::Smtp {
            action: "send the ticket mail for job-1".into(),
            server,
            attempts: 1,
            temporary: false,
            source: SmtpFailure::Handshake(refused()),
        },
    ]
}

fn journal_errors() -> Vec<JournalError> {
    let path = PathBuf::from("/var/lib/onbehalf/journal.sqlite");
    vec![
        JournalError::StateDir {
            path: path.clone(),
            source: missing_file(),
        },
        JournalError::Open {
            path: path.clone(),
            source: sqlite_error(),
        },
        JournalError::Permissions {
            path,
            source: missing_file(),
        },
        JournalError::Sqlite {
            action: "record job-1's invite".into(),
            source: sqlite_error(),
        },
    ]
}

#[test]
fn every_cause_is_said_once() {
    for error in mailbox_errors() {
        assert_said_once(&error, 2);
        assert_said_once(&DaemonError::from(error), 3);
    }
    for error in notify_errors() {
        assert_said_once(&error, 2);
        assert_said_once(&DaemonError::from(error), 3);
    }
    for error in journal_errors() {
        assert_said_once(&error, 1);
        assert_said_once(&DaemonError::from(error), 2);
    }
    let config = Config::load(std::path::Path::new("/nonexistent/onbehalf.toml")).unwrap_err();
    assert!(matches!(config, ConfigError::Read { .. }), "{config}");
    assert_said_once(&config, 1);
    assert_said_once(&secret_error(), 1);
    assert_said_once(
        &TemplateError::Read {
            path: "/etc/onbehalf/templates/ticket.txt".into(),
            source: missing_file(),
        },
        1,
    );
    assert_said_once(
        &MetricsError {
            addr: "127.0.0.1:9100".parse().unwrap(),
            source: refused(),
        },
        1,
    );
    // As a page would write it: the pattern is data, not code.
    let pattern = String::from("(");
    assert_said_once(
        &PasswordError::BadPattern {
            source: Box::new(regex::Regex::new(&pattern).unwrap_err()),
            pattern,
        },
        1,
    );
}

#[test]
fn the_line_reads_as_one_sentence_chain() {
    let error = DaemonError::from(MailboxError::Connect {
        address: "imap.example.com:993".into(),
        source: refused(),
    });
    let line = chain(&error);
    let refused = refused().to_string();
    assert_eq!(
        line,
        format!("cannot use the mailbox: cannot connect to imap.example.com:993: {refused}")
    );
}

#[test]
fn the_server_says_its_words_once() {
    let error = MailboxError::Command {
        address: "imap.example.com:993".into(),
        action: "SELECT Invites".into(),
        source: imap_refusal().into(),
    };
    assert_eq!(
        chain(&error),
        "cannot SELECT Invites on imap.example.com:993: NO [NONEXISTENT] Mailbox doesn't \
         exist: Invites"
    );
}

/// A dependency whose message repeats its cause (lettre, async-imap do) is said once.
#[test]
fn a_cause_a_dependency_already_printed_is_not_repeated() {
    #[derive(Debug, thiserror::Error)]
    #[error("network error: {0}")]
    struct Chatty(#[source] io::Error);
    let error = DaemonError::Task("x".into());
    assert_eq!(chain(&error), "cannot finish a journal write: x");
    let chatty = Chatty(refused());
    let refused = refused().to_string();
    assert_eq!(chain(&chatty), format!("network error: {refused}"));
}
