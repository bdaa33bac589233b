//! The `[daemon]` section: where the journal lives, how much runs at once, health and
//! shutdown timings.
//!
//! In: the raw TOML table (every key optional). Out: a [`DaemonConfig`] with defaults
//! filled in, or an [`Invalid`] naming the key and what to write instead.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::Invalid;

/// Where the journal lives when neither the file nor systemd says otherwise.
pub const DEFAULT_STATE_DIR: &str = "/var/lib/onbehalf";

/// The most jobs that may run at once.
const MAX_CONCURRENCY: usize = 64;

/// The validated `[daemon]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonConfig {
    /// The directory holding the journal (`journal.sqlite3`): `state_dir` from the file,
    /// else systemd's `$STATE_DIRECTORY`, else `/var/lib/onbehalf`.
    pub state_dir: PathBuf,
    /// How many jobs run at once (1 to 64). A job spends most of its time waiting for
    /// the platform, the SMTP server and the mailbox, so the default of 8 keeps two cores
    /// busy on a backlog (4 left a fifth of them idle in `scripts/bench-pipeline.sh`).
    pub concurrency: usize,
    /// How many jobs may talk to one platform at once, so a burst of forwards does not
    /// trip its rate limit.
    pub per_platform_concurrency: usize,
    /// How many signups may run in the browser at once (each holds a browser tab).
    pub browser_concurrency: usize,
    /// Where to serve metrics, if anywhere.
    pub metrics_listen: Option<SocketAddr>,
    /// How old the last successful mailbox check may be before health is reported bad.
    pub stale_after: Duration,
    /// How long SIGTERM waits for in-flight jobs to reach a journaled state.
    pub shutdown_grace: Duration,
    /// How long a job may spend signing up (retries and `Retry-After` waits included)
    /// before it goes to a human, so one platform cannot hold a job for ever.
    pub job_deadline: Duration,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self {
            state_dir: default_state_dir(std::env::var_os("STATE_DIRECTORY")),
            concurrency: 8,
            per_platform_concurrency: 2,
            browser_concurrency: 2,
            metrics_listen: None,
            stale_after: Duration::from_secs(600),
            shutdown_grace: Duration::from_secs(30),
            job_deadline: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDaemon {
    state_dir: Option<PathBuf>,
    concurrency: Option<usize>,
    per_platform_concurrency: Option<usize>,
    browser_concurrency: Option<usize>,
    metrics_listen: Option<String>,
    #[serde(default, with = "humantime_serde")]
    stale_after: Option<Duration>,
    #[serde(default, with = "humantime_serde")]
    shutdown_grace: Option<Duration>,
    #[serde(default, with = "humantime_serde")]
    job_deadline: Option<Duration>,
}

impl RawDaemon {
    pub(super) fn validate(self, base_dir: &Path) -> Result<DaemonConfig, Invalid> {
        let defaults = DaemonConfig::default();
        let state_dir = match self.state_dir {
            Some(dir) if dir.as_os_str().is_empty() => {
                return Err(Invalid::new(
                    "daemon.state_dir",
                    "the directory is empty",
                    format!(
                        "name a directory only onbehalf writes to, e.g. \
                         state_dir = \"{DEFAULT_STATE_DIR}\", or leave the key out"
                    ),
                ));
            }
            Some(dir) => base_dir.join(dir),
            None => defaults.state_dir,
        };
        let concurrency = self.concurrency.unwrap_or(defaults.concurrency);
        if !(1..=MAX_CONCURRENCY).contains(&concurrency) {
            return Err(Invalid::new(
                "daemon.concurrency",
                format!("{concurrency} jobs at once is outside 1 to {MAX_CONCURRENCY}"),
                "use a small number such as 4, or leave the key out",
            ));
        }
        let per_platform_concurrency = self
            .per_platform_concurrency
            .unwrap_or(defaults.per_platform_concurrency);
        if per_platform_concurrency == 0 {
            return Err(Invalid::new(
                "daemon.per_platform_concurrency",
                "0 would never let a job reach a platform",
                "use 1 or more (2 by default), or leave the key out",
            ));
        }
        let browser_concurrency = self
            .browser_concurrency
            .unwrap_or(defaults.browser_concurrency);
        if browser_concurrency == 0 {
            return Err(Invalid::new(
                "daemon.browser_concurrency",
                "0 would never let a browser signup start",
                "use 1 or more (2 by default), or leave the key out",
            ));
        }
        let stale_after = self.stale_after.unwrap_or(defaults.stale_after);
        if stale_after.is_zero() {
            return Err(Invalid::new(
                "daemon.stale_after",
                "0s would report the mailbox unhealthy right after every check",
                "use a duration longer than the mailbox poll interval, e.g. \"10m\"",
            ));
        }
        let job_deadline = self.job_deadline.unwrap_or(defaults.job_deadline);
        if job_deadline.is_zero() {
            return Err(Invalid::new(
                "daemon.job_deadline",
                "0s would stop every job before it reaches the platform",
                "use a duration of a few minutes, e.g. \"15m\", or leave the key out",
            ));
        }
        Ok(DaemonConfig {
            state_dir,
            job_deadline,
            concurrency,
            per_platform_concurrency,
            browser_concurrency,
            metrics_listen: self
                .metrics_listen
                .as_deref()
                .map(parse_listen)
                .transpose()?,
            stale_after,
            shutdown_grace: self.shutdown_grace.unwrap_or(defaults.shutdown_grace),
        })
    }
}

fn parse_listen(text: &str) -> Result<SocketAddr, Invalid> {
    text.trim().parse().map_err(|_| {
        Invalid::new(
            "daemon.metrics_listen",
            format!("{text:?} is not an IP address with a port"),
            "write e.g. metrics_listen = \"127.0.0.1:9898\" (a host name is not accepted), \
             or leave the key out to serve no metrics",
        )
    })
}

/// The state directory systemd gives (`StateDirectory=` sets `$STATE_DIRECTORY`, a
/// colon-separated list when several are named: the first is ours), else the default.
fn default_state_dir(from_env: Option<OsString>) -> PathBuf {
    from_env
        .as_deref()
        .and_then(|dirs| dirs.to_str())
        .and_then(|dirs| dirs.split(':').find(|dir| !dir.is_empty()))
        .map_or_else(|| PathBuf::from(DEFAULT_STATE_DIR), PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(text: &str) -> Result<DaemonConfig, Invalid> {
        let raw: RawDaemon = toml::from_str(text).unwrap();
        raw.validate(Path::new("/etc/onbehalf"))
    }

    #[test]
    fn empty_section_gets_defaults() {
        let config = validate("").unwrap();
        assert_eq!(config.concurrency, 8);
        assert_eq!(config.per_platform_concurrency, 2);
        assert_eq!(config.metrics_listen, None);
        assert_eq!(config.stale_after, Duration::from_secs(600));
        assert_eq!(config.shutdown_grace, Duration::from_secs(30));
        assert_eq!(config.state_dir, DaemonConfig::default().state_dir);
    }

    #[test]
    fn every_key_is_read() {
        let config = validate(
            "state_dir = \"state\"\nconcurrency = 12\nper_platform_concurrency = 1\n\
             metrics_listen = \"127.0.0.1:9898\"\nstale_after = \"90s\"\nshutdown_grace = \"1m\"\n\
             job_deadline = \"5m\"",
        )
        .unwrap();
        assert_eq!(config.state_dir, Path::new("/etc/onbehalf/state"));
        assert_eq!(config.concurrency, 12);
        assert_eq!(config.per_platform_concurrency, 1);
        assert_eq!(
            config.metrics_listen,
            Some("127.0.0.1:9898".parse().unwrap())
        );
        assert_eq!(config.stale_after, Duration::from_secs(90));
        assert_eq!(config.shutdown_grace, Duration::from_secs(60));
        assert_eq!(config.job_deadline, Duration::from_secs(300));
    }

    #[test]
    fn absolute_state_dir_is_kept() {
        let config = validate("state_dir = \"/srv/onbehalf\"").unwrap();
        assert_eq!(config.state_dir, Path::new("/srv/onbehalf"));
    }

    #[test]
    fn state_dir_comes_from_systemd_else_the_default() {
        assert_eq!(
            default_state_dir(Some("/var/lib/onbehalf-a:/var/lib/other".into())),
            Path::new("/var/lib/onbehalf-a")
        );
        assert_eq!(default_state_dir(None), Path::new(DEFAULT_STATE_DIR));
        assert_eq!(
            default_state_dir(Some("".into())),
            Path::new(DEFAULT_STATE_DIR)
        );
    }

    #[test]
    fn bad_values_name_their_key() {
        for (text, key) in [
            ("state_dir = \"\"", "daemon.state_dir"),
            ("concurrency = 0", "daemon.concurrency"),
            ("concurrency = 65", "daemon.concurrency"),
            (
                "per_platform_concurrency = 0",
                "daemon.per_platform_concurrency",
            ),
            (
                "metrics_listen = \"localhost:9898\"",
                "daemon.metrics_listen",
            ),
            ("metrics_listen = \"127.0.0.1\"", "daemon.metrics_listen"),
            ("stale_after = \"0s\"", "daemon.stale_after"),
        ] {
            let invalid = validate(text).unwrap_err();
            assert_eq!(invalid.key, key, "{text}");
            assert!(!invalid.suggestion.is_empty(), "{text}");
        }
    }

    #[test]
    fn bad_durations_and_unknown_keys_are_syntax_errors() {
        assert!(toml::from_str::<RawDaemon>("stale_after = \"ten minutes\"").is_err());
        assert!(toml::from_str::<RawDaemon>("concurency = 4").is_err());
    }

    #[test]
    fn daemon_section_is_part_of_the_file() {
        let text = "[[platform]]\nname = \"Engage\"\n\
                    invite_links = [\"https://engage.example.com/invitations/accept?*\"]\n\
                    allowed_hosts = [\"engage.example.com\"]\n\
                    [daemon]\nconcurrency = 99\n";
        let err = super::super::Config::from_toml(text, Path::new("/etc/onbehalf/onbehalf.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("daemon.concurrency"), "{err}");
        assert!(err.contains("outside 1 to 64"), "{err}");
    }
}
