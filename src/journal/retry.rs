//! An operator's `retry`: a job that ended with a human, reopened after its cause was
//! fixed.
//!
//! In: the job and, optionally, the login the operator vouches for. Out: the state the
//! job went back to (one write, synced: what follows is an outside effect).

use rusqlite::params;

use super::rows;
use super::types::{JobId, JobState};
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
                rows::execute(
                    tx,
                    "UPDATE jobs SET reason = NULL, detail = NULL, needs_human_folder = 0 \
                     WHERE id = ?1",
                    [job.0],
                )?;
                if let Some(login) = login {
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
