//! SIGKILL in the middle of a group commit: several jobs' transitions in one journal
//! transaction, killed right before its COMMIT or right after it (before any job was
//! answered). The journal's `ONBEHALF_FAULT_HOLD_GROUP` hook gathers the group (the
//! first synced requests: the jobs' sealed passwords) and stops the writer there.
//! Either none or all of the group is on disk; the next run must finish every job with
//! no signup submitted twice and no password lost.

use std::time::Duration;

use onbehalf::journal::HOLD_GROUP_VAR;

use super::forward::{self, Forward};
use super::mails;
use super::{Env, Setup, wait_until};

/// Jobs in the backlog; the hook holds a group of at least `GROUP` of their seals.
const JOBS: usize = 4;
const GROUP: usize = 3;

/// Four forwards, one `once` held at a group of seals and killed there.
async fn kill_in_a_group(env: &Env, when: &str) -> Vec<String> {
    let emails: Vec<String> = (0..JOBS)
        .map(|n| format!("group.{n}@partner.test"))
        .collect();
    for email in &emails {
        let url = forward::invite(&env.sim, email);
        env.secret(&forward::token_of(&url));
        env.append(&Forward::by_invitee(email, &url).build()).await;
    }
    let hold = format!("{when}:{GROUP}");
    let mut running = env.once_running_with(&[(HOLD_GROUP_VAR, hold.as_str())]);
    wait_until("the held group commit", || {
        running.stderr().contains("holding a group commit")
    });
    running.signal("KILL");
    let status = running.wait(Duration::from_secs(10));
    assert!(!status.success());
    assert_eq!(
        env.posts(),
        0,
        "no form is submitted before its seal is answered"
    );
    emails
}

/// Killed before the COMMIT: no seal of the group is on disk, so every job seals again
/// and signs up once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_before_a_group_commit_redoes_each_step_once() {
    let env = Env::start_with(Setup {
        daemon: "per_platform_concurrency = 8",
        ..Setup::default()
    })
    .await;
    let emails = kill_in_a_group(&env, "before-commit").await;
    assert_eq!(
        env.jobs_in("signing_up"),
        0,
        "nothing of the group committed"
    );

    env.once_ok();

    for email in &emails {
        assert_eq!(
            env.accounts().iter().filter(|a| *a == email).count(),
            1,
            "one account for {email}"
        );
        env.assert_credentials(email);
    }
    assert_eq!(env.posts(), JOBS, "never submitted twice");
    assert!(mails::tickets(&env.mails()).is_empty());
    assert_eq!(env.status_json()["unfinished_jobs"], serde_json::json!([]));
    env.assert_folders(0, JOBS, 0).await;
    env.fault_summary("sigkill-before-group-commit").await;
}

/// Killed after the COMMIT, before any answer: every seal of the group is on disk
/// although no form was submitted. Those jobs resume from `signing_up`, which never
/// submits again (a ticket says the state is uncertain, the sealed password kept); the
/// others sign up once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_after_a_group_commit_keeps_every_transition_of_the_group() {
    let env = Env::start_with(Setup {
        daemon: "per_platform_concurrency = 8",
        ..Setup::default()
    })
    .await;
    let emails = kill_in_a_group(&env, "after-commit").await;
    let sealed = usize::try_from(env.jobs_in("signing_up")).unwrap();
    assert!(
        sealed >= GROUP,
        "all {GROUP} seals of the group are on disk"
    );

    env.once_ok();

    let mails = env.mails();
    let tickets = mails::tickets(&mails);
    assert_eq!(tickets.len(), sealed, "one ticket per sealed job");
    assert!(
        tickets
            .iter()
            .all(|t| t.text.contains("uncertain_account_state")),
        "each ticket says the account state is uncertain"
    );
    assert_eq!(env.accounts().len(), JOBS - sealed);
    assert_eq!(env.posts(), JOBS - sealed, "never submitted twice");
    for email in env.accounts() {
        env.assert_credentials(&email);
    }
    assert!(
        emails
            .iter()
            .all(|e| env.accounts().iter().filter(|a| *a == e).count() <= 1)
    );
    assert_eq!(env.status_json()["unfinished_jobs"], serde_json::json!([]));
    env.assert_folders(0, JOBS - sealed, sealed).await;
    env.fault_summary("sigkill-after-group-commit").await;
}
