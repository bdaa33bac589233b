//! Mail that gets no ticket, or whose ticket the mail server refuses for good.
//!
//! Junk (no invite link, sender not authenticated) is filed in the needs-human folder
//! without a ticket unless `notify.junk_tickets = true`. A ticket refused with a 5xx is
//! not offered again at every look: the message is filed, `status` lists the job, and
//! `onbehalf retry` sends the ticket again.

use super::Env;
use super::forward::{Auth, Forward};
use super::mails::tickets;
use super::support::smtp::FailStage;

/// A forward with no invite link from `sender`, authenticated or not.
fn without_link(sender: &str, auth: Auth) -> Vec<u8> {
    let mut forward = Forward::by_invitee(sender, "unused").auth(auth);
    forward.urls.clear();
    forward.build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junk_from_an_unauthenticated_sender_is_filed_without_a_ticket() {
    let env = Env::start().await;
    env.append(&without_link("spammer@partner.test", Auth::Fail))
        .await;
    env.append(&without_link("colleague@partner.test", Auth::Pass))
        .await;
    env.once_ok();

    let mails = env.mails();
    let sent = tickets(&mails);
    assert_eq!(sent.len(), 1, "only the authenticated sender's mail");
    assert_eq!(sent[0].reply_to.as_deref(), Some("colleague@partner.test"));
    env.assert_folders(0, 0, 2).await;
    assert_eq!(env.jobs_in("filed"), 2);

    // Tickets for junk, when asked for.
    let config = std::fs::read_to_string(&env.config).unwrap();
    let on = config.replacen("[notify]\n", "[notify]\njunk_tickets = true\n", 1);
    assert_ne!(config, on, "the config has a [notify] table");
    std::fs::write(&env.config, on).unwrap();
    env.append(&without_link("other@partner.test", Auth::Fail))
        .await;
    env.once_ok();
    let mails = env.mails();
    let sent = tickets(&mails);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].reply_to.as_deref(), Some("other@partner.test"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_refused_for_good_is_filed_listed_and_sent_again_by_retry() {
    let mut env = Env::start().await;
    env.smtp.fail_next(1, 554, FailStage::Data);
    env.append(&without_link("colleague@partner.test", Auth::Pass))
        .await;
    let stderr = env.once_ok();
    assert!(stderr.contains("refused the ticket for good"), "{stderr}");
    env.assert_folders(0, 0, 1).await;
    assert!(tickets(&env.mails()).is_empty());

    let status = env.status_json();
    let refused = status["tickets_refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{status}");
    let job = refused[0]["job"].as_str().unwrap().to_owned();
    assert!(
        refused[0]["server_said"].as_str().unwrap().contains("554"),
        "{status}"
    );
    assert!(env.status().contains("tickets refused"));

    // Another look offers nothing again.
    env.once_ok();
    assert_eq!(env.smtp.refused(), 1);
    assert!(tickets(&env.mails()).is_empty());

    let said = env.retry(&job);
    assert!(said.contains("needs_human"), "{said}");
    env.once_ok();
    assert_eq!(tickets(&env.mails()).len(), 1);
    assert_eq!(env.status_json()["tickets_refused"], serde_json::json!([]));
    env.assert_folders(0, 0, 1).await;
}
