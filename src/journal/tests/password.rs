//! The sealed password's life: sealed, kept while an account may exist, erased; retry.

use super::*;

#[test]
fn sealed_password_lives_until_the_mail_is_accepted() {
    let journal = Journal::open_in_memory().unwrap();
    let job = job_in(&journal, 1, JobState::Vetted);
    assert_eq!(journal.sealed_password(job).unwrap(), None);
    journal
        .seal_password(job, "ann@example.org", &Secret::new("first#A1xx"))
        .wait()
        .unwrap();
    journal
        .seal_password(job, "ann@example.org", &pw())
        .wait()
        .unwrap();
    let record = journal.job(job).unwrap().unwrap();
    assert_eq!(record.state, JobState::SigningUp);
    assert!(record.has_password && !record.account_created);
    assert_eq!(record.login.as_deref(), Some("ann@example.org"));
    assert_eq!(journal.sealed_password(job).unwrap(), Some(pw()));
    journal
        .transition(job, JobState::SignedUp, "landed on home")
        .wait()
        .unwrap();
    assert!(journal.job(job).unwrap().unwrap().account_created);
    journal.mark_notified(job, "250 accepted").wait().unwrap();
    assert_eq!(journal.sealed_password(job).unwrap(), None);
    assert!(!journal.job(job).unwrap().unwrap().has_password);
    let notes = notes(&journal, job);
    assert!(
        notes.iter().all(|n| !n.contains(pw().expose())),
        "{notes:?}"
    );
}

#[test]
fn needs_human_keeps_a_password_that_may_be_in_use() {
    let journal = Journal::open_in_memory().unwrap();
    let signed_up = job_in(&journal, 1, JobState::SignedUp);
    journal
        .needs_human(signed_up, "smtp_refused", "550 no such user")
        .wait()
        .unwrap();
    let record = journal.job(signed_up).unwrap().unwrap();
    assert!(record.has_password && record.account_created && record.needs_human_folder);
    assert_eq!(record.reason.as_deref(), Some("smtp_refused"));
    assert_eq!(record.detail.as_deref(), Some("550 no such user"));
    // Even "without account" keeps it once the platform confirmed the account.
    let confirmed = job_in(&journal, 2, JobState::SignedUp);
    journal
        .needs_human_without_account(confirmed, "x", "y")
        .wait()
        .unwrap();
    assert_eq!(journal.sealed_password(confirmed).unwrap(), Some(pw()));
    // A refused form created nothing: its password goes.
    let refused = job_in(&journal, 3, JobState::SigningUp);
    journal
        .needs_human_without_account(refused, "link_expired", "expired")
        .wait()
        .unwrap();
    assert_eq!(journal.sealed_password(refused).unwrap(), None);
    // An unknown outcome keeps it.
    let unknown = job_in(&journal, 4, JobState::SigningUp);
    journal
        .needs_human(unknown, "outcome_unknown", "timed out")
        .wait()
        .unwrap();
    assert_eq!(journal.sealed_password(unknown).unwrap(), Some(pw()));
}

#[test]
fn retry_reopens_where_it_is_safe_to_redo() {
    let journal = Journal::open_in_memory().unwrap();
    let plain = job_in(&journal, 1, JobState::Ticketed);
    assert_eq!(journal.retry(plain).wait().unwrap(), JobState::Received);
    let record = journal.job(plain).unwrap().unwrap();
    assert_eq!((record.reason, record.detail), (None, None));
    assert!(!record.needs_human_folder);
    let last = journal.history(plain).unwrap().pop().unwrap();
    assert_eq!(
        (last.from, last.to),
        (Some(JobState::Ticketed), JobState::Received)
    );
    assert!(last.note.contains("link_expired"), "{}", last.note);

    let filed = job_in(&journal, 2, JobState::Ticketed);
    journal
        .transition(filed, JobState::Filed, "moved")
        .wait()
        .unwrap();
    assert_eq!(journal.retry(filed).wait().unwrap(), JobState::Received);

    let owed = job_in(&journal, 3, JobState::SignedUp);
    journal
        .needs_human(owed, "smtp_refused", "550")
        .wait()
        .unwrap();
    journal
        .transition(owed, JobState::Ticketed, "ticket sent")
        .wait()
        .unwrap();
    assert_eq!(journal.retry(owed).wait().unwrap(), JobState::SignedUp);
    assert_eq!(journal.sealed_password(owed).unwrap(), Some(pw()));

    let unknown = job_in(&journal, 4, JobState::SigningUp);
    journal
        .needs_human(unknown, "outcome_unknown", "timeout")
        .wait()
        .unwrap();
    journal
        .transition(unknown, JobState::Ticketed, "ticket sent")
        .wait()
        .unwrap();
    assert_eq!(journal.retry(unknown).wait().unwrap(), JobState::SigningUp);
}

#[test]
fn retry_refuses_jobs_that_did_not_end_needing_a_human() {
    let journal = Journal::open_in_memory().unwrap();
    let done = job_in(&journal, 1, JobState::Filed);
    let err = journal.retry(done).wait().unwrap_err().to_string();
    assert!(err.contains("it is filed, with no reason"), "{err}");
    for (uid, state) in [
        (2, JobState::NeedsHuman),
        (3, JobState::Vetted),
        (4, JobState::Received),
    ] {
        let job = job_in(&journal, uid, state);
        let err = journal.retry(job).wait().unwrap_err();
        assert!(matches!(err, JournalError::NotRetryable { .. }), "{err}");
        assert!(err.to_string().contains(&format!("it is {state}")), "{err}");
        assert_eq!(self::state(&journal, job), state);
    }
}

#[test]
fn discard_password_only_once_a_human_has_the_job() {
    let journal = Journal::open_in_memory().unwrap();
    let job = job_in(&journal, 1, JobState::SignedUp);
    let err = journal.discard_password(job, "helped").wait().unwrap_err();
    assert!(matches!(err, JournalError::PasswordInUse { .. }), "{err}");
    assert_eq!(journal.sealed_password(job).unwrap(), Some(pw()));
    journal
        .needs_human(job, "smtp_refused", "550")
        .wait()
        .unwrap();
    journal
        .discard_password(job, "user reset it on the platform")
        .wait()
        .unwrap();
    assert_eq!(journal.sealed_password(job).unwrap(), None);
    // With nothing kept, a retry starts over.
    journal
        .transition(job, JobState::Ticketed, "ticket sent")
        .wait()
        .unwrap();
    assert_eq!(journal.retry(job).wait().unwrap(), JobState::Received);
}

#[test]
fn retry_as_sets_the_login_an_operator_vouches_for() {
    let journal = Journal::open_in_memory().unwrap();
    let job = job_in(&journal, 1, JobState::Ticketed);
    let state = journal
        .retry_as(job, Some("ann@partner.test"))
        .wait()
        .unwrap();
    assert_eq!(state, JobState::Received);
    let record = journal.job(job).unwrap().unwrap();
    assert_eq!(record.login.as_deref(), Some("ann@partner.test"));
    let last = journal.history(job).unwrap().pop().unwrap();
    assert!(last.note.contains("for ann@partner.test"), "{}", last.note);
}
