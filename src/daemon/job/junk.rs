//! Whether a job that needs a human is owed a ticket at all.
//!
//! In: the job's reason, its original and the config. Out: `true` when it is junk: no
//! invite link, and no trusted server vouches for the sender, whose From the ticket's
//! Reply-To would be (so answering it could write to a forged address). Junk is filed in
//! the needs-human folder without a ticket; `notify.junk_tickets = true` tickets it anyway.

use mail_parser::MessageParser;

use crate::config::{Config, PolicyConfig};
use crate::extract::Invite;
use crate::reason::Reason;
use crate::vet;

/// See the module header.
pub(super) fn is_junk(reason: &str, original: &[u8], config: &Config) -> bool {
    reason == Reason::NoInviteLink.as_str()
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
        invitee_name: None,
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
            Config::from_toml(&text, std::path::Path::new("/etc/onbehalf/onbehalf.toml"))
                .expect("test config")
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
}
