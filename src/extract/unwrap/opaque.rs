//! Wrappers whose target is stored at the provider: Mimecast, SendGrid and Mailchimp.
//!
//! In: a parsed link. Out: which opaque wrapper it is, if any, and Mimecast's host hint.
//! Decoding these would mean requesting them, which may spend a one-time token.

use super::Opaque;
use super::link::Link;

/// The opaque wrapper the link is, if any.
pub(super) fn recognise(link: &Link<'_>) -> Option<Opaque> {
    if is_mimecast(link) {
        Some(Opaque::Mimecast)
    } else if is_sendgrid(link) {
        Some(Opaque::Sendgrid)
    } else if is_mailchimp(link) {
        Some(Opaque::Mailchimp)
    } else {
        None
    }
}

/// `protect-<region>.mimecast.com/s/…` and `*.mimecastprotect.com/s/…`.
fn is_mimecast(link: &Link<'_>) -> bool {
    let host_matches = link
        .label_before("mimecast.com")
        .is_some_and(|label| label.starts_with("protect-"))
        || link.host_is_below("mimecastprotect.com");
    host_matches && link.rest.starts_with("/s/")
}

/// `*.ct.sendgrid.net/ls/click?upn=…`, and branded `urlNNNN.<domain>/(ls|wf)/click?upn=…`.
fn is_sendgrid(link: &Link<'_>) -> bool {
    if link.raw_param("upn").is_none() {
        return false;
    }
    if link.host_is_below("ct.sendgrid.net") {
        return link.path() == "/ls/click";
    }
    let branded = link.host.split_once('.').is_some_and(|(label, domain)| {
        label
            .strip_prefix("url")
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            && domain.contains('.')
    });
    branded && matches!(link.path(), "/ls/click" | "/wf/click")
}

/// `*.list-manage.com/track/click?…`.
fn is_mailchimp(link: &Link<'_>) -> bool {
    link.host_is_below("list-manage.com") && link.path() == "/track/click"
}

/// Mimecast's `domain` parameter names the target's host; kept only when it reads as a
/// host name.
pub(super) fn mimecast_host_hint(link: &Link<'_>) -> Option<String> {
    let hint = link.param("domain")?.to_ascii_lowercase();
    let plausible = !hint.is_empty()
        && hint
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    plausible.then_some(hint)
}
