//! The commander's session: check it out, run one operation, check it back in.
//!
//! In: an [`Operation`] (list, fetch, fetch within a limit, file). Out: its answer, run on
//! the open session or on a new one (after the backoff), with one retry on a new session
//! when an old one turns out broken. This loop is written once here; every public call of
//! [`ImapMailbox`] is one operation.
//!
//! An operation is a small struct whose `run` borrows it for as long as the command runs.
//! The trait's future is declared `Send`, so the loop's own future stays `Send` and can
//! run in a spawned task (a helper taking an async closure cannot promise that for every
//! lifetime the closure is called with).

use std::future::Future;

use super::connect::{self, Connection};
use super::{ImapMailbox, Shared};
use crate::mailbox::health::Part;
use crate::mailbox::{Fetched, Filed, MailboxError, MessageLocation};

/// One thing the commander asks of a logged-in session.
pub(super) trait Operation: Sync {
    /// What the server's answers amount to.
    type Output: Send;

    /// Runs the commands on `connection`; may be called twice (the retry).
    fn run<'c>(
        &'c self,
        connection: &'c mut Connection,
        shared: &'c Shared,
    ) -> impl Future<Output = Result<Self::Output, MailboxError>> + Send + 'c;
}

/// SELECT + UID SEARCH: the folder's UIDVALIDITY and its undeleted UIDs.
pub(super) struct List<'a> {
    pub(super) folder: &'a str,
}

impl Operation for List<'_> {
    type Output = (Option<u32>, Vec<u32>);

    fn run<'c>(
        &'c self,
        connection: &'c mut Connection,
        shared: &'c Shared,
    ) -> impl Future<Output = Result<Self::Output, MailboxError>> + Send + 'c {
        connection.list_folder(shared, self.folder)
    }
}

/// UID FETCH of one whole message.
pub(super) struct Fetch<'a> {
    pub(super) folder: &'a str,
    pub(super) msg: &'a MessageLocation,
    pub(super) uid: u32,
}

impl Operation for Fetch<'_> {
    type Output = Option<Vec<u8>>;

    fn run<'c>(
        &'c self,
        connection: &'c mut Connection,
        shared: &'c Shared,
    ) -> impl Future<Output = Result<Self::Output, MailboxError>> + Send + 'c {
        connection.fetch_message(shared, self.folder, self.msg, self.uid)
    }
}

/// Many messages, whole up to `limit` bytes, else their header section.
pub(super) struct FetchWithin<'a> {
    pub(super) folder: &'a str,
    pub(super) messages: &'a [(&'a MessageLocation, u32)],
    pub(super) limit: usize,
}

impl Operation for FetchWithin<'_> {
    type Output = Vec<Result<Option<Fetched>, MailboxError>>;

    fn run<'c>(
        &'c self,
        connection: &'c mut Connection,
        shared: &'c Shared,
    ) -> impl Future<Output = Result<Self::Output, MailboxError>> + Send + 'c {
        connection.fetch_messages_within(shared, self.folder, self.messages, self.limit)
    }
}

/// Moves messages to their destination folders.
pub(super) struct File<'a> {
    pub(super) folder: &'a str,
    pub(super) messages: &'a [(&'a MessageLocation, u32, &'a str)],
}

impl Operation for File<'_> {
    type Output = Vec<Result<Filed, MailboxError>>;

    fn run<'c>(
        &'c self,
        connection: &'c mut Connection,
        shared: &'c Shared,
    ) -> impl Future<Output = Result<Self::Output, MailboxError>> + Send + 'c {
        connection.file_messages(shared, self.folder, self.messages)
    }
}

impl ImapMailbox {
    /// Runs `operation` on the open session, or on a new one. A broken old session (the
    /// server may have restarted since) gets one retry on a new session, unless it timed
    /// out: a wedged server would only time out again.
    pub(super) async fn run<O: Operation>(
        &mut self,
        operation: &O,
    ) -> Result<O::Output, MailboxError> {
        let mut retried = false;
        loop {
            let (mut connection, reused) = self.checkout().await?;
            let result = operation.run(&mut connection, &self.shared).await;
            connection.discard_unsolicited();
            match result {
                Err(error) if error.breaks_session() => {
                    self.shared.health.failed(Part::Commander, &error);
                    let timed_out = matches!(error, MailboxError::Timeout { .. });
                    if !reused || retried || timed_out {
                        return Err(error);
                    }
                    tracing::info!(%error, "IMAP session went stale; reconnecting");
                    retried = true;
                }
                result => {
                    self.shared.health.up(Part::Commander);
                    self.connection = Some(connection);
                    return result;
                }
            }
        }
    }

    /// The open session, or a new one (after the backoff); true when it is an old one.
    async fn checkout(&mut self) -> Result<(Box<Connection>, bool), MailboxError> {
        match self.connection.take() {
            Some(connection) => Ok((connection, true)),
            None => Ok((Box::new(self.connect().await?), false)),
        }
    }

    async fn connect(&mut self) -> Result<Connection, MailboxError> {
        self.backoff.wait().await;
        match connect::open(&self.shared).await {
            Ok(connection) => {
                self.backoff.succeeded();
                self.shared.health.up(Part::Commander);
                tracing::info!(source = %self.source_name(), "connected to the mailbox");
                Ok(connection)
            }
            Err(error) => {
                let retry_in = self.backoff.failed();
                self.shared.health.failed(Part::Commander, &error);
                tracing::warn!(%error, ?retry_in, "cannot open the mailbox");
                Err(error)
            }
        }
    }
}
