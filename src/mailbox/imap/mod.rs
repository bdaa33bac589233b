//! An IMAP account as a mailbox: the commander connection and its watcher.
//!
//! In: an [`ImapConfig`]. Out: an [`ImapMailbox`] that lists (SELECT + UID SEARCH), fetches
//! (UID FETCH BODY.PEEK[]) and files (UID MOVE, or COPY + \Deleted + UID EXPUNGE) messages
//! over one connection it opens on first use and re-opens after any failure, waiting out
//! an exponential backoff with jitter between attempts; and an [`ImapWatcher`] that IDLEs
//! on a second connection.
//!
//! Folder names in the config separate levels with `/`; on every connection they are
//! placed in the server's personal namespace, with its prefix and separator
//! (`namespace`: `onbehalf/done` is `onbehalf.done` on Dovecot, `INBOX.onbehalf.done`
//! on Courier or Cyrus).

pub(crate) mod auth;
mod check;
mod commands;
mod connect;
mod namespace;
mod probe;
mod session;
mod tls;
mod uids;
mod watcher;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;

use self::connect::Connection;
use super::backoff::{Backoff, BackoffPolicy};
use super::health::{Health, Part};
use super::{Destination, Fetched, Filed, Listing, MailboxError, MessageLocation};
use crate::config::ImapConfig;

pub use watcher::ImapWatcher;

/// What the commander and the watcher share: the settings and the health record.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: ImapConfig,
    /// `host:port`, for messages.
    pub(crate) address: String,
    pub(crate) tls: Arc<ClientConfig>,
    pub(crate) health: Arc<Health>,
}

impl Shared {
    /// Runs `future` under the configured timeout.
    pub(crate) async fn within<F: Future>(
        &self,
        action: &str,
        future: F,
    ) -> Result<F::Output, MailboxError> {
        tokio::time::timeout(self.config.timeout, future)
            .await
            .map_err(|_| MailboxError::Timeout {
                address: self.address.clone(),
                action: action.to_owned(),
                after: self.config.timeout,
            })
    }

    /// Runs one IMAP command under the configured timeout; `action` says what it is for
    /// in words an operator reads ("create folder INBOX.onbehalf.done").
    pub(crate) async fn command<T>(
        &self,
        action: &str,
        future: impl Future<Output = async_imap::error::Result<T>>,
    ) -> Result<T, MailboxError> {
        self.within(action, future)
            .await?
            .map_err(|source| MailboxError::imap(&self.address, action, source))
    }

    fn source_name(&self) -> String {
        let config = &self.config;
        format!("imap:{}@{}/{}", config.username, config.host, config.folder)
    }
}

/// The commander: lists, fetches and files, one call at a time.
#[derive(Debug)]
pub struct ImapMailbox {
    shared: Arc<Shared>,
    /// How reconnects are spaced; the watcher gets a copy.
    policy: BackoffPolicy,
    /// When the next connection attempt may start.
    backoff: Backoff,
    /// The open session, if any; taken out while a command runs, so a cancelled or failed
    /// command leaves no half-read session behind.
    connection: Option<Box<Connection>>,
}

impl ImapMailbox {
    /// Prepares the account (reads the CA file); connects on first use.
    pub fn new(config: ImapConfig) -> Result<Self, MailboxError> {
        let tls = tls::client_config(config.ca_file.as_deref())?;
        let address = if config.host.contains(':') && !config.host.starts_with('[') {
            format!("[{}]:{}", config.host, config.port)
        } else {
            format!("{}:{}", config.host, config.port)
        };
        let policy = BackoffPolicy::default();
        Ok(Self {
            shared: Arc::new(Shared {
                config,
                address,
                tls,
                health: Arc::default(),
            }),
            policy,
            backoff: Backoff::new(policy),
            connection: None,
        })
    }

    /// Changes how reconnects are spaced (for this mailbox and watchers made after).
    pub fn with_backoff(mut self, policy: BackoffPolicy) -> Self {
        self.policy = policy;
        self.backoff = Backoff::new(policy);
        self
    }

    /// `imap:user@host/folder`.
    pub fn source_name(&self) -> String {
        self.shared.source_name()
    }

    /// Every undeleted message in the folder, with the folder's UIDVALIDITY. A successful
    /// listing is the "last successful check" of [`Health`].
    pub async fn list(&mut self) -> Result<Listing, MailboxError> {
        let folder = self.shared.config.folder.clone();
        let (uidvalidity, uids) = self.run(&session::List { folder: &folder }).await?;
        self.shared.health.checked(Part::Commander);
        let messages = uids
            .into_iter()
            .map(|uid| MessageLocation {
                uidvalidity,
                uid: Some(uid),
                name: uid.to_string(),
            })
            .collect();
        Ok(Listing {
            uidvalidity,
            messages,
        })
    }

    /// The raw message; `\Seen` is left as it was.
    pub async fn fetch(&mut self, msg: &MessageLocation) -> Result<Vec<u8>, MailboxError> {
        let uid = self.uid_of(msg)?;
        let folder = self.shared.config.folder.clone();
        let fetch = session::Fetch {
            folder: &folder,
            msg,
            uid,
        };
        let body = self.run(&fetch).await?;
        body.ok_or_else(|| self.gone(msg))
    }

    /// The raw message if it is at most `limit` bytes, else its size and header section.
    pub async fn fetch_within(
        &mut self,
        msg: &MessageLocation,
        limit: usize,
    ) -> Result<Fetched, MailboxError> {
        let mut answers = self
            .fetch_many_within(std::slice::from_ref(msg), limit)
            .await?;
        answers.pop().unwrap_or_else(|| Err(self.gone(msg)))
    }

    /// [`fetch_within`](Self::fetch_within) for many messages in a few round trips (sizes
    /// in one command, then bodies in batches); one answer per message, in order.
    pub async fn fetch_many_within(
        &mut self,
        messages: &[MessageLocation],
        limit: usize,
    ) -> Result<Vec<Result<Fetched, MailboxError>>, MailboxError> {
        let with_uids = self.with_uids(messages, |_| ());
        let folder = self.shared.config.folder.clone();
        let wanted: Vec<_> = with_uids
            .iter()
            .filter_map(|m| m.as_ref().ok())
            .map(|(msg, uid, ())| (*msg, *uid))
            .collect();
        let fetch = session::FetchWithin {
            folder: &folder,
            messages: &wanted,
            limit,
        };
        let answers = self.run(&fetch).await?;
        let mut answers = answers.into_iter();
        Ok(with_uids
            .into_iter()
            .zip(messages)
            .map(|(with_uid, msg)| {
                with_uid?;
                answers
                    .next()
                    .unwrap_or(Ok(None))?
                    .ok_or_else(|| self.gone(msg))
            })
            .collect())
    }

    /// Moves the message to its destination folder, creating the folder if needed.
    pub async fn file(
        &mut self,
        msg: &MessageLocation,
        to: Destination,
    ) -> Result<Filed, MailboxError> {
        let mut answers = self.file_many(&[(msg.clone(), to)]).await?;
        answers.pop().unwrap_or_else(|| Err(self.gone(msg)))
    }

    /// [`file`](Self::file) for many messages: one search and one MOVE per destination.
    /// One answer per message, in order; `Err` as a whole when the mailbox failed.
    pub async fn file_many(
        &mut self,
        messages: &[(MessageLocation, Destination)],
    ) -> Result<Vec<Result<Filed, MailboxError>>, MailboxError> {
        let config = &self.shared.config;
        let (done, needs_human) = (
            config.done_folder.clone(),
            config.needs_human_folder.clone(),
        );
        let folder = config.folder.clone();
        let locations: Vec<MessageLocation> = messages.iter().map(|(m, _)| m.clone()).collect();
        let with_uids = self.with_uids(&locations, |index| match messages[index].1 {
            Destination::Done => done.as_str(),
            Destination::NeedsHuman => needs_human.as_str(),
        });
        let wanted: Vec<_> = with_uids
            .iter()
            .filter_map(|m| m.as_ref().ok().copied())
            .collect();
        let file = session::File {
            folder: &folder,
            messages: &wanted,
        };
        let answers = self.run(&file).await?;
        let mut answers = answers.into_iter();
        Ok(with_uids
            .into_iter()
            .map(|with_uid| {
                let (msg, _, to) = with_uid?;
                let filed = answers.next().unwrap_or(Ok(Filed::AlreadyGone))?;
                match filed {
                    Filed::Moved => tracing::debug!(%msg, to, "message filed"),
                    Filed::AlreadyGone => tracing::warn!(
                        %msg, to,
                        "message already gone from the folder; nothing to file"
                    ),
                }
                Ok(filed)
            })
            .collect())
    }

    /// A watcher sharing this mailbox's settings and health.
    pub fn watcher(&self) -> ImapWatcher {
        ImapWatcher::new(Arc::clone(&self.shared), self.policy)
    }

    /// The health record shared with the watcher.
    pub fn health(&self) -> Arc<Health> {
        Arc::clone(&self.shared.health)
    }

    /// The safety-net check period.
    pub fn poll_interval(&self) -> Duration {
        self.shared.config.poll_interval
    }

    /// Logs out politely (at shutdown); the next call would connect again.
    pub async fn close(&mut self) {
        if let Some(connection) = self.connection.take() {
            connection.logout(&self.shared).await;
        }
    }

    /// Each message with its UID and `extra(index)`, or the error for a location that has
    /// no UID (not from this mailbox).
    fn with_uids<'a, T>(
        &self,
        messages: &'a [MessageLocation],
        extra: impl Fn(usize) -> T,
    ) -> Vec<Result<(&'a MessageLocation, u32, T), MailboxError>> {
        messages
            .iter()
            .enumerate()
            .map(|(index, msg)| Ok((msg, self.uid_of(msg)?, extra(index))))
            .collect()
    }

    fn gone(&self, msg: &MessageLocation) -> MailboxError {
        MailboxError::Gone {
            source_name: self.source_name(),
            location: msg.to_string(),
        }
    }

    fn uid_of(&self, msg: &MessageLocation) -> Result<u32, MailboxError> {
        msg.uid.ok_or_else(|| MailboxError::ForeignLocation {
            source_name: self.source_name(),
            location: msg.to_string(),
        })
    }
}
