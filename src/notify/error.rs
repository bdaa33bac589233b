//! What can go wrong while notifying, and whether trying again later may help.
//!
//! In: failures from reading the SMTP password or CA file, addressing or building a mail,
//! and the SMTP or file transport. Out: a [`NotifyError`] that names the server, the job
//! and the mail, never a password (lettre's own errors carry only the server's reply).
//! [`SmtpFailure`] is what one exchange with the SMTP server ended with.

use std::fmt;
use std::path::PathBuf;

use crate::secret::SecretError;

/// The kinds of mail the notifier sends; used in logs and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// The invitee's login and password.
    Credentials,
    /// The note to a requester who is not the invitee.
    RequesterNote,
    /// A ticket for a human.
    Ticket,
}

impl fmt::Display for MailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Credentials => "credentials",
            Self::RequesterNote => "requester note",
            Self::Ticket => "ticket",
        })
    }
}

/// Why a mail could not be sent, or the notifier not be set up.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// `[notify] ticket_to` is missing, so tickets have nowhere to go.
    #[error(
        "cannot send tickets: notify.ticket_to is not set \
         (add ticket_to = \"helpdesk@example.com\" under [notify])"
    )]
    NoTicketAddress,
    /// The SMTP password could not be read.
    #[error("cannot read the password for SMTP server {server}")]
    Password {
        /// `host:port`.
        server: String,
        /// Why.
        #[source]
        source: SecretError,
    },
    /// The extra trusted root could not be used.
    #[error("cannot use smtp.ca_file {path}: {problem}")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The TLS settings could not be built.
    #[error("cannot set up TLS for SMTP server {server}")]
    Tls {
        /// `host:port`.
        server: String,
        /// Why (lettre's or rustls' error).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The folder for the file transport could not be created.
    #[error("cannot create the mail folder {dir}")]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A recipient is not a usable address.
    #[error("cannot address the {kind} mail for job {job_id} to {value:?}")]
    Address {
        /// The mail.
        kind: MailKind,
        /// The job.
        job_id: String,
        /// The text that is not an address.
        value: String,
        /// Why.
        #[source]
        source: lettre::address::AddressError,
    },
    /// The message could not be assembled.
    #[error("cannot build the {kind} mail for job {job_id}")]
    Build {
        /// The mail.
        kind: MailKind,
        /// The job.
        job_id: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The server refused the login.
    #[error(
        "cannot log in to SMTP server {server} as {}: the server refused the \
         credentials (check smtp.username and the password file)",
        .username.as_deref().unwrap_or("(no username configured)")
    )]
    Auth {
        /// `host:port`.
        server: String,
        /// The configured user, if any.
        username: Option<String>,
        /// The server's answer.
        #[source]
        source: lettre::transport::smtp::Error,
    },
    /// The SMTP server could not be reached or refused the mail.
    #[error("cannot {action} via SMTP server {server} ({attempts} attempt(s))")]
    Smtp {
        /// What was being done, e.g. "send the ticket mail for job 42".
        action: String,
        /// `host:port`.
        server: String,
        /// How many attempts were made.
        attempts: u32,
        /// Whether a later try may succeed (4xx, connection lost, timeout).
        temporary: bool,
        /// The last failure.
        #[source]
        source: SmtpFailure,
    },
    /// The SMTP server stopped answering during an attempt.
    #[error(
        "cannot {action} via SMTP server {server}: no answer within {limit:?} \
         ({attempts} attempt(s))"
    )]
    Timeout {
        /// What was being done.
        action: String,
        /// `host:port`.
        server: String,
        /// How many attempts were made.
        attempts: u32,
        /// How long one attempt may take.
        limit: std::time::Duration,
    },
    /// The file transport could not write the mail.
    #[error("cannot write the {kind} mail for job {job_id} into {dir}")]
    File {
        /// The mail.
        kind: MailKind,
        /// The job.
        job_id: String,
        /// The folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: lettre::transport::file::Error,
    },
}

/// How one exchange with the SMTP server failed.
#[derive(Debug, thiserror::Error)]
pub enum SmtpFailure {
    /// No TCP connection: refused, unreachable, no address, or no answer in time.
    #[error("cannot open a TCP connection")]
    Connect(#[source] std::io::Error),
    /// The TLS handshake of implicit TLS failed (an untrusted certificate, a lost
    /// connection).
    #[error("cannot complete the TLS handshake")]
    Handshake(#[source] std::io::Error),
    /// What lettre reported: the server's reply, a lost connection, STARTTLS, AUTH.
    #[error(transparent)]
    Smtp(#[from] lettre::transport::smtp::Error),
}

impl NotifyError {
    /// Whether trying again later may succeed: the server answered 4xx, the connection
    /// failed or timed out, or a file could not be written. Permanent refusals (5xx),
    /// bad addresses, bad configuration and certificate problems are not temporary.
    pub fn is_temporary(&self) -> bool {
        match self {
            Self::Smtp { temporary, .. } => *temporary,
            Self::File { .. } | Self::Timeout { .. } => true,
            _ => false,
        }
    }

    /// Whether this very mail can never go as it is: the server refused it with a 5xx
    /// reply (too large, recipient or content refused), or it could not be addressed or
    /// built. A refused login, TLS or configuration problem concerns every mail instead.
    pub fn refused_this_mail(&self) -> bool {
        match self {
            Self::Address { .. } | Self::Build { .. } => true,
            Self::Smtp {
                source: SmtpFailure::Smtp(error),
                ..
            } => error.is_permanent(),
            _ => false,
        }
    }
}
