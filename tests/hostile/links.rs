//! Links to loopback and metadata addresses, and hosts that look like the platform's:
//! never an invite, whether they stand in an anchor, in the text, or behind a gateway
//! wrapper that is decoded offline. Next to the genuine invite they are ignored (no
//! false ambiguity).

use onbehalf::reason::Reason;

use crate::mail::{self, INVITEE};
use crate::{Expect, check};

/// Addresses a request must never reach: the machine itself and the metadata service.
pub const INTERNAL: [&str; 8] = [
    "https://169.254.169.254/latest/meta-data",
    "https://169.254.169.254/invitations/accept?token=x",
    "https://127.0.0.1/",
    "https://127.0.0.1/invitations/accept?token=x",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/invitations/accept?token=x",
    "http://localhost:8080/invitations/accept?token=x",
    "https://0x7f000001/invitations/accept?token=x",
];

/// Hosts that are not `engage.example.com`, however much they look like it.
pub const LOOK_ALIKES: [&str; 14] = [
    "https://engage.example.com.evil.test/invitations/accept?token=x",
    "https://engage-example.com/invitations/accept?token=x",
    "https://engage.example.co/invitations/accept?token=x",
    "https://eng\u{0430}ge.example.com/invitations/accept?token=x",
    "https://xn--engge-3ye.example.com/invitations/accept?token=x",
    "https://engage.example.com@evil.test/invitations/accept?token=x",
    "https://engage.example.com:443@evil.test/invitations/accept?token=x",
    "https://evil.test\\@engage.example.com/invitations/accept?token=x",
    "https://evil.test\\engage.example.com/invitations/accept?token=x",
    "https://engage.example.com\\@evil.test/invitations/accept?token=x",
    "https://engage.example.com%2eevil.test/invitations/accept?token=x",
    "https://engage.example.com%40evil.test/invitations/accept?token=x",
    "https://evil.test/https://engage.example.com/invitations/accept?token=x",
    "https://evil.test/?https://engage.example.com/invitations/accept?token=x",
];

/// The URL as Microsoft Safe Links rewrites it (decoded offline by the extractor).
fn safe_links(url: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(url.as_bytes()).collect();
    format!(
        "https://eur01.safelinks.protection.outlook.com/?url={encoded}\
         &data=05%7C02%7Cjane.doe%40partner.test%7Cabc%7C0&sdata=x%3D&reserved=0"
    )
}

/// The four places a link can stand: an HTML anchor, HTML text, plain text, a wrapper.
fn placements(url: &str) -> Vec<(&'static str, Vec<u8>)> {
    let escaped = url.replace('&', "&amp;").replace('"', "&quot;");
    vec![
        (
            "anchor",
            mail::html_message(&mail::forwarded_html(&escaped)),
        ),
        (
            "html text",
            mail::html_message(&format!("<p>{}</p>", mail::forwarded_text(&escaped))),
        ),
        ("text", mail::text_forward(url)),
        ("safe links", mail::text_forward(&safe_links(url))),
    ]
}

fn never_an_invite(urls: &[&str]) {
    for url in urls {
        for (place, raw) in placements(url) {
            let case = format!("{url} in {place}");
            check(&case, &raw, &Expect::Rejected(Reason::NoInviteLink));
        }
    }
}

#[test]
fn loopback_and_metadata_links_are_never_invites() {
    never_an_invite(&INTERNAL);
}

#[test]
fn look_alike_hosts_are_never_invites() {
    never_an_invite(&LOOK_ALIKES);
}

/// Every hostile link next to the genuine invite: the genuine one is the invite, and
/// the hostile ones neither replace it nor make it ambiguous.
#[test]
fn hostile_links_next_to_the_genuine_invite() {
    let genuine = mail::invite_url();
    let hostile: Vec<String> = INTERNAL
        .iter()
        .chain(&LOOK_ALIKES)
        .flat_map(|u| [u.to_string(), safe_links(u)])
        .collect();
    let anchors: String = hostile
        .iter()
        .map(|u| {
            format!(
                "<a href=\"{}\">Accept invitation</a><br>",
                u.replace('&', "&amp;")
            )
        })
        .collect();
    let html = mail::forwarded_html(&genuine).replace("<p><a", &format!("{anchors}<p><a"));
    check(
        "hostile_links_next_to_the_genuine_invite html",
        &mail::html_message(&html),
        &Expect::InviteFor(genuine.clone(), INVITEE),
    );
    let text = mail::forwarded_text(&genuine).replace(
        "Accept the invitation:",
        &format!("{}\r\nAccept the invitation:", hostile.join("\r\n")),
    );
    check(
        "hostile_links_next_to_the_genuine_invite text",
        &mail::text_message(text.as_bytes()),
        &Expect::InviteFor(genuine, INVITEE),
    );
}

/// An anchor whose text shows the genuine link while its href goes elsewhere: the href
/// is never taken; the visible text is the invite the user saw.
#[test]
fn anchor_text_disagreeing_with_href() {
    let genuine = mail::invite_url();
    let html = mail::forwarded_html("https://evil.test/invitations/accept?token=x")
        .replace("Accept invitation", &genuine.replace('&', "&amp;"));
    check(
        "anchor_text_disagreeing_with_href",
        &mail::html_message(&html),
        &Expect::InviteFor(genuine, INVITEE),
    );
}

/// Whitespace and control characters that browsers strip from an href, used to glue a
/// look-alike together: the stripped result is still not the platform's host.
#[test]
fn href_whitespace_tricks() {
    for href in [
        "https://engage.example.com\t.evil.test/invitations/accept?token=x",
        "https://engage.example.com\n.evil.test/invitations/accept?token=x",
        " https://engage.example.com&#x2e;evil.test/invitations/accept?token=x",
        "https://engage.example.com&#0;@evil.test/invitations/accept?token=x",
        "javascript:location='https://engage.example.com/invitations/accept?token=x'",
        "data:text/html,https://engage.example.com/invitations/accept?token=x",
    ] {
        let html = mail::forwarded_html(href).replace("Accept invitation", "Accept");
        check(
            &format!("href {href:?}"),
            &mail::html_message(&html),
            &Expect::Rejected(Reason::NoInviteLink),
        );
    }
}
