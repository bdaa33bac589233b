//! The sealed password's life in the journal: sealed before the form is submitted,
//! erased once the credentials mail is accepted (or once it certainly created nothing),
//! and wiped from the WAL by a checkpoint soon after (see the module docs of
//! [`journal`](super)).
//!
//! In: a job and its password, or the event that ends its use. Out: the journal updated
//! in one synced transaction; the password only ever leaves through
//! [`Journal::sealed_password`]. On disk it is only ever encrypted with the journal's key
//! (`key.rs`); a plain-text password an older journal holds is sealed at the first open
//! with a key ([`seal_plain_passwords`]).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use rusqlite::{Connection, OptionalExtension, params};

use super::error::Context;
use super::key::SealKey;
use super::types::{JobId, JobState};
use super::writer::After;
use super::{Durability, Journal, JournalError, Pending, rows, schema};
use crate::secret::Secret;

/// What the journal holds for a job's password: sealed, plain text (a journal from
/// before encryption, opened without a key), or nothing.
type Stored = (Option<Vec<u8>>, Option<String>, Option<String>);

impl Journal {
    /// Stores the login and the generated password and moves the job to `signing_up`, in
    /// one transaction, before the signup form is submitted. From `signing_up` itself it
    /// replaces a password the platform refused.
    pub fn seal_password(&self, job: JobId, login: &str, password: &Secret) -> Pending<()> {
        let Some(key) = self.key.clone() else {
            return Pending::failed(JournalError::NoKey(job));
        };
        let sealed = match key.seal(job, login, password) {
            Ok(sealed) => sealed,
            Err(e) => return Pending::failed(e),
        };
        let login = login.to_owned();
        self.write(
            Durability::Synced,
            move || format!("seal {job}'s password"),
            move |tx| {
                let note = match rows::state_of(tx, job)? {
                    JobState::SigningUp => "a fresh password sealed, the last one was refused",
                    _ => "password sealed before submitting the signup",
                };
                rows::step(tx, job, JobState::SigningUp, note)?;
                rows::execute(
                    tx,
                    "UPDATE jobs SET login = ?2, sealed_cipher = ?3, sealed_password = NULL, \
                     password_expires_at = NULL WHERE id = ?1",
                    params![job.0, login, sealed],
                )?;
                Ok(())
            },
        )
    }

    /// The sealed password, if one is kept. One that does not open with this journal's
    /// key is an error naming the job, and stays in the journal.
    pub fn sealed_password(&self, job: JobId) -> Result<Option<Secret>, JournalError> {
        let found: Option<Stored> = self
            .read(|conn| {
                conn.prepare_cached(
                    "SELECT sealed_cipher, sealed_password, login FROM jobs WHERE id = ?1",
                )?
                .query_row([job.0], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .optional()
            })
            .doing(|| format!("read {job}'s sealed password"))?;
        match found.ok_or(JournalError::NoSuchJob(job))? {
            (Some(sealed), _, login) => {
                let key = self.key.as_ref().ok_or(JournalError::NoKey(job))?;
                key.open(job, login.as_deref().unwrap_or_default(), &sealed)
                    .map(Some)
            }
            (None, plain, _) => Ok(plain.map(Secret::new)),
        }
    }

    /// The journal's key, for a write that re-seals (`retry --login`).
    pub(super) fn seal_key(&self) -> Option<Arc<SealKey>> {
        self.key.clone()
    }

    /// Moves the job from `signed_up` to `notified` and erases its password, in one
    /// transaction: call it once the SMTP server accepted the credentials mail.
    pub fn mark_notified(&self, job: JobId, note: &str) -> Pending<()> {
        let note = note.to_owned();
        self.request(
            Durability::Synced,
            move || format!("mark {job} notified"),
            move |tx| {
                rows::step(tx, job, JobState::Notified, &note)?;
                rows::erase_password(tx, job)?;
                Ok(())
            },
            |()| true,
            After::Nothing,
            |()| (),
        )
    }

    /// Moves the job to `needs_human` with a machine `reason` and a plain-words `detail`
    /// for the ticket. A sealed password is kept (the account may exist; see the module
    /// docs).
    pub fn needs_human(&self, job: JobId, reason: &str, detail: &str) -> Pending<()> {
        self.escalate(job, reason, detail, false)
    }

    /// Like [`needs_human`](Self::needs_human), for when the daemon knows the sealed
    /// password created no account (the platform refused the form): erases it in the same
    /// transaction. If the platform had confirmed the account, the password is kept anyway.
    pub fn needs_human_without_account(
        &self,
        job: JobId,
        reason: &str,
        detail: &str,
    ) -> Pending<()> {
        self.escalate(job, reason, detail, true)
    }

    fn escalate(&self, job: JobId, reason: &str, detail: &str, no_account: bool) -> Pending<()> {
        let (reason, detail) = (reason.to_owned(), detail.to_owned());
        let kept_for = format!("+{} seconds", self.kept_password.as_secs());
        self.request(
            Durability::Synced,
            move || format!("mark {job} as needing a human"),
            move |tx| {
                rows::step(tx, job, JobState::NeedsHuman, &reason)?;
                rows::execute(
                    tx,
                    "UPDATE jobs SET reason = ?2, detail = ?3, needs_human_folder = 1 \
                     WHERE id = ?1",
                    params![job.0, reason, detail],
                )?;
                let account: bool = tx.query_row(
                    "SELECT account_created FROM jobs WHERE id = ?1",
                    [job.0],
                    |row| row.get(0),
                )?;
                if no_account && !account && rows::erase_password(tx, job)? {
                    return Ok(true);
                }
                // Kept for a human's retry: until a date the ticket names.
                rows::execute(
                    tx,
                    "UPDATE jobs SET password_expires_at = \
                     strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?2) WHERE id = ?1 \
                     AND (sealed_cipher IS NOT NULL OR sealed_password IS NOT NULL)",
                    params![job.0, kept_for],
                )?;
                Ok(false)
            },
            |erased| *erased,
            After::Nothing,
            drop,
        )
    }

    /// Erases a password kept for a job that needed a human, once an operator helped the
    /// user another way. Refused while the pipeline may still need it.
    pub fn discard_password(&self, job: JobId, note: &str) -> Pending<()> {
        let note = note.to_owned();
        self.request(
            Durability::Synced,
            move || format!("discard {job}'s password"),
            move |tx| {
                let state = rows::state_of(tx, job)?;
                if !matches!(
                    state,
                    JobState::NeedsHuman | JobState::Ticketed | JobState::Filed
                ) {
                    return Err(JournalError::PasswordInUse { job, state }.into());
                }
                if rows::erase_password(tx, job)? {
                    let note = format!("password discarded: {note}");
                    rows::append_history(tx, job, Some(state), state, &note)?;
                }
                Ok(())
            },
            |()| true,
            After::Nothing,
            |()| (),
        )
    }

    /// Checkpoints if a password was erased since the last checkpoint. Cheap when none
    /// was; the daemon calls it [`WIPE_INTERVAL`](super::WIPE_INTERVAL) after
    /// [`wipe_wanted`](Self::wipe_wanted).
    pub fn wipe_if_pending(&self) -> Pending<()> {
        self.request(
            Durability::Deferred,
            || "wipe erased passwords from the WAL".to_owned(),
            |_| Ok(()),
            |()| false,
            After::WipeIfPending,
            |()| (),
        )
    }

    /// Completes once an erase has been left for a later checkpoint (at once if one was
    /// since the last call): the daemon then waits `WIPE_INTERVAL` and calls
    /// [`wipe_if_pending`](Self::wipe_if_pending). An idle daemon is never woken by it.
    pub async fn wipe_wanted(&self) {
        self.shared.wipe_wanted.notified().await;
    }

    /// Whether an erased password still waits for its checkpoint.
    pub fn wipe_is_pending(&self) -> bool {
        self.shared.wipe_pending.load(Ordering::Acquire)
    }
}

/// Seals, with `key`, every password an older journal holds in plain text, in one
/// transaction, then truncates the WAL so the plain text is nowhere in the files
/// (`secure_delete` overwrote it in the database pages).
pub(super) fn seal_plain_passwords(
    conn: &mut Connection,
    key: &SealKey,
    path: &Path,
) -> Result<(), JournalError> {
    let sqlite_error = schema::open_failed(path);
    let tx = schema::opening_transaction(conn, path)?;
    let plain: Vec<(i64, Option<String>, String)> = tx
        .prepare(
            "SELECT id, login, sealed_password FROM jobs \
             WHERE sealed_password IS NOT NULL AND sealed_cipher IS NULL",
        )
        .and_then(|mut select| {
            select
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect()
        })
        .map_err(sqlite_error)?;
    if plain.is_empty() {
        return Ok(());
    }
    for (id, login, password) in plain {
        let job = JobId(id);
        let sealed = key.seal(
            job,
            login.as_deref().unwrap_or_default(),
            &Secret::new(password),
        )?;
        tx.execute(
            "UPDATE jobs SET sealed_cipher = ?2, sealed_password = NULL WHERE id = ?1",
            params![id, sealed],
        )
        .map_err(sqlite_error)?;
        let state = rows::state_of(&tx, job).map_err(|_| JournalError::NoSuchJob(job))?;
        let note = "password sealed with the journal key (stored in plain text before)";
        rows::append_history(&tx, job, Some(state), state, note).map_err(sqlite_error)?;
    }
    tx.commit().map_err(sqlite_error)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(sqlite_error)
}
