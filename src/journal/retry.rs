//! An operator's `retry`: a job that ended with a human, reopened after its cause was
//! fixed.
//!
//! In: the job and, optionally, the login the operator vouches for. Out: the state the
//! job went back to (one write, synced: what follows is an outside effect).

use rusqlite::{Connection, OptionalExtension, params};

use super::key::SealKey;
use super::rows::{self, Failure};
use super::types::{JobId, JobRecord, JobState};
use super::{Durability, Journal, JournalError, Pending, refused};

impl Journal {
    /// Reopens a job that ended needing a human (ticketed, or filed with a reason), after
    /// its cause was fixed. The reason is cleared and the history kept. It goes back to
    /// `signed_up` if the account was confirmed and its password is kept (the credentials
    /// mail is owed), to `signing_up` if a password is kept but the outcome is unknown,
    /// else to `received` to start over. A job whose ticket the mail server refused for
    /// good goes back to `needs_human`, its reason kept, to send the ticket again.
    /// Returns the state it went to.
    pub fn retry(&self, job: JobId) -> Pending<JobState> {
        self.retry_as(job, None)
    }

    /// [`Journal::retry`], with the login an operator vouches for: the signup then accepts
    /// a form pre-filled with it, and owed credentials go to it.
    pub fn retry_as(&self, job: JobId, login: Option<&str>) -> Pending<JobState> {
        let login = login.map(str::to_owned);
        let key = self.seal_key();
        self.write(
            Durability::Synced,
            move || format!("retry {job}"),
            move |tx| {
                let login = login.as_deref();
                let record = rows::load_job(tx, job)?;
                let ended = match record.state {
                    JobState::Ticketed => true,
                    JobState::Filed => record.reason.is_some(),
                    _ => false,
                };
                if !ended {
                    let reason = if record.state == JobState::Filed {
                        ", with no reason"
                    } else {
                        ""
                    };
                    let state = record.state;
                    return Err(JournalError::NotRetryable { job, state, reason }.into());
                }
                if let Some(answer) = &record.ticket_refused {
                    return refused::retry_ticket(tx, &record, answer);
                }
                let to = match (record.has_password, record.account_created) {
                    (true, true) => JobState::SignedUp,
                    (true, false) => JobState::SigningUp,
                    (false, _) => JobState::Received,
                };
                refuse_what_is_gone(&record, to)?;
                rows::execute(
                    tx,
                    "UPDATE jobs SET reason = NULL, detail = NULL, needs_human_folder = 0, \
                     password_expires_at = NULL WHERE id = ?1",
                    [job.0],
                )?;
                if let Some(login) = login {
                    reseal_for(tx, key.as_deref(), &record, login)?;
                    rows::execute(
                        tx,
                        "UPDATE jobs SET login = ?2 WHERE id = ?1",
                        params![job.0, login],
                    )?;
                }
                let note = format!(
                    "retried by an operator{} (was: {})",
                    login.map(|l| format!(" for {l}")).unwrap_or_default(),
                    record.reason.as_deref().unwrap_or("no reason")
                );
                rows::set_state(tx, job, record.state, to, &note)?;
                Ok(to)
            },
        )
    }
}

/// A job whose kept password expired cannot go round again: the account may exist with
/// a password nobody knows. One whose original retention deleted cannot start over.
fn refuse_what_is_gone(record: &JobRecord, to: JobState) -> Result<(), Failure> {
    let job = record.id;
    if let Some(at) = &record.password_expired_at {
        return Err(JournalError::PasswordExpired {
            job,
            at: at.clone(),
        }
        .into());
    }
    if let (JobState::Received, Some(at)) = (to, &record.original_deleted_at) {
        return Err(JournalError::OriginalGone {
            job,
            at: at.clone(),
        }
        .into());
    }
    Ok(())
}

/// The sealed password is bound to its login: a login an operator corrects takes it
/// along, sealed again for the new login.
fn reseal_for(
    tx: &Connection,
    key: Option<&SealKey>,
    record: &JobRecord,
    login: &str,
) -> Result<(), Failure> {
    let job = record.id;
    let sealed: Option<Vec<u8>> = tx
        .prepare_cached("SELECT sealed_cipher FROM jobs WHERE id = ?1")?
        .query_row([job.0], |row| row.get(0))
        .optional()?
        .flatten();
    let old_login = record.login.as_deref().unwrap_or_default();
    let Some(sealed) = sealed.filter(|_| old_login != login) else {
        return Ok(());
    };
    let key = key.ok_or(JournalError::NoKey(job))?;
    let password = key.open(job, old_login, &sealed)?;
    let sealed = key.seal(job, login, &password)?;
    rows::execute(
        tx,
        "UPDATE jobs SET sealed_cipher = ?2 WHERE id = ?1",
        params![job.0, sealed],
    )?;
    Ok(())
}
