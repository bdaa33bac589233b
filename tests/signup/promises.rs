//! Who the account is for and what leaves the process, against the simulator: a hidden
//! inviter address is never the login, an email put in the link's query is refused
//! before anything is sent, and a token in the link's path never reaches a detail.

use onbehalf::reason::Reason;
use onbehalf::signup::{self, NoGuard, SignupOptions};
use onbehalf_sim::{Behaviour, InviteSpec};

use super::{Env, jane, rand_suffix};

fn for_invitee(invitee: &str) -> SignupOptions {
    SignupOptions {
        expected_login: Some(invitee.to_owned()),
        ..SignupOptions::default()
    }
}

#[tokio::test]
async fn a_hidden_inviter_email_is_never_the_login() {
    let env = Env::start().await;
    let platform = env.platform();
    let behaviour = Behaviour::ShowsInviter("owner@platform.test".to_owned());
    let url = env.sim.issue_invite(jane().behaviour(behaviour));
    let account = signup::sign_up(
        &platform,
        &url,
        &for_invitee("Jane@Partner.test"),
        &mut NoGuard,
    )
    .await
    .unwrap();
    assert_eq!(account.login, "jane@partner.test");
    assert_eq!(env.sim.accounts()[0].email, "jane@partner.test");

    // Without an invitee to compare with (`onbehalf signup URL`), still the visible one.
    let url = env.sim.issue_invite(
        InviteSpec::new("max@partner.test", "Max", "Muster")
            .behaviour(Behaviour::ShowsInviter("owner@platform.test".to_owned())),
    );
    let account = signup::sign_up(&platform, &url, &SignupOptions::default(), &mut NoGuard)
        .await
        .unwrap();
    assert_eq!(account.login, "max@partner.test");
}

#[tokio::test]
async fn an_email_appended_to_the_link_is_a_login_mismatch_and_nothing_is_posted() {
    let env = Env::start().await;
    let platform = env.platform();
    let token = format!("tok{}", rand_suffix());
    let url = env
        .sim
        .issue_invite(jane().token(&token).behaviour(Behaviour::EmailFromQuery));
    let hostile = format!("{url}&email=attacker%40evil.test");
    assert!(platform.is_invite_link(&hostile), "the pattern accepts it");
    let failure = signup::sign_up(
        &platform,
        &hostile,
        &for_invitee("jane@partner.test"),
        &mut NoGuard,
    )
    .await
    .unwrap_err();
    assert_eq!(failure.reason, Reason::LoginMismatch, "{failure}");
    assert!(!failure.submitted);
    assert!(failure.detail.contains("attacker@evil.test"), "{failure}");
    assert!(!failure.detail.contains(&token), "{failure}");
    assert_eq!(env.posts(), 0);
    assert!(env.sim.accounts().is_empty());

    // The link as the invitee got it still works.
    let account = signup::sign_up(
        &platform,
        &url,
        &for_invitee("jane@partner.test"),
        &mut NoGuard,
    )
    .await
    .unwrap();
    assert_eq!(account.login, "jane@partner.test");
}
