//! What the SMTP server received, read as a help-desk agent or a user would.
//!
//! In: the raw mails aiosmtpd accepted. Out: [`Mail`]s with their envelope recipients,
//! headers, text body, the password in a credentials mail, and a ticket's attachment —
//! plus assertions shared by the tests (a ticket's shape, a credentials mail that works).

use mail_parser::{MessageParser, MimeHeaders};

use super::support::smtp::Received;
use super::{Env, HELPDESK};

/// One accepted mail.
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    pub rcpt_to: Vec<String>,
    pub raw: Vec<u8>,
    pub subject: String,
    pub text: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub reply_to: Option<String>,
}

impl From<&Received> for Mail {
    fn from(received: &Received) -> Self {
        let message = MessageParser::default().parse(&received.raw).unwrap();
        let ids = |value: &mail_parser::HeaderValue<'_>| -> Vec<String> {
            match value {
                mail_parser::HeaderValue::Text(id) => vec![id.to_string()],
                mail_parser::HeaderValue::TextList(ids) => {
                    ids.iter().map(|id| id.to_string()).collect()
                }
                _ => Vec::new(),
            }
        };
        Mail {
            rcpt_to: received.rcpt_to.clone(),
            raw: received.raw.clone(),
            subject: message.subject().unwrap_or_default().to_owned(),
            text: message
                .body_text(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            in_reply_to: ids(message.in_reply_to()).into_iter().next(),
            references: ids(message.references()),
            reply_to: from_address(message.reply_to()),
        }
    }
}

impl Mail {
    pub fn is_ticket(&self) -> bool {
        self.rcpt_to == [HELPDESK]
    }

    pub fn is_to(&self, address: &str) -> bool {
        self.rcpt_to.len() == 1 && self.rcpt_to[0].eq_ignore_ascii_case(address)
    }

    /// The password line of a credentials mail.
    pub fn password(&self) -> Option<String> {
        self.text
            .lines()
            .find_map(|line| line.trim().strip_prefix("Password:"))
            .map(|p| p.trim().to_owned())
    }

    /// The attached original's bytes, exactly as attached: a `message/rfc822` part
    /// (7bit- or 8bit-clean originals) or base64 `application/octet-stream` named
    /// `original.eml` (any other).
    pub fn attached_original(&self) -> Vec<u8> {
        let message = MessageParser::default().parse(&self.raw).unwrap();
        let attachments: Vec<_> = message.attachments().collect();
        assert_eq!(attachments.len(), 1, "one attachment:\n{}", self.text);
        let part = attachments[0];
        assert_eq!(part.attachment_name(), Some("original.eml"));
        let content_type = part.content_type().unwrap();
        match (content_type.ctype(), content_type.subtype()) {
            ("message", Some("rfc822")) => {
                let nested = part.message().expect("the attachment parses as a message");
                nested.raw_message().to_vec()
            }
            ("application", Some("octet-stream")) => {
                assert_eq!(part.content_transfer_encoding(), Some("base64"));
                part.contents().to_vec()
            }
            other => panic!("the original is attached as {other:?}"),
        }
    }
}

fn from_address(address: Option<&mail_parser::Address<'_>>) -> Option<String> {
    address?.first()?.address().map(str::to_owned)
}

/// The From address of a raw message.
pub(crate) fn sender_of(raw: &[u8]) -> Option<String> {
    let message = MessageParser::default().parse_headers(raw)?;
    from_address(message.from())
}

/// The tickets among `mails`.
pub(crate) fn tickets(mails: &[Mail]) -> Vec<&Mail> {
    mails.iter().filter(|m| m.is_ticket()).collect()
}

/// The credentials mails among `mails` (any mail holding a password line).
pub(crate) fn credentials(mails: &[Mail]) -> Vec<&Mail> {
    mails.iter().filter(|m| m.password().is_some()).collect()
}

/// CRLF read as LF and trailing line ends dropped, for comparing an original with what
/// came back through IMAP (CRLF) and SMTP. (mail_parser counts the CRLF before the next
/// boundary into a nested message that has no body, such as a PDF saved as .eml.)
pub(crate) fn lf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, byte) in raw.iter().enumerate() {
        if !(*byte == b'\r' && raw.get(i + 1) == Some(&b'\n')) {
            out.push(*byte);
        }
    }
    while out.last() == Some(&b'\n') {
        out.pop();
    }
    out
}

impl Env {
    /// Asserts the mails are exactly one ticket, saying `reason` (machine name) and
    /// `words` (its plain headline), with `original` attached; returns it.
    pub fn assert_one_ticket(&self, reason: &str, words: &str, original: &[u8]) -> Mail {
        let ticket = self.assert_one_ticket_about(reason, words);
        assert!(
            lf(&ticket.attached_original()) == lf(original),
            "the ticket attaches the original unmodified"
        );
        ticket
    }

    /// Asserts the mails are exactly one ticket, saying `reason` and `words`.
    pub fn assert_one_ticket_about(&self, reason: &str, words: &str) -> Mail {
        let mails = self.mails();
        let tickets = tickets(&mails);
        assert_eq!(
            tickets.len(),
            1,
            "exactly one ticket for {reason}; mails: {:#?}\nlogs:\n{}",
            mails
                .iter()
                .map(|m| (&m.rcpt_to, &m.subject))
                .collect::<Vec<_>>(),
            self.logs()
        );
        let ticket = tickets[0].clone();
        assert!(
            ticket.subject.contains(words),
            "ticket subject {:?} lacks {words:?}",
            ticket.subject
        );
        assert!(ticket.text.contains(reason), "{}", ticket.text);
        assert!(credentials(&mails).is_empty(), "no credentials mail");
        ticket
    }

    /// Asserts exactly one credentials mail went to `login` (and nowhere else), and that
    /// its password logs in on the simulator; returns it.
    pub fn assert_credentials(&self, login: &str) -> Mail {
        let mails = self.mails();
        let sent: Vec<_> = credentials(&mails)
            .into_iter()
            .filter(|m| m.text.contains(login))
            .collect();
        assert_eq!(
            sent.len(),
            1,
            "one credentials mail for {login}; logs:\n{}",
            self.logs()
        );
        let mail = sent[0].clone();
        assert!(
            mail.is_to(login),
            "credentials only to {login}: {:?}",
            mail.rcpt_to
        );
        let password = mail.password().unwrap();
        assert!(
            self.sim.password_works(login, &password),
            "the mailed password logs in as {login}"
        );
        mail
    }

    /// The emails of the accounts on the simulator.
    pub fn accounts(&self) -> Vec<String> {
        self.sim.accounts().into_iter().map(|a| a.email).collect()
    }
}
