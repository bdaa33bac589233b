//! The notify stage: the credentials mail, the requester note and the ticket.
//!
//! In: what the pipeline decided (an account with its password, or a job a human must
//! look at) and the `[smtp]`/`[notify]` settings. Out: a mail accepted by the SMTP server
//! (or written as an `.eml` file for the demo) and its Message-ID, or a [`NotifyError`]
//! that says whether trying again later may help.
//!
//! - [`templates`]: the built-in texts and the ones ops edit, checked at load time.
//! - `message`: builds each mail and fixes its recipients.
//! - `original`: the forwarded original inside a ticket, encoded to arrive byte for
//!   byte, or summarised when the ticket would exceed the server's `SIZE`.
//! - `transport`: SMTP with TLS, AUTH, a connection pool and retries, or files.
//!   `transport/connection` opens one connection (TCP_NODELAY, TLS, AUTH) for lettre;
//!   `transport/pool` keeps up to four of them open.
//!
//! The password appears only in the body of the credentials mail to the login address;
//! logs name the job, the kind of mail and the recipient's domain, never the address.

mod error;
mod message;
mod original;
pub mod templates;
mod transport;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lettre::message::Mailbox;

use crate::config::{NotifyConfig, SmtpConfig};
use crate::secret::Secret;

pub use error::{MailKind, NotifyError, SmtpFailure};
pub use original::Capabilities;

use message::{Built, Composer};
use transport::Transport;

/// A mail that was handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The `Message-ID` header, with angle brackets.
    pub message_id: String,
    /// The `.eml` file written, for the file transport.
    pub file: Option<PathBuf>,
}

/// The credentials for a newly created account, for its owner.
#[derive(Debug, Clone)]
pub struct CredentialsMail {
    /// The job, quoted in the mail and the logs.
    pub job_id: String,
    /// The platform's name as users know it.
    pub platform: String,
    /// Where to sign in (see [`NotifyConfig::login_url`]).
    pub login_url: String,
    /// The account's login; also the only recipient.
    pub login: String,
    /// The generated password.
    pub password: Secret,
    /// Who forwarded the invite; `None` or the login itself when it was the invitee.
    pub requester: Option<String>,
    /// The forward's Message-ID, set when invitee == requester, to reply in its thread.
    pub in_reply_to: Option<String>,
    /// The forward's subject; with `in_reply_to` it makes the subject `Re: …`.
    pub subject_of_forward: Option<String>,
}

/// "The account was created; the credentials went to the invitee", for a requester who
/// is not the invitee. Never holds the password.
#[derive(Debug, Clone)]
pub struct RequesterNote {
    /// The job.
    pub job_id: String,
    /// The platform's name.
    pub platform: String,
    /// The requester: the recipient.
    pub to: String,
    /// Whose account was created (where the credentials went).
    pub invitee: String,
    /// The forward's Message-ID, to reply in its thread.
    pub in_reply_to: Option<String>,
}

/// A job a human must look at.
#[derive(Clone)]
pub struct Ticket {
    /// The job.
    pub job_id: String,
    /// The machine reason, e.g. `no_invite_link`.
    pub reason: String,
    /// What happened, in plain words; the subject and the first line.
    pub headline: String,
    /// More about it.
    pub detail: String,
    /// What was tried, one step per entry.
    pub tried: Vec<String>,
    /// Who forwarded the invite; becomes `Reply-To`.
    pub requester: Option<String>,
    /// The platform, when known.
    pub platform: Option<String>,
    /// The forwarded email, attached so it arrives byte for byte (`message/rfc822` when
    /// it is 7bit- or 8bit-clean, else base64 `application/octet-stream`).
    pub original: Vec<u8>,
    /// What the browser showed when a browser signup gave up (screenshot and text),
    /// attached as `page.png` and `page.txt`.
    pub evidence: Option<crate::signup::Evidence>,
}

impl fmt::Debug for Ticket {
    /// The original may hold an invite token: show only its size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticket")
            .field("job_id", &self.job_id)
            .field("reason", &self.reason)
            .field("headline", &self.headline)
            .field("tried", &self.tried)
            .field("platform", &self.platform)
            .field("original_bytes", &self.original.len())
            .finish_non_exhaustive()
    }
}

/// Sends the mails. Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct Notifier {
    inner: Arc<Inner>,
}

struct Inner {
    compose: Composer,
    transport: Transport,
}

impl fmt::Debug for Notifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = match &self.inner.transport {
            Transport::Smtp(client) => format!("smtp {}", client.server),
            Transport::Files { dir, .. } => format!("files in {}", dir.display()),
        };
        f.debug_struct("Notifier").field("to", &target).finish()
    }
}

impl Notifier {
    /// A notifier that submits over SMTP. Reads the SMTP password and the CA file now;
    /// connects only when the first mail is sent (or on [`Notifier::check`]).
    pub fn smtp(smtp: &SmtpConfig, notify: &NotifyConfig) -> Result<Notifier, NotifyError> {
        let compose = composer(smtp.from.clone(), notify)?;
        Ok(Self::new(compose, Transport::smtp(smtp)?))
    }

    /// A notifier that writes each mail as `<id>.eml` into `dir` (created if missing).
    pub fn files(
        dir: &Path,
        from: Mailbox,
        notify: &NotifyConfig,
    ) -> Result<Notifier, NotifyError> {
        let compose = composer(from, notify)?;
        Ok(Self::new(compose, Transport::files(dir)?))
    }

    fn new(compose: Composer, transport: Transport) -> Self {
        Self {
            inner: Arc::new(Inner { compose, transport }),
        }
    }

    /// Connects, negotiates TLS and logs in, without sending mail (for `check-config`).
    pub async fn check(&self) -> Result<(), NotifyError> {
        self.inner.transport.check().await
    }

    /// Sends the login and password to the login address, and only there.
    pub async fn send_credentials(&self, mail: &CredentialsMail) -> Result<Sent, NotifyError> {
        let built = self.inner.compose.credentials(mail)?;
        self.deliver(built, MailKind::Credentials, &mail.job_id)
            .await
    }

    /// Tells a requester who is not the invitee that the account exists.
    pub async fn send_requester_note(&self, note: &RequesterNote) -> Result<Sent, NotifyError> {
        let built = self.inner.compose.requester_note(note)?;
        self.deliver(built, MailKind::RequesterNote, &note.job_id)
            .await
    }

    /// What the SMTP server accepts (`SIZE`, `8BITMIME`), from its last EHLO; a
    /// connection is opened if none was yet (for `check-config`).
    pub async fn capabilities(&self) -> Capabilities {
        self.inner.transport.capabilities().await
    }

    /// Opens a ticket at `ticket_to` with the original attached, encoded for what the
    /// server accepts (see [`Capabilities`]).
    pub async fn send_ticket(&self, ticket: &Ticket) -> Result<Sent, NotifyError> {
        let server = self.inner.transport.capabilities().await;
        let built = self.inner.compose.ticket(ticket, &server)?;
        self.deliver(built, MailKind::Ticket, &ticket.job_id).await
    }

    async fn deliver(
        &self,
        built: Built,
        kind: MailKind,
        job_id: &str,
    ) -> Result<Sent, NotifyError> {
        let raw = built.message.formatted();
        let delivery = self
            .inner
            .transport
            .send(built.message.envelope(), &raw, kind, job_id)
            .await?;
        tracing::info!(
            job_id,
            kind = %kind,
            to_domain = %built.recipient_domain,
            message_id = %built.message_id,
            attempts = delivery.attempts,
            "mail sent"
        );
        Ok(Sent {
            message_id: built.message_id,
            file: delivery.file,
        })
    }
}

fn composer(from: Mailbox, notify: &NotifyConfig) -> Result<Composer, NotifyError> {
    Ok(Composer {
        from,
        reply_to: notify.reply_to.clone(),
        ticket_to: notify
            .ticket_to
            .clone()
            .ok_or(NotifyError::NoTicketAddress)?,
        templates: notify.templates.clone(),
        change_password_hint: notify.change_password_hint.clone(),
    })
}
