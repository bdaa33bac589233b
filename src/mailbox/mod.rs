//! The mailbox stage: where forwarded invites come from, and where they are filed.
//!
//! In: a [`MailboxConfig`]. Out: a [`Mailbox`] that lists the messages in the support
//! folder, fetches one as raw RFC 5322 bytes (never setting `\Seen`), and files a handled
//! message into the done or needs-human folder; a [`Watcher`] that signals "the folder
//! changed"; and a shared [`Health`] that says when the mailbox last answered.
//!
//! Two sources, one API: an IMAP account ([`imap`]: async-imap over tokio-rustls, implicit
//! TLS or STARTTLS, password or XOAUTH2) and a local Maildir ([`maildir`]).
//!
//! An IMAP session that is IDLE-ing can do nothing else, so IMAP uses two connections: the
//! [`Watcher`] only waits (IDLE, re-issued every `idle_renew`) and pokes a
//! [`tokio::sync::Notify`]; the [`Mailbox`] itself is the *commander* that runs UID SEARCH,
//! FETCH and MOVE for one task at a time. The watcher also pokes every `poll_interval`, so
//! the daemon needs no timer of its own for the safety-net full check. Both sides reconnect
//! on any error or timeout with exponential backoff and jitter, and every step — connect,
//! TLS, greeting, login, each command, IDLE's `DONE` — runs under the configured timeout,
//! because async-imap has no read timeouts of its own.
//!
//! What was already handled is the journal's business: [`Mailbox::list`] reports every
//! message present, with the folder's UIDVALIDITY, and the daemon asks the journal what is
//! new.

mod backoff;
mod error;
mod health;
pub mod imap;
pub mod maildir;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::MailboxConfig;

pub use backoff::BackoffPolicy;
pub use error::{MailboxError, ServerAnswer};
pub use health::Health;
pub use imap::{ImapMailbox, ImapWatcher};
pub use maildir::{MaildirMailbox, MaildirWatcher};

/// A configured source of forwarded invites.
#[derive(Debug)]
pub enum Mailbox {
    /// An IMAP account.
    Imap(ImapMailbox),
    /// A local Maildir.
    Maildir(MaildirMailbox),
}

/// Every message currently in the folder, as cheap identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The folder's UIDVALIDITY (IMAP); when it changes, UIDs from before mean nothing.
    pub uidvalidity: Option<u32>,
    /// The messages, oldest first.
    pub messages: Vec<MessageLocation>,
}

/// Where one message is: enough to fetch or file it later.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageLocation {
    /// The folder's UIDVALIDITY when the UID was read (IMAP only).
    pub uidvalidity: Option<u32>,
    /// The message's UID (IMAP only).
    pub uid: Option<u32>,
    /// The UID as text (IMAP), or the Maildir unique name (the file name without the
    /// `:2,flags` part, which changes when another client sets flags).
    pub name: String,
}

impl MessageLocation {
    /// The location of an IMAP message.
    pub fn imap(uidvalidity: u32, uid: u32) -> Self {
        Self {
            uidvalidity: Some(uidvalidity),
            uid: Some(uid),
            name: uid.to_string(),
        }
    }

    /// The location of a Maildir message by its unique name.
    pub fn maildir(name: impl Into<String>) -> Self {
        Self {
            uidvalidity: None,
            uid: None,
            name: name.into(),
        }
    }
}

impl fmt::Display for MessageLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.uid, self.uidvalidity) {
            (Some(uid), Some(validity)) => write!(f, "UID {uid} (UIDVALIDITY {validity})"),
            (Some(uid), None) => write!(f, "UID {uid}"),
            _ => write!(f, "message {}", self.name),
        }
    }
}

/// A message read under a size limit ([`Mailbox::fetch_within`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The whole message.
    Whole(Vec<u8>),
    /// The message is larger than the limit and was not downloaded.
    TooLarge {
        /// Its size in bytes, as the server (RFC822.SIZE) or the file system reports it.
        size: u64,
        /// Its header section alone, for the ticket.
        header: Vec<u8>,
    },
}

/// Where a message goes once its outcome is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// The invite was handled: `done_folder`.
    Done,
    /// A human must look at it: `needs_human_folder`.
    NeedsHuman,
}

/// What [`Mailbox::file`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// The message was moved to its destination.
    Moved,
    /// The message was no longer in the folder (filed earlier, or moved by a person):
    /// nothing to do, and not a failure of the job.
    AlreadyGone,
}

/// What `check-config` learned about the mailbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// The mailbox, as [`Mailbox::source_name`] names it.
    pub source: String,
    /// What works, one line each ("logged in as …", "folder INBOX has 3 messages").
    pub passed: Vec<String>,
    /// What works but deserves attention ("no IDLE: polling every 60s").
    pub warnings: Vec<String>,
}

impl Mailbox {
    /// Builds the mailbox without connecting (a CA file is read now).
    pub fn from_config(config: &MailboxConfig) -> Result<Mailbox, MailboxError> {
        Ok(match config {
            MailboxConfig::Imap(imap) => Self::Imap(ImapMailbox::new(imap.clone())?),
            MailboxConfig::Maildir(maildir) => Self::Maildir(MaildirMailbox::new(maildir.clone())),
        })
    }

    /// Changes how fast reconnects are retried (default 1s doubling to 5 minutes).
    pub fn with_backoff(self, policy: BackoffPolicy) -> Self {
        match self {
            Self::Imap(imap) => Self::Imap(imap.with_backoff(policy)),
            Self::Maildir(maildir) => Self::Maildir(maildir),
        }
    }

    /// Names the mailbox for logs and the journal: `imap:user@host/INBOX` or
    /// `maildir:/path`. Never holds a secret.
    pub fn source_name(&self) -> String {
        match self {
            Self::Imap(imap) => imap.source_name(),
            Self::Maildir(maildir) => maildir.source_name(),
        }
    }

    /// Every message now in the folder (cheap: identifiers only).
    pub async fn list(&mut self) -> Result<Listing, MailboxError> {
        match self {
            Self::Imap(imap) => imap.list().await,
            Self::Maildir(maildir) => maildir.list().await,
        }
    }

    /// The raw bytes of one message; reading it never marks it `\Seen`.
    pub async fn fetch(&mut self, msg: &MessageLocation) -> Result<Vec<u8>, MailboxError> {
        match self {
            Self::Imap(imap) => imap.fetch(msg).await,
            Self::Maildir(maildir) => maildir.fetch(msg).await,
        }
    }

    /// Like [`fetch`](Self::fetch) for a message of at most `limit` bytes; a larger one is
    /// not downloaded (a mail with a huge attachment must not fill memory and the journal):
    /// only its size and header section are read.
    pub async fn fetch_within(
        &mut self,
        msg: &MessageLocation,
        limit: usize,
    ) -> Result<Fetched, MailboxError> {
        match self {
            Self::Imap(imap) => imap.fetch_within(msg, limit).await,
            Self::Maildir(maildir) => maildir.fetch_within(msg, limit).await,
        }
    }

    /// [`fetch_within`](Self::fetch_within) for many messages: one answer per message, in
    /// order (a message gone from the folder is [`MailboxError::Gone`]); `Err` as a whole
    /// when the mailbox itself failed. IMAP asks for all of them in a few round trips.
    pub async fn fetch_many_within(
        &mut self,
        messages: &[MessageLocation],
        limit: usize,
    ) -> Result<Vec<Result<Fetched, MailboxError>>, MailboxError> {
        match self {
            Self::Imap(imap) => imap.fetch_many_within(messages, limit).await,
            Self::Maildir(maildir) => {
                let mut answers = Vec::with_capacity(messages.len());
                for msg in messages {
                    answers.push(match maildir.fetch_within(msg, limit).await {
                        Err(error) if error.is_connection_problem() => return Err(error),
                        answer => answer,
                    });
                }
                Ok(answers)
            }
        }
    }

    /// [`file`](Self::file) for many messages: one answer per message, in order; `Err` as
    /// a whole when the mailbox itself failed. IMAP moves them with one command per
    /// destination.
    pub async fn file_many(
        &mut self,
        messages: &[(MessageLocation, Destination)],
    ) -> Result<Vec<Result<Filed, MailboxError>>, MailboxError> {
        match self {
            Self::Imap(imap) => imap.file_many(messages).await,
            Self::Maildir(maildir) => {
                let mut answers = Vec::with_capacity(messages.len());
                for (msg, to) in messages {
                    answers.push(match maildir.file(msg, *to).await {
                        Err(error) if error.is_connection_problem() => return Err(error),
                        answer => answer,
                    });
                }
                Ok(answers)
            }
        }
    }

    /// Moves a message whose outcome is final to its destination folder, creating the
    /// folder if needed. A message that is already gone is [`Filed::AlreadyGone`], not an
    /// error.
    pub async fn file(
        &mut self,
        msg: &MessageLocation,
        to: Destination,
    ) -> Result<Filed, MailboxError> {
        match self {
            Self::Imap(imap) => imap.file(msg, to).await,
            Self::Maildir(maildir) => maildir.file(msg, to).await,
        }
    }

    /// A watcher to spawn: `tokio::spawn(mailbox.watcher().run(changed, shutdown))`.
    pub fn watcher(&self) -> Watcher {
        match self {
            Self::Imap(imap) => Watcher::Imap(imap.watcher()),
            Self::Maildir(maildir) => Watcher::Maildir(maildir.watcher()),
        }
    }

    /// Connects and checks everything `run` will need, for `check-config`: the connection,
    /// TLS, the login, the folder, the done and needs-human folders (created if missing),
    /// and IDLE.
    pub async fn check(&mut self) -> Result<CheckReport, MailboxError> {
        match self {
            Self::Imap(imap) => imap.check().await,
            Self::Maildir(maildir) => maildir.check().await,
        }
    }

    /// Closes the commander's connection politely (at shutdown; IMAP LOGOUT). The next
    /// call would connect again.
    pub async fn close(&mut self) {
        match self {
            Self::Imap(imap) => imap.close().await,
            Self::Maildir(_) => {}
        }
    }

    /// The health record shared with the watcher.
    pub fn health(&self) -> Arc<Health> {
        match self {
            Self::Imap(imap) => imap.health(),
            Self::Maildir(maildir) => maildir.health(),
        }
    }

    /// How often the watcher signals a change even when it saw none (the safety net).
    pub fn poll_interval(&self) -> Duration {
        match self {
            Self::Imap(imap) => imap.poll_interval(),
            Self::Maildir(maildir) => maildir.poll_interval(),
        }
    }
}

/// Waits for the folder to change and pokes a [`Notify`]; holds no state worth keeping.
#[derive(Debug)]
pub enum Watcher {
    /// IDLE on a second IMAP connection (or, without IDLE, the poll timer alone).
    Imap(ImapWatcher),
    /// Scans the Maildir every `poll_interval`.
    Maildir(MaildirWatcher),
}

impl Watcher {
    /// Runs until `shutdown` is cancelled, reconnecting as needed. IMAP: `changed` is
    /// notified when the watcher (re)connects, when IDLE reports anything, and every
    /// `poll_interval` regardless (the safety-net full check). Maildir: after the first
    /// scan and whenever a scan finds the set of messages changed. Notifications coalesce
    /// (a [`Notify`] keeps one permit), so a busy receiver misses nothing.
    pub async fn run(self, changed: Arc<Notify>, shutdown: CancellationToken) {
        match self {
            Self::Imap(imap) => imap.run(changed, shutdown).await,
            Self::Maildir(maildir) => maildir.run(changed, shutdown).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ImapAuth, ImapConfig, ImapSecurity};
    use crate::secret::SecretSource;

    fn assert_send<T: Send>(_: &T) {}

    /// The daemon spawns these futures: they must be `Send`.
    #[test]
    fn futures_can_be_spawned() {
        let config = MailboxConfig::Imap(ImapConfig {
            host: "imap.example.com".into(),
            port: 993,
            security: ImapSecurity::Tls,
            username: "support@example.com".into(),
            auth: ImapAuth::Password(SecretSource::File("/nonexistent".into())),
            ca_file: None,
            folder: "INBOX".into(),
            done_folder: "onbehalf/done".into(),
            needs_human_folder: "onbehalf/needs-human".into(),
            idle: true,
            idle_renew: Duration::from_secs(60),
            poll_interval: Duration::from_secs(60),
            timeout: Duration::from_secs(5),
        });
        let mut mailbox = Mailbox::from_config(&config).unwrap();
        let location = MessageLocation::imap(1, 1);
        assert_send(
            &mailbox
                .watcher()
                .run(Arc::default(), CancellationToken::new()),
        );
        assert_send(&mailbox.list());
        assert_send(&mailbox.fetch(&location));
        assert_send(&mailbox.fetch_within(&location, 1024));
        assert_send(&mailbox.file(&location, Destination::Done));
        assert_send(&mailbox.fetch_many_within(std::slice::from_ref(&location), 1024));
        assert_send(&mailbox.file_many(&[(location.clone(), Destination::Done)]));
        assert_send(&mailbox.check());
        assert_eq!(
            mailbox.source_name(),
            "imap:support@example.com@imap.example.com/INBOX"
        );
    }

    #[test]
    fn locations_print_without_ambiguity() {
        assert_eq!(
            MessageLocation::imap(7, 42).to_string(),
            "UID 42 (UIDVALIDITY 7)"
        );
        assert_eq!(MessageLocation::imap(7, 42).name, "42");
        assert_eq!(
            MessageLocation::maildir("1700000000.M1P2.host").to_string(),
            "message 1700000000.M1P2.host"
        );
    }
}
