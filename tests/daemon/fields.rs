//! Fields the platform leaves empty, through the daemon: the invitee's display name in
//! the forwarded original fills the signup form's empty name fields, and a field
//! nothing can fill is a ticket naming it, which also says the link may be used up.

use onbehalf_sim::Behaviour;

use super::Env;
use super::forward::{self, Forward};

const JANE: &str = "jane.doe@partner.test";

/// The forward with the original's To written `"Doe, Jane" <…>` (plain text) and
/// `Doe, Jane <…>` (HTML), as Gmail shows a named recipient.
fn named_forward(url: &str) -> Vec<u8> {
    let raw = String::from_utf8(Forward::by_invitee(JANE, url).build()).unwrap();
    let named = raw
        .replace(
            &format!("To: <{JANE}>"),
            &format!("To: \"Doe, Jane\" <{JANE}>"),
        )
        .replace("To: &lt;<a", "To: Doe, Jane &lt;<a");
    assert_ne!(named, raw, "the forward names the invitee");
    named.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invitees_display_name_fills_the_empty_name_fields() {
    let env = Env::start().await;
    let url = forward::invite_with(&env.sim, JANE, Behaviour::NamesNotPrefilled);
    env.secret(&forward::token_of(&url));
    env.append(&named_forward(&url)).await;

    env.once_ok();

    let accounts = env.sim.accounts();
    assert_eq!(accounts.len(), 1, "logs:\n{}", env.logs());
    assert_eq!(
        (
            accounts[0].first_name.as_str(),
            accounts[0].last_name.as_str()
        ),
        ("Jane", "Doe")
    );
    env.assert_credentials(JANE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_nothing_can_fill_is_a_ticket_naming_it() {
    let env = Env::start().await;
    let url = forward::invite_with(&env.sim, JANE, Behaviour::RequiresPhone);
    env.secret(&forward::token_of(&url));
    env.append(&named_forward(&url)).await;

    env.once_ok();

    let ticket = env.assert_one_ticket_about("required_field_empty", "cannot fill in");
    assert!(ticket.text.contains("Mobile phone"), "{}", ticket.text);
    assert!(
        ticket.text.contains("may be used up now"),
        "{}",
        ticket.text
    );
    assert!(env.sim.accounts().is_empty());
}
