//! The world misbehaving around the daemon: Dovecot restarted under `run`, the SMTP
//! server down or refusing, UIDVALIDITY changed between runs, SIGTERM in the middle of a
//! signup, and new mail noticed by IDLE rather than by the poll.

use std::time::{Duration, Instant};

use onbehalf_sim::Behaviour;

use super::forward::{self, Forward};
use super::mails;
use super::support::smtp::FailStage;
use super::{Env, Setup, wait_for_folder, wait_until};

/// Issues an invite for `email`, appends its forward; returns the forward's bytes.
pub(crate) async fn forwarded(env: &Env, email: &str, behaviour: Behaviour) -> Vec<u8> {
    let url = forward::invite_with(&env.sim, email, behaviour);
    env.secret(&forward::token_of(&url));
    let raw = Forward::by_invitee(email, &url).build();
    env.append(&raw).await;
    raw
}

/// Waits for the credentials mail to `email` and its message in the done folder.
pub(crate) async fn wait_until_done(env: &Env, email: &str, done: usize) {
    wait_until(&format!("credentials for {email}"), || {
        mails::credentials(&env.mails())
            .iter()
            .any(|m| m.is_to(email))
    });
    wait_for_folder(env, "onbehalf/done", done).await;
}

pub(crate) fn stop(env: &Env, running: &mut super::Running) {
    running.signal("TERM");
    let status = running.wait(Duration::from_secs(20));
    assert!(status.success(), "run exits 0 on SIGTERM:\n{}", env.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_appended_after_dovecot_restarts_is_still_handled() {
    let mut env = Env::start().await;
    let mut running = env.run();
    forwarded(&env, "before@partner.test", Behaviour::Normal).await;
    wait_until_done(&env, "before@partner.test", 1).await;

    env.dovecot.restart();
    forwarded(&env, "after@partner.test", Behaviour::Normal).await;
    wait_until_done(&env, "after@partner.test", 2).await;

    stop(&env, &mut running);
    let mut accounts = env.accounts();
    accounts.sort();
    assert_eq!(accounts, ["after@partner.test", "before@partner.test"]);
    env.assert_credentials("before@partner.test");
    env.assert_credentials("after@partner.test");
    env.assert_folders(0, 2, 0).await;
    env.fault_summary("dovecot-restarted-under-run").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_wait_at_signed_up_while_smtp_is_down() {
    let mut env = Env::start().await;
    env.smtp.stop();
    forwarded(&env, "patient@partner.test", Behaviour::Normal).await;

    env.once_ok();
    assert_eq!(env.accounts(), ["patient@partner.test"]);
    assert_eq!(env.jobs_in("signed_up"), 1, "the job waits for the mail");
    env.assert_folders(1, 0, 0).await;

    env.smtp.restart();
    env.once_ok();
    assert_eq!(env.accounts(), ["patient@partner.test"]);
    env.assert_credentials("patient@partner.test");
    assert_eq!(env.mails().len(), 1);
    env.assert_folders(0, 1, 0).await;
    env.fault_summary("smtp-down-then-up").await;
}

/// Under `run`, a temporary refusal (451) outlasting the transport's own retries pauses
/// the job; it is sent at a later mailbox check, not retried in a busy loop meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_smtp_server_is_retried_at_the_poll_interval() {
    let mut env = Env::start().await;
    // Three attempts per send (retries = 2): two sends' worth of refusals.
    env.smtp.fail_next(6, 451, FailStage::Rcpt);
    let started = Instant::now();
    let mut running = env.run();
    forwarded(&env, "retried@partner.test", Behaviour::Normal).await;
    wait_until_done(&env, "retried@partner.test", 1).await;
    let took = started.elapsed();
    stop(&env, &mut running);

    assert_eq!(env.smtp.refused(), 6);
    // Two paused sends, each followed by a wait for the next 2 s poll.
    assert!(
        took >= Duration::from_secs(3),
        "retried too eagerly: {took:?}"
    );
    assert_eq!(env.accounts(), ["retried@partner.test"]);
    env.assert_credentials("retried@partner.test");
    assert_eq!(env.mails().len(), 1);
    env.fault_summary("smtp-451-then-accepting").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_uidvalidity_processes_nothing_twice() {
    let mut env = Env::start().await;
    env.smtp.stop();
    let raw = forwarded(&env, "renumbered@partner.test", Behaviour::Normal).await;
    env.once_ok();
    assert_eq!(env.jobs_in("signed_up"), 1);

    // The server renumbers the folder: the same message now has a UID nobody has seen.
    env.dovecot.change_uidvalidity("INBOX");
    env.smtp.restart();
    env.once_ok();

    assert_eq!(env.accounts(), ["renumbered@partner.test"]);
    env.assert_credentials("renumbered@partner.test");
    assert_eq!(env.mails().len(), 1);
    env.assert_folders(0, 1, 0).await;

    // Renumbered again after it was handled, and a copy delivered once more: filed, not
    // handled a second time.
    env.dovecot.change_uidvalidity("INBOX");
    env.append(&raw).await;
    env.once_ok();
    assert_eq!(env.accounts().len(), 1);
    assert_eq!(env.mails().len(), 1);
    env.assert_folders(0, 2, 0).await;
    env.fault_summary("uidvalidity-changed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_signup_exits_0_and_the_next_run_finishes_it() {
    let env = Env::start().await;
    let slow = Behaviour::Slow(Duration::from_millis(700));
    forwarded(&env, "interrupted@partner.test", slow).await;
    let mut running = env.run();
    wait_until("the signup to start", || !env.sim.requests().is_empty());

    let asked = Instant::now();
    running.signal("TERM");
    let status = running.wait(Duration::from_secs(20));
    assert!(status.success(), "exit 0:\n{}", running.stderr());
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "within the grace period"
    );

    env.once_ok();
    assert_eq!(env.accounts(), ["interrupted@partner.test"]);
    env.assert_credentials("interrupted@partner.test");
    assert_eq!(env.mails().len(), 1);
    let posts = env.posts();
    assert_eq!(posts, 1);
    env.assert_folders(0, 1, 0).await;
    env.fault_summary("sigterm-during-signup").await;
}

/// With a one-hour poll, only IDLE can bring a new message in within the deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_brings_a_new_message_in_without_waiting_for_the_poll() {
    let env = Env::start_with(Setup {
        poll_interval: "1h",
        ..Setup::default()
    })
    .await;
    let mut running = env.run();
    forwarded(&env, "first@partner.test", Behaviour::Normal).await;
    wait_until_done(&env, "first@partner.test", 1).await;
    forwarded(&env, "second@partner.test", Behaviour::Normal).await;
    wait_until_done(&env, "second@partner.test", 2).await;
    stop(&env, &mut running);

    assert_eq!(env.accounts().len(), 2);
    assert_eq!(mails::credentials(&env.mails()).len(), 2);
    env.assert_folders(0, 2, 0).await;
}

/// The relay refuses the invitee's address for good (550): the account exists, so the
/// help desk gets a ticket (never the password), the password stays sealed, and after
/// the cause is fixed `onbehalf retry` sends the credentials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_refused_for_good_become_a_ticket_and_retry_sends_them() {
    let mut env = Env::start().await;
    let raw = forwarded(&env, "bouncing@partner.test", Behaviour::Normal).await;
    env.smtp.fail_next(1, 550, FailStage::Rcpt);

    let (status, stderr) = env.once();
    assert!(status.success(), "{stderr}");

    assert_eq!(env.accounts(), ["bouncing@partner.test"]);
    let ticket = env.assert_one_ticket("credentials_refused", "credentials mail was refused", &raw);
    assert!(ticket.text.contains("onbehalf retry"), "{}", ticket.text);
    env.assert_folders(0, 0, 1).await;

    let job = env.status_json()["unfinished_jobs"].clone();
    assert_eq!(job, serde_json::json!([]));
    let retried = env.retry("job-1");
    assert!(retried.contains("signed_up"), "{retried}");
    env.once_ok();
    env.assert_credentials("bouncing@partner.test");
    assert_eq!(mails::tickets(&env.mails()).len(), 1);
    env.fault_summary("smtp-550-ticket-then-retry").await;
}

/// `run` started while the IMAP server is down keeps trying, and catches up once it is up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_started_while_dovecot_is_down_catches_up() {
    let mut env = Env::start().await;
    env.dovecot.stop();
    let mut running = env.run();
    wait_until("a failed mailbox check", || {
        running.stderr().contains("cannot open the mailbox")
    });
    assert_eq!(
        env.status_json()["seconds_since_last_check"],
        serde_json::Value::Null
    );

    env.dovecot.start_again();
    forwarded(&env, "late@partner.test", Behaviour::Normal).await;
    wait_until_done(&env, "late@partner.test", 1).await;
    stop(&env, &mut running);
    assert_eq!(env.accounts(), ["late@partner.test"]);
    assert!(env.status().contains("✓ mailbox checked"));
    env.fault_summary("run-started-while-dovecot-down").await;
}

/// `[daemon] metrics_listen` serves Prometheus text with the run's figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_endpoint_counts_the_finished_job() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let daemon: &'static str =
        Box::leak(format!("metrics_listen = \"127.0.0.1:{port}\"\n").into_boxed_str());
    let env = Env::start_with(Setup {
        daemon,
        ..Setup::default()
    })
    .await;
    let mut running = env.run();
    forwarded(&env, "counted@partner.test", Behaviour::Normal).await;
    wait_until_done(&env, "counted@partner.test", 1).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let text = scrape(port).await.unwrap_or_default();
        if text.contains("onbehalf_jobs_finished_total{outcome=\"done\",reason=\"\"} 1")
            || Instant::now() > deadline
        {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    stop(&env, &mut running);
    assert!(
        text.contains("onbehalf_jobs_finished_total{outcome=\"done\",reason=\"\"} 1"),
        "{text}"
    );
    assert!(text.contains("onbehalf_jobs{state=\"filed\"} 1"), "{text}");
    assert!(text.contains("onbehalf_mailbox_connected 1"), "{text}");
    assert!(
        text.contains("onbehalf_job_duration_seconds_count 1"),
        "{text}"
    );
}

async fn scrape(port: u16) -> std::io::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await?;
    let mut text = String::new();
    stream.read_to_string(&mut text).await?;
    Ok(text)
}
