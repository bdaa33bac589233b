//! A value that must never reach a log, an error message or a ticket.
//!
//! In: a password, token or key read from a file or generated. Out: a [`Secret`] that
//! prints `[redacted]` everywhere and is wiped from memory when dropped; only
//! [`Secret::expose`] gives the text, at the one place that sends it. And
//! [`forbid_core_dumps`], which every command calls first, so no secret ends in a core file.

use std::fmt;

use zeroize::Zeroizing;

/// Why the process could not be kept from dumping its memory.
#[derive(Debug, thiserror::Error)]
#[error("cannot turn off core dumps for this process ({what})")]
pub struct CoreDumpError {
    /// Which step failed.
    what: &'static str,
    /// The operating system's reason.
    #[source]
    source: std::io::Error,
}

/// Keeps secrets out of core dumps: the core size limit goes to 0 (soft and hard, so a
/// child cannot raise it) and the process is marked not dumpable, which also keeps other
/// processes of the same user from reading its memory through ptrace or `/proc`.
pub fn forbid_core_dumps() -> Result<(), CoreDumpError> {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let zero = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    setrlimit(Resource::Core, zero).map_err(|e| CoreDumpError {
        what: "setrlimit RLIMIT_CORE",
        source: e.into(),
    })?;
    #[cfg(target_os = "linux")]
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
        .map_err(|e| CoreDumpError {
            what: "prctl PR_SET_DUMPABLE",
            source: e.into(),
        })?;
    Ok(())
}

/// What is shown in place of a secret.
pub const REDACTED: &str = "[redacted]";

/// A secret string. `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The secret text. Call it only where the secret is sent or stored sealed.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Reads a secret from a file, dropping one trailing newline (as `echo` writes).
    pub fn from_file(path: &std::path::Path) -> std::io::Result<Self> {
        let mut text = Zeroizing::new(std::fs::read_to_string(path)?);
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        Ok(Self(text))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let secret = Secret::new("hunter2!A");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&secret)), "Some([redacted])");
        assert_eq!(secret.expose(), "hunter2!A");
    }

    #[test]
    fn file_secret_drops_one_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "s3cret \n").unwrap();
        assert_eq!(Secret::from_file(&path).unwrap().expose(), "s3cret ");
    }
}

/// Where a configured secret is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// A file holding only the secret.
    File(std::path::PathBuf),
    /// A systemd credential: `$CREDENTIALS_DIRECTORY/<name>` (set by `LoadCredential=`).
    Credential(String),
}

/// Why a secret could not be read. Never contains the secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The file could not be read.
    #[error("cannot read secret file {path}")]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A systemd credential was named but `$CREDENTIALS_DIRECTORY` is not set.
    #[error(
        "cannot read systemd credential {name:?}: $CREDENTIALS_DIRECTORY is not set \
         (add LoadCredential={name}:/path/to/file to the unit, or use a *_file key)"
    )]
    NoCredentialsDirectory {
        /// The credential name.
        name: String,
    },
}

impl SecretSource {
    /// Reads the secret now (callers re-read on every reconnect, so rotated secrets apply).
    pub fn read(&self) -> Result<Secret, SecretError> {
        let path = match self {
            Self::File(path) => path.clone(),
            Self::Credential(name) => std::env::var_os("CREDENTIALS_DIRECTORY")
                .map(|dir| std::path::Path::new(&dir).join(name))
                .ok_or_else(|| SecretError::NoCredentialsDirectory { name: name.clone() })?,
        };
        Secret::from_file(&path).map_err(|source| SecretError::File { path, source })
    }
}
