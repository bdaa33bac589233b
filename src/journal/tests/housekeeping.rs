//! Kept passwords expire, old originals go: with rows back-dated, never a sleep.

use super::*;

/// Moves a timestamp column of `job` back by `days`.
fn back_date(journal: &Journal, job: JobId, column: &str, days: u32) {
    journal
        .lock()
        .execute(
            &format!(
                "UPDATE jobs SET {column} = strftime('%Y-%m-%dT%H:%M:%fZ', {column}, ?2) \
                 WHERE id = ?1"
            ),
            rusqlite::params![job.0, format!("-{days} days")],
        )
        .unwrap();
}

/// A job whose submission's outcome is unknown, ticketed with its password kept.
fn uncertain(journal: &Journal, uid: u32) -> JobId {
    let job = job_in(journal, uid, JobState::SigningUp);
    ticketed(journal, job, "uncertain_account_state");
    job
}

#[test]
fn a_kept_password_expires_after_its_time_and_retry_says_so() {
    let journal = Journal::open_in_memory().unwrap();
    let old = uncertain(&journal, 1);
    let fresh = uncertain(&journal, 2);
    let record = journal.job(old).unwrap().unwrap();
    let until = record.password_expires_at.clone().unwrap();
    assert!(
        until > record.updated_at,
        "{until} vs {}",
        record.updated_at
    );
    // Seven days from now, give or take the test's own milliseconds.
    let kept = journal.kept_passwords().unwrap();
    assert_eq!(kept.iter().map(|r| r.id).collect::<Vec<_>>(), [old, fresh]);
    assert_eq!(journal.expire_kept_passwords().wait().unwrap(), []);
    let month = Duration::from_secs(30 * 86400);
    assert!(!journal.housekeeping_due(month).unwrap());
    back_date(&journal, old, "password_expires_at", 8);
    assert!(journal.housekeeping_due(month).unwrap());
    assert_eq!(journal.expire_kept_passwords().wait().unwrap(), [old]);
    let record = journal.job(old).unwrap().unwrap();
    assert!(!record.has_password && record.password_expired_at.is_some());
    assert_eq!(journal.sealed_password(old).unwrap(), None);
    assert_eq!(journal.sealed_password(fresh).unwrap(), Some(pw()));
    let expired = journal.expired_passwords(10).unwrap();
    assert_eq!(expired.iter().map(|r| r.id).collect::<Vec<_>>(), [old]);
    let err = journal.retry(old).wait().unwrap_err();
    assert!(matches!(err, JournalError::PasswordExpired { job, .. } if job == old));
    let text = err.to_string();
    assert!(
        text.contains("expired") && text.contains("kept_password_days"),
        "{text}"
    );
    assert!(
        journal
            .history(old)
            .unwrap()
            .iter()
            .any(|t| t.note.contains("expired"))
    );
}

#[test]
fn a_password_still_in_the_pipeline_never_expires() {
    let journal = Journal::open_in_memory().unwrap();
    let signing_up = job_in(&journal, 1, JobState::SigningUp);
    let retried = uncertain(&journal, 2);
    assert_eq!(journal.retry(retried).wait().unwrap(), JobState::SigningUp);
    assert_eq!(
        journal.job(retried).unwrap().unwrap().password_expires_at,
        None
    );
    journal
        .lock()
        .execute(
            "UPDATE jobs SET password_expires_at = '2000-01-01T00:00:00.000Z'",
            [],
        )
        .unwrap();
    assert_eq!(journal.expire_kept_passwords().wait().unwrap(), []);
    assert_eq!(journal.sealed_password(signing_up).unwrap(), Some(pw()));
}

#[test]
fn kept_password_days_sets_the_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = OpenSettings::new(dir.path());
    settings.kept_password = Duration::from_secs(2 * 86400);
    let journal = Journal::open_with(dir.path(), &settings).unwrap();
    let job = uncertain(&journal, 1);
    let record = journal.job(job).unwrap().unwrap();
    let expected: String = journal
        .lock()
        .query_row(
            "SELECT strftime('%Y-%m-%dT%H', ?1, '+2 days')",
            [&record.updated_at],
            |row| row.get(0),
        )
        .unwrap();
    let until = record.password_expires_at.unwrap();
    assert!(until.starts_with(&expected[..10]), "{until} vs {expected}");
}

#[test]
fn originals_of_filed_jobs_go_after_the_retention_and_records_stay() {
    let journal = Journal::open_in_memory().unwrap();
    let receive = |uid: u32| match journal
        .receive_original(
            &msg(uid, None, format!("raw {uid}").as_bytes()),
            b"raw bytes",
        )
        .wait()
        .unwrap()
    {
        Received::New(job) => job,
        Received::Known(_) => panic!("known"),
    };
    let filed = receive(1);
    let recent = receive(2);
    let unfinished = receive(3);
    for job in [filed, recent] {
        ticketed(&journal, job, "link_expired");
        journal
            .transition(job, JobState::Filed, "filed")
            .wait()
            .unwrap();
    }
    journal
        .needs_human(unfinished, "link_expired", "x")
        .wait()
        .unwrap();
    for job in [filed, unfinished] {
        back_date(&journal, job, "updated_at", 31);
    }
    let month = Duration::from_secs(30 * 86400);
    assert!(journal.housekeeping_due(month).unwrap());
    assert_eq!(journal.forget_old_originals(month).wait().unwrap(), [filed]);
    assert!(!journal.housekeeping_due(month).unwrap());
    assert_eq!(journal.original(filed).unwrap(), None);
    assert!(journal.original(recent).unwrap().is_some());
    assert!(journal.original(unfinished).unwrap().is_some());
    let record = journal.job(filed).unwrap().unwrap();
    assert_eq!(record.state, JobState::Filed);
    assert_eq!(record.reason.as_deref(), Some("link_expired"));
    assert!(record.original_deleted_at.is_some());
    assert_eq!(journal.originals_deleted().unwrap(), 1);
    let err = journal.retry(filed).wait().unwrap_err();
    assert!(matches!(err, JournalError::OriginalGone { job, .. } if job == filed));
    assert!(err.to_string().contains("forward it"), "{err}");
    // Nothing left to delete the second time.
    assert_eq!(journal.forget_old_originals(month).wait().unwrap(), []);
}
