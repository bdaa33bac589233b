//! The IMAP commands the commander runs on a logged-in [`Connection`].
//!
//! In: a connection and what to do (select the folder, list UIDs, fetch one message, make
//! a folder, move a message). Out: the answer, or a [`MailboxError`] naming the command and
//! the server. Every command runs under the configured timeout; streamed answers are read
//! to the end inside that limit.

use async_imap::types::Mailbox as SelectedFolder;
use futures::TryStreamExt;

use super::Shared;
use super::connect::Connection;
use crate::mailbox::{Fetched, Filed, MailboxError, MessageLocation};

impl Connection {
    /// SELECT + UID SEARCH: the folder's UIDVALIDITY and its undeleted UIDs.
    pub(crate) async fn list_folder(
        &mut self,
        shared: &Shared,
        folder: &str,
    ) -> Result<(Option<u32>, Vec<u32>), MailboxError> {
        let selected = self.select(shared, folder).await?;
        let uids = self.undeleted_uids(shared).await?;
        Ok((selected.uid_validity, uids))
    }

    /// SELECT + UID FETCH, refusing a UID from another UIDVALIDITY.
    pub(crate) async fn fetch_message(
        &mut self,
        shared: &Shared,
        folder: &str,
        msg: &MessageLocation,
        uid: u32,
    ) -> Result<Option<Vec<u8>>, MailboxError> {
        let selected = self.select(shared, folder).await?;
        same_validity(folder, msg, selected.uid_validity)?;
        self.fetch_body(shared, uid).await
    }

    /// SELECT + UID FETCH RFC822.SIZE, then the whole message, or over `limit` only its
    /// header section; `None` when the UID is not in the folder.
    pub(crate) async fn fetch_message_within(
        &mut self,
        shared: &Shared,
        folder: &str,
        msg: &MessageLocation,
        uid: u32,
        limit: usize,
    ) -> Result<Option<Fetched>, MailboxError> {
        let selected = self.select(shared, folder).await?;
        same_validity(folder, msg, selected.uid_validity)?;
        let Some(size) = self
            .fetch_uid_item(shared, uid, "RFC822.SIZE", |f| f.size)
            .await?
        else {
            return Ok(None);
        };
        if usize::try_from(size).is_ok_and(|size| size <= limit) {
            return Ok(self.fetch_body(shared, uid).await?.map(Fetched::Whole));
        }
        let header = self
            .fetch_uid_item(shared, uid, "BODY.PEEK[HEADER]", |f| {
                f.header().map(<[u8]>::to_vec)
            })
            .await?;
        Ok(header.map(|header| Fetched::TooLarge {
            size: size.into(),
            header,
        }))
    }

    /// `UID FETCH uid (UID item)`, read with `read` from this UID's answer.
    async fn fetch_uid_item<T>(
        &mut self,
        shared: &Shared,
        uid: u32,
        item: &str,
        read: impl Fn(&async_imap::types::Fetch) -> Option<T>,
    ) -> Result<Option<T>, MailboxError> {
        let session = &mut self.session;
        let fetches: Vec<_> = shared
            .command(&format!("UID FETCH {uid} {item}"), async {
                session
                    .uid_fetch(uid.to_string(), format!("(UID {item})"))
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
        // As in fetch_body: unrelated FETCH responses may slip in; match the UID.
        Ok(fetches
            .iter()
            .find(|fetch| fetch.uid == Some(uid))
            .and_then(read))
    }

    /// SELECT, then move the message unless it is gone already.
    pub(crate) async fn file_message(
        &mut self,
        shared: &Shared,
        folder: &str,
        msg: &MessageLocation,
        uid: u32,
        destination: &str,
    ) -> Result<Filed, MailboxError> {
        let selected = self.select(shared, folder).await?;
        same_validity(folder, msg, selected.uid_validity)?;
        if !self.contains(shared, uid).await? {
            return Ok(Filed::AlreadyGone);
        }
        self.ensure_folder(shared, destination).await?;
        self.move_message(shared, uid, destination).await?;
        Ok(Filed::Moved)
    }

    /// `SELECT`s a folder (read-write, for MOVE); the answer holds UIDVALIDITY.
    pub(crate) async fn select(
        &mut self,
        shared: &Shared,
        folder: &str,
    ) -> Result<SelectedFolder, MailboxError> {
        let name = self.server_folder(folder);
        shared
            .command(&format!("SELECT {name:?}"), self.session.select(&name))
            .await
    }

    /// The UIDs of every message not flagged `\Deleted`, lowest first.
    pub(crate) async fn undeleted_uids(
        &mut self,
        shared: &Shared,
    ) -> Result<Vec<u32>, MailboxError> {
        let found = shared
            .command("UID SEARCH UNDELETED", self.session.uid_search("UNDELETED"))
            .await?;
        let mut uids: Vec<u32> = found.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// True when the selected folder still holds this UID, not flagged `\Deleted` (a
    /// message filed by COPY on a server without UIDPLUS stays behind, flagged).
    pub(crate) async fn contains(
        &mut self,
        shared: &Shared,
        uid: u32,
    ) -> Result<bool, MailboxError> {
        let found = shared
            .command(
                &format!("UID SEARCH UID {uid} UNDELETED"),
                self.session.uid_search(format!("UID {uid} UNDELETED")),
            )
            .await?;
        Ok(found.contains(&uid))
    }

    /// The raw message, read with `BODY.PEEK[]` so `\Seen` stays as it was; `None` when
    /// the UID is not in the selected folder.
    pub(crate) async fn fetch_body(
        &mut self,
        shared: &Shared,
        uid: u32,
    ) -> Result<Option<Vec<u8>>, MailboxError> {
        let session = &mut self.session;
        let fetches: Vec<_> = shared
            .command(&format!("UID FETCH {uid} BODY.PEEK[]"), async {
                session
                    .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
        // The server may slip in unrelated FETCH responses (flag changes): match the UID.
        Ok(fetches
            .iter()
            .find(|fetch| fetch.uid == Some(uid))
            .and_then(|fetch| fetch.body())
            .map(<[u8]>::to_vec))
    }

    /// Makes sure a folder exists; true when it had to be created.
    pub(crate) async fn ensure_folder(
        &mut self,
        shared: &Shared,
        folder: &str,
    ) -> Result<bool, MailboxError> {
        let name = self.server_folder(folder);
        if self.folder_exists(shared, &name).await? {
            return Ok(false);
        }
        match shared
            .command(&format!("CREATE {name:?}"), self.session.create(&name))
            .await
        {
            Ok(()) => Ok(true),
            // Someone else (another instance, a person) may have created it meanwhile.
            Err(error) if !error.breaks_session() && self.folder_exists(shared, &name).await? => {
                Ok(false)
            }
            Err(error) => Err(error),
        }
    }

    async fn folder_exists(&mut self, shared: &Shared, name: &str) -> Result<bool, MailboxError> {
        let pattern = format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""));
        let session = &mut self.session;
        let names: Vec<_> = shared
            .command(&format!("LIST \"\" {pattern}"), async {
                session
                    .list(Some(""), Some(&pattern))
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
        Ok(names.iter().any(|found| found.name() == name))
    }

    /// Moves one message out of the selected folder: `UID MOVE`, or where MOVE is missing,
    /// `UID COPY` + `\Deleted` + `UID EXPUNGE` (without UIDPLUS the message stays flagged
    /// `\Deleted`, which listing skips, rather than expunging other people's deletions).
    pub(crate) async fn move_message(
        &mut self,
        shared: &Shared,
        uid: u32,
        folder: &str,
    ) -> Result<(), MailboxError> {
        let name = self.server_folder(folder);
        let set = uid.to_string();
        if self.capabilities.moves {
            return shared
                .command(
                    &format!("UID MOVE {uid} {name:?}"),
                    self.session.uid_mv(&set, &name),
                )
                .await;
        }
        shared
            .command(
                &format!("UID COPY {uid} {name:?}"),
                self.session.uid_copy(&set, &name),
            )
            .await?;
        let session = &mut self.session;
        shared
            .command(&format!("UID STORE {uid} +FLAGS (\\Deleted)"), async {
                let updates: Vec<_> = session
                    .uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
                    .await?
                    .try_collect()
                    .await?;
                Ok(updates.len())
            })
            .await?;
        if self.capabilities.uidplus {
            let session = &mut self.session;
            shared
                .command(&format!("UID EXPUNGE {uid}"), async {
                    let expunged: Vec<_> = session.uid_expunge(&set).await?.try_collect().await?;
                    Ok(expunged.len())
                })
                .await?;
        }
        Ok(())
    }

    /// Says goodbye; a failure only means the connection was already gone.
    pub(crate) async fn logout(mut self, shared: &Shared) {
        let _ = shared.command("LOGOUT", self.session.logout()).await;
    }

    /// Drops the untagged responses async-imap queued (EXISTS, EXPUNGE, FETCH flags): the
    /// commander re-reads what it needs, and a full queue would only drop newer ones.
    pub(crate) fn discard_unsolicited(&mut self) {
        while self.session.unsolicited_responses.try_recv().is_ok() {}
    }
}

/// Refuses a UID read under another UIDVALIDITY: it may name a different message now.
fn same_validity(
    folder: &str,
    msg: &MessageLocation,
    now: Option<u32>,
) -> Result<(), MailboxError> {
    match (msg.uidvalidity, now) {
        (Some(then), Some(now)) if then != now => Err(MailboxError::UidValidityChanged {
            folder: folder.to_owned(),
            location: msg.to_string(),
            now,
        }),
        _ => Ok(()),
    }
}
