//! The read side: unfinished, counts, recent, health, ids; threads sharing a journal.

use std::sync::Arc;

use super::*;

#[test]
fn unfinished_is_oldest_first_and_skips_filed() {
    let journal = Journal::open_in_memory().unwrap();
    let first = job_in(&journal, 1, JobState::SigningUp);
    let filed = job_in(&journal, 2, JobState::Filed);
    let third = job_in(&journal, 3, JobState::Received);
    let fourth = job_in(&journal, 4, JobState::Ticketed);
    // The oldest job changing last does not move it.
    journal
        .transition(first, JobState::SignedUp, "landed")
        .wait()
        .unwrap();
    let ids: Vec<_> = journal
        .unfinished()
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(ids, [first, third, fourth]);
    assert!(!ids.contains(&filed));
}

#[test]
fn counts_cover_every_state_and_recent_is_newest_first() {
    let journal = Journal::open_in_memory().unwrap();
    let a = job_in(&journal, 1, JobState::Ticketed);
    let b = job_in(&journal, 2, JobState::Filed);
    let c = job_in(&journal, 3, JobState::NeedsHuman);
    journal
        .transition(a, JobState::Filed, "moved")
        .wait()
        .unwrap();
    let counts = journal.counts_by_state().unwrap();
    assert_eq!(counts.len(), JobState::ALL.len());
    assert_eq!(counts[0], (JobState::Received, 0));
    assert!(counts.contains(&(JobState::Filed, 2)));
    assert!(counts.contains(&(JobState::NeedsHuman, 1)));
    assert_eq!(counts.iter().map(|c| c.1).sum::<u64>(), 3);
    let recent: Vec<_> = journal
        .recent(2)
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(recent, [a, c]);
    assert_eq!(journal.recent(10).unwrap().last().map(|j| j.id), Some(b));
}

#[test]
fn health_values_are_kept_and_replaced() {
    let journal = Journal::open_in_memory().unwrap();
    assert_eq!(journal.health("last_check").unwrap(), None);
    journal
        .set_health("last_check", "2025-01-01T00:00:00Z")
        .wait()
        .unwrap();
    journal
        .set_health("last_check", "2025-01-01T00:01:00Z")
        .wait()
        .unwrap();
    journal.set_health("uidvalidity:INBOX", "7").wait().unwrap();
    assert_eq!(
        journal.health("last_check").unwrap().as_deref(),
        Some("2025-01-01T00:01:00Z")
    );
    let age = journal.health_age("last_check").unwrap().unwrap();
    assert!(age < std::time::Duration::from_secs(60), "{age:?}");
    assert_eq!(journal.health_age("never").unwrap(), None);
    journal
        .lock()
        .execute(
            "UPDATE health SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now','-1 hour')",
            [],
        )
        .unwrap();
    let age = journal.health_age("last_check").unwrap().unwrap().as_secs();
    assert!((3590..3610).contains(&age), "{age}");
    assert_eq!(uidvalidity_key("imap:INBOX"), "uidvalidity:imap:INBOX");
    let all = journal.health_all().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[1].0.as_str(), all[1].1.as_str()),
        ("uidvalidity:INBOX", "7")
    );
}

#[test]
fn job_ids_and_states_read_and_print() {
    assert_eq!(JobId(42).to_string(), "job-42");
    assert_eq!("42".parse::<JobId>().unwrap(), JobId(42));
    assert_eq!(" job-42 ".parse::<JobId>().unwrap(), JobId(42));
    for bad in ["", "job-", "-3", "0", "job-x", "+4", "job--1"] {
        let err = bad.parse::<JobId>().unwrap_err();
        assert!(err.to_string().contains("job-42"), "{bad}: {err}");
    }
    for state in JobState::ALL {
        assert_eq!(state.as_str().parse::<JobState>().unwrap(), state);
        assert_eq!(state.is_final(), state == JobState::Filed);
    }
    assert_eq!(JobState::SigningUp.to_string(), "signing_up");
    assert!("SigningUp".parse::<JobState>().is_err());
}

#[test]
fn threads_write_their_own_jobs_at_once() {
    let journal = Arc::new(Journal::open_in_memory().unwrap());
    let workers: Vec<_> = (0..8u32)
        .map(|worker| {
            let journal = Arc::clone(&journal);
            std::thread::spawn(move || {
                for n in 0..10 {
                    job_in(&journal, worker * 100 + n + 1, JobState::Filed);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let counts = journal.counts_by_state().unwrap();
    assert!(counts.contains(&(JobState::Filed, 80)), "{counts:?}");
    assert!(journal.unfinished().unwrap().is_empty());
}

#[test]
fn a_cached_statement_keeps_its_plan_when_new_values_are_bound() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path()).unwrap();
    let reader = super::super::schema::open_reader(&dir.path().join("journal.sqlite3")).unwrap();
    let writer = journal.lock();
    for conn in [&reader, &*writer] {
        let sql = "SELECT id FROM jobs WHERE platform = ?1 AND invite_key = ?2 ORDER BY id";
        for key in ["a", "b", "c"] {
            let mut statement = conn.prepare_cached(sql).unwrap();
            let ids: Vec<i64> = statement
                .query_map(["acme", key], |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(ids.is_empty());
            // Each re-plan would be a full parse of the SQL again.
            let replanned = statement.get_status(rusqlite::StatementStatus::RePrepare);
            assert_eq!(replanned, 0, "re-planned at the bind of {key:?}");
        }
    }
}
