//! The crash-safe record of every job.
//!
//! In: what each stage learns about a forwarded email (a message seen, an invite found,
//! a password about to be used, a mail accepted, a reason a human is needed). Out: one
//! SQLite row per job with its state, the places its message was seen and a timestamped
//! history, which is how the daemon resumes after a crash and knows what it already did.
//!
//! Every write is one request to the journal's writer thread (`writer.rs`), committed
//! before the method's future completes: the daemon awaits it *before* the side effect
//! that follows (submitting the form, sending the mail, moving the message). A commit
//! that precedes such an effect outside the journal is forced to disk
//! (`synchronous=FULL`: the WAL is fsynced) before the future completes: sealing the
//! password, a confirmed account, a mail accepted, a human needed, a ticket sent, an
//! operator's retry. Bookkeeping whose loss in a power cut would only repeat work with no
//! outside effect — a message recorded (it is still in the mailbox), an invite extracted,
//! vetted, a message filed, a health stamp — commits with `synchronous=NORMAL`: it
//! survives a crash of the process at once, and reaches the disk with the next forced
//! commit or checkpoint (see `Durability`).
//!
//! The writer commits whatever requests are waiting as one transaction (group commit), so
//! concurrent jobs share one fsync; a request that fails sends the group back to run
//! request by request, so it fails alone. The writer answers every waiter after the
//! commit. A write returns a [`Pending`]: `.await` it in async code, [`Pending::wait`]
//! blocks for it elsewhere (the CLI, tests).
//! Reads run at once on the calling thread, on read connections of their own (WAL: they
//! see every committed write and never wait for the writer). [`Journal`] is
//! `Send + Sync` and meant to be shared in an `Arc`.
//!
//! # The sealed password
//!
//! [`Journal::seal_password`] stores the generated password and enters `signing_up` in one
//! transaction, before the form is submitted, so an account can never exist whose
//! password is lost. It is sealed in the sense that it lives only in its own column,
//! read by [`Journal::sealed_password`] alone, never in a record, a history note, a log or
//! an error, in a file that is 0600 inside a 0700 directory. It is erased (UPDATE to NULL
//! under `secure_delete=ON`, then `wal_checkpoint(TRUNCATE)` so the WAL keeps no old
//! page) by [`Journal::mark_notified`] once the SMTP server accepted the credentials mail.
//! On a backlog, erases come faster than checkpoints are worth: one checkpoint covers
//! every erase of the last [`WIPE_INTERVAL`]; an erase left for later wakes the daemon,
//! which calls [`Journal::wipe_if_pending`] that long after (and dropping the journal
//! does), so an erased password never outlives it in the WAL by much more.
//!
//! # When a human is needed after the account exists
//!
//! [`Journal::needs_human`] keeps the sealed password: from `signing_up` the account may
//! exist with it, from `signed_up` it does and the credentials mail is still owed. The
//! ticket says so (never with the password), and after the cause is fixed
//! [`Journal::retry`] sends the job back to `signed_up` (account confirmed: the mail is
//! sent with the kept password) or `signing_up` (outcome unknown: the daemon finds out,
//! never submitting twice). A job whose password was certainly not used (the platform
//! refused the form) goes through [`Journal::needs_human_without_account`], which erases
//! it. [`Journal::discard_password`] lets an operator drop a kept password once the user
//! was helped another way.

mod error;
mod hold;
mod housekeeping;
mod key;
mod password;
mod pending;
mod places;
mod queries;
mod reads;
mod refused;
mod retry;
mod rows;
mod schema;
mod types;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

pub use error::JournalError;
pub use hold::HOLD_GROUP_VAR;
pub use key::{DEFAULT_KEY_CREDENTIAL, KEY_FILE_NAME, KeyPlace, KeySource};
pub use pending::Pending;
pub use places::{LAST_MAILBOX_CHECK, uidvalidity_key};
pub use schema::FILE_NAME;
pub use types::{
    BadJobId, BadJobState, ContentHash, InviteKey, InviteRecord, JobId, JobRecord, JobState,
    Location, MessageRef, Received, Transition,
};

use error::Context;
use key::SealKey;
use reads::Reads;
use rows::Failure;
use types::normalize_message_id;
use writer::{After, Op, Write, Writer};

/// The journal: a handle on its writer thread and its read connections.
pub struct Journal {
    /// Where write requests go; `None` once dropped, which stops the writer.
    requests: Option<Sender<Box<dyn Op>>>,
    /// The writer thread, joined on drop so its last checkpoint is done.
    writer: Option<JoinHandle<()>>,
    /// Connections for reads.
    reads: Reads,
    /// The database file, `None` in memory; named in logs about checkpoints.
    path: Option<PathBuf>,
    /// What the writer tells the handles.
    shared: Arc<Shared>,
    /// Seals and opens passwords; `None` for a command that found no key and needs none.
    key: Option<Arc<SealKey>>,
    /// How long a password kept for a human's `retry` lives.
    kept_password: Duration,
    /// The writer's connection, for tests that look at its settings between writes.
    #[cfg(test)]
    write_conn: Arc<Mutex<Connection>>,
}

/// What the writer thread and the journal's handles share.
struct Shared {
    /// An erased password may still be in a WAL frame: a checkpoint is owed.
    wipe_pending: AtomicBool,
    /// Signalled when an erase was left for a later checkpoint (see
    /// [`Journal::wipe_wanted`]).
    wipe_wanted: tokio::sync::Notify,
}

/// How a journal file is opened: where its key comes from and how long a kept password
/// lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSettings {
    /// Where the key that seals passwords comes from.
    pub key: KeyPlace,
    /// Whether to create the key file when there is neither a credential nor a key file
    /// (the daemon does at its first start; `status` and `retry` do not).
    pub create_key: bool,
    /// How long a password kept for a human's `retry` lives before it is erased.
    pub kept_password: Duration,
}

/// The default for [`OpenSettings::kept_password`]: a week.
pub const DEFAULT_KEPT_PASSWORD: Duration = Duration::from_secs(7 * 24 * 3600);

impl OpenSettings {
    /// The daemon's defaults for `state_dir`: the key from `$CREDENTIALS_DIRECTORY/
    /// journal-key`, else the key file (created if missing), passwords kept a week.
    pub fn new(state_dir: &Path) -> Self {
        Self {
            key: KeyPlace::from_env(state_dir, DEFAULT_KEY_CREDENTIAL),
            create_key: true,
            kept_password: DEFAULT_KEPT_PASSWORD,
        }
    }
}

/// The longest an erased password waits in the WAL for its checkpoint.
pub const WIPE_INTERVAL: Duration = Duration::from_millis(250);

/// How hard a commit presses to disk; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Durability {
    /// fsynced before the method returns: an effect outside the journal follows.
    Synced,
    /// Safe from a crash of the process; on disk with the next synced commit.
    Deferred,
}

impl Drop for Journal {
    fn drop(&mut self) {
        // The writer finishes what was sent, wipes a pending erase and ends.
        drop(self.requests.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

impl Journal {
    /// Opens `state_dir/journal.sqlite3` with [`OpenSettings::new`]: creating the
    /// directory (0700), the file (0600) and the key file if needed, and bringing its
    /// schema up to date.
    pub fn open(state_dir: &Path) -> Result<Self, JournalError> {
        Self::open_with(state_dir, &OpenSettings::new(state_dir))
    }

    /// Opens `state_dir/journal.sqlite3` with its key from `settings`. The key is loaded
    /// first (a key file others may read stops the start), and passwords a journal from
    /// before encryption holds in plain text are sealed with it.
    pub fn open_with(state_dir: &Path, settings: &OpenSettings) -> Result<Self, JournalError> {
        let path = state_dir.join(FILE_NAME);
        let mut conn = schema::open_file(state_dir)?;
        let key = settings.key.load(settings.create_key)?.map(Arc::new);
        if let Some(key) = &key {
            password::seal_plain_passwords(&mut conn, key, &path)?;
        }
        let conn = Arc::new(Mutex::new(conn));
        Self::start_shared(conn, Reads::files(path.clone()), Some(path), key, settings)
    }

    /// A journal that lives in memory only (for tests and `extract`-style dry runs),
    /// sealing with a random key of its own.
    pub fn open_in_memory() -> Result<Self, JournalError> {
        let conn = Arc::new(Mutex::new(schema::open_memory()?));
        let reads = Reads::Shared(Arc::clone(&conn));
        let key = Some(Arc::new(SealKey::ephemeral()?));
        let settings = OpenSettings::new(Path::new(":memory:"));
        Self::start_shared(conn, reads, None, key, &settings)
    }

    fn start_shared(
        conn: Arc<Mutex<Connection>>,
        reads: Reads,
        path: Option<PathBuf>,
        key: Option<Arc<SealKey>>,
        settings: &OpenSettings,
    ) -> Result<Self, JournalError> {
        let shared = Arc::new(Shared {
            wipe_pending: AtomicBool::new(false),
            wipe_wanted: tokio::sync::Notify::new(),
        });
        #[cfg(test)]
        let write_conn = Arc::clone(&conn);
        let writer = Writer {
            conn,
            shared: Arc::clone(&shared),
            path: path.clone(),
            // schema::configure leaves the connection at FULL.
            synced: true,
            last_wipe: None,
        };
        let (requests, received) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("journal-writer".into())
            .spawn(move || writer.serve(received))
            .map_err(JournalError::Writer)?;
        Ok(Self {
            requests: Some(requests),
            writer: Some(thread),
            reads,
            path,
            shared,
            key,
            kept_password: settings.kept_password,
            #[cfg(test)]
            write_conn,
        })
    }

    /// The writer's connection (tests only: the writer is idle between awaited writes).
    #[cfg(test)]
    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.write_conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The database file, `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Registers a message seen in the mailbox. A message already known by its place
    /// (source + UIDVALIDITY + UID, or source + Maildir name), by its Message-ID or by its
    /// content hash (a re-delivered copy) gives [`Received::Known`] with the existing job;
    /// a copy in a new place is added to the job's [locations](Self::unfiled_locations)
    /// so it is filed with it.
    pub fn receive(&self, msg: &MessageRef) -> Pending<Received> {
        self.receive_inner(msg, None)
    }

    /// Like [`receive`](Self::receive), and keeps the message's bytes with a new job in
    /// the same transaction, so tickets, resumes and `retry` never depend on the mailbox
    /// still holding it.
    pub fn receive_original(&self, msg: &MessageRef, raw: &[u8]) -> Pending<Received> {
        self.receive_inner(msg, Some(raw.to_vec()))
    }

    /// The message bytes kept by [`receive_original`](Self::receive_original).
    pub fn original(&self, job: JobId) -> Result<Option<Vec<u8>>, JournalError> {
        self.read(|conn| {
            conn.prepare_cached("SELECT raw FROM originals WHERE job_id = ?1")?
                .query_row([job.0], |row| row.get(0))
                .optional()
        })
        .doing(|| format!("read {job}'s original message"))
    }

    /// Drops the kept message of a job that no longer needs it (filed as done).
    pub fn forget_original(&self, job: JobId) -> Pending<()> {
        self.write(
            Durability::Deferred,
            move || format!("forget {job}'s original message"),
            move |conn| {
                rows::execute(conn, "DELETE FROM originals WHERE job_id = ?1", [job.0])?;
                Ok(())
            },
        )
    }

    /// Keys the invites of jobs recorded before invites had keys, in one transaction.
    pub fn set_invite_keys(&self, keys: Vec<(JobId, InviteKey)>) -> Pending<()> {
        self.write(
            Durability::Deferred,
            || "key the invites recorded by an older version".to_owned(),
            move |tx| {
                for (job, key) in &keys {
                    rows::execute(
                        tx,
                        "UPDATE jobs SET invite_key = ?2 WHERE id = ?1",
                        params![job.0, key.as_str()],
                    )?;
                }
                Ok(())
            },
        )
    }

    fn receive_inner(&self, msg: &MessageRef, raw: Option<Vec<u8>>) -> Pending<Received> {
        let action = format!("record the message at {} {}", msg.source, msg.location);
        let msg = msg.clone();
        self.write(
            Durability::Deferred,
            move || action.clone(),
            move |tx| {
                let by_place: Option<i64> = tx
                    .prepare_cached("SELECT job_id FROM locations WHERE key = ?1")?
                    .query_row([rows::location_key(&msg)], |row| row.get(0))
                    .optional()?;
                if let Some(id) = by_place {
                    return Ok(Received::Known(Box::new(rows::load_job(tx, JobId(id))?)));
                }
                let message_id = normalize_message_id(msg.message_id.as_deref());
                let hash = msg.content_hash.to_hex();
                let by_content: Option<i64> = tx
                    .prepare_cached(
                        "SELECT id FROM jobs WHERE message_id = ?1 OR content_sha256 = ?2 \
                         ORDER BY id LIMIT 1",
                    )?
                    .query_row(params![message_id, hash], |row| row.get(0))
                    .optional()?;
                if let Some(id) = by_content {
                    let job = rows::load_job(tx, JobId(id))?;
                    rows::insert_location(tx, job.id, &msg)?;
                    let note = format!("copy seen at {} {}", msg.source, msg.location);
                    rows::append_history(tx, job.id, Some(job.state), job.state, &note)?;
                    return Ok(Received::Known(Box::new(job)));
                }
                let job = rows::insert_job(tx, &msg, message_id.as_deref(), &hash)?;
                if let Some(raw) = &raw {
                    tx.prepare_cached("INSERT INTO originals (job_id, raw) VALUES (?1, ?2)")?
                        .execute(params![job.0, raw])?;
                }
                rows::insert_location(tx, job, &msg)?;
                let note = format!("seen at {} {}", msg.source, msg.location);
                rows::append_history(tx, job, None, JobState::Received, &note)?;
                Ok(Received::New(job))
            },
        )
    }

    /// Moves a job along a step that records nothing else: `vetted`, `signed_up`
    /// (the platform confirmed the account), `ticketed` and `filed`. Steps that carry data
    /// have their own method ([`record_invite`](Self::record_invite),
    /// [`seal_password`](Self::seal_password), [`mark_notified`](Self::mark_notified),
    /// [`needs_human`](Self::needs_human), [`retry`](Self::retry)); a step not in the
    /// diagram is refused with an error naming both states.
    pub fn transition(&self, job: JobId, to: JobState, note: &str) -> Pending<()> {
        let method = match to {
            JobState::Received => Some("retry"),
            JobState::Extracted => Some("record_invite"),
            JobState::SigningUp => Some("seal_password"),
            JobState::Notified => Some("mark_notified"),
            JobState::NeedsHuman => Some("needs_human"),
            JobState::Vetted | JobState::SignedUp | JobState::Ticketed | JobState::Filed => None,
        };
        if let Some(method) = method {
            return Pending::failed(JournalError::UseMethod { job, to, method });
        }
        // A confirmed account precedes the credentials mail, `ticketed` the move of the
        // message; `vetted` and `filed` precede nothing outside.
        let durability = match to {
            JobState::SignedUp | JobState::Ticketed => Durability::Synced,
            _ => Durability::Deferred,
        };
        let note = note.to_owned();
        self.write(
            durability,
            move || format!("move {job} to {to}"),
            move |tx| {
                rows::step(tx, job, to, &note)?;
                if to == JobState::SignedUp {
                    rows::execute(
                        tx,
                        "UPDATE jobs SET account_created = 1 WHERE id = ?1",
                        [job.0],
                    )?;
                }
                Ok(())
            },
        )
    }

    /// Records what extract found and moves the job from `received` to `extracted`.
    pub fn record_invite(&self, job: JobId, invite: &InviteRecord) -> Pending<()> {
        let invite = invite.clone();
        self.write(
            Durability::Deferred,
            move || format!("record {job}'s invite"),
            move |tx| {
                let note = format!("invite for {} found", invite.platform);
                rows::step(tx, job, JobState::Extracted, &note)?;
                rows::execute(
                    tx,
                    "UPDATE jobs SET platform = ?2, invite_url = ?3, invitee = ?4, \
                     requester = ?5, subject = ?6, message_id = COALESCE(message_id, ?7), \
                     invite_key = ?8, invitee_name = ?9 WHERE id = ?1",
                    params![
                        job.0,
                        invite.platform,
                        invite.invite_url.expose(),
                        invite.invitee,
                        invite.requester,
                        invite.subject,
                        normalize_message_id(invite.message_id.as_deref()),
                        invite.invite_key.as_str(),
                        invite.invitee_name,
                    ],
                )?;
                Ok(())
            },
        )
    }

    /// Sends `body` to the writer, which runs it in an IMMEDIATE transaction (the write
    /// lock is taken up front, so two processes never deadlock upgrading a read) and
    /// answers once that transaction is committed.
    fn write<T, A, B>(&self, durability: Durability, action: A, body: B) -> Pending<T>
    where
        T: Send + 'static,
        A: Fn() -> String + Send + 'static,
        B: FnMut(&Connection) -> Result<T, Failure> + Send + 'static,
    {
        self.request(
            durability,
            action,
            body,
            |_| false,
            After::Nothing,
            |value| value,
        )
    }

    /// Like [`write`](Self::write), for a body that may erase a password (`erased` says
    /// from its outcome whether it did), or a request owing a checkpoint (`then`); the
    /// waiter gets `answer_with` of the body's outcome.
    fn request<T, R, A, B>(
        &self,
        durability: Durability,
        action: A,
        body: B,
        erased: fn(&T) -> bool,
        then: After,
        answer_with: fn(T) -> R,
    ) -> Pending<R>
    where
        T: Send + 'static,
        R: Send + 'static,
        A: Fn() -> String + Send + 'static,
        B: FnMut(&Connection) -> Result<T, Failure> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let op = Box::new(Write {
            durability,
            action,
            body,
            erased,
            then,
            answer_with,
            outcome: None,
            reply,
        });
        match self.requests.as_ref().map(|requests| requests.send(op)) {
            Some(Ok(())) => Pending::waiting(answer),
            Some(Err(_)) | None => Pending::failed(JournalError::WriterStopped),
        }
    }

    /// Runs a read on a read connection, on the calling thread.
    fn read<T, E: From<rusqlite::Error>>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        self.reads.with(read)
    }
}

fn resolve(failure: Failure, action: impl FnOnce() -> String) -> JournalError {
    match failure {
        Failure::Journal(error) => error,
        Failure::Db(source) => JournalError::Sqlite {
            action: action(),
            source,
        },
    }
}

#[cfg(test)]
mod tests;
