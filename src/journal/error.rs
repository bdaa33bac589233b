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
