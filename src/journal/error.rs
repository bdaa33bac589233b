//! Why a journal operation failed, in words an operator can act on. Never holds a secret.

use std::path::PathBuf;

use super::types::{JobId, JobState};

/// A journal operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The state directory could not be created or secured.
    #[error("cannot prepare state directory {path}")]
    StateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database file could not be created, opened or configured.
    #[error("cannot open journal {path}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// The database file has permissions that could not be tightened.
    #[error("cannot restrict journal {path} to its owner (mode 0600)")]
    Permissions {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file was written by a newer onbehalf with a schema this one does not know.
    #[error(
        "cannot use journal {path}: its schema version {found} is newer than this \
         onbehalf knows ({known}); run the newer onbehalf or restore a backup"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The file's `user_version`.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// The writer thread could not be started.
    #[error("cannot start the journal's writer thread")]
    Writer(#[source] std::io::Error),
    /// The writer thread is gone (it panicked, or the journal is being dropped), so a
    /// write could not be done.
    #[error("cannot write to the journal: its writer thread stopped")]
    WriterStopped,
    /// A read or write failed.
    #[error("cannot {action} in the journal")]
    Sqlite {
        /// What was being done, e.g. "record job-42's invite".
        action: String,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// The job is not in the journal.
    #[error("cannot find {0} in the journal")]
    NoSuchJob(JobId),
    /// The move is not a step of the state diagram.
    #[error("cannot move {job} from {from} to {to}: not a step in the job state diagram")]
    Refused {
        /// The job.
        job: JobId,
        /// Its state now.
        from: JobState,
        /// The state asked for.
        to: JobState,
    },
    /// The target state has its own method, which records what the state needs.
    #[error("cannot move {job} to {to} with a bare transition: use Journal::{method}")]
    UseMethod {
        /// The job.
        job: JobId,
        /// The state asked for.
        to: JobState,
        /// The method to call instead.
        method: &'static str,
    },
    /// `retry` on a job that did not end needing a human.
    #[error(
        "cannot retry {job}: it is {state}{reason}; only a job that ended needing a human \
         (ticketed, or filed with a reason) can be retried"
    )]
    NotRetryable {
        /// The job.
        job: JobId,
        /// Its state.
        state: JobState,
        /// ", with no reason" when filed as done; empty otherwise.
        reason: &'static str,
    },
    /// `discard_password` while the pipeline may still need the password.
    #[error(
        "cannot discard {job}'s password while it is {state}: the pipeline may still need \
         it; only a job that needs a human, was ticketed or was filed can drop it"
    )]
    PasswordInUse {
        /// The job.
        job: JobId,
        /// Its state.
        state: JobState,
    },
    /// The key source could not be read.
    #[error("cannot read the journal's key from {path}")]
    KeyRead {
        /// The credential or key file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The key file may be read by others than its owner.
    #[error(
        "cannot use the journal's key file {path}: its mode {mode:04o} lets others read it; \
         run `chmod 600 {path}` (only onbehalf's user may read it) and start again"
    )]
    KeyMode {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The key source holds too few bytes to be a key.
    #[error(
        "cannot use the journal's key from {path}: it holds {found} bytes, at least 32 \
         random bytes are needed (e.g. `head -c 32 /dev/urandom`)"
    )]
    KeyTooShort {
        /// The credential or key file.
        path: PathBuf,
        /// How many bytes it holds.
        found: usize,
    },
    /// The key file could not be created at first start.
    #[error("cannot create the journal's key file {path}")]
    KeyCreate {
        /// The key file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The system gave no random bytes for a key or a nonce.
    #[error("cannot get random bytes from the system to seal a password")]
    NoRandom,
    /// Encryption failed (it does not, for a password of sane length).
    #[error("cannot seal {0}'s password")]
    Seal(JobId),
    /// A sealed password does not open with this key.
    #[error(
        "cannot open {0}'s sealed password with this journal key: the key is not the one \
         it was sealed with (another key file or credential), or the journal was altered; \
         the password is kept: start onbehalf with the right key"
    )]
    Unseal(JobId),
    /// A password must be sealed or opened, and this command has no key.
    #[error(
        "cannot seal or open {0}'s password: this command found no journal key (neither \
         the systemd credential nor the key file beside the journal); run it where the \
         service's key is readable"
    )]
    NoKey(JobId),
    /// `retry` on a job whose kept password expired.
    #[error(
        "cannot retry {job}: the password kept for it expired and was erased at {at} \
         (journal.kept_password_days), so the account may exist with a password nobody \
         knows; check on the platform: if the account exists, have the user reset its \
         password, else sign the user up by hand"
    )]
    PasswordExpired {
        /// The job.
        job: JobId,
        /// When the password was erased (RFC 3339 UTC).
        at: String,
    },
    /// `retry` from the start on a job whose original retention deleted.
    #[error(
        "cannot retry {job}: its original message was deleted from the journal at {at} \
         (journal.keep_originals_days); the message is still in the needs-human folder: \
         forward it to the support mailbox again to start a new job"
    )]
    OriginalGone {
        /// The job.
        job: JobId,
        /// When the original was deleted (RFC 3339 UTC).
        at: String,
    },
}

/// Attaches what was being done to a SQLite error.
pub(super) trait Context<T> {
    /// Wraps the error as [`JournalError::Sqlite`] with `action`.
    fn doing(self, action: impl FnOnce() -> String) -> Result<T, JournalError>;
}

impl<T> Context<T> for Result<T, rusqlite::Error> {
    fn doing(self, action: impl FnOnce() -> String) -> Result<T, JournalError> {
        self.map_err(|source| JournalError::Sqlite {
            action: action(),
            source,
        })
    }
}
