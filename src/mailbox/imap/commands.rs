//! The IMAP commands the commander runs on a logged-in [`Connection`].
//!
//! In: a connection and what to do (select the folder, list UIDs, fetch one message, make
//! a folder, move a message). Out: the answer, or a [`MailboxError`] naming the command and
//! the server. Every command runs under the configured timeout; streamed answers are read
//! to the end inside that limit.

use std::collections::{BTreeMap, HashMap, HashSet};

use async_imap::types::Mailbox as SelectedFolder;
use futures::TryStreamExt;

use super::Shared;
use super::connect::Connection;
use super::uids::{batches_by_size, uid_set, uids_label};
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

    /// UID FETCH of one message, refusing a UID from another UIDVALIDITY.
    pub(crate) async fn fetch_message(
        &mut self,
        shared: &Shared,
        folder: &str,
        msg: &MessageLocation,
        uid: u32,
    ) -> Result<Option<Vec<u8>>, MailboxError> {
        let validity = self.ensure_selected(shared, folder).await?;
        same_validity(folder, msg, validity)?;
        self.fetch_body(shared, uid).await
    }

    /// Many messages in few round trips: every size in one `UID FETCH … RFC822.SIZE`,
    /// then the messages of at most `limit` bytes in batches of about [`BATCH_BYTES`](super::uids::BATCH_BYTES), and
    /// for larger ones only the header section. One answer per message, in order: `None`
    /// when the UID is not in the folder (any more).
    pub(crate) async fn fetch_messages_within(
        &mut self,
        shared: &Shared,
        folder: &str,
        messages: &[(&MessageLocation, u32)],
        limit: usize,
    ) -> Result<Vec<Result<Option<Fetched>, MailboxError>>, MailboxError> {
        let validity = self.ensure_selected(shared, folder).await?;
        let checked: Vec<_> = messages
            .iter()
            .map(|(msg, uid)| same_validity(folder, msg, validity).map(|()| *uid))
            .collect();
        let uids: Vec<u32> = checked
            .iter()
            .filter_map(|c| c.as_ref().ok().copied())
            .collect();
        let sizes = self
            .fetch_uid_items(shared, &uids, "RFC822.SIZE", |f| f.size)
            .await?;
        let within = |uid: &u32| {
            sizes
                .get(uid)
                .is_some_and(|&size| usize::try_from(size).is_ok_and(|size| size <= limit))
        };
        let (small, large): (Vec<u32>, Vec<u32>) = uids
            .iter()
            .filter(|uid| sizes.contains_key(uid))
            .partition(|uid| within(uid));
        let mut bodies = HashMap::new();
        for batch in batches_by_size(&small, &sizes) {
            bodies.extend(self.fetch_bodies(shared, batch).await?);
        }
        let mut headers = self
            .fetch_uid_items(shared, &large, "BODY.PEEK[HEADER]", |f| {
                f.header().map(<[u8]>::to_vec)
            })
            .await?;
        Ok(checked
            .into_iter()
            .map(|checked| {
                let uid = checked?;
                if let Some(raw) = bodies.remove(&uid) {
                    return Ok(Some(Fetched::Whole(raw)));
                }
                Ok(headers
                    .remove(&uid)
                    .zip(sizes.get(&uid))
                    .map(|(header, &size)| Fetched::TooLarge {
                        size: size.into(),
                        header,
                    }))
            })
            .collect())
    }

    /// `UID FETCH set (UID item)`, each answer read with `read`, by UID. Answers for UIDs
    /// not asked for (a flag change the server slips in) are left out.
    async fn fetch_uid_items<T>(
        &mut self,
        shared: &Shared,
        uids: &[u32],
        item: &str,
        read: impl Fn(&async_imap::types::Fetch) -> Option<T>,
    ) -> Result<HashMap<u32, T>, MailboxError> {
        if uids.is_empty() {
            return Ok(HashMap::new());
        }
        let set = uid_set(uids);
        let session = &mut self.session;
        let fetches: Vec<_> = shared
            .command(&format!("fetch {} ({item})", uids_label(uids)), async {
                session
                    .uid_fetch(&set, format!("(UID {item})"))
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
        let asked: HashSet<u32> = uids.iter().copied().collect();
        let answers: HashMap<u32, T> = fetches
            .iter()
            .filter_map(|fetch| {
                let uid = fetch.uid.filter(|uid| asked.contains(uid))?;
                Some((uid, read(fetch)?))
            })
            .collect();
        self.confirm_if_short(shared, answers.len(), asked.len())
            .await?;
        Ok(answers)
    }

    /// async-imap ends a FETCH or SEARCH answer quietly, as if complete, when the
    /// connection drops mid-way. When fewer messages answered than were asked for, a
    /// NOOP proves the session alive before an absence is read as "gone"; on a dead one
    /// it fails, and the caller reconnects and asks again.
    async fn confirm_if_short(
        &mut self,
        shared: &Shared,
        answered: usize,
        asked: usize,
    ) -> Result<(), MailboxError> {
        if answered < asked {
            shared
                .command("check the connection (NOOP)", self.session.noop())
                .await?;
        }
        Ok(())
    }

    /// Files messages of the selected folder: those still there (and not `\Deleted`) move
    /// to their destination, one MOVE per destination; the others are
    /// [`Filed::AlreadyGone`]. One answer per message, in order.
    pub(crate) async fn file_messages(
        &mut self,
        shared: &Shared,
        folder: &str,
        messages: &[(&MessageLocation, u32, &str)],
    ) -> Result<Vec<Result<Filed, MailboxError>>, MailboxError> {
        let validity = self.ensure_selected(shared, folder).await?;
        let checked: Vec<_> = messages
            .iter()
            .map(|(msg, uid, _)| same_validity(folder, msg, validity).map(|()| *uid))
            .collect();
        let uids: Vec<u32> = checked
            .iter()
            .filter_map(|c| c.as_ref().ok().copied())
            .collect();
        let present = self.undeleted_among(shared, &uids).await?;
        let mut by_destination: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for ((_, uid, destination), checked) in messages.iter().zip(&checked) {
            if checked.is_ok() && present.contains(uid) {
                by_destination.entry(destination).or_default().push(*uid);
            }
        }
        let mut moved = HashSet::new();
        for (destination, uids) in by_destination {
            moved.extend(self.move_present(shared, &uids, destination).await?);
        }
        Ok(checked
            .into_iter()
            .map(|checked| {
                let uid = checked?;
                Ok(if moved.contains(&uid) {
                    Filed::Moved
                } else {
                    Filed::AlreadyGone
                })
            })
            .collect())
    }

    /// Moves messages of the selected folder into `destination` (made if missing); the
    /// UIDs moved. The folder and the messages are as the session last saw them, and
    /// another client may have changed both since: a refused move (`NO [TRYCREATE]`, `NO
    /// [EXPUNGEISSUED]`) makes the folder again if it went, asks which messages are still
    /// there, and moves those.
    async fn move_present(
        &mut self,
        shared: &Shared,
        uids: &[u32],
        destination: &str,
    ) -> Result<Vec<u32>, MailboxError> {
        self.ensure_folder(shared, destination).await?;
        match self.move_set(shared, uids, destination).await {
            Err(error) if !error.breaks_session() => {
                tracing::debug!(error = %crate::report::chain(&error), "move refused; looking again at the folders");
                self.known_folders.remove(&self.server_folder(destination));
                self.ensure_folder(shared, destination).await?;
                shared
                    .command("check the connection (NOOP)", self.session.noop())
                    .await?;
                let still = self.undeleted_among(shared, uids).await?;
                let still: Vec<u32> = uids.iter().copied().filter(|u| still.contains(u)).collect();
                if !still.is_empty() {
                    self.move_set(shared, &still, destination).await?;
                }
                Ok(still)
            }
            result => result.map(|()| uids.to_vec()),
        }
    }

    /// The UIDVALIDITY of `folder`, SELECTing it unless this connection has it selected.
    async fn ensure_selected(
        &mut self,
        shared: &Shared,
        folder: &str,
    ) -> Result<Option<u32>, MailboxError> {
        match &self.selected {
            Some((selected, validity)) if selected == folder => Ok(*validity),
            _ => Ok(self.select(shared, folder).await?.uid_validity),
        }
    }

    /// `SELECT`s a folder (read-write, for MOVE); the answer holds UIDVALIDITY.
    pub(crate) async fn select(
        &mut self,
        shared: &Shared,
        folder: &str,
    ) -> Result<SelectedFolder, MailboxError> {
        let name = self.server_folder(folder);
        // A failed SELECT leaves no folder selected (RFC 3501 6.3.1).
        self.selected = None;
        let selected = shared
            .command(&format!("open folder {name}"), self.session.select(&name))
            .await?;
        self.selected = Some((folder.to_owned(), selected.uid_validity));
        Ok(selected)
    }

    /// The UIDs of every message not flagged `\Deleted`, lowest first.
    pub(crate) async fn undeleted_uids(
        &mut self,
        shared: &Shared,
    ) -> Result<Vec<u32>, MailboxError> {
        let found = shared
            .command("list the messages", self.session.uid_search("UNDELETED"))
            .await?;
        let mut uids: Vec<u32> = found.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Which of these UIDs the selected folder still holds, not flagged `\Deleted` (a
    /// message filed by COPY on a server without UIDPLUS stays behind, flagged).
    async fn undeleted_among(
        &mut self,
        shared: &Shared,
        uids: &[u32],
    ) -> Result<HashSet<u32>, MailboxError> {
        if uids.is_empty() {
            return Ok(HashSet::new());
        }
        let criteria = format!("UID {} UNDELETED", uid_set(uids));
        let found = shared
            .command(
                &format!("look for {}", uids_label(uids)),
                self.session.uid_search(&criteria),
            )
            .await?;
        let asked: HashSet<u32> = uids.iter().copied().collect();
        let found: HashSet<u32> = found
            .into_iter()
            .filter(|uid| asked.contains(uid))
            .collect();
        self.confirm_if_short(shared, found.len(), asked.len())
            .await?;
        Ok(found)
    }

    /// The raw message, read with `BODY.PEEK[]` so `\Seen` stays as it was; `None` when
    /// the UID is not in the selected folder.
    pub(crate) async fn fetch_body(
        &mut self,
        shared: &Shared,
        uid: u32,
    ) -> Result<Option<Vec<u8>>, MailboxError> {
        Ok(self.fetch_bodies(shared, &[uid]).await?.remove(&uid))
    }

    /// Raw messages by UID, read with `BODY.PEEK[]`; UIDs not in the folder are missing.
    async fn fetch_bodies(
        &mut self,
        shared: &Shared,
        uids: &[u32],
    ) -> Result<HashMap<u32, Vec<u8>>, MailboxError> {
        self.fetch_uid_items(shared, uids, "BODY.PEEK[]", |fetch| {
            fetch.body().map(<[u8]>::to_vec)
        })
        .await
    }

    /// Makes sure a folder exists; true when it had to be created.
    pub(crate) async fn ensure_folder(
        &mut self,
        shared: &Shared,
        folder: &str,
    ) -> Result<bool, MailboxError> {
        let name = self.server_folder(folder);
        if self.known_folders.contains(&name) || self.folder_exists(shared, &name).await? {
            self.known_folders.insert(name);
            return Ok(false);
        }
        let created = match shared
            .command(&format!("create folder {name}"), self.session.create(&name))
            .await
        {
            Ok(()) => true,
            // Someone else (another instance, a person) may have created it meanwhile.
            Err(error) if !error.breaks_session() && self.folder_exists(shared, &name).await? => {
                false
            }
            Err(error) => return Err(error),
        };
        self.known_folders.insert(name);
        Ok(created)
    }

    async fn folder_exists(&mut self, shared: &Shared, name: &str) -> Result<bool, MailboxError> {
        let pattern = format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""));
        let session = &mut self.session;
        let names: Vec<_> = shared
            .command(&format!("look for folder {name}"), async {
                session
                    .list(Some(""), Some(&pattern))
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
        Ok(names.iter().any(|found| found.name() == name))
    }

    /// `UID MOVE`, or where MOVE is missing, `UID COPY` + `\Deleted` + `UID EXPUNGE`
    /// (without UIDPLUS the messages stay flagged `\Deleted`, which listing skips, rather
    /// than expunging other people's deletions).
    async fn move_set(
        &mut self,
        shared: &Shared,
        uids: &[u32],
        folder: &str,
    ) -> Result<(), MailboxError> {
        let name = self.server_folder(folder);
        let set = uid_set(uids);
        let label = uids_label(uids);
        if self.capabilities.moves {
            return shared
                .command(
                    &format!("move {label} to folder {name}"),
                    self.session.uid_mv(&set, &name),
                )
                .await;
        }
        shared
            .command(
                &format!("copy {label} to folder {name}"),
                self.session.uid_copy(&set, &name),
            )
            .await?;
        let session = &mut self.session;
        shared
            .command(&format!("flag {label} \\Deleted"), async {
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
                .command(&format!("expunge {label}"), async {
                    let expunged: Vec<_> = session.uid_expunge(&set).await?.try_collect().await?;
                    Ok(expunged.len())
                })
                .await?;
        }
        Ok(())
    }

    /// Says goodbye; a failure only means the connection was already gone.
    pub(crate) async fn logout(mut self, shared: &Shared) {
        let _ = shared.command("log out", self.session.logout()).await;
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
