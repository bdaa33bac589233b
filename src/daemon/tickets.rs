//! What a ticket says: plain-words headlines for every reason a job can need a human.
//!
//! In: a machine reason from any stage (`no_invite_link`, `link_expired`, …). Out: the
//! sentence a help-desk agent reads first, and the step they should take; and, with the
//! original and the config, whether a ticket is owed at all ([`is_junk`]).

use mail_parser::MessageParser;

use crate::config::{Config, PolicyConfig};
use crate::extract::Invite;
use crate::vet;

/// Reason a job stopped when the daemon itself could not tell the outcome.
pub const UNCERTAIN_ACCOUNT_STATE: &str = "uncertain_account_state";
/// Reason when the platform created an account but nobody can be told its login.
pub const NO_LOGIN_ADDRESS: &str = "no_login_address";
/// Reason when the mail server refused the credentials mail for good (the account exists).
pub const CREDENTIALS_REFUSED: &str = "credentials_refused";

/// The headline for a reason: what happened, in plain words.
pub fn headline(reason: &str) -> &'static str {
    match reason {
        "no_invite_link" => "no invite link was found in the forwarded email",
        "ambiguous_invite_links" => "the email contains several different invite links",
        "opaque_wrapped_link" => "the invite link is hidden behind link protection",
        "unsupported_format" => "the invitation was forwarded in an Outlook-only format",
        "too_large" => "the email is too large to process",
        "unreadable" => "the message is not a readable email",
        "unauthenticated_sender" => "the sender of the forward could not be verified",
        "sender_not_allowed" => "the sender's domain is not served",
        "unknown_sender" => "the forward has no sender address",
        "link_expired" => "the invite link has expired or was already used",
        "already_registered" => "the user already has an account",
        "password_rejected" => "the platform refused every generated password",
        "rate_limited" => "the platform kept refusing requests (rate limit)",
        "server_error" => "the platform kept failing with server errors",
        "form_not_found" => "the signup page has no usable form",
        "blocked_redirect" => "the invite link redirected to a host that is not allowed",
        "unexpected_page" => "the platform answered with an unexpected page",
        "network" => "the platform could not be reached",
        UNCERTAIN_ACCOUNT_STATE => "it is not certain whether the account was created",
        NO_LOGIN_ADDRESS => "an account was created but its login address is unknown",
        CREDENTIALS_REFUSED => "an account was created but its credentials mail was refused",
        _ => "the invite could not be handled automatically",
    }
}

/// What the agent should do next for a reason.
pub fn next_step(reason: &str) -> &'static str {
    match reason {
        "no_invite_link" | "unreadable" => {
            "Ask the user to forward the original invitation email (not a reply or a screenshot)."
        }
        "ambiguous_invite_links" => {
            "Ask the user which invitation they need, then sign them up by hand."
        }
        "opaque_wrapped_link" => {
            "Ask the user to copy the invite link's text, or to forward from a mailbox without link protection."
        }
        "unsupported_format" => "Ask the user to forward the invitation again as a normal email.",
        "too_large" => "Ask the user to forward only the invitation, without attachments.",
        "unauthenticated_sender" | "sender_not_allowed" | "unknown_sender" => {
            "Confirm the request with the user through another channel before acting on it."
        }
        "link_expired" => "Ask the platform's administrator to send the user a new invitation.",
        "already_registered" => "Tell the user to log in or reset their password on the platform.",
        "password_rejected" | "form_not_found" | "unexpected_page" | "blocked_redirect" => {
            "Sign the user up by hand, and tell the operators: the platform profile may need updating."
        }
        "rate_limited" | "server_error" | "network" => {
            "Try again later with `onbehalf retry JOB`, or sign the user up by hand."
        }
        UNCERTAIN_ACCOUNT_STATE => {
            "Check on the platform whether the account exists; if not, run `onbehalf retry JOB`."
        }
        NO_LOGIN_ADDRESS => "Find the account on the platform and send the user a password reset.",
        CREDENTIALS_REFUSED => {
            "Check the user's address and the mail server's answer; once fixed, run \
             `onbehalf retry JOB` to send the kept credentials (the account already exists)."
        }
        _ => "Handle the request by hand.",
    }
}

/// Whether a job is junk that gets no ticket: no invite link, and no trusted server
/// vouches for the sender, whose From the ticket's Reply-To would be (so answering it
/// could write to a forged address). `notify.junk_tickets = true` tickets it anyway.
pub fn is_junk(reason: &str, original: &[u8], config: &Config) -> bool {
    reason == "no_invite_link"
        && !config.notify.junk_tickets
        && !sender_authenticated(original, &config.policy)
}

/// vet's own judgement of the From against trusted `Authentication-Results`, and nothing
/// else the policy asks of a forward that is acted on (allowed domains).
fn sender_authenticated(raw: &[u8], policy: &PolicyConfig) -> bool {
    let Some(sender) = MessageParser::new()
        .parse_headers(raw)
        .and_then(|h| Some(h.from()?.first()?.address()?.to_owned()))
    else {
        return false;
    };
    let authentication_only = PolicyConfig {
        require_authenticated_sender: true,
        allowed_sender_domains: Vec::new(),
        ..policy.clone()
    };
    let sender_only = Invite {
        platform: String::new(),
        invite_url: String::new(),
        invitee: None,
        requester: Some(sender),
        subject: None,
        message_id: None,
    };
    vet::vet(raw, &sender_only, &authentication_only).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unauthenticated_mail_without_a_link_is_junk() {
        let config = |extra: &str| {
            let text = format!(
                "[[platform]]\nname = \"Engage\"\n\
                 invite_links = [\"https://engage.example.com/invitations/accept?*\"]\n\
                 allowed_hosts = [\"engage.example.com\"]\n\
                 [policy]\ntrusted_authserv_ids = [\"mx.onbehalf.test\"]\n\
                 allowed_sender_domains = [\"other.test\"]\n{extra}"
            );
            Config::from_toml(&text, std::path::Path::new("/etc/onbehalf/onbehalf.toml")).unwrap()
        };
        let forged = b"From: jane@partner.test\r\nSubject: hi\r\n\r\nno link\r\n";
        let vouched = b"Authentication-Results: mx.onbehalf.test; dmarc=pass \
            header.from=partner.test\r\nFrom: jane@partner.test\r\nSubject: hi\r\n\r\nno link\r\n";
        let default = config("");
        assert!(is_junk("no_invite_link", forged, &default));
        assert!(is_junk(
            "no_invite_link",
            b"Subject: no sender\r\n\r\nx\r\n",
            &default
        ));
        // Outside allowed_sender_domains, but authenticated: a person to answer.
        assert!(!is_junk("no_invite_link", vouched, &default));
        assert!(!is_junk("link_expired", forged, &default));
        let on = config("[notify]\njunk_tickets = true\n");
        assert!(!is_junk("no_invite_link", forged, &on));
    }

    #[test]
    fn every_known_reason_has_its_own_words() {
        for reason in [
            "no_invite_link",
            "ambiguous_invite_links",
            "opaque_wrapped_link",
            "unsupported_format",
            "too_large",
            "unreadable",
            "unauthenticated_sender",
            "sender_not_allowed",
            "unknown_sender",
            "link_expired",
            "already_registered",
            "password_rejected",
            "rate_limited",
            "server_error",
            "form_not_found",
            "blocked_redirect",
            "unexpected_page",
            "network",
            UNCERTAIN_ACCOUNT_STATE,
            NO_LOGIN_ADDRESS,
            CREDENTIALS_REFUSED,
        ] {
            assert_ne!(headline(reason), headline("something_new"), "{reason}");
            assert_ne!(next_step(reason), next_step("something_new"), "{reason}");
        }
    }
}
