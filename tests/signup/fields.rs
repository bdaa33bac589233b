//! Fields the platform leaves empty, against the simulator: required name fields filled
//! from the invitee's display name (split when the page asks for given and family names
//! apart), a field nothing can fill stopping the signup with its label, and an invite
//! that a first visit uses up.

use onbehalf::reason::Reason;
use onbehalf::signup::{self, NoGuard, SignupOptions};
use onbehalf_sim::{AccountRecord, Behaviour};

use super::{Env, expect_failure, jane};

fn named(name: Option<&str>) -> SignupOptions {
    SignupOptions {
        expected_login: Some("jane@partner.test".to_owned()),
        invitee_name: name.map(str::to_owned),
        ..SignupOptions::default()
    }
}

#[tokio::test]
async fn empty_required_names_are_filled_from_the_invitees_display_name() {
    let env = Env::start().await;
    for (display, first, last) in [
        ("Doe, Jane", "Jane", "Doe"),
        ("Mary Ann Smith", "Mary Ann", "Smith"),
    ] {
        // One account per email and workspace: a workspace per case.
        let spec = jane()
            .workspace(display)
            .behaviour(Behaviour::NamesNotPrefilled);
        let url = env.sim.issue_invite(spec);
        let options = named(Some(display));
        signup::sign_up(&env.platform(), &url, &options, &mut NoGuard)
            .await
            .unwrap_or_else(|f| panic!("{display}: {f}"));
        let last_account = env.sim.accounts().pop();
        let expected = AccountRecord {
            email: "jane@partner.test".into(),
            first_name: first.into(),
            last_name: last.into(),
        };
        assert_eq!(last_account, Some(expected), "{display}");
    }
    assert_eq!(env.posts(), 2);
}

#[tokio::test]
async fn a_required_field_nothing_can_fill_is_a_ticket_naming_it_by_its_label() {
    let env = Env::start().await;
    let cases = [
        (
            Behaviour::NamesNotPrefilled,
            None,
            &["First name", "Last name"][..],
        ),
        // A single word is a given name; the family name is not invented.
        (
            Behaviour::NamesNotPrefilled,
            Some("Cher"),
            &["Last name"][..],
        ),
        // Never an address in a name field.
        (
            Behaviour::NamesNotPrefilled,
            Some("jane@partner.test"),
            &["First name", "Last name"][..],
        ),
        (
            Behaviour::RequiresPhone,
            Some("Jane Doe"),
            &["Mobile phone"][..],
        ),
    ];
    for (behaviour, display, fields) in cases {
        let (url, token) = env.invite(behaviour.clone());
        let result = signup::sign_up(&env.platform(), &url, &named(display), &mut NoGuard).await;
        let failure = expect_failure(result, Reason::RequiredFieldEmpty, &token);
        assert!(!failure.submitted, "{failure}");
        for field in fields {
            assert!(
                failure.detail.contains(&format!("requires {field} (field")),
                "{behaviour:?} {display:?}: {failure}"
            );
        }
        assert!(
            !failure.detail.contains("requires First name") || fields.contains(&"First name"),
            "{failure}"
        );
    }
    assert_eq!(env.posts(), 0, "nothing was submitted");
    assert!(env.sim.accounts().is_empty());
}

#[tokio::test]
async fn a_dry_run_uses_up_an_invite_opened_once_and_the_real_run_says_so() {
    let env = Env::start().await;
    let (url, token) = env.invite(Behaviour::UsedOnFirstView);
    let probed = signup::probe(&env.platform(), &url, &SignupOptions::default())
        .await
        .unwrap();
    assert!(probed.problems.is_empty(), "{:?}", probed.problems);
    let failure = expect_failure(
        signup::sign_up(&env.platform(), &url, &named(None), &mut NoGuard).await,
        Reason::LinkExpired,
        &token,
    );
    assert!(!failure.submitted);
    assert!(
        failure.detail.contains("already been used"),
        "quotes the platform: {failure}"
    );
    assert_eq!(env.posts(), 0);

    // A failure after the form was opened says the link may be used up now.
    let (url, token) = env.invite(Behaviour::UsedOnFirstView);
    let options = SignupOptions {
        dry_run: true,
        ..SignupOptions::default()
    };
    let failure = expect_failure(
        signup::sign_up(&env.platform(), &url, &options, &mut NoGuard).await,
        Reason::UnexpectedPage,
        &token,
    );
    assert!(failure.detail.contains("may be used up now"), "{failure}");
    // The session that opened it can still sign up, as on such platforms.
    let (url, _) = env.invite(Behaviour::UsedOnFirstView);
    signup::sign_up(&env.platform(), &url, &named(None), &mut NoGuard)
        .await
        .unwrap();
    assert_eq!(env.sim.accounts().len(), 1);
}
