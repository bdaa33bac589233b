//! Submissions whose outcome is unknown: the password of a form that may have created an
//! account is never erased, and the form is never submitted a second time in the job.

use std::time::Duration;

use onbehalf_sim::Behaviour;

use super::outages::forwarded;
use super::{Env, mails, wait_until};

fn posts(env: &Env) -> usize {
    env.sim
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

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

    assert_eq!(posts(&env), 1, "never submitted twice:\n{}", env.logs());
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
    assert_eq!(posts(&env), 1);
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
    assert_eq!(posts(&env), 1);
    env.assert_folders(0, 1, 0).await;
    env.fault_summary("platform-unrecognised-landing").await;
}
