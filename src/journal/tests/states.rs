//! The state diagram: every allowed step, refused steps, history.

use super::*;

#[test]
fn journal_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Journal>();
}

#[test]
fn the_diagram_allows_exactly_its_steps() {
    use JobState::*;
    let allowed = [
        (Received, Extracted),
        (Extracted, Vetted),
        (Vetted, SigningUp),
        (SigningUp, SigningUp),
        (SigningUp, SignedUp),
        (SignedUp, Notified),
        (Notified, Filed),
        (Received, NeedsHuman),
        (Extracted, NeedsHuman),
        (Vetted, NeedsHuman),
        (SigningUp, NeedsHuman),
        (SignedUp, NeedsHuman),
        (NeedsHuman, Ticketed),
        (Ticketed, Filed),
    ];
    for from in JobState::ALL {
        for to in JobState::ALL {
            assert_eq!(
                from.can_go_to(to),
                allowed.contains(&(from, to)),
                "{from} -> {to}"
            );
        }
    }
}

#[test]
fn every_allowed_step_is_taken_through_the_journal() {
    use JobState::*;
    let journal = Journal::open_in_memory().unwrap();
    for (uid, (from, to)) in [
        (Received, Extracted),
        (Extracted, Vetted),
        (Vetted, SigningUp),
        (SigningUp, SigningUp),
        (SigningUp, SignedUp),
        (SignedUp, Notified),
        (Notified, Filed),
        (Received, NeedsHuman),
        (Extracted, NeedsHuman),
        (Vetted, NeedsHuman),
        (SigningUp, NeedsHuman),
        (SignedUp, NeedsHuman),
        (NeedsHuman, Ticketed),
        (Ticketed, Filed),
    ]
    .into_iter()
    .enumerate()
    {
        let job = job_in(&journal, uid as u32 + 1, from);
        take(&journal, job, to).unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
        assert_eq!(state(&journal, job), to);
        let last = journal.history(job).unwrap().pop().unwrap();
        assert_eq!((last.from, last.to), (Some(from), to));
    }
}

#[test]
fn refused_steps_name_both_states() {
    use JobState::*;
    let journal = Journal::open_in_memory().unwrap();
    for (uid, (from, to)) in [
        (Received, Vetted),
        (Received, SigningUp),
        (Extracted, Extracted),
        (Vetted, SignedUp),
        (SignedUp, SignedUp),
        (Notified, NeedsHuman),
        (Notified, Notified),
        (Vetted, Notified),
        (NeedsHuman, Filed),
        (Ticketed, NeedsHuman),
        (Filed, Ticketed),
        (Filed, Filed),
    ]
    .into_iter()
    .enumerate()
    {
        let job = job_in(&journal, uid as u32 + 1, from);
        let before = journal.history(job).unwrap().len();
        let err = take(&journal, job, to).unwrap_err();
        assert!(
            matches!(err, JournalError::Refused { .. }),
            "{from} -> {to}: {err}"
        );
        let text = err.to_string();
        assert!(text.contains(&format!("from {from} to {to}")), "{text}");
        assert!(text.contains(&job.to_string()), "{text}");
        assert_eq!(state(&journal, job), from);
        assert_eq!(journal.history(job).unwrap().len(), before);
    }
}

#[test]
fn steps_that_carry_data_need_their_method() {
    let journal = Journal::open_in_memory().unwrap();
    let job = job_in(&journal, 1, JobState::Received);
    for (to, method) in [
        (JobState::Received, "retry"),
        (JobState::Extracted, "record_invite"),
        (JobState::SigningUp, "seal_password"),
        (JobState::Notified, "mark_notified"),
        (JobState::NeedsHuman, "needs_human"),
    ] {
        let err = journal.transition(job, to, "shortcut").wait().unwrap_err();
        assert!(err.to_string().contains(method), "{err}");
    }
    assert_eq!(state(&journal, job), JobState::Received);
}

#[test]
fn unknown_job_is_named() {
    let journal = Journal::open_in_memory().unwrap();
    let err = journal
        .transition(JobId(9), JobState::Vetted, "x")
        .wait()
        .unwrap_err();
    assert_eq!(err.to_string(), "cannot find job-9 in the journal");
    assert!(matches!(
        journal.history(JobId(9)),
        Err(JournalError::NoSuchJob(JobId(9)))
    ));
    assert!(matches!(
        journal.sealed_password(JobId(9)),
        Err(JournalError::NoSuchJob(_))
    ));
    assert_eq!(journal.job(JobId(9)).unwrap(), None);
}

#[test]
fn history_has_every_step_with_utc_timestamps() {
    let journal = Journal::open_in_memory().unwrap();
    let job = job_in(&journal, 1, JobState::Filed);
    let history = journal.history(job).unwrap();
    let steps: Vec<_> = history.iter().map(|t| (t.from, t.to)).collect();
    use JobState::*;
    assert_eq!(
        steps,
        [
            (None, Received),
            (Some(Received), Extracted),
            (Some(Extracted), Vetted),
            (Some(Vetted), SigningUp),
            (Some(SigningUp), SignedUp),
            (Some(SignedUp), Notified),
            (Some(Notified), Filed),
        ]
    );
    for t in &history {
        // 2025-01-31T12:34:56.789Z
        assert_eq!(t.at.len(), 24, "{}", t.at);
        assert!(
            t.at.ends_with('Z') && t.at.as_bytes()[10] == b'T',
            "{}",
            t.at
        );
    }
    assert!(history.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(history[0].note, "seen at imap:INBOX 1");
}

#[test]
fn file_journal_is_durable_and_overwrites_what_it_erases() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path()).unwrap();
    let conn = journal.lock();
    let pragma = |name: &str| -> String {
        conn.query_row(&format!("PRAGMA {name}"), [], |row| {
            row.get::<_, rusqlite::types::Value>(0)
        })
        .map(|value| format!("{value:?}"))
        .unwrap()
    };
    assert_eq!(pragma("journal_mode"), "Text(\"wal\")");
    assert_eq!(pragma("synchronous"), "Integer(2)"); // FULL
    assert_eq!(pragma("secure_delete"), "Integer(1)");
    assert_eq!(pragma("foreign_keys"), "Integer(1)");
    assert_eq!(pragma("temp_store"), "Integer(2)"); // MEMORY: no page images in /var/tmp
    assert_eq!(pragma("user_version"), "Integer(5)");
}

#[test]
fn commits_before_an_outside_effect_reach_the_disk_and_bookkeeping_waits() {
    use JobState::*;
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path()).unwrap();
    let synchronous = |journal: &Journal| -> i64 {
        journal
            .lock()
            .query_row("PRAGMA synchronous", [], |row| row.get(0))
            .unwrap()
    };
    const NORMAL: i64 = 1;
    const FULL: i64 = 2;
    let job = new_job(&journal, 1);
    assert_eq!(
        synchronous(&journal),
        NORMAL,
        "received: still in the mailbox"
    );
    // (state entered, level of its commit, why)
    let steps = [
        (Extracted, NORMAL, "extract again"),
        (Vetted, NORMAL, "vet again"),
        (SigningUp, FULL, "the form is submitted next"),
        (SignedUp, FULL, "the credentials mail is sent next"),
        (Notified, FULL, "the message is moved next"),
        (Filed, NORMAL, "nothing follows"),
    ];
    for (to, level, why) in steps {
        take(&journal, job, to).unwrap();
        assert_eq!(synchronous(&journal), level, "{to}: {why}");
    }
    let other = new_job(&journal, 2);
    take(&journal, other, NeedsHuman).unwrap();
    assert_eq!(synchronous(&journal), FULL, "the ticket is sent next");
    journal.set_health("last_check", "ok").wait().unwrap();
    assert_eq!(synchronous(&journal), NORMAL);
    take(&journal, other, Ticketed).unwrap();
    assert_eq!(synchronous(&journal), FULL, "the message is moved next");
}
