//! Crashes: the process dies right after each journal transition (the daemon's
//! `ONBEHALF_FAULT_CRASH_AFTER` test hook aborts it), or is killed with SIGKILL while the
//! signup form's POST is in flight. The next run must end every job exactly once: one
//! account, one credentials mail (or one ticket), the message filed, nothing unfinished.

use std::process::ExitStatus;
use std::time::Duration;

use onbehalf_sim::Behaviour;

use super::forward::{self, Forward};
use super::mails::{self, lf};
use super::{Env, wait_until};

const HOOK: &str = "ONBEHALF_FAULT_CRASH_AFTER";

fn assert_crashed(status: ExitStatus, stderr: &str, state: &str) {
    assert!(
        !status.success(),
        "{state}: the hook aborts the run\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("{HOOK}={state}")),
        "{state}: died at the hook\n{stderr}"
    );
}

fn assert_nothing_unfinished(env: &Env, state: &str) {
    let status = env.status_json();
    assert_eq!(
        status["unfinished_jobs"],
        serde_json::json!([]),
        "after a crash at {state}"
    );
}

/// A crash after each state of a successful job, then a clean run: one account, one
/// credentials mail (none of these crash points lies between the SMTP server's
/// acceptance and the journal write, the one documented window for a duplicate).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_any_state_of_a_signup_ends_in_one_account_and_one_mail() {
    let env = Env::start().await;
    let states = [
        "received",
        "extracted",
        "vetted",
        "signed_up",
        "notified",
        "filed",
    ];
    for (n, state) in states.iter().enumerate() {
        let email = format!("crash.{n}@partner.test");
        let url = forward::invite(&env.sim, &email);
        env.secret(&forward::token_of(&url));
        env.append(&Forward::by_invitee(&email, &url).build()).await;

        let (status, stderr) = env.once_with(&[(HOOK, state)]);
        assert_crashed(status, &stderr, state);
        env.once_ok();

        let accounts = env.accounts();
        assert_eq!(
            accounts.iter().filter(|a| **a == email).count(),
            1,
            "{state}: one account"
        );
        env.assert_credentials(&email);
        assert_nothing_unfinished(&env, state);
        env.assert_folders(0, n + 1, 0).await;
    }
    assert!(mails::tickets(&env.mails()).is_empty());
    assert_eq!(env.mails().len(), states.len());
    env.fault_summary("crash-after-each-signup-state").await;
}

/// A crash after a failing job's needs_human and ticketed states: one ticket each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_needs_human_or_ticketed_ends_in_one_ticket() {
    let env = Env::start().await;
    let states = ["needs_human", "ticketed"];
    for (n, state) in states.iter().enumerate() {
        let email = format!("expired.{n}@partner.test");
        let url = forward::invite_with(&env.sim, &email, Behaviour::Expired);
        env.secret(&forward::token_of(&url));
        let raw = Forward::by_invitee(&email, &url).build();
        env.append(&raw).await;

        let (status, stderr) = env.once_with(&[(HOOK, state)]);
        assert_crashed(status, &stderr, state);
        env.once_ok();

        let mails = env.mails();
        let tickets: Vec<_> = mails::tickets(&mails)
            .into_iter()
            .filter(|t| lf(&t.attached_original()) == lf(&raw))
            .collect();
        assert_eq!(tickets.len(), 1, "{state}: one ticket");
        assert!(tickets[0].text.contains("link_expired"));
        assert_nothing_unfinished(&env, state);
        env.assert_folders(0, 0, n + 1).await;
    }
    assert!(env.accounts().is_empty());
    assert_eq!(env.mails().len(), states.len());
    env.fault_summary("crash-after-needs-human-or-ticketed")
        .await;
}

/// A crash after the password is sealed but before the form is sent: on restart the
/// invite still opens the form. The daemon cannot tell a POST that never left from one
/// the platform lost, and it never submits twice: a ticket says the state is uncertain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_before_the_post_is_a_ticket_and_never_a_second_submission() {
    let env = Env::start().await;
    let email = "sealed@partner.test";
    let url = forward::invite(&env.sim, email);
    env.secret(&forward::token_of(&url));
    env.append(&Forward::by_invitee(email, &url).build()).await;

    let (status, stderr) = env.once_with(&[(HOOK, "signing_up")]);
    assert_crashed(status, &stderr, "signing_up");
    env.once_ok();

    assert_eq!(env.posts(), 0, "the form was never submitted");
    assert!(env.accounts().is_empty());
    env.assert_one_ticket_about("uncertain_account_state", "not certain");
    assert_nothing_unfinished(&env, "signing_up");
    env.assert_folders(0, 0, 1).await;
    env.fault_summary("crash-after-password-sealed").await;
}

/// SIGKILL while the POST is in flight (the simulator holds its answer back): the
/// account exists but the journal still says signing_up. The next run asks the invite,
/// which now says it was used, and mails the sealed password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_the_post_ends_in_the_sealed_credentials() {
    let env = Env::start().await;
    let email = "inflight@partner.test";
    let slow = Behaviour::Slow(Duration::from_millis(1500));
    let url = forward::invite_with(&env.sim, email, slow);
    env.secret(&forward::token_of(&url));
    env.append(&Forward::by_invitee(email, &url).build()).await;

    let mut running = env.once_running();
    wait_until("the signup POST", || {
        env.sim
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.path.starts_with("/signup"))
    });
    running.signal("KILL");
    let status = running.wait(Duration::from_secs(10));
    assert!(!status.success());
    assert_eq!(env.accounts(), [email], "the POST created the account");
    assert!(env.mails().is_empty());
    assert_eq!(env.jobs_in("signing_up"), 1);

    env.once_ok();

    assert_eq!(env.accounts(), [email]);
    env.assert_credentials(email);
    assert_eq!(env.mails().len(), 1);
    let posts = env.posts();
    assert_eq!(posts, 1, "never submitted twice");
    assert_nothing_unfinished(&env, "signing_up");
    env.assert_folders(0, 1, 0).await;
    env.fault_summary("sigkill-during-signup-post").await;
}
