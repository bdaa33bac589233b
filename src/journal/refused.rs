//! Tickets the mail server refused for good: recorded once, shown by `status`, sent
//! again by `retry`.
//!
//! In: a job in `needs_human` and the server's answer. Out: the job in `ticketed` with
//! the answer in its `ticket_refused` column (so its message is filed and the daemon
//! stops offering the same mail at every look), the list of such jobs, and the step
//! back to `needs_human` that `retry` takes.

use rusqlite::params;

use super::rows::{self, Failure};
use super::types::{JobId, JobRecord, JobState};
use super::{Durability, Journal, JournalError, Pending};

impl Journal {
    /// Records that the mail server refused `job`'s ticket for good (`answer`: what it
    /// said) and ends the ticket step, so the message is filed in the needs-human folder.
    pub fn ticket_refused(&self, job: JobId, answer: &str) -> Pending<()> {
        let answer = answer.to_owned();
        self.write(
            Durability::Synced,
            move || format!("record that {job}'s ticket was refused"),
            move |tx| {
                let note = format!("ticket refused for good by the mail server: {answer}");
                rows::step(tx, job, JobState::Ticketed, &note)?;
                rows::execute(
                    tx,
                    "UPDATE jobs SET ticket_refused = ?2 WHERE id = ?1",
                    params![job.0, answer],
                )?;
                Ok(())
            },
        )
    }

    /// The jobs whose ticket was refused for good, oldest first.
    pub fn tickets_refused(&self) -> Result<Vec<JobRecord>, JournalError> {
        self.select_jobs(
            "WHERE ticket_refused IS NOT NULL ORDER BY id",
            [],
            "list the jobs whose ticket was refused",
        )
    }
}

/// `retry` of a job whose ticket was refused: back to `needs_human` with its reason and
/// detail, to send the ticket again.
pub(super) fn retry_ticket(
    tx: &rusqlite::Connection,
    record: &JobRecord,
    answer: &str,
) -> Result<JobState, Failure> {
    rows::execute(
        tx,
        "UPDATE jobs SET ticket_refused = NULL WHERE id = ?1",
        [record.id.0],
    )?;
    let note = format!("retried by an operator: send the ticket again (was refused: {answer})");
    rows::set_state(tx, record.id, record.state, JobState::NeedsHuman, &note)?;
    Ok(JobState::NeedsHuman)
}

#[cfg(test)]
mod tests {
    use super::super::{MessageRef, Received};
    use super::*;

    fn ticket_owed(journal: &Journal) -> JobId {
        let raw = b"Subject: Fwd: invite\r\n\r\nno link\r\n";
        let msg = MessageRef::new("imap:INBOX", Some(7), Some(1), "1", None, raw);
        let Received::New(job) = journal.receive_original(&msg, raw).wait().unwrap() else {
            panic!("the message was already known");
        };
        journal
            .needs_human(job, "link_expired", "the link expired")
            .wait()
            .unwrap();
        job
    }

    #[test]
    fn a_refused_ticket_is_filed_shown_and_sent_again_by_retry() {
        let journal = Journal::open_in_memory().unwrap();
        let job = ticket_owed(&journal);
        journal
            .ticket_refused(job, "552 message too big")
            .wait()
            .unwrap();
        let record = journal.job(job).unwrap().unwrap();
        assert_eq!(record.state, JobState::Ticketed);
        assert_eq!(
            record.ticket_refused.as_deref(),
            Some("552 message too big")
        );
        journal
            .transition(job, JobState::Filed, "message filed")
            .wait()
            .unwrap();
        let refused: Vec<JobId> = journal
            .tickets_refused()
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(refused, [job]);

        assert_eq!(journal.retry(job).wait().unwrap(), JobState::NeedsHuman);
        let record = journal.job(job).unwrap().unwrap();
        assert_eq!(record.reason.as_deref(), Some("link_expired"));
        assert_eq!(record.ticket_refused, None);
        assert!(record.needs_human_folder);
        assert!(journal.tickets_refused().unwrap().is_empty());
        let last = journal.history(job).unwrap().pop().unwrap();
        assert!(last.note.contains("send the ticket again"), "{}", last.note);
    }
}
