//! Why a mailbox operation failed, in words an operator can act on.
//!
//! In: the failure of a connection, a login, a command or a file operation. Out: a
//! [`MailboxError`] that names the server (host:port), the account, the folder or the
//! message — and never a password or token, which no variant can hold.

use std::path::PathBuf;
use std::time::Duration;

use crate::secret::SecretError;

/// A failed mailbox operation.
#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    /// The TCP connection could not be made, or broke.
    #[error("cannot connect to {address}")]
    Connect {
        /// host:port.
        address: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The TLS handshake failed (often: a certificate the configured CAs do not vouch for).
    #[error("cannot set up TLS with {address}{hint}")]
    Tls {
        /// host:port.
        address: String,
        /// Why.
        #[source]
        source: std::io::Error,
        /// What to look at, when the cause suggests it.
        hint: &'static str,
    },
    /// The server did not greet with `* OK`.
    #[error("cannot use the IMAP server at {address}: {reason}")]
    Greeting {
        /// host:port.
        address: String,
        /// What the server sent instead.
        reason: String,
    },
    /// The server ended the session (`* BYE`, e.g. when it shuts down).
    #[error("cannot keep the session with {address}: the server closed it: {reason}")]
    Closed {
        /// host:port.
        address: String,
        /// The server's words.
        reason: String,
    },
    /// The server refused `STARTTLS`.
    #[error(
        "cannot start TLS with {address} (does the server offer STARTTLS? else use \
         security = \"tls\")"
    )]
    StartTls {
        /// host:port.
        address: String,
        /// The server's answer.
        #[source]
        source: ServerAnswer,
    },
    /// The server refused the login.
    #[error("cannot log in to {address} as {username}: the server said: {reason}")]
    Login {
        /// host:port.
        address: String,
        /// The login name.
        username: String,
        /// The server's words (servers never echo the password).
        reason: String,
    },
    /// The password could not be read.
    #[error("cannot read the IMAP password for {username}")]
    Secret {
        /// The login name.
        username: String,
        /// Why.
        #[source]
        source: SecretError,
    },
    /// No XOAUTH2 access token could be had.
    #[error("cannot get an XOAUTH2 access token for {username}: {reason}")]
    Token {
        /// The login name.
        username: String,
        /// Why (the token command's exit status and error output, never its stdout).
        reason: String,
    },
    /// The server did not answer in time; the connection is dropped.
    #[error("cannot {action} on {address}: no answer within {after:?}")]
    Timeout {
        /// host:port.
        address: String,
        /// What was attempted ("SELECT INBOX", "UID FETCH 42").
        action: String,
        /// The configured limit.
        after: Duration,
    },
    /// The server refused a command (a `NO` or `BAD` answer); the session stays usable.
    #[error("the mail server {address} refused to {action}: {said}")]
    Refused {
        /// host:port.
        address: String,
        /// What was attempted ("create folder INBOX.onbehalf.done").
        action: String,
        /// The server's own sentence, with its response code if any.
        said: String,
    },
    /// A command failed on the way: the connection broke or the answer made no sense.
    #[error("cannot {action} on {address}")]
    Command {
        /// host:port.
        address: String,
        /// What was attempted.
        action: String,
        /// The transport error.
        #[source]
        source: ServerAnswer,
    },
    /// The folder's UIDVALIDITY changed, so the UID no longer names the same message.
    #[error(
        "cannot use {location} in {folder}: the folder's UIDVALIDITY is now {now}, so \
             UIDs read before no longer name the same messages (list the folder again)"
    )]
    UidValidityChanged {
        /// The folder.
        folder: String,
        /// The stale location.
        location: String,
        /// The folder's UIDVALIDITY now.
        now: u32,
    },
    /// The message is no longer in the folder.
    #[error("cannot fetch {location} from {source_name}: the message is no longer there")]
    Gone {
        /// The mailbox.
        source_name: String,
        /// The message.
        location: String,
    },
    /// A location this mailbox could not have given out (no UID, a path in a name).
    #[error("cannot use {location} with {source_name}: it is not a message this mailbox listed")]
    ForeignLocation {
        /// The mailbox.
        source_name: String,
        /// The location.
        location: String,
    },
    /// The configured CA file is unusable.
    #[error("cannot use the CA file {path}: {reason}")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A Maildir file operation failed.
    #[error("cannot {action} {path}")]
    Maildir {
        /// What was attempted ("read", "move … to").
        action: String,
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The directory is not a Maildir.
    #[error(
        "cannot use {path} as a Maildir: {problem} (point mailbox.path at the directory \
             holding cur/, new/ and tmp/)"
    )]
    NotAMaildir {
        /// The directory.
        path: PathBuf,
        /// What is missing.
        problem: String,
    },
}

impl MailboxError {
    /// A failed IMAP command: [`Refused`](Self::Refused) with the server's words when it
    /// answered `NO` or `BAD`, else [`Command`](Self::Command).
    pub(crate) fn imap(address: &str, action: &str, source: async_imap::error::Error) -> Self {
        match refusal(&source) {
            Some(refusal) => Self::Refused {
                address: address.to_owned(),
                action: action.to_owned(),
                said: refusal.sentence(),
            },
            None => Self::Command {
                address: address.to_owned(),
                action: action.to_owned(),
                source: source.into(),
            },
        }
    }

    /// True when the failure concerns the connection or the server as a whole (retry
    /// later, report the mailbox unhealthy), false when it concerns one message (gone,
    /// UIDVALIDITY changed) or the configuration (a refused login, a bad CA file).
    pub fn is_connection_problem(&self) -> bool {
        match self {
            Self::Connect { .. }
            | Self::Tls { .. }
            | Self::Greeting { .. }
            | Self::Closed { .. }
            | Self::Timeout { .. }
            | Self::Token { .. }
            | Self::Maildir { .. } => true,
            Self::Command { source, .. } => breaks_session(&source.0),
            _ => false,
        }
    }

    /// True when the IMAP session can no longer be trusted after this error (the stream
    /// may be mid-response), so it must be dropped.
    pub(crate) fn breaks_session(&self) -> bool {
        match self {
            Self::Command { source, .. } | Self::StartTls { source, .. } => {
                breaks_session(&source.0)
            }
            Self::Refused { .. }
            | Self::Gone { .. }
            | Self::UidValidityChanged { .. }
            | Self::ForeignLocation { .. } => false,
            _ => true,
        }
    }
}

/// What an IMAP server answered to a refused command, or how the exchange failed, in
/// the server's own words (`server_said`). The words are the whole story: async-imap's
/// error already prints its cause, so this is where the chain ends.
#[derive(Debug)]
pub struct ServerAnswer(pub async_imap::error::Error);

impl From<async_imap::error::Error> for ServerAnswer {
    fn from(error: async_imap::error::Error) -> Self {
        Self(error)
    }
}

impl std::fmt::Display for ServerAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&server_said(&self.0))
    }
}

impl std::error::Error for ServerAnswer {}

/// A `NO` or `BAD` answer leaves the session usable; anything else (I/O, a lost
/// connection, an unparsable response) does not.
fn breaks_session(error: &async_imap::error::Error) -> bool {
    !matches!(
        error,
        async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_)
    )
}

/// A `NO` or `BAD` answer, read back out of async-imap's text for it.
struct Refusal {
    verdict: &'static str,
    /// The response code in capitals (`TRYCREATE`), when the server gave one.
    code: Option<String>,
    /// The server's human-readable text, possibly empty.
    text: String,
}

impl Refusal {
    /// `[CODE] text`, or what little the server said.
    fn sentence(&self) -> String {
        match (&self.code, self.text.is_empty()) {
            (Some(code), true) => format!("[{code}]"),
            (Some(code), false) => format!("[{code}] {}", self.text),
            (None, false) => self.text.clone(),
            (None, true) => format!("{} (no reason given)", self.verdict),
        }
    }
}

/// async-imap renders `NO`/`BAD` answers as `code: Some(…), info: Some("…")` or
/// `outcome: Outcome { code: …, information: … }` (Rust debug output): an operator wants
/// the server's sentence.
fn refusal(error: &async_imap::error::Error) -> Option<Refusal> {
    use async_imap::error::Error;
    let (verdict, text) = match error {
        Error::No(text) => ("NO", text),
        Error::Bad(text) => ("BAD", text),
        _ => return None,
    };
    let fields = text
        .strip_prefix("outcome: Outcome { ")
        .and_then(|rest| rest.strip_suffix(" }"))
        .unwrap_or(text);
    let Some((code, info)) = fields.strip_prefix("code: ").and_then(|rest| {
        rest.split_once(", information: ")
            .or_else(|| rest.split_once(", info: "))
    }) else {
        return Some(Refusal {
            verdict,
            code: None,
            text: text.clone(),
        });
    };
    let text = info
        .strip_prefix("Some(\"")
        .and_then(|quoted| quoted.strip_suffix("\")"))
        .map_or_else(String::new, |s| {
            s.replace("\\\"", "\"").replace("\\\\", "\\")
        });
    let code = code
        .strip_prefix("Some(")
        .and_then(|c| c.strip_suffix(')'))
        .map(|c| {
            // `TryCreate`, `BadCharset(None)`: the code's name, as the server wrote it.
            let name: String = c.chars().take_while(char::is_ascii_alphanumeric).collect();
            name.to_ascii_uppercase()
        })
        .filter(|name| !name.is_empty());
    Some(Refusal {
        verdict,
        code,
        text,
    })
}

/// The server's own words for a refused command (`NO [CODE] the sentence`), or the
/// transport error's text.
pub(crate) fn server_said(error: &async_imap::error::Error) -> String {
    match refusal(error) {
        Some(refusal) if refusal.code.is_none() && refusal.text.is_empty() => {
            refusal.verdict.to_owned()
        }
        Some(refusal) => format!("{} {}", refusal.verdict, refusal.sentence()),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use async_imap::error::Error;

    use super::*;

    #[test]
    fn refusals_read_as_the_server_wrote_them() {
        let no = Error::No(
            r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#.into(),
        );
        assert_eq!(
            server_said(&no),
            "NO [AUTHENTICATIONFAILED] Authentication failed."
        );
        let quoted = Error::Bad(r#"code: Some(TryCreate), info: Some("no "x" here")"#.into());
        assert_eq!(server_said(&quoted), r#"BAD [TRYCREATE] no "x" here"#);
        let select = Error::No(
            r#"outcome: Outcome { code: None, information: Some("Mailbox doesn't exist: X") }"#
                .into(),
        );
        assert_eq!(server_said(&select), "NO Mailbox doesn't exist: X");
        let bare = Error::No("code: None, info: None".into());
        assert_eq!(server_said(&bare), "NO");
        assert_eq!(server_said(&Error::ConnectionLost), "connection lost");
    }

    #[test]
    fn a_refused_command_reads_as_a_sentence() {
        let refused = MailboxError::imap(
            "imap.example.com:993",
            "create folder INBOX.onbehalf.done",
            Error::No(r#"code: None, info: Some("Permission denied")"#.into()),
        );
        assert_eq!(
            refused.to_string(),
            "the mail server imap.example.com:993 refused to create folder \
             INBOX.onbehalf.done: Permission denied"
        );
        assert!(std::error::Error::source(&refused).is_none());
        assert!(!refused.breaks_session() && !refused.is_connection_problem());
        let bare = MailboxError::imap(
            "h:1",
            "open folder X",
            Error::Bad("code: None, info: None".into()),
        );
        assert!(
            bare.to_string()
                .ends_with("refused to open folder X: BAD (no reason given)")
        );
        let lost = MailboxError::imap("h:1", "open folder X", Error::ConnectionLost);
        assert!(matches!(lost, MailboxError::Command { .. }) && lost.breaks_session());
    }
}
