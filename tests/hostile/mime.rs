//! Broken MIME structure: boundaries that never close, appear inside a body or do not
//! match, and 100-level nesting of multiparts and of attached messages.

use onbehalf::reason::Reason;

use crate::mail::{self, INVITEE};
use crate::{Expect, check, check_in_child};

fn invite() -> Expect {
    Expect::InviteFor(mail::invite_url(), INVITEE)
}

#[test]
fn missing_close_boundary() {
    let body = mail::alternative_forward(&mail::invite_url(), "b1");
    let body = body.trim_end().strip_suffix("--b1--").unwrap();
    let raw = mail::message(
        "",
        "multipart/alternative; boundary=\"b1\"",
        body.as_bytes(),
    );
    check("missing_close_boundary", &raw, &invite());
}

/// Only the opening delimiter, then the message ends inside the part's headers.
#[test]
fn truncated_inside_part_headers() {
    let raw = mail::message(
        "",
        "multipart/mixed; boundary=\"b1\"",
        b"preamble\r\n--b1\r\nContent-Type: text/pl",
    );
    check(
        "truncated_inside_part_headers",
        &raw,
        &Expect::Rejected(Reason::NoInviteLink),
    );
}

/// The boundary string shows up inside the text part, as a line of its own and as the
/// start of longer lines: the genuine invite is still found (in the HTML part, which
/// the fake delimiter cannot reach).
#[test]
fn boundary_inside_body() {
    let link = mail::invite_url();
    let text = format!(
        "Quoting our MIME setup:\r\n--b1\r\nContent-Type: text/html\r\n\r\n\
         <a href=\"https://engage.example.com.evil.test/invitations/accept?token=x\">x</a>\r\n\
         --b1x not a delimiter\r\n--b1-- neither\r\n{}",
        mail::forwarded_text(&link)
    );
    let body = format!(
        "--b1\r\nContent-Type: text/plain\r\n\r\n{text}\r\n\
         --b1\r\nContent-Type: text/html\r\n\r\n{}\r\n--b1--\r\n",
        mail::forwarded_html(&link)
    );
    let raw = mail::message(
        "",
        "multipart/alternative; boundary=\"b1\"",
        body.as_bytes(),
    );
    check("boundary_inside_body", &raw, &invite());
}

/// An inner multipart declares boundary "inner" but its parts are delimited by "wrong".
/// The parser cannot find the inner parts, so the whole inner body becomes one opaque
/// part: no readable body carries the link, and the answer is a clear no_invite_link.
#[test]
fn nested_multipart_with_wrong_boundary() {
    let link = mail::invite_url();
    let body = format!(
        "--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n\
         --wrong\r\nContent-Type: text/plain\r\n\r\n{}\r\n--wrong--\r\n--outer--\r\n",
        mail::forwarded_text(&link)
    );
    let raw = mail::message("", "multipart/mixed; boundary=\"outer\"", body.as_bytes());
    check(
        "nested_multipart_with_wrong_boundary",
        &raw,
        &Expect::Rejected(Reason::NoInviteLink),
    );
}

/// The inner parts close the outer boundary early, then go on as if nothing happened.
#[test]
fn inner_part_closes_outer_boundary() {
    let link = mail::invite_url();
    let body = format!(
        "--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n\
         --inner\r\nContent-Type: text/plain\r\n\r\n{}\r\n--outer--\r\n\
         --inner\r\nContent-Type: text/html\r\n\r\n{}\r\n--inner--\r\n",
        mail::forwarded_text(&link),
        mail::forwarded_html(&link)
    );
    let raw = mail::message("", "multipart/mixed; boundary=\"outer\"", body.as_bytes());
    check("inner_part_closes_outer_boundary", &raw, &invite());
}

/// `multipart/*` without a boundary, or with an empty one: the parser keeps the body as
/// one opaque part (not a readable text body), so the answer is a clear no_invite_link.
#[test]
fn multipart_without_usable_boundary() {
    let link = mail::invite_url();
    for (case, content_type) in [
        ("multipart_no_boundary", "multipart/mixed"),
        ("multipart_empty_boundary", "multipart/mixed; boundary=\"\""),
    ] {
        let raw = mail::message("", content_type, mail::forwarded_text(&link).as_bytes());
        check(case, &raw, &Expect::Rejected(Reason::NoInviteLink));
    }
}

/// A boundary of 10,000 characters, used correctly.
#[test]
fn huge_boundary() {
    let boundary = "=_".repeat(5000);
    let body = mail::alternative_forward(&mail::invite_url(), &boundary);
    let content_type = format!("multipart/alternative; boundary=\"{boundary}\"");
    let raw = mail::message("", &content_type, body.as_bytes());
    check("huge_boundary", &raw, &invite());
}

/// 10,000 empty parts before the one with the invite.
#[test]
fn ten_thousand_empty_parts() {
    let mut body = "--p\r\nContent-Type: text/plain\r\n\r\n\r\n".repeat(10_000);
    body.push_str(&format!(
        "--p\r\nContent-Type: text/plain\r\n\r\n{}\r\n--p--\r\n",
        mail::forwarded_text(&mail::invite_url())
    ));
    let raw = mail::message("", "multipart/mixed; boundary=\"p\"", body.as_bytes());
    check("ten_thousand_empty_parts", &raw, &invite());
}

/// 100 levels of multipart/mixed, each with its own boundary, the forward at the bottom.
/// Multipart nesting is flat to the extractor (text bodies are listed, however deep),
/// so the invite is found.
fn nested_multiparts(levels: usize) -> Vec<u8> {
    let mut body = format!(
        "Content-Type: text/plain; charset=UTF-8\r\n\r\n{}",
        mail::forwarded_text(&mail::invite_url())
    );
    for level in (0..levels).rev() {
        body = format!(
            "Content-Type: multipart/mixed; boundary=\"lvl{level}\"\r\n\r\n\
             --lvl{level}\r\n{body}\r\n--lvl{level}--\r\n"
        );
    }
    let mut raw = mail::outer_headers().into_bytes();
    raw.extend_from_slice(body.as_bytes());
    raw
}

#[test]
fn hundred_level_nested_multiparts() {
    check(
        "hundred_level_nested_multiparts",
        &nested_multiparts(100),
        &invite(),
    );
}

#[test]
fn ten_thousand_level_nested_multiparts() {
    check_in_child(
        "mime::ten_thousand_level_nested_multiparts",
        || nested_multiparts(10_000),
        &invite(),
    );
}

/// `levels` forwards-as-attachment, each attaching the next (every level has its own
/// `To:`), the original invitation to `INVITEE` at the bottom.
fn nested_attached(levels: usize) -> Vec<u8> {
    let mut inner = mail::original_invitation(INVITEE, &mail::invite_url());
    for level in (1..levels).rev() {
        inner = format!(
            "From: Forwarder {level} <fwd{level}@partner.test>\r\nTo: next{level}@partner.test\r\n\
             Subject: Fwd: level {level}\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"att{level}\"\r\n\r\n\
             --att{level}\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
             --att{level}\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--att{level}--\r\n"
        );
    }
    let body = format!(
        "--att0\r\nContent-Type: text/plain\r\n\r\nPlease help, invitation attached.\r\n\
         --att0\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--att0--\r\n"
    );
    mail::message("", "multipart/mixed; boundary=\"att0\"", body.as_bytes())
}

/// The extractor follows attached messages 32 levels deep (`forward::MAX_DEPTH`): an
/// invite at level 32 is found, with the innermost message's recipient as invitee.
#[test]
fn attached_messages_at_the_depth_cap() {
    check(
        "attached_messages_32_levels",
        &nested_attached(32),
        &invite(),
    );
}

/// One level deeper than the cap, and 100 levels: the invite is not looked for, which
/// is deliberate (nobody forwards 33 times), and the rejection says the nesting was too
/// deep rather than that the email has no invite.
#[test]
fn attached_messages_beyond_the_depth_cap() {
    for levels in [33, 100] {
        let case = format!("attached_messages_{levels}_levels");
        let run = check(
            &case,
            &nested_attached(levels),
            &Expect::Rejected(Reason::NoInviteLink),
        );
        let detail = run.outcome.unwrap_err().detail;
        assert!(detail.contains("nested"), "{case}: {detail}");
    }
}

#[test]
fn ten_thousand_level_attached_messages() {
    check_in_child(
        "mime::ten_thousand_level_attached_messages",
        || nested_attached(10_000),
        &Expect::Rejected(Reason::NoInviteLink),
    );
}

/// Attached messages that are themselves base64-encoded: the parser decodes three
/// levels of those; deeper ones stay opaque.
#[test]
fn base64_encoded_attached_messages() {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut inner = mail::original_invitation(INVITEE, &mail::invite_url());
    for level in (1..10).rev() {
        let encoded = engine.encode(inner.as_bytes());
        inner = format!(
            "From: f{level}@partner.test\r\nTo: n{level}@partner.test\r\nSubject: l{level}\r\n\
             MIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n"
        );
    }
    let raw = mail::message(
        "",
        "multipart/mixed; boundary=\"b\"",
        format!("--b\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--b--\r\n").as_bytes(),
    );
    check(
        "base64_encoded_attached_messages_10_levels",
        &raw,
        &Expect::Rejected(Reason::NoInviteLink),
    );
}
