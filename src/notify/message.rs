//! Building the mails: credentials, requester note, ticket.
//!
//! In: one of [`CredentialsMail`], [`RequesterNote`], [`Ticket`] plus the sender, the
//! ticket address and the templates (and, for a ticket, what the SMTP server accepts:
//! see `original`). Out: a lettre [`Message`] with its envelope, its
//! Message-ID and the recipient's domain (the only part of the address that is logged).
//!
//! Recipients are fixed here, not by the templates: the credentials mail goes to the
//! login address only, the note to the requester, the ticket to `ticket_to`. Values from
//! the forwarded email (Message-ID, subject, requester) are treated as hostile: a
//! Message-ID that is not a plain `<id>` is dropped, subjects are folded onto one line.

use lettre::Message;
use lettre::address::Address;
use lettre::message::{Mailbox, MessageBuilder, MultiPart, SinglePart};

use super::original::{self, Capabilities};
use super::templates::{Kind, Templates, one_line};
use super::{CredentialsMail, MailKind, NotifyError, RequesterNote, Ticket};

/// A mail ready for the transport.
pub(super) struct Built {
    /// The message, envelope included.
    pub message: Message,
    /// Its `Message-ID`, with angle brackets.
    pub message_id: String,
    /// The recipient's domain, for logs.
    pub recipient_domain: String,
}

/// Everything that is the same for every mail.
#[derive(Clone)]
pub(super) struct Composer {
    /// `From` and envelope sender.
    pub from: Mailbox,
    /// `Reply-To` of credentials mails and notes.
    pub reply_to: Option<Mailbox>,
    /// Where tickets go.
    pub ticket_to: Mailbox,
    /// The checked templates.
    pub templates: Templates,
    /// The change-password instruction.
    pub change_password_hint: String,
}

impl Composer {
    /// The credentials mail: text and HTML, to the login address only.
    pub(super) fn credentials(&self, mail: &CredentialsMail) -> Result<Built, NotifyError> {
        let kind = MailKind::Credentials;
        let to = parse_address(kind, &mail.job_id, &mail.login)?;
        let requester = mail
            .requester
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .unwrap_or(&mail.login);
        let values = [
            ("platform", mail.platform.as_str()),
            ("login_url", mail.login_url.as_str()),
            ("login", mail.login.as_str()),
            ("password", mail.password.expose()),
            ("change_password_hint", self.change_password_hint.as_str()),
            ("requester", requester),
            ("job_id", mail.job_id.as_str()),
        ];
        let text = self.templates.render(Kind::CredentialsText, &values);
        let html = self.templates.render(Kind::CredentialsHtml, &values);
        let thread = mail.in_reply_to.as_deref().and_then(thread_id);
        let subject = match (&thread, &mail.subject_of_forward) {
            (Some(_), Some(forwarded)) if !one_line(forwarded).is_empty() => {
                reply_subject(forwarded)
            }
            _ => text.subject,
        };
        let (builder, message_id) =
            self.headers(to.clone(), subject, thread, self.reply_to.clone());
        let message = builder
            .multipart(MultiPart::alternative_plain_html(text.body, html.body))
            .map_err(|e| build_error(kind, &mail.job_id, e))?;
        Ok(Built {
            message,
            message_id,
            recipient_domain: to.email.domain().to_owned(),
        })
    }

    /// The note to a requester who is not the invitee; it never holds the password.
    pub(super) fn requester_note(&self, note: &RequesterNote) -> Result<Built, NotifyError> {
        let kind = MailKind::RequesterNote;
        let to = parse_mailbox(kind, &note.job_id, &note.to)?;
        let values = [
            ("platform", note.platform.as_str()),
            ("invitee", note.invitee.as_str()),
            ("requester", note.to.as_str()),
            ("job_id", note.job_id.as_str()),
        ];
        let text = self.templates.render(Kind::RequesterNote, &values);
        let thread = note.in_reply_to.as_deref().and_then(thread_id);
        let (builder, message_id) =
            self.headers(to.clone(), text.subject, thread, self.reply_to.clone());
        let message = builder
            .singlepart(SinglePart::plain(text.body))
            .map_err(|e| build_error(kind, &note.job_id, e))?;
        Ok(Built {
            message,
            message_id,
            recipient_domain: to.email.domain().to_owned(),
        })
    }

    /// The ticket: to `ticket_to`, `Reply-To` the requester, the original attached so it
    /// arrives byte for byte. A ticket larger than the server's `SIZE` carries the
    /// original's header section and text instead, with a note saying so, cut until it fits.
    pub(super) fn ticket(
        &self,
        ticket: &Ticket,
        server: &Capabilities,
    ) -> Result<Built, NotifyError> {
        let whole = original::attachment(&ticket.original, server)
            .map_err(|e| build_error(MailKind::Ticket, &ticket.job_id, e))?;
        let whole_note = format!(
            "The forwarded email is attached unmodified ({}).",
            original::ORIGINAL_NAME
        );
        let built = self.ticket_with(ticket, &ticket.detail, &whole_note, whole)?;
        let Some(limit) = server.size.and_then(|s| usize::try_from(s).ok()) else {
            return Ok(built);
        };
        if built.message.formatted().len() <= limit {
            return Ok(built);
        }
        let summary_note = format!(
            "The forwarded email ({} kB) would make this ticket larger than the mail server \
             accepts ({} kB), so only its header section and text are attached ({}). The \
             full original stays in the needs-human folder.",
            ticket.original.len().div_ceil(1024),
            limit / 1024,
            original::SUMMARY_NAME,
        );
        let mut budget = limit / 2;
        loop {
            let part = original::summary(&ticket.original, budget);
            let built = self.ticket_with(ticket, &ticket.detail, &summary_note, part)?;
            if budget == 0 || built.message.formatted().len() <= limit {
                return Ok(built);
            }
            budget /= 2;
        }
    }

    fn ticket_with(
        &self,
        ticket: &Ticket,
        detail: &str,
        attached: &str,
        original: SinglePart,
    ) -> Result<Built, NotifyError> {
        let kind = MailKind::Ticket;
        let tried = if ticket.tried.is_empty() {
            "- nothing: the request was stopped before any attempt".to_owned()
        } else {
            ticket
                .tried
                .iter()
                .map(|step| format!("- {step}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let unknown = "(unknown)";
        let values = [
            ("headline", ticket.headline.as_str()),
            ("detail", detail),
            ("job_id", ticket.job_id.as_str()),
            ("reason", ticket.reason.as_str()),
            ("tried", tried.as_str()),
            ("requester", ticket.requester.as_deref().unwrap_or(unknown)),
            ("platform", ticket.platform.as_deref().unwrap_or(unknown)),
            ("attached", attached),
        ];
        let text = self.templates.render(Kind::Ticket, &values);
        // A requester that is not an address (hostile or garbled input) is shown in the
        // body but cannot become a header.
        let reply_to = ticket
            .requester
            .as_deref()
            .and_then(|r| r.trim().parse::<Mailbox>().ok());
        let to = self.ticket_to.clone();
        let (builder, message_id) = self.headers(to.clone(), text.subject, None, reply_to);
        let mut parts = MultiPart::mixed()
            .singlepart(SinglePart::plain(text.body))
            .singlepart(original);
        if let Some(evidence) = &ticket.evidence {
            parts = with_evidence(parts, evidence);
        }
        let message = builder
            .multipart(parts)
            .map_err(|e| build_error(kind, &ticket.job_id, e))?;
        Ok(Built {
            message,
            message_id,
            recipient_domain: to.email.domain().to_owned(),
        })
    }

    fn headers(
        &self,
        to: Mailbox,
        subject: String,
        thread: Option<String>,
        reply_to: Option<Mailbox>,
    ) -> (MessageBuilder, String) {
        let message_id = format!(
            "<{:032x}.onbehalf@{}>",
            rand::random::<u128>(),
            self.from.email.domain()
        );
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(message_id.clone()));
        if let Some(reply_to) = reply_to {
            builder = builder.reply_to(reply_to);
        }
        if let Some(thread) = thread {
            builder = builder.in_reply_to(thread.clone()).references(thread);
        }
        (builder, message_id)
    }
}

/// `Re: <subject>` for a reply in the forwarded thread.
fn reply_subject(forwarded: &str) -> String {
    let subject = one_line(forwarded);
    if subject
        .get(..3)
        .is_some_and(|p| p.eq_ignore_ascii_case("re:"))
    {
        subject
    } else {
        format!("Re: {subject}")
    }
}

/// A Message-ID safe to put in `In-Reply-To`/`References`: `<left@right>`-like, printable
/// ASCII without spaces or brackets inside. Anything else is dropped.
fn thread_id(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let inner = trimmed
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(trimmed);
    let plain = !inner.is_empty()
        && inner.len() <= 250
        && inner
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    plain.then(|| format!("<{inner}>"))
}

fn parse_address(kind: MailKind, job_id: &str, value: &str) -> Result<Mailbox, NotifyError> {
    value
        .trim()
        .parse::<Address>()
        .map(|email| Mailbox::new(None, email))
        .map_err(|source| NotifyError::Address {
            kind,
            job_id: job_id.to_owned(),
            value: value.to_owned(),
            source,
        })
}

fn parse_mailbox(kind: MailKind, job_id: &str, value: &str) -> Result<Mailbox, NotifyError> {
    value
        .trim()
        .parse::<Mailbox>()
        .map_err(|source| NotifyError::Address {
            kind,
            job_id: job_id.to_owned(),
            value: value.to_owned(),
            source,
        })
}

fn build_error(
    kind: MailKind,
    job_id: &str,
    source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> NotifyError {
    NotifyError::Build {
        kind,
        job_id: job_id.to_owned(),
        source: source.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_ids_are_bracketed_or_dropped() {
        assert_eq!(thread_id("<abc@x.test>").as_deref(), Some("<abc@x.test>"));
        assert_eq!(thread_id(" abc@x.test ").as_deref(), Some("<abc@x.test>"));
        assert_eq!(thread_id("<a b@x>"), None);
        assert_eq!(thread_id("<a@x>\r\nBcc: evil@x.test"), None);
        assert_eq!(thread_id("<>"), None);
    }

    #[test]
    fn reply_subject_adds_re_once() {
        assert_eq!(reply_subject("Fwd: Invite"), "Re: Fwd: Invite");
        assert_eq!(reply_subject("RE: Fwd: Invite"), "RE: Fwd: Invite");
        assert_eq!(reply_subject("Fwd:\r\n Invite"), "Re: Fwd: Invite");
    }
}

/// The browser's screenshot (`page.png`) and visible text (`page.txt`) of a failed
/// browser signup, after the original.
fn with_evidence(parts: MultiPart, evidence: &crate::signup::Evidence) -> MultiPart {
    use lettre::message::header::{ContentDisposition, ContentType};
    let png = ContentType::parse("image/png").unwrap_or(ContentType::TEXT_PLAIN);
    parts
        .singlepart(
            SinglePart::builder()
                .header(png)
                .header(ContentDisposition::attachment("page.png"))
                .body(evidence.screenshot_png.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .header(ContentDisposition::attachment("page.txt"))
                .body(evidence.visible_text.clone()),
        )
}
