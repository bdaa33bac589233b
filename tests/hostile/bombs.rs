//! Size and repetition bombs: a 50 MB message, header bombs, 5 MB lines, huge base64,
//! quoted-printable soft-break storms, a million `http://`, 100,000 links, 100,000
//! nested `<div>`s. Each runs in a child process so its peak memory is its own.

use onbehalf::reason::Reason;

use crate::mail::{self, INVITEE};
use crate::{Expect, check_in_child};

fn invite() -> Expect {
    Expect::InviteFor(mail::invite_url(), INVITEE)
}

/// `n` in release builds, a fifth of it in debug builds, for the cases beyond the ones
/// asked for whose full size takes over 5 s unoptimised. A quadratic path still takes
/// minutes at a fifth.
fn scaled(n: usize) -> usize {
    if cfg!(debug_assertions) { n / 5 } else { n }
}

/// 50 MB with the default 25 MB limit: refused before any parsing.
fn fifty_mb() -> Vec<u8> {
    let mut raw = mail::text_forward(&mail::invite_url());
    raw.extend(std::iter::repeat_n(b'a', 50 * 1024 * 1024));
    raw
}

#[test]
fn fifty_mb_message() {
    check_in_child(
        "bombs::fifty_mb_message",
        fifty_mb,
        &Expect::Rejected(Reason::TooLarge),
    );
}

/// 50 MB of header (one folded field that never ends): the size check must not parse it.
#[test]
fn fifty_mb_of_headers() {
    check_in_child(
        "bombs::fifty_mb_of_headers",
        || {
            let mut raw = mail::outer_headers().into_bytes();
            raw.extend_from_slice(b"X-Filler: start");
            raw.extend("\r\n\tfolded".repeat(5 * 1024 * 1024).into_bytes());
            raw
        },
        &Expect::Rejected(Reason::TooLarge),
    );
}

/// Just under the limit (24 MB of text after the forward): parsed, found.
#[test]
fn just_under_the_limit() {
    check_in_child(
        "bombs::just_under_the_limit",
        || {
            let mut body = mail::forwarded_text(&mail::invite_url()).into_bytes();
            body.extend(
                "Lorem ipsum dolor sit amet.\r\n"
                    .repeat(24 * 1024 * 1024 / 29)
                    .into_bytes(),
            );
            mail::text_message(&body)
        },
        &invite(),
    );
}

/// 100,000 header lines before the forward's content.
#[test]
fn hundred_thousand_header_lines() {
    check_in_child(
        "bombs::hundred_thousand_header_lines",
        || {
            let filler: String = (0..100_000)
                .map(|i| format!("X-Filler-{i}: value {i}\r\n"))
                .collect();
            mail::message(
                &filler,
                "text/plain; charset=UTF-8",
                mail::forwarded_text(&mail::invite_url()).as_bytes(),
            )
        },
        &invite(),
    );
}

/// One 10 MB header line.
#[test]
fn ten_mb_header_line() {
    check_in_child(
        "bombs::ten_mb_header_line",
        || {
            let line = format!("X-Long: {}\r\n", "a".repeat(10 * 1024 * 1024));
            mail::message(
                &line,
                "text/plain; charset=UTF-8",
                mail::forwarded_text(&mail::invite_url()).as_bytes(),
            )
        },
        &invite(),
    );
}

/// 10,000 addresses in `To:` and `Cc:` (one folded field each).
#[test]
fn ten_thousand_to_addresses() {
    check_in_child(
        "bombs::ten_thousand_to_addresses",
        || {
            let list = |tag: &str| -> String {
                (0..10_000)
                    .map(|i| format!("\"User {i}\" <{tag}{i}@partner.test>"))
                    .collect::<Vec<_>>()
                    .join(",\r\n ")
            };
            let headers = format!("To: {}\r\nCc: {}\r\n", list("to"), list("cc"));
            mail::message(
                &headers,
                "text/plain; charset=UTF-8",
                mail::forwarded_text(&mail::invite_url()).as_bytes(),
            )
        },
        &invite(),
    );
}

/// The forwarded block's own `To:` lists 10,000 addresses: the first is the invitee.
#[test]
fn ten_thousand_forwarded_recipients() {
    check_in_child(
        "bombs::ten_thousand_forwarded_recipients",
        || {
            let others: Vec<String> = (0..10_000).map(|i| format!("u{i}@partner.test")).collect();
            let text = mail::forwarded_text(&mail::invite_url()).replace(
                &format!("To: Jane Doe <{INVITEE}>"),
                &format!("To: Jane Doe <{INVITEE}>; {}", others.join("; ")),
            );
            mail::text_message(text.as_bytes())
        },
        &invite(),
    );
}

/// A 5 MB line of text, then the forward; and a 5 MB line that ends with the link.
#[test]
fn five_mb_single_line() {
    check_in_child(
        "bombs::five_mb_single_line",
        || {
            let mut body = "word ".repeat(1024 * 1024).into_bytes();
            body.extend_from_slice(b"\r\n");
            body.extend(mail::forwarded_text(&mail::invite_url()).into_bytes());
            mail::text_message(&body)
        },
        &invite(),
    );
}

#[test]
fn five_mb_line_ending_with_the_link() {
    check_in_child(
        "bombs::five_mb_line_ending_with_the_link",
        || {
            let mut body = "word ".repeat(1024 * 1024);
            body.push_str(&mail::invite_url());
            mail::text_message(body.as_bytes())
        },
        &Expect::Invite(mail::invite_url()),
    );
}

/// 18 MB of base64 attachment (13 MB decoded) next to the forward.
#[test]
fn huge_base64_attachment() {
    check_in_child(
        "bombs::huge_base64_attachment",
        || {
            let line = "A".repeat(76) + "\r\n";
            let body = format!(
                "--m\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n{}\r\n\
                 --m\r\nContent-Type: application/zip; name=\"bomb.zip\"\r\n\
                 Content-Disposition: attachment; filename=\"bomb.zip\"\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n{}--m--\r\n",
                mail::forwarded_text(&mail::invite_url()),
                line.repeat(240_000)
            );
            mail::message("", "multipart/mixed; boundary=\"m\"", body.as_bytes())
        },
        &invite(),
    );
}

/// The HTML body itself is 15 MB of base64 (11 MB of HTML, the invite at the end; a
/// fifth of that in debug builds).
#[test]
fn huge_base64_html_body() {
    check_in_child(
        "bombs::huge_base64_html_body",
        || {
            use base64::Engine;
            let mut html = "<p>filler paragraph text</p>\n".repeat(scaled(400_000));
            html.push_str(&mail::forwarded_html(&mail::invite_url()));
            let encoded = base64::engine::general_purpose::STANDARD.encode(html.as_bytes());
            let mut body = String::with_capacity(encoded.len() * 78 / 76 + 2);
            for chunk in encoded.as_bytes().chunks(76) {
                body.push_str(std::str::from_utf8(chunk).unwrap());
                body.push_str("\r\n");
            }
            mail::message(
                "Content-Transfer-Encoding: base64\r\n",
                "text/html; charset=UTF-8",
                body.as_bytes(),
            )
        },
        &invite(),
    );
}

/// 3 million quoted-printable soft line breaks, then the forward (encoded as QP).
#[test]
fn quoted_printable_soft_break_storm() {
    check_in_child(
        "bombs::quoted_printable_soft_break_storm",
        || {
            let mut body = "=\r\n".repeat(3_000_000);
            body.push_str(&mail::forwarded_text(&mail::invite_url()).replace('=', "=3D"));
            mail::message(
                "Content-Transfer-Encoding: quoted-printable\r\n",
                "text/plain; charset=UTF-8",
                body.as_bytes(),
            )
        },
        &invite(),
    );
}

/// A soft line break after every character of the forward (valid quoted-printable).
#[test]
fn quoted_printable_soft_break_after_every_character() {
    check_in_child(
        "bombs::quoted_printable_soft_break_after_every_character",
        || {
            let forward = mail::forwarded_text(&mail::invite_url());
            let split: String = forward
                .chars()
                .map(|c| match c {
                    '=' => "=3D=\r\n".to_owned(),
                    c => format!("{c}=\r\n"),
                })
                .collect();
            mail::message(
                "Content-Transfer-Encoding: quoted-printable\r\n",
                "text/plain; charset=UTF-8",
                split.as_bytes(),
            )
        },
        &invite(),
    );
}

/// A million malformed escapes (`=ZZ`, `==`, a lone `=` before CR): the decoder gives up
/// and keeps the part as written, where the forward (written plainly) is still readable.
#[test]
fn quoted_printable_broken_escapes() {
    check_in_child(
        "bombs::quoted_printable_broken_escapes",
        || {
            let mut body = "=ZZ =G==\r= x=\r".repeat(1_000_000);
            body.push_str("\r\n");
            body.push_str(&mail::forwarded_text(&mail::invite_url()));
            mail::message(
                "Content-Transfer-Encoding: quoted-printable\r\n",
                "text/plain; charset=UTF-8",
                body.as_bytes(),
            )
        },
        &invite(),
    );
}

/// A million `http://` prefixes with nothing after them, on one line, then the forward.
#[test]
fn million_http_prefixes() {
    check_in_child(
        "bombs::million_http_prefixes",
        || {
            let mut body = "http:// ".repeat(1_000_000);
            body.push_str("\r\n");
            body.push_str(&mail::forwarded_text(&mail::invite_url()));
            mail::text_message(body.as_bytes())
        },
        &invite(),
    );
}

/// A million short URLs on one line (each a candidate link), then the forward (200,000
/// in debug builds).
#[test]
fn million_short_urls_on_one_line() {
    check_in_child(
        "bombs::million_short_urls_on_one_line",
        || {
            let mut body = "http://a.b ".repeat(scaled(1_000_000));
            body.push_str("\r\n");
            body.push_str(&mail::forwarded_text(&mail::invite_url()));
            mail::text_message(body.as_bytes())
        },
        &invite(),
    );
}

/// A million `http://` run together (one 7 MB "URL"), then the forward.
#[test]
fn million_http_prefixes_run_together() {
    check_in_child(
        "bombs::million_http_prefixes_run_together",
        || {
            let mut body = "http://".repeat(1_000_000);
            body.push_str("\r\n");
            body.push_str(&mail::forwarded_text(&mail::invite_url()));
            mail::text_message(body.as_bytes())
        },
        &invite(),
    );
}

/// The invite followed by a million `)`: trailing punctuation is trimmed in linear time.
#[test]
fn invite_followed_by_a_million_parentheses() {
    check_in_child(
        "bombs::invite_followed_by_a_million_parentheses",
        || {
            let body = mail::forwarded_text(&(mail::invite_url() + &")".repeat(1_000_000)));
            mail::text_message(body.as_bytes())
        },
        &invite(),
    );
}

/// A line of a million `>` quote markers holding 100,000 URLs.
#[test]
fn deep_quote_prefix_with_many_urls() {
    check_in_child(
        "bombs::deep_quote_prefix_with_many_urls",
        || {
            let mut body = ">".repeat(1_000_000);
            body.push_str(&" http://a.b/x".repeat(100_000));
            body.push_str("\r\n");
            body.push_str(&mail::forwarded_text(&mail::invite_url()));
            mail::text_message(body.as_bytes())
        },
        &invite(),
    );
}

/// 100,000 links in HTML, one of them the invite.
#[test]
fn html_with_100k_links_one_invite() {
    check_in_child(
        "bombs::html_with_100k_links_one_invite",
        || {
            let links: String = (0..100_000)
                .map(|i| format!("<a href=\"https://www.partner.test/p/{i}\">link {i}</a> "))
                .collect();
            mail::html_message(
                &mail::forwarded_html(&mail::invite_url())
                    .replace("<p><a", &format!("<p>{links}</p><p><a")),
            )
        },
        &invite(),
    );
}

/// 100,000 different invite links: ambiguous, with a detail that stays a sentence.
#[test]
fn html_with_100k_invite_links() {
    check_in_child(
        "bombs::html_with_100k_invite_links",
        || {
            let links: String = (0..100_000)
                .map(|i| format!("<a href=\"{}\">accept</a> ", mail::other_invite_url(i)))
                .collect();
            mail::html_message(&format!("<html><body>{links}</body></html>"))
        },
        &Expect::Rejected(Reason::AmbiguousInviteLinks),
    );
}

/// The same invite 100,000 times (20,000 in debug builds), with no forwarded header
/// block to say who it is for.
#[test]
fn html_with_the_invite_100k_times() {
    check_in_child(
        "bombs::html_with_the_invite_100k_times",
        || {
            let link = format!("<a href=\"{}\">accept</a>\n", mail::invite_url());
            mail::html_message(&format!(
                "<html><body>{}</body></html>",
                link.repeat(scaled(100_000))
            ))
        },
        &Expect::Invite(mail::invite_url()),
    );
}

/// The same in plain text, each on its own line.
#[test]
fn text_with_the_invite_100k_times() {
    check_in_child(
        "bombs::text_with_the_invite_100k_times",
        || {
            let line = format!("Accept: {}\r\n", mail::invite_url());
            mail::text_message(line.repeat(scaled(100_000)).as_bytes())
        },
        &Expect::Invite(mail::invite_url()),
    );
}

/// 100,000 nested `<div>`s around the forward.
#[test]
fn hundred_thousand_nested_divs() {
    check_in_child(
        "bombs::hundred_thousand_nested_divs",
        || {
            let html = format!(
                "<html><body>{}{}{}</body></html>",
                "<div>".repeat(100_000),
                mail::forwarded_html(&mail::invite_url()),
                "</div>".repeat(100_000)
            );
            mail::html_message(&html)
        },
        &invite(),
    );
}

/// 100,000 unclosed formatting elements, each different (so none are merged), then
/// paragraphs that make the parser rebuild them: an amplification attack on HTML tree
/// builders.
#[test]
fn unclosed_formatting_elements() {
    check_in_child(
        "bombs::unclosed_formatting_elements",
        || {
            let opened: String = (0..100_000).map(|i| format!("<b id={i}>")).collect();
            let html = format!(
                "<html><body><p>{opened}</p>{}{}</body></html>",
                "<p>x</p>".repeat(1000),
                mail::forwarded_html(&mail::invite_url())
            );
            mail::html_message(&html)
        },
        &invite(),
    );
}

/// One tag with 100,000 different attributes (the tokenizer checks each new attribute
/// against the tag's earlier ones), then the forward. Such HTML is read as plain text:
/// the invite is found in its source; the invitee is not (the header block is markup).
#[test]
fn tag_with_100k_attributes() {
    check_in_child(
        "bombs::tag_with_100k_attributes",
        || {
            let attributes: String = (0..100_000).map(|i| format!(" a{i}=x")).collect();
            mail::html_message(&format!(
                "<html><body><div{attributes}>x</div>{}</body></html>",
                mail::forwarded_html(&mail::invite_url())
            ))
        },
        &Expect::Invite(mail::invite_url()),
    );
}
