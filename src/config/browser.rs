//! The signup engine of each platform and the `[browser]` section.
//!
//! In: a platform's `engine` key and the raw `[browser]` table. Out: an [`Engine`] and
//! validated [`BrowserSettings`] (the Chromium executable, when to replace the browser
//! process, the deadlines), or an [`Invalid`] naming the key.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::Invalid;

/// Which engine signs a platform's invitees up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Plain HTTP: read the server-rendered form and post it.
    #[default]
    Http,
    /// Headless Chromium: for pages whose form is built by JavaScript, and for platforms
    /// that use up an invite on its first view.
    Browser,
    /// HTTP first; when the invite answers an app shell (scripts, no form with a password
    /// field), the same job goes on in the browser.
    Auto,
}

impl Engine {
    /// The value as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Browser => "browser",
            Self::Auto => "auto",
        }
    }
}

/// How the browser runs (`[browser]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserSettings {
    /// The Chromium executable.
    pub executable: PathBuf,
    /// Jobs one browser process serves before it is replaced by a fresh one.
    pub jobs_per_process: u32,
    /// Above this many bytes (PSS of all its processes) the browser is replaced.
    pub memory_limit: u64,
    /// Time allowed for one signup in the browser, from opening the invite to the result.
    pub signup_deadline: Duration,
    /// Time allowed for the signup form and its pre-filled login to appear.
    pub form_wait: Duration,
    /// Use Chromium's own sandbox (needs user namespaces, which the shipped unit allows).
    /// As root Chromium refuses it, so a daemon running as root goes without and says so.
    pub sandbox: bool,
}

/// Debian's old headless shell (package `chromium-headless-shell`): the same engine
/// without the browser's UI, about half the memory of `chromium --headless` for the same
/// pages. The binary itself, not `/usr/bin`'s wrapper script, which does not `exec` and
/// would leave the browser behind when onbehalf ends its process.
pub const HEADLESS_SHELL: &str = "/usr/lib/chromium/chromium-headless-shell";

/// Debian's full browser (package `chromium`), used when the headless shell is missing.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The headless shell when it is installed, else the full browser.
fn default_executable() -> PathBuf {
    [HEADLESS_SHELL, CHROMIUM]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from(CHROMIUM))
}

impl Default for BrowserSettings {
    fn default() -> Self {
        Self {
            executable: default_executable(),
            jobs_per_process: 50,
            memory_limit: 600 * 1024 * 1024,
            signup_deadline: Duration::from_secs(60),
            form_wait: Duration::from_secs(15),
            sandbox: true,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBrowser {
    executable: Option<PathBuf>,
    jobs_per_process: Option<u32>,
    memory_limit_mb: Option<u64>,
    #[serde(default, with = "humantime_serde")]
    signup_deadline: Option<Duration>,
    #[serde(default, with = "humantime_serde")]
    form_wait: Option<Duration>,
    sandbox: Option<bool>,
}

impl RawBrowser {
    pub(super) fn validate(self) -> Result<BrowserSettings, Invalid> {
        let defaults = BrowserSettings::default();
        let positive = |key: &str, zero: bool, hint: &str| {
            if zero {
                Err(Invalid::new(
                    format!("browser.{key}"),
                    "0 is not usable",
                    hint,
                ))
            } else {
                Ok(())
            }
        };
        let jobs_per_process = self.jobs_per_process.unwrap_or(defaults.jobs_per_process);
        positive(
            "jobs_per_process",
            jobs_per_process == 0,
            "use 1 or more (50 by default)",
        )?;
        let memory_limit = self
            .memory_limit_mb
            .map_or(defaults.memory_limit, |mb| mb * 1024 * 1024);
        positive(
            "memory_limit_mb",
            memory_limit == 0,
            "use a size in MB such as 600",
        )?;
        let signup_deadline = self.signup_deadline.unwrap_or(defaults.signup_deadline);
        positive(
            "signup_deadline",
            signup_deadline.is_zero(),
            "use a duration such as \"60s\"",
        )?;
        let form_wait = self.form_wait.unwrap_or(defaults.form_wait);
        positive(
            "form_wait",
            form_wait.is_zero(),
            "use a duration such as \"15s\"",
        )?;
        Ok(BrowserSettings {
            executable: self.executable.unwrap_or(defaults.executable),
            jobs_per_process,
            memory_limit,
            signup_deadline,
            form_wait,
            sandbox: self.sandbox.unwrap_or(defaults.sandbox),
        })
    }
}
