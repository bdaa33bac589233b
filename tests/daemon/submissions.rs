//! Submissions whose outcome is unknown: the password of a form that may have created an
//! account is never erased, and the form is never submitted a second time in the job;
//! a kept password and a filed job's original live only as long as `[journal]` says.

use std::time::Duration;

use onbehalf_sim::Behaviour;

use super::outages::forwarded;
use super::{Env, mails, wait_until};

/// The POST answers 504 and the platform creates the account a moment later, while the
/// invite still shows its form: one POST, a ticket keeping the password, and `retry`
/// mails that very password once the account exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_504_then_a_late_account_is_one_post_and_the_kept_password() {
    let env = Env::start().await;
    let email = "late.backend@partner.test";
    let late = Behaviour::GatewayTimeoutThenCreates(Duration::from_secs(3));
    let raw = forwarded(&env, email, late).await;

    env.once_ok();

    assert_eq!(env.posts(), 1, "never submitted twice:\n{}", env.logs());
    let ticket = env.assert_one_ticket("uncertain_account_state", "not certain", &raw);
    assert!(ticket.text.contains("password is kept"), "{}", ticket.text);
    assert!(mails::credentials(&env.mails()).is_empty());
    env.assert_folders(0, 0, 1).await;

    wait_until("the platform to create the account", || {
        env.accounts() == [email]
    });
    let retried = env.retry("job-1");
    assert!(retried.contains("signing_up"), "{retried}");
    env.once_ok();

    // The mailed password is the one the single POST sent (assert_credentials logs in).
    env.assert_credentials(email);
    assert_eq!(env.posts(), 1);
    env.fault_summary("platform-504-then-late-account").await;
}

/// The POST creates the account but lands on a page the profile does not recognise:
/// the invite, asked again, says it was used, so the sealed password is mailed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unrecognised_landing_page_still_ends_in_the_credentials() {
    let env = Env::start().await;
    let email = "almost@partner.test";
    forwarded(&env, email, Behaviour::UnrecognisedLanding).await;

    env.once_ok();

    assert_eq!(env.accounts(), [email]);
    env.assert_credentials(email);
    assert!(mails::tickets(&env.mails()).is_empty());
    assert_eq!(env.posts(), 1);
    env.assert_folders(0, 1, 0).await;
    env.fault_summary("platform-unrecognised-landing").await;
}

/// The password kept after an unknown outcome does not live for ever: the ticket says
/// until when, `status` lists it, and once its time has passed (back-dated here, no
/// sleep) the next run erases it and `retry` says why it cannot mail it any more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_password_expires_and_retry_says_so() {
    let env = Env::start().await;
    let late = Behaviour::GatewayTimeoutThenCreates(Duration::from_secs(3));
    forwarded(&env, "kept.too.long@partner.test", late).await;

    env.once_ok();

    let ticket = env.assert_one_ticket_about("uncertain_account_state", "not certain");
    assert!(
        ticket.text.contains("kept, sealed, until 20"),
        "{}",
        ticket.text
    );
    assert!(
        ticket.text.contains("kept_password_days"),
        "{}",
        ticket.text
    );
    let status = env.status();
    assert!(
        status.contains("passwords kept for `onbehalf retry`"),
        "{status}"
    );
    assert!(status.contains("job-1  until 20"), "{status}");

    let journal = env.dir.path().join("state/journal.sqlite3");
    rusqlite::Connection::open(journal)
        .unwrap()
        .execute(
            "UPDATE jobs SET password_expires_at = '2000-01-01T00:00:00.000Z'",
            [],
        )
        .unwrap();
    let logs = env.once_ok();
    assert!(logs.contains("kept password expired"), "{logs}");

    let output = env.command("retry").arg("job-1").output().unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{said}");
    assert!(
        said.contains("cannot retry job-1") && said.contains("expired"),
        "{said}"
    );
    let status = env.status_json();
    assert_eq!(status["passwords_expired"][0]["job"], "job-1", "{status}");
    assert_eq!(status["passwords_kept"], serde_json::json!([]), "{status}");
    assert_eq!(env.posts(), 1);
}

/// A filed job's original goes once it is older than `journal.keep_originals_days`
/// (back-dated here): the record stays, `status` counts it, and `retry` says to forward
/// the message again instead of failing on a missing original.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_original_is_deleted_and_retry_asks_for_a_new_forward() {
    let env = Env::start().await;
    forwarded(&env, "too.late@partner.test", Behaviour::Expired).await;
    env.once_ok();
    env.assert_one_ticket_about("link_expired", "expired");
    env.assert_folders(0, 0, 1).await;

    let journal = env.dir.path().join("state/journal.sqlite3");
    let db = rusqlite::Connection::open(journal).unwrap();
    let originals = |db: &rusqlite::Connection| -> i64 {
        db.query_row("SELECT COUNT(*) FROM originals", [], |row| row.get(0))
            .unwrap()
    };
    assert_eq!(originals(&db), 1);
    db.execute(
        "UPDATE jobs SET updated_at = '2000-01-01T00:00:00.000Z' WHERE state = 'filed'",
        [],
    )
    .unwrap();
    env.once_ok();
    assert_eq!(originals(&db), 0);
    let state: String = db
        .query_row(
            "SELECT state || ' ' || reason FROM jobs WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(state, "filed link_expired");

    let status = env.status();
    assert!(
        status.contains("originals deleted after journal.keep_originals_days = 30: 1"),
        "{status}"
    );
    let output = env.command("retry").arg("job-1").output().unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{said}");
    assert!(
        said.contains("original message was deleted") && said.contains("forward it"),
        "{said}"
    );
}
