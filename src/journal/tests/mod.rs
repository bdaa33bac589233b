//! Unit tests over an in-memory journal: the state diagram, recognising messages,
//! the sealed password's life, retry, and the read side. File-level behaviour (modes,
//! erased bytes, crashes) is in tests/journal.rs.

mod groups;
mod housekeeping;
mod key;
mod messages;
mod password;
mod reads;
mod states;

use super::*;
use crate::secret::Secret;

const RAW: &[u8] = b"From: a@example.com\r\nSubject: Fwd: invite\r\n\r\nhello\r\n";

fn msg(uid: u32, message_id: Option<&str>, raw: &[u8]) -> MessageRef {
    MessageRef::new(
        "imap:INBOX",
        Some(7),
        Some(uid),
        uid.to_string(),
        message_id,
        raw,
    )
}

fn invite(url: &str) -> InviteRecord {
    InviteRecord {
        platform: "Engage".into(),
        invite_url: Secret::new(url),
        invitee: Some("ann@example.org".into()),
        invitee_name: None,
        requester: Some("ann@example.org".into()),
        subject: Some("Fwd: You are invited".into()),
        message_id: None,
        invite_key: InviteKey::of(url),
    }
}

fn new_job(journal: &Journal, uid: u32) -> JobId {
    let raw = format!("Subject: job {uid}\r\n\r\nbody\r\n");
    match journal
        .receive(&msg(uid, None, raw.as_bytes()))
        .wait()
        .unwrap()
    {
        Received::New(id) => id,
        Received::Known(job) => panic!("uid {uid} was already known as {}", job.id),
    }
}

/// A new job walked along the happy path until it is in `state` (a needs-human state
/// is reached from `received`).
fn job_in(journal: &Journal, uid: u32, state: JobState) -> JobId {
    use JobState::*;
    let job = new_job(journal, uid);
    let path = [Extracted, Vetted, SigningUp, SignedUp, Notified, Filed];
    let steps: &[JobState] = match state {
        Received => &[],
        NeedsHuman => &[NeedsHuman],
        Ticketed => &[NeedsHuman, Ticketed],
        _ => &path[..=path.iter().position(|s| *s == state).unwrap()],
    };
    for step in steps {
        take(journal, job, *step).unwrap();
    }
    assert_eq!(journal.job(job).unwrap().unwrap().state, state);
    job
}

/// Takes one step with the method that step needs.
fn take(journal: &Journal, job: JobId, to: JobState) -> Result<(), JournalError> {
    match to {
        JobState::Extracted => journal
            .record_invite(job, &invite(&format!("https://e/{job}")))
            .wait(),
        JobState::SigningUp => journal.seal_password(job, "ann@example.org", &pw()).wait(),
        JobState::Notified => journal
            .mark_notified(job, "credentials mail accepted")
            .wait(),
        JobState::NeedsHuman => journal
            .needs_human(job, "link_expired", "the link expired")
            .wait(),
        JobState::Received => journal.retry(job).wait().map(|_| ()),
        other => journal.transition(job, other, "step").wait(),
    }
}

/// Ends `job` with a human and its ticket sent: what `retry` and expiry work on.
fn ticketed(journal: &Journal, job: JobId, reason: &str) {
    journal.needs_human(job, reason, "detail").wait().unwrap();
    journal
        .transition(job, JobState::Ticketed, "ticket sent")
        .wait()
        .unwrap();
}

fn pw() -> Secret {
    Secret::new("Xy7#kq2!Lm9$")
}

/// The notes of `job`'s history, oldest first.
fn notes(journal: &Journal, job: JobId) -> Vec<String> {
    let history = journal.history(job).unwrap();
    history.into_iter().map(|t| t.note).collect()
}

fn state(journal: &Journal, job: JobId) -> JobState {
    journal.job(job).unwrap().unwrap().state
}
