//! The ticket step: tell the help desk what a job needs.
//!
//! In: a job at `needs_human` with its reason, detail, history and original. Out: the
//! job at `ticketed` once the ticket mail was accepted, or paused when a later try may
//! work. The ticket opens with the reason's headline and ends with its next step.

use mail_parser::MessageParser;

use crate::journal::{JobRecord, JobState};
use crate::notify::Ticket;
use crate::reason::Reason;

use super::{DaemonError, Services, Step};
use crate::report::chain;

/// The words for a reason read back from the journal. One this version does not know (a
/// journal written by another version) still gets a ticket, in general words.
fn words(stored: &str) -> (&'static str, &'static str) {
    match stored.parse::<Reason>() {
        Ok(reason) => (reason.headline(), reason.next_step()),
        Err(_) => (
            "the invite could not be handled automatically",
            "Handle the request by hand.",
        ),
    }
}

pub(super) async fn ticket_step(
    services: &Services,
    record: &JobRecord,
) -> Result<Step, DaemonError> {
    let job = record.id;
    let reason = record
        .reason
        .clone()
        .unwrap_or_else(|| "unknown".to_owned());
    let (headline, next_step) = words(&reason);
    let history = services.db(move |j| j.history(job)).await?;
    let original = services
        .raw(job)
        .await
        .map(|r| r.to_vec())
        .unwrap_or_default();
    if super::junk::is_junk(&reason, &original, &services.config) {
        return junk(services, job).await;
    }
    // A forward rejected by extract never had its requester recorded: the ticket's
    // Reply-To is then the original's From, so answering it reaches whoever forwarded it.
    let requester = record.requester.clone().or_else(|| sender_of(&original));
    let ticket = Ticket {
        job_id: job.to_string(),
        headline: headline.to_owned(),
        detail: format!(
            "{}\n\n{}",
            record.detail.clone().unwrap_or_default(),
            next_step.replace("JOB", &job.to_string())
        ),
        reason,
        tried: history
            .iter()
            .map(|t| format!("{} {}: {}", t.at, t.to.as_str(), t.note))
            .collect(),
        requester,
        platform: record.platform.clone(),
        original,
        evidence: services
            .evidence
            .lock()
            .ok()
            .and_then(|kept| kept.get(&job).cloned()),
    };
    let sent = services.notifier.send_ticket(&ticket).await;
    if sent.is_err() {
        services.metrics.smtp_error();
    }
    match sent {
        Ok(_) => {}
        Err(e) if e.is_temporary() => {
            tracing::warn!(error = %chain(&e), "ticket not sent yet");
            return Ok(Step::Pause);
        }
        // Offering the same mail at every look would be refused the same way: the job
        // ends, its message in the needs-human folder, until `onbehalf retry`.
        Err(e) if e.refused_this_mail() => {
            let answer = chain(&e);
            tracing::error!(error = %answer, "the mail server refused the ticket for good; see `onbehalf status`");
            services.journal.ticket_refused(job, &answer).await?;
            return Ok(Step::Next);
        }
        Err(e) => return Err(DaemonError::Notify(e)),
    }
    services
        .journal
        .transition(job, JobState::Ticketed, "ticket sent")
        .await?;
    if let Ok(mut kept) = services.evidence.lock() {
        kept.remove(&job);
    }
    Ok(Step::Next)
}

/// A mail with no invite link from a sender nobody vouched for: filed in the
/// needs-human folder without a ticket, so junk does not flood the help desk with tickets
/// that answer an unauthenticated From (`notify.junk_tickets`).
async fn junk(services: &Services, job: crate::journal::JobId) -> Result<Step, DaemonError> {
    tracing::info!("no invite link and an unauthenticated sender: filed without a ticket");
    services.metrics.junk_filed();
    let note = "no ticket: no invite link and the sender is not authenticated \
                (notify.junk_tickets = false)";
    services
        .journal
        .transition(job, JobState::Ticketed, note)
        .await?;
    Ok(Step::Next)
}

/// The first From address of a message, if it has one.
fn sender_of(raw: &[u8]) -> Option<String> {
    let headers = MessageParser::new().parse_headers(raw)?;
    let address = headers.from()?.first()?.address()?;
    Some(address.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_from_another_version_still_gets_words() {
        let (headline, next_step) = words("something_new");
        assert!(headline.contains("could not be handled"));
        assert!(next_step.contains("by hand"));
        assert_eq!(
            words("duplicate_forward"),
            (
                Reason::DuplicateForward.headline(),
                Reason::DuplicateForward.next_step()
            )
        );
    }
}
