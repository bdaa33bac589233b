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

fn assert_attached_unmodified(message: &mail_parser::Message<'_>, original: &[u8]) {
    let attachments: Vec<_> = message.attachments().collect();
    assert_eq!(attachments.len(), 1);
    let part = attachments[0];
    let content_type = part.content_type().unwrap();
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("message", Some("rfc822"))
    );
    let encoding = part.content_transfer_encoding().unwrap_or("7bit");
    assert!(["7bit", "8bit", "binary"].contains(&encoding), "{encoding}");
    assert_eq!(part.attachment_name(), Some("original.eml"));
    let nested = part.message().expect("the attachment parses as a message");
    assert_eq!(nested.raw_message(), original);
}
