//! The configuration file.
//!
//! In: one TOML file (`/etc/onbehalf/onbehalf.toml` unless told otherwise). Out: a
//! validated [`Config`], or a [`ConfigError`] that names the file, the key, what is wrong
//! and what to write instead.
//!
//! Loading has two phases, as the file grows one section per pipeline stage: serde reads
//! a raw form that mirrors the file (`deny_unknown_fields` catches typos), then each
//! section's `validate` builds typed values. Relative paths in the file are resolved
//! against the file's own directory.

mod browser;
mod daemon;
mod failures;
mod invite_token;
mod journal;
mod mailbox;
mod notify;
mod pattern;
mod platform;
mod policy;
mod selector;
mod smtp;

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use browser::{BrowserSettings, Engine};
pub use daemon::DaemonConfig;
pub use failures::{FailureMarkers, FailureTexts};
pub use invite_token::InviteToken;
pub use journal::JournalConfig;
pub use mailbox::{ImapAuth, ImapConfig, ImapSecurity, MailboxConfig, MaildirConfig, TokenSource};
pub use notify::{DEFAULT_CHANGE_PASSWORD_HINT, NotifyConfig};
pub use pattern::{AllowedHost, PatternError, UrlPattern};
pub use platform::{CharClass, PasswordPolicy, Platform};
pub use policy::{IdLessResults, PolicyConfig};
pub use selector::CssSelector;
pub use smtp::{SmtpConfig, SmtpSecurity};

/// The default location of the config file.
pub const DEFAULT_PATH: &str = "/etc/onbehalf/onbehalf.toml";

/// The whole validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the configuration was read from; used in messages.
    pub path: PathBuf,
    /// Size limits that protect the pipeline from hostile input.
    pub limits: Limits,
    /// The platforms whose invites are handled, in file order.
    pub platforms: Vec<Platform>,
    /// Where forwarded invites arrive; needed by `run` and `once`.
    pub mailbox: Option<MailboxConfig>,
    /// Where credentials mails and tickets are sent; needed by `run` and `once`.
    pub smtp: Option<SmtpConfig>,
    /// What the credentials mails and tickets say and where tickets go.
    pub notify: NotifyConfig,
    /// Who may ask for a signup.
    pub policy: PolicyConfig,
    /// The service itself: state directory, concurrency.
    pub daemon: DaemonConfig,
    /// The journal's key, how long kept passwords and originals live.
    pub journal: JournalConfig,
    /// How the browser engine runs (`[browser]`).
    pub browser: BrowserSettings,
}

/// Size limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Messages larger than this are rejected with reason `too_large`.
    pub max_message_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_bytes: 25 * 1024 * 1024,
        }
    }
}

/// What is wrong with a config file, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML, or has unknown or mistyped keys.
    #[error("cannot use config file {path}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The TOML parser's explanation, with line and column.
        message: String,
    },
    /// A key has a value that cannot work.
    #[error("cannot use config file {path}: key `{key}`: {problem}. {suggestion}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The dotted key, e.g. `platform[0].allowed_hosts`.
        key: String,
        /// What is wrong.
        problem: String,
        /// What to write instead.
        suggestion: String,
    },
}

/// A problem found while validating one key; the loader adds the file path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The dotted key.
    pub key: String,
    /// What is wrong.
    pub problem: String,
    /// What to write instead.
    pub suggestion: String,
}

impl Invalid {
    /// Builds a validation problem.
    pub fn new(
        key: impl Into<String>,
        problem: impl Into<String>,
        suggestion: impl Into<String>,
    ) -> Self {
        Self {
            key: key.into(),
            problem: problem.into(),
            suggestion: suggestion.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    platform: Vec<platform::RawPlatform>,
    mailbox: Option<mailbox::RawMailbox>,
    smtp: Option<smtp::RawSmtp>,
    #[serde(default)]
    notify: notify::RawNotify,
    #[serde(default)]
    policy: policy::RawPolicy,
    #[serde(default)]
    daemon: daemon::RawDaemon,
    #[serde(default)]
    journal: journal::RawJournal,
    #[serde(default)]
    browser: browser::RawBrowser,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_message_bytes: Option<usize>,
}

impl Config {
    /// Reads and validates the file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text, path)
    }

    /// Validates TOML text as if read from `path` (which names the file in messages and
    /// anchors relative paths).
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let base_dir = path.parent().unwrap_or(Path::new("."));
        Self::validate(raw, base_dir)
            .map_err(|invalid| ConfigError::Invalid {
                path: path.to_owned(),
                key: invalid.key,
                problem: invalid.problem,
                suggestion: invalid.suggestion,
            })
            .map(|mut config| {
                config.path = path.to_owned();
                config
            })
    }

    fn validate(raw: RawConfig, base_dir: &Path) -> Result<Self, Invalid> {
        let limits = Limits {
            max_message_bytes: match raw.limits.max_message_bytes {
                Some(0) => {
                    return Err(Invalid::new(
                        "limits.max_message_bytes",
                        "0 would reject every message",
                        "use a size in bytes such as 26214400 (25 MB), or leave the key out",
                    ));
                }
                Some(n) => n,
                None => Limits::default().max_message_bytes,
            },
        };
        if raw.platform.is_empty() {
            return Err(Invalid::new(
                "platform",
                "no platform is configured, so no invite link can be recognised",
                "add a [[platform]] table with name, invite_links and allowed_hosts",
            ));
        }
        let mut platforms = Vec::with_capacity(raw.platform.len());
        for (index, raw_platform) in raw.platform.into_iter().enumerate() {
            let platform = raw_platform.validate(&format!("platform[{index}]"), base_dir)?;
            if platforms.iter().any(|p: &Platform| p.name == platform.name) {
                return Err(Invalid::new(
                    format!("platform[{index}].name"),
                    format!("the name {:?} is used twice", platform.name),
                    "give each [[platform]] its own name",
                ));
            }
            platforms.push(platform);
        }
        let mailbox = raw.mailbox.map(|m| m.validate(base_dir)).transpose()?;
        let policy = raw.policy.validate(base_dir)?;
        if mailbox.is_some() {
            policy.check_for_mailbox()?;
        }
        Ok(Self {
            path: PathBuf::new(),
            limits,
            platforms,
            mailbox,
            smtp: raw.smtp.map(|m| m.validate(base_dir)).transpose()?,
            notify: raw.notify.validate(base_dir)?,
            policy,
            daemon: raw.daemon.validate(base_dir)?,
            journal: raw.journal.validate()?,
            browser: raw.browser.validate()?,
        })
    }

    /// How the journal is opened: its key (the credential `journal.key_credential`
    /// when systemd passes it, else the key file, created only when `create_key`) and how
    /// long kept passwords live.
    pub fn journal_settings(&self, create_key: bool) -> crate::journal::OpenSettings {
        let state_dir = &self.daemon.state_dir;
        crate::journal::OpenSettings {
            key: crate::journal::KeyPlace::from_env(state_dir, &self.journal.key_credential),
            create_key,
            kept_password: self.journal.kept_password(),
        }
    }

    /// The platform with this name (case-insensitive).
    pub fn platform(&self, name: &str) -> Option<&Platform> {
        self.platforms
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests;
