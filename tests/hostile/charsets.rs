//! Charsets that do not exist, lie, or are broken, and RFC 2047 garbage in headers.
//! Links are ASCII, so whatever the decoder makes of the rest, a correctly declared
//! link survives; a charset that turns the link itself into other characters leaves
//! nothing to find, which is a clear no_invite_link.

use onbehalf::reason::Reason;

use crate::mail::{self, INVITEE};
use crate::{Expect, check};

fn invite() -> Expect {
    Expect::InviteFor(mail::invite_url(), INVITEE)
}

fn with_charset(charset: &str, body: &[u8]) -> Vec<u8> {
    mail::message("", &format!("text/plain; charset=\"{charset}\""), body)
}

#[test]
fn unknown_charset_names() {
    let body = mail::forwarded_text(&mail::invite_url());
    let long = "x".repeat(10_000);
    for charset in [
        "x-klingon",
        "utf-9",
        "",
        "\u{0}",
        long.as_str(),
        "utf-8\"; charset=\"utf-16",
    ] {
        let case = format!("unknown_charset {:.20?}", charset);
        check(&case, &with_charset(charset, body.as_bytes()), &invite());
    }
}

#[test]
fn invalid_utf8_in_a_utf8_part() {
    let mut body =
        b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x82\xf0\x28\x8c\xbc broken \xed\xa0\x80\r\n".to_vec();
    body.extend(mail::forwarded_text(&mail::invite_url()).into_bytes());
    body.extend_from_slice(b"\r\n\xc0\xaf\xf8\x88\x80\x80\x80\r\n");
    check(
        "invalid_utf8_in_a_utf8_part",
        &with_charset("utf-8", &body),
        &invite(),
    );
}

/// Declared UTF-16 but written in ASCII: decoded, every two bytes become one CJK
/// character and no link is left.
#[test]
fn charset_lying_utf16() {
    let body = mail::forwarded_text(&mail::invite_url());
    check(
        "charset_lying_utf16",
        &with_charset("utf-16le", body.as_bytes()),
        &Expect::Rejected(Reason::NoInviteLink),
    );
}

/// Declared as single-byte or Japanese charsets while the body is UTF-8 with
/// non-ASCII text: the ASCII link is unchanged by any ASCII-compatible decoder.
#[test]
fn charset_lying_ascii_compatible() {
    let body = mail::forwarded_text(&mail::invite_url())
        .replace("Thanks", "Merci, ça marche pas — 日本語");
    for charset in [
        "us-ascii",
        "iso-8859-1",
        "windows-1252",
        "koi8-r",
        "shift_jis",
        "euc-jp",
        "gb18030",
        "big5",
    ] {
        check(
            &format!("charset_lying {charset}"),
            &with_charset(charset, body.as_bytes()),
            &invite(),
        );
    }
}

/// Declared ISO-2022-JP (stateful, escape sequences) with a stray escape before the link
/// that switches to JIS X 0208: the link's bytes decode as kanji, so it is gone.
#[test]
fn charset_lying_iso2022jp_escape() {
    let body = format!("\x1b$B{}", mail::forwarded_text(&mail::invite_url()));
    check(
        "charset_lying_iso2022jp_escape",
        &with_charset("iso-2022-jp", body.as_bytes()),
        &Expect::Rejected(Reason::NoInviteLink),
    );
}

/// RFC 2047 encoded words that are malformed, in unknown charsets, or enormous, in the
/// headers the extractor reads (From, To, Subject).
#[test]
fn rfc2047_garbage() {
    let huge = format!("=?utf-8?B?{}?=", "QUFB".repeat(250_000));
    let headers = format!(
        "X-Junk: =?utf-8?B?!!!notbase64?= =?x-unknown?Q?=FF=FE?= =?utf-8?Q?unterminated\r\n\
         Comments: =?=?=?utf-8?q??= =???= =?utf-8??x?= =?utf-8*en?Q?a?=\r\n\
         Keywords: {huge}\r\n"
    );
    let mut raw = mail::message(
        &headers,
        "text/plain; charset=UTF-8",
        mail::forwarded_text(&mail::invite_url()).as_bytes(),
    );
    let garbage_from = "From: =?utf-8?B?SmFuZQ==?= =?bogus?Q?=00=0A?= <jane.doe@partner.test>";
    let text = String::from_utf8(raw.clone()).unwrap()
        .replace("From: Jane Doe <jane.doe@partner.test>", garbage_from)
        .replace("Subject: Fwd: You're", "Subject: =?utf-8?B?////?= =?iso-2022-jp?B?GyRCJCIbKEI?= =?utf-7?Q?+AGEAYgBj-?= Fwd: You're");
    raw = text.into_bytes();
    let run = check("rfc2047_garbage", &raw, &invite());
    assert_eq!(
        run.outcome.unwrap().requester.as_deref(),
        Some("jane.doe@partner.test")
    );
}

/// NUL bytes and other control characters in the body and around the link.
#[test]
fn control_characters() {
    let body = format!(
        "\0\0\0\x07\x08\x1b[31m\r\n{}\0\r\n",
        mail::forwarded_text(&format!("{}\0", mail::invite_url()))
    );
    check(
        "control_characters",
        &with_charset("utf-8", body.as_bytes()),
        &invite(),
    );
}
