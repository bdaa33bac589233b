//! Group commit: requests waiting together commit in one transaction, and a failing one
//! fails alone.

use super::*;

#[test]
fn a_failing_request_in_a_group_fails_alone() {
    let journal = Journal::open_in_memory().unwrap();
    let extracted = new_job(&journal, 1);
    let received = new_job(&journal, 2);
    let history_before = journal.history(received).unwrap().len();
    // While the test holds the writer's connection, every request sent queues behind the
    // first, so the three after it are taken as one group.
    let held = journal.lock();
    let blocker = journal.set_health("blocker", "1");
    let invite = journal.record_invite(extracted, &invite("https://e/1"));
    let refused = journal.transition(received, JobState::Filed, "not a step");
    let health = journal.set_health("after", "2");
    drop(held);
    blocker.wait().unwrap();
    invite.wait().unwrap();
    let error = refused.wait().unwrap_err();
    assert!(matches!(error, JournalError::Refused { .. }), "{error}");
    health.wait().unwrap();
    assert_eq!(state(&journal, extracted), JobState::Extracted);
    assert_eq!(state(&journal, received), JobState::Received);
    assert_eq!(journal.history(received).unwrap().len(), history_before);
    assert_eq!(journal.health("after").unwrap().as_deref(), Some("2"));
}

#[test]
fn a_request_that_fails_after_writing_leaves_nothing_and_its_neighbours_commit() {
    let journal = Journal::open_in_memory().unwrap();
    let held = journal.lock();
    let blocker = journal.set_health("blocker", "1");
    let before = journal.set_health("before", "1");
    // Writes, then fails: a group without a savepoint per request must not keep the row.
    let half_done: Pending<()> = journal.write(
        Durability::Deferred,
        || "write a row, then fail".to_owned(),
        |conn| {
            rows::execute(
                conn,
                "INSERT INTO health (key, value, updated_at) VALUES ('half', 'x', 'now')",
                [],
            )?;
            Err(rows::Failure::Journal(JournalError::NoSuchJob(JobId(99))))
        },
    );
    let after = journal.set_health("after", "2");
    drop(held);
    blocker.wait().unwrap();
    before.wait().unwrap();
    let error = half_done.wait().unwrap_err();
    assert!(matches!(error, JournalError::NoSuchJob(_)), "{error}");
    after.wait().unwrap();
    assert_eq!(journal.health("half").unwrap(), None);
    assert_eq!(journal.health("before").unwrap().as_deref(), Some("1"));
    assert_eq!(journal.health("after").unwrap().as_deref(), Some("2"));
}

#[tokio::test]
async fn concurrent_writers_are_answered_after_their_commit() {
    let journal = std::sync::Arc::new(Journal::open_in_memory().unwrap());
    let jobs: Vec<_> = (1..=20).map(|uid| new_job(&journal, uid)).collect();
    let writes = jobs.iter().map(|job| {
        let journal = std::sync::Arc::clone(&journal);
        let job = *job;
        async move {
            journal
                .record_invite(job, &invite(&format!("https://e/{job}")))
                .await?;
            // Answered means committed: a read sees it at once.
            assert_eq!(state(&journal, job), JobState::Extracted);
            journal.transition(job, JobState::Vetted, "ok").await
        }
    });
    for result in futures::future::join_all(writes).await {
        result.unwrap();
    }
    for job in jobs {
        assert_eq!(state(&journal, job), JobState::Vetted);
    }
}
