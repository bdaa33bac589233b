//! The `[mailbox]` section: where forwarded invites arrive.
//!
//! In: the raw `[mailbox]` table. Out: a [`MailboxConfig`] — an IMAP account (server,
//! security, credentials, folders, IDLE and timing) or a local Maildir — or an [`Invalid`]
//! that names the key and says what to set.
//!
//! ```toml
//! [mailbox]
//! kind = "imap"                      # or "maildir" (then only `path`, the folders and
//!                                    # `poll_interval` apply)
//! host = "imap.example.com"
//! # port = 993                       # default: 993 for tls, 143 for starttls and plain
//! # security = "tls"                 # "tls" | "starttls" | "plain" (plain: loopback only)
//! username = "support@example.com"
//! password_file = "/etc/onbehalf/imap-password"
//! # or: password_credential = "imap-password"   ($CREDENTIALS_DIRECTORY/imap-password)
//! # or: xoauth2_token_file = "/run/onbehalf/imap-token"
//! # or: xoauth2_token_command = "oauth2-helper --print-access-token"
//! # ca_file = "/etc/onbehalf/imap-ca.pem"       # trusted in addition to the web PKI roots
//! # folder = "INBOX"
//! # done_folder = "onbehalf/done"                # "/" separates levels on every server
//! # needs_human_folder = "onbehalf/needs-human"
//! # idle = true
//! # idle_renew = "20m"               # re-issue IDLE this often (at most 29m)
//! # poll_interval = "60s"            # safety-net full check; the poll period without IDLE
//! # timeout = "30s"                  # limit for every single IMAP command
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::Invalid;
use crate::net::loopback::is_loopback;
use crate::secret::SecretSource;
use fields::{filing_folders, folder_name, positive, required_text};

/// The validated `[mailbox]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailboxConfig {
    /// An IMAP account (`kind = "imap"`).
    Imap(ImapConfig),
    /// A local Maildir the MTA delivers into (`kind = "maildir"`).
    Maildir(MaildirConfig),
}

impl MailboxConfig {
    /// How often the mailbox is checked in full even without a change signal.
    pub fn poll_interval(&self) -> Duration {
        match self {
            Self::Imap(imap) => imap.poll_interval,
            Self::Maildir(maildir) => maildir.poll_interval,
        }
    }
}

/// An IMAP account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapConfig {
    /// Server host name or IP address; also the name its certificate must carry.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// How the connection is protected.
    pub security: ImapSecurity,
    /// The login name.
    pub username: String,
    /// How the login is proven; read afresh on every (re)connect so rotated secrets apply.
    pub auth: ImapAuth,
    /// A PEM file of CA certificates trusted in addition to the built-in web PKI roots.
    pub ca_file: Option<PathBuf>,
    /// The folder forwarded invites arrive in.
    pub folder: String,
    /// Where handled messages are moved; `/` separates levels, whatever the server uses.
    pub done_folder: String,
    /// Where messages a human must look at are moved.
    pub needs_human_folder: String,
    /// Whether to wait for new mail with IDLE (when the server offers it).
    pub idle: bool,
    /// How long one IDLE command may last before it is re-issued (servers drop it at 30m).
    pub idle_renew: Duration,
    /// The safety-net full check, and the poll period when IDLE is off or missing.
    pub poll_interval: Duration,
    /// The limit for connecting and for every single IMAP command.
    pub timeout: Duration,
}

/// How an IMAP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImapSecurity {
    /// TLS from the first byte (port 993).
    Tls,
    /// A plain connection upgraded with the STARTTLS command (port 143).
    StartTls,
    /// No encryption; accepted only for a loopback host.
    Plain,
}

/// How the IMAP login is proven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImapAuth {
    /// `LOGIN` with a password.
    Password(SecretSource),
    /// `AUTHENTICATE XOAUTH2` with an OAuth 2 access token (Gmail, Microsoft 365).
    XOAuth2(TokenSource),
}

/// Where an XOAUTH2 access token comes from; fetched again on every (re)connect.
#[derive(Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// A file holding only the token, kept fresh by another program.
    File(PathBuf),
    /// A shell command (run with `sh -c`) that prints the token on stdout.
    Command(String),
}

impl std::fmt::Debug for TokenSource {
    // The command line may carry a client secret: show only the program.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
            Self::Command(command) => {
                let program = command.split_whitespace().next().unwrap_or("");
                write!(f, "Command({program:?} …)")
            }
        }
    }
}

/// A local Maildir.
///
/// The done and needs-human folders are Maildir++ subfolders of `path`, named as Dovecot
/// names them: `onbehalf/done` is `<path>/.onbehalf.done/` (with its own `cur/ new/ tmp/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildirConfig {
    /// The Maildir holding `cur/`, `new/` and `tmp/`.
    pub path: PathBuf,
    /// Where handled messages are moved (a Maildir++ subfolder).
    pub done_folder: String,
    /// Where messages a human must look at are moved (a Maildir++ subfolder).
    pub needs_human_folder: String,
    /// How often `new/` and `cur/` are scanned for changes.
    pub poll_interval: Duration,
}

impl MaildirConfig {
    /// The directory of a Maildir++ subfolder: `onbehalf/done` → `<path>/.onbehalf.done`.
    pub fn folder_path(&self, folder: &str) -> PathBuf {
        self.path.join(format!(".{}", folder.replace('/', ".")))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Imap,
    Maildir,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMailbox {
    kind: Option<Kind>,
    host: Option<String>,
    port: Option<u16>,
    security: Option<ImapSecurity>,
    username: Option<String>,
    password_file: Option<PathBuf>,
    password_credential: Option<String>,
    xoauth2_token_file: Option<PathBuf>,
    xoauth2_token_command: Option<String>,
    ca_file: Option<PathBuf>,
    folder: Option<String>,
    done_folder: Option<String>,
    needs_human_folder: Option<String>,
    idle: Option<bool>,
    #[serde(default, with = "humantime_serde")]
    idle_renew: Option<Duration>,
    #[serde(default, with = "humantime_serde")]
    poll_interval: Option<Duration>,
    #[serde(default, with = "humantime_serde")]
    timeout: Option<Duration>,
    path: Option<PathBuf>,
}

const DEFAULT_DONE: &str = "onbehalf/done";
const DEFAULT_NEEDS_HUMAN: &str = "onbehalf/needs-human";
const DEFAULT_POLL: Duration = Duration::from_secs(60);
const MAX_IDLE_RENEW: Duration = Duration::from_secs(29 * 60);

impl RawMailbox {
    pub(super) fn validate(self, base_dir: &Path) -> Result<MailboxConfig, Invalid> {
        match self.kind {
            Some(Kind::Imap) => self.validate_imap(base_dir).map(MailboxConfig::Imap),
            Some(Kind::Maildir) => self.validate_maildir(base_dir).map(MailboxConfig::Maildir),
            None => Err(Invalid::new(
                "mailbox.kind",
                "the kind of mailbox is not set",
                "set kind = \"imap\" (with host and username) or kind = \"maildir\" (with path)",
            )),
        }
    }

    fn validate_imap(self, base_dir: &Path) -> Result<ImapConfig, Invalid> {
        if self.path.is_some() {
            return Err(Invalid::new(
                "mailbox.path",
                "path is only for kind = \"maildir\"",
                "remove path, or set kind = \"maildir\"",
            ));
        }
        let host = required_text("mailbox.host", self.host, "the IMAP server's name")?;
        let security = self.security.unwrap_or(ImapSecurity::Tls);
        let port = transport(&host, security, self.port, self.ca_file.is_some())?;
        let username = required_text("mailbox.username", self.username, "the login name")?;
        let auth = imap_auth(
            self.password_file,
            self.password_credential,
            self.xoauth2_token_file,
            self.xoauth2_token_command,
            base_dir,
        )?;
        let folder = folder_name("mailbox.folder", self.folder, "INBOX")?;
        let (done_folder, needs_human_folder) =
            filing_folders(self.done_folder, self.needs_human_folder, Some(&folder))?;
        let idle_renew = idle_renew(self.idle_renew)?;
        Ok(ImapConfig {
            host,
            port,
            security,
            username,
            auth,
            ca_file: self.ca_file.map(|p| base_dir.join(p)),
            folder,
            done_folder,
            needs_human_folder,
            idle: self.idle.unwrap_or(true),
            idle_renew,
            poll_interval: positive("mailbox.poll_interval", self.poll_interval, DEFAULT_POLL)?,
            timeout: positive("mailbox.timeout", self.timeout, Duration::from_secs(30))?,
        })
    }

    fn validate_maildir(self, base_dir: &Path) -> Result<MaildirConfig, Invalid> {
        let imap_only = [
            ("host", self.host.is_some()),
            ("port", self.port.is_some()),
            ("security", self.security.is_some()),
            ("username", self.username.is_some()),
            ("password_file", self.password_file.is_some()),
            ("password_credential", self.password_credential.is_some()),
            ("xoauth2_token_file", self.xoauth2_token_file.is_some()),
            (
                "xoauth2_token_command",
                self.xoauth2_token_command.is_some(),
            ),
            ("ca_file", self.ca_file.is_some()),
            ("idle", self.idle.is_some()),
            ("idle_renew", self.idle_renew.is_some()),
            ("timeout", self.timeout.is_some()),
        ];
        if let Some((key, _)) = imap_only.iter().find(|(_, set)| *set) {
            return Err(Invalid::new(
                format!("mailbox.{key}"),
                format!("{key} is only for kind = \"imap\""),
                format!("remove {key}, or set kind = \"imap\""),
            ));
        }
        if self.folder.is_some() {
            return Err(Invalid::new(
                "mailbox.folder",
                "a Maildir source reads the Maildir that path names",
                "remove folder and point path at the Maildir itself (the directory with \
                 cur/, new/ and tmp/)",
            ));
        }
        let Some(path) = self.path.filter(|p| !p.as_os_str().is_empty()) else {
            return Err(Invalid::new(
                "mailbox.path",
                "the Maildir is not set",
                "set path to the directory that holds cur/, new/ and tmp/",
            ));
        };
        let (done_folder, needs_human_folder) =
            filing_folders(self.done_folder, self.needs_human_folder, None)?;
        Ok(MaildirConfig {
            path: base_dir.join(path),
            done_folder,
            needs_human_folder,
            poll_interval: positive("mailbox.poll_interval", self.poll_interval, DEFAULT_POLL)?,
        })
    }
}

/// Checks the security against the host and picks the port.
fn transport(
    host: &str,
    security: ImapSecurity,
    port: Option<u16>,
    has_ca_file: bool,
) -> Result<u16, Invalid> {
    if security == ImapSecurity::Plain && !is_loopback(host) {
        return Err(Invalid::new(
            "mailbox.security",
            format!("\"plain\" would send the password to {host} unencrypted"),
            "use security = \"tls\" (port 993) or \"starttls\" (port 143); \"plain\" is \
             only accepted for localhost",
        ));
    }
    if security == ImapSecurity::Plain && has_ca_file {
        return Err(Invalid::new(
            "mailbox.ca_file",
            "security = \"plain\" uses no TLS, so no CA is consulted",
            "remove ca_file, or use security = \"tls\" or \"starttls\"",
        ));
    }
    match port {
        Some(0) => Err(Invalid::new(
            "mailbox.port",
            "0 is not a port",
            "use 993 for tls or 143 for starttls, or leave the key out",
        )),
        Some(port) => Ok(port),
        None if security == ImapSecurity::Tls => Ok(993),
        None => Ok(143),
    }
}

fn idle_renew(value: Option<Duration>) -> Result<Duration, Invalid> {
    let idle_renew = value.unwrap_or(Duration::from_secs(20 * 60));
    if idle_renew.is_zero() || idle_renew > MAX_IDLE_RENEW {
        return Err(Invalid::new(
            "mailbox.idle_renew",
            format!(
                "{} is outside 1s..29m (servers end an IDLE after 30 minutes)",
                humantime_serde::re::humantime::format_duration(idle_renew)
            ),
            "use idle_renew = \"20m\", or leave the key out",
        ));
    }
    Ok(idle_renew)
}

fn imap_auth(
    password_file: Option<PathBuf>,
    password_credential: Option<String>,
    token_file: Option<PathBuf>,
    token_command: Option<String>,
    base_dir: &Path,
) -> Result<ImapAuth, Invalid> {
    check_auth_values(password_credential.as_deref(), token_command.as_deref())?;
    let mut chosen: Vec<(&str, ImapAuth)> = [
        password_file.map(|p| {
            (
                "password_file",
                ImapAuth::Password(SecretSource::File(base_dir.join(p))),
            )
        }),
        password_credential.map(|n| {
            (
                "password_credential",
                ImapAuth::Password(SecretSource::Credential(n)),
            )
        }),
        token_file.map(|p| {
            (
                "xoauth2_token_file",
                ImapAuth::XOAuth2(TokenSource::File(base_dir.join(p))),
            )
        }),
        token_command.map(|c| {
            (
                "xoauth2_token_command",
                ImapAuth::XOAuth2(TokenSource::Command(c)),
            )
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    let how = "set exactly one of password_file, password_credential, xoauth2_token_file or \
               xoauth2_token_command";
    match chosen.len() {
        0 => Err(Invalid::new(
            "mailbox.password_file",
            "no way to log in is configured",
            how,
        )),
        1 => Ok(chosen.remove(0).1),
        _ => Err(Invalid::new(
            format!("mailbox.{}", chosen[1].0),
            format!("{} and {} are both set", chosen[0].0, chosen[1].0),
            how,
        )),
    }
}

/// Refuses values no login could work with.
fn check_auth_values(
    password_credential: Option<&str>,
    token_command: Option<&str>,
) -> Result<(), Invalid> {
    if let Some(name) = password_credential
        && (name.is_empty() || name.contains('/'))
    {
        return Err(Invalid::new(
            "mailbox.password_credential",
            format!("{name:?} is not a systemd credential name"),
            "use the name given to LoadCredential=, e.g. password_credential = \"imap-password\"",
        ));
    }
    if token_command.is_some_and(|c| c.trim().is_empty()) {
        return Err(Invalid::new(
            "mailbox.xoauth2_token_command",
            "the command is empty",
            "give a command that prints a current access token, or use xoauth2_token_file",
        ));
    }
    Ok(())
}

#[path = "mailbox_fields.rs"]
mod fields;

#[cfg(test)]
#[path = "mailbox_tests.rs"]
mod tests;
