//! The ticket: recipients, plain-words subject and the original attached unmodified.

use mail_parser::MimeHeaders;

use super::support::smtp::{SmtpOptions, SmtpServer};
use super::*;

/// The original a UTF-8 client forwards: CRLF lines, 8-bit UTF-8, a leading dot (which
/// SMTP dot-stuffs) and a `From ` line.
pub(crate) const UTF8_ORIGINAL: &str = "From: Ren\u{e9}e <renee@partner.test>\r\n\
To: support@onbehalf.test\r\n\
Subject: Fwd: Einladung zu Engage \u{2013} \u{e4}\u{f6}\u{fc}\r\n\
Message-ID: <orig-1@partner.test>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Gr\u{fc}\u{df}e, der Link geht nicht: https://engage.example.com/invitations/accept?token=abc\r\n\
.a line that starts with a dot\r\n\
From the start of a line\r\n\
\r\n";

#[tokio::test]
async fn ticket_attaches_a_utf8_original_byte_for_byte() {
    let server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    let sent = notifier(&config)
        .send_ticket(&ticket("job-31", UTF8_ORIGINAL.as_bytes()))
        .await
        .unwrap();

    let received = server.wait_for_messages(1, WAIT);
    assert_eq!(received[0].rcpt_to, ["helpdesk@onbehalf.test"]);
    let message = parse(&received[0].raw);
    assert_eq!(
        format!("<{}>", message.message_id().unwrap()),
        sent.message_id
    );
    assert_eq!(
        first_address(message.to()).as_deref(),
        Some("helpdesk@onbehalf.test")
    );
    assert_eq!(
        first_address(message.reply_to()).as_deref(),
        Some("jane@partner.test")
    );
    assert_eq!(
        message.subject(),
        Some(
            "[onbehalf] Could not sign up jane@partner.test on Engage: the invite link has expired"
        )
    );
    let text = message.body_text(0).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("Could not sign up jane@partner.test on Engage: the invite link has expired")
    );
    for expected in [
        "job-31",
        "link_expired",
        "- opened the invite link in a fresh session",
        "- read the page: \"This invitation has expired\"",
        "no longer valid",
    ] {
        assert!(
            text.contains(expected),
            "ticket lacks {expected:?}:\n{text}"
        );
    }
    assert_attached_unmodified(&message, UTF8_ORIGINAL.as_bytes());
}

#[tokio::test]
async fn ticket_attaches_a_latin1_original_byte_for_byte() {
    let server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    let original: &[u8] = b"From: Ren\xe9e <renee@partner.test>\r\n\
Subject: Fwd: Invitation\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Gr\xfc\xdfe: https://engage.example.com/invitations/accept?token=abc\r\n\
.dot\r\n";
    assert!(String::from_utf8(original.to_vec()).is_err());
    notifier(&config)
        .send_ticket(&ticket("job-32", original))
        .await
        .unwrap();
    let received = server.wait_for_messages(1, WAIT);
    assert_attached_unmodified(&parse(&received[0].raw), original);
}

/// The ticket's one attachment, which must be of type `ctype/subtype`.
fn only_attachment<'a>(
    message: &'a mail_parser::Message<'a>,
    ctype: &str,
    subtype: &str,
) -> &'a mail_parser::MessagePart<'a> {
    let attachments: Vec<_> = message.attachments().collect();
    assert_eq!(attachments.len(), 1);
    let part = attachments[0];
    let content_type = part.content_type().unwrap();
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        (ctype, Some(subtype))
    );
    part
}

fn assert_attached_unmodified(message: &mail_parser::Message<'_>, original: &[u8]) {
    let part = only_attachment(message, "message", "rfc822");
    let encoding = part.content_transfer_encoding().unwrap_or("7bit");
    assert!(["7bit", "8bit", "binary"].contains(&encoding), "{encoding}");
    assert_eq!(part.attachment_name(), Some("original.eml"));
    let nested = part.message().expect("the attachment parses as a message");
    assert_eq!(nested.raw_message(), original);
}

/// An original no relay passes intact: a bare CR, a NUL, a 2,000-octet line and the
/// SMTP smuggling sequence `<CR>.<CR><LF>`.
fn hostile_original() -> Vec<u8> {
    let mut original = b"From: Mallory <mallory@partner.test>\r\n\
Subject: Fwd: Invitation\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
bare\rcarriage return\r\n\
a NUL \0 here\r\n"
        .to_vec();
    original.extend(std::iter::repeat_n(b'x', 2000));
    original.extend_from_slice(b"\r\nsmuggle\r.\r\nMAIL FROM:<evil@evil.test>\r\n");
    original.extend_from_slice(b"bare\nline feed\r\n");
    original
}

/// What RFC 5321 lets DATA carry: CRLF line ends only, no NUL, lines of at most 998
/// octets (the server's capture is the DATA content after dot-unstuffing).
fn assert_safe_for_data(raw: &[u8]) {
    assert!(!raw.contains(&0), "a NUL reached the server");
    for (i, byte) in raw.iter().enumerate() {
        match byte {
            b'\r' => assert_eq!(raw.get(i + 1), Some(&b'\n'), "bare CR at {i}"),
            b'\n' => assert!(i > 0 && raw[i - 1] == b'\r', "bare LF at {i}"),
            _ => {}
        }
    }
    let longest = raw
        .split(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line).len())
        .max()
        .unwrap_or(0);
    assert!(
        longest <= 998,
        "a line of {longest} octets reached the server"
    );
}

#[tokio::test]
async fn ticket_with_bare_cr_nul_and_long_lines_goes_as_base64_and_decodes_exactly() {
    let server = SmtpServer::start(SmtpOptions::plain());
    let (config, _dir) = load(&server, "plain", None, "");
    let original = hostile_original();
    notifier(&config)
        .send_ticket(&ticket("job-33", &original))
        .await
        .unwrap();

    let received = server.wait_for_messages(1, WAIT);
    assert_safe_for_data(&received[0].raw);
    assert!(!contains(&received[0].raw, "smuggle\r.\r\n"));
    let message = parse(&received[0].raw);
    let part = only_attachment(&message, "application", "octet-stream");
    assert_eq!(part.content_transfer_encoding(), Some("base64"));
    assert_eq!(part.attachment_name(), Some("original.eml"));
    assert_eq!(part.contents(), original.as_slice());
}

#[tokio::test]
async fn ticket_with_a_plain_ascii_original_attaches_it_as_7bit_rfc822() {
    let server = SmtpServer::start(SmtpOptions::plain());
    let (config, _dir) = load(&server, "plain", None, "");
    let long_line = "y".repeat(300);
    let original = format!(
        "From: jane@partner.test\r\nSubject: Fwd: Invitation\r\n\r\n{long_line}\r\n.\r\nend\r\n"
    );
    notifier(&config)
        .send_ticket(&ticket("job-34", original.as_bytes()))
        .await
        .unwrap();
    let received = server.wait_for_messages(1, WAIT);
    assert_safe_for_data(&received[0].raw);
    let message = parse(&received[0].raw);
    let part = message.attachments().next().unwrap();
    assert_eq!(part.content_transfer_encoding(), Some("7bit"));
    assert_attached_unmodified(&message, original.as_bytes());
}

#[tokio::test]
async fn ticket_over_the_servers_size_carries_headers_and_text_with_a_note() {
    let limit = 200_000;
    let server = SmtpServer::start(SmtpOptions::plain().with_size_limit(limit));
    let (config, _dir) = load(&server, "plain", None, "");
    let mut original = b"From: jane@partner.test\r\n\
Subject: Fwd: Invitation with a big attachment\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain\r\n\
\r\n\
Please sign me up: https://engage.example.com/invitations/accept?token=abc\r\n\
--b\r\n\
Content-Type: application/octet-stream\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n"
        .to_vec();
    for _ in 0..4000 {
        original.extend_from_slice(&[b'A'; 76]);
        original.extend_from_slice(b"\r\n");
    }
    original.extend_from_slice(b"--b--\r\n");
    assert!(original.len() as u64 > limit);

    notifier(&config)
        .send_ticket(&ticket("job-35", &original))
        .await
        .unwrap();
    let received = server.wait_for_messages(1, WAIT);
    assert!(received[0].raw.len() as u64 <= limit);
    let message = parse(&received[0].raw);
    let body = message.body_text(0).unwrap();
    assert!(body.contains("needs-human folder"), "{body}");
    let part = message.attachments().next().unwrap();
    assert_eq!(
        part.attachment_name(),
        Some("original-headers-and-text.txt")
    );
    let summary = String::from_utf8_lossy(part.contents()).into_owned();
    assert!(
        summary.contains("Subject: Fwd: Invitation with a big attachment"),
        "{summary}"
    );
    assert!(summary.contains("Please sign me up"), "{summary}");
    assert!(
        !summary.contains(&"A".repeat(76)),
        "the big part was attached"
    );
}

#[tokio::test]
async fn a_browser_failure_ticket_carries_the_screenshot_and_the_page_text() {
    let server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    let png = b"\x89PNG\r\n\x1a\nnot really an image, but bytes that must arrive as sent".to_vec();
    let mut with_evidence = ticket("job-36", UTF8_ORIGINAL.as_bytes());
    with_evidence.evidence = Some(onbehalf::signup::Evidence {
        screenshot_png: png.clone(),
        visible_text: "Sign up\nPassword must be at most 10 characters".to_owned(),
    });
    notifier(&config).send_ticket(&with_evidence).await.unwrap();

    let received = server.wait_for_messages(1, WAIT);
    let message = parse(&received[0].raw);
    // The original first, as in every ticket, then the page.
    assert_eq!(message.attachments().count(), 3);
    let named = |name: &str| {
        message
            .attachments()
            .find(|a| a.attachment_name() == Some(name))
            .unwrap_or_else(|| panic!("no attachment {name}"))
    };
    let screenshot = named("page.png");
    assert_eq!(screenshot.content_type().unwrap().subtype(), Some("png"));
    assert_eq!(screenshot.contents(), png.as_slice());
    let text = named("page.txt");
    assert!(String::from_utf8_lossy(text.contents()).contains("at most 10 characters"));
}
