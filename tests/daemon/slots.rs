//! Time a job may take on a platform: `[daemon] job_deadline` ends a signup that keeps
//! failing, and a job waiting out a `Retry-After` leaves the platform's slot to others.

use std::time::Duration;

use onbehalf_sim::Behaviour;

use super::forward;
use super::mails;
use super::outages::{forwarded, stop, wait_until_done};
use super::{Env, Setup, wait_until};

/// Requests to the invite whose token is `token`.
fn invite_gets(env: &Env, token: &str) -> Vec<usize> {
    let requests = env.sim.requests();
    (0..requests.len())
        .filter(|&i| requests[i].method == "GET" && requests[i].path.contains(token))
        .collect()
}

/// Timing out on every attempt would be retried 2 s and 4 s later; a job deadline of
/// 1.5 s leaves no time for a retry, so one try is made and a ticket says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_deadline_stops_retrying_a_platform_that_keeps_failing() {
    let env = Env::start_with(Setup {
        request_timeout: "300ms",
        daemon: "job_deadline = \"1500ms\"",
        ..Setup::default()
    })
    .await;
    let email = "stuck@partner.test";
    let url = forward::invite_with(&env.sim, email, Behaviour::Slow(Duration::from_secs(2)));
    env.secret(&forward::token_of(&url));
    env.append(&forward::Forward::by_invitee(email, &url).build())
        .await;

    env.once_ok();

    let token = forward::token_of(&url);
    assert_eq!(invite_gets(&env, &token).len(), 1, "{}", env.logs());
    let mails = env.mails();
    let tickets = mails::tickets(&mails);
    assert_eq!(tickets.len(), 1, "one ticket");
    assert!(tickets[0].text.contains("network"), "{}", tickets[0].text);
    assert!(env.accounts().is_empty());
    env.assert_folders(0, 0, 1).await;
}

/// With one slot per platform, a job waiting 3 s for a `Retry-After` does not keep
/// another job from signing up meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_a_retry_after_leaves_the_platform_slot_free() {
    let env = Env::start_with(Setup {
        daemon: "per_platform_concurrency = 1",
        ..Setup::default()
    })
    .await;
    let mut running = env.run();
    let patient = "patient@partner.test";
    let limited = Behaviour::RateLimitedOnce {
        retry_after_secs: 3,
    };
    let url = forward::invite_with(&env.sim, patient, limited);
    env.secret(&forward::token_of(&url));
    env.append(&forward::Forward::by_invitee(patient, &url).build())
        .await;
    let token = forward::token_of(&url);
    wait_until("the rate-limited first GET", || {
        !invite_gets(&env, &token).is_empty()
    });

    forwarded(&env, "meanwhile@partner.test", Behaviour::Normal).await;
    wait_until_done(&env, "meanwhile@partner.test", 1).await;
    wait_until_done(&env, patient, 2).await;
    stop(&env, &mut running);

    let requests = env.sim.requests();
    let first_post = (0..requests.len())
        .find(|&i| requests[i].method == "POST")
        .unwrap();
    let gets = invite_gets(&env, &token);
    assert_eq!(gets.len(), 2, "{}", env.logs());
    assert!(
        first_post < gets[1],
        "the other job signed up while this one waited"
    );
    env.assert_credentials(patient);
    env.assert_credentials("meanwhile@partner.test");
}
