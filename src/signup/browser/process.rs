//! The headless Chromium process the daemon shares between jobs.
//!
//! In: the [`BrowserSettings`]. Out: a `Running` browser: Debian's `chromium` started
//! headless with a temporary profile directory, its DevTools connection driven on a task.
//! `Running::close` asks it to quit, waits for the process (no `<defunct>` child is
//! left) and removes the profile directory. `Running::memory` adds up the proportional
//! set size (PSS) of every process of this browser, found in /proc by the profile
//! directory on its command line, so a restart can bound the browser's memory.
//!
//! The browser resolves no host name: `--host-resolver-rules` maps every name to
//! nothing, so the only way out is the fence's relay (`fence.rs`).

use std::path::Path;
use std::time::Duration;

use chromiumoxide::browser::{Browser, BrowserConfig};
use futures::StreamExt;

use super::{BrowserError, BrowserSettings};

/// A started browser.
pub(super) struct Running {
    /// The DevTools connection (and the child process).
    pub browser: Browser,
    /// Drives the DevTools connection; ends when the browser goes away.
    handler: tokio::task::JoinHandle<()>,
    /// The temporary profile directory, removed on close.
    profile: tempfile::TempDir,
    /// Jobs started on this process, for the restart after `jobs_per_process`.
    pub jobs: u32,
}

impl Running {
    /// Starts Chromium headless with a fresh profile directory.
    pub async fn launch(settings: &BrowserSettings) -> Result<Running, BrowserError> {
        let profile = tempfile::Builder::new()
            .prefix("onbehalf-browser-")
            .tempdir()
            .map_err(|source| BrowserError::Profile { source })?;
        let config = BrowserConfig::builder()
            .chrome_executable(&settings.executable)
            .user_data_dir(profile.path())
            .respect_https_errors()
            .disable_cache()
            .launch_timeout(Duration::from_secs(20))
            .request_timeout(Duration::from_secs(10))
            .args([
                "--host-resolver-rules=MAP * ~NOTFOUND".to_owned(),
                "--disable-sync".to_owned(),
                "--no-first-run".to_owned(),
                "--no-pings".to_owned(),
                "--disable-features=Translate,MediaRouter,OptimizationHints".to_owned(),
                "--js-flags=--max-old-space-size=256".to_owned(),
            ]);
        // Chromium's own sandbox keeps page scripts away from the daemon's files and
        // memory; as root Chromium refuses to start with it, so root goes without.
        let as_root = rustix::process::geteuid().is_root();
        let config = if settings.sandbox && !as_root {
            config
        } else {
            if settings.sandbox {
                tracing::warn!(
                    "browser: running as root, so without Chromium's own sandbox; run the \
                     daemon as its own user (the shipped systemd unit does)"
                );
            }
            config.no_sandbox()
        };
        let config = config.build().map_err(|problem| BrowserError::Launch {
            executable: settings.executable.clone(),
            problem,
        })?;
        let (browser, mut events) =
            Browser::launch(config)
                .await
                .map_err(|e| BrowserError::Launch {
                    executable: settings.executable.clone(),
                    problem: e.to_string(),
                })?;
        // A connection error ends the handler (and with it every pending command), so a
        // browser that died is noticed at once instead of at each command's timeout.
        let handler = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                if let Err(e) = event {
                    tracing::warn!(error = %e, "browser: the DevTools connection failed");
                    break;
                }
            }
        });
        tracing::info!("browser: started");
        Ok(Running {
            browser,
            handler,
            profile,
            jobs: 0,
        })
    }

    /// Whether the process is still there and its connection alive.
    pub fn alive(&mut self) -> bool {
        !self.handler.is_finished() && matches!(self.browser.try_wait(), Ok(None))
    }

    /// The profile directory (on every process's command line).
    pub fn profile(&self) -> &Path {
        self.profile.path()
    }

    /// Bytes of memory (PSS) the browser's processes use together.
    pub fn memory(&self) -> u64 {
        processes_of(self.profile())
            .iter()
            .map(|pid| pss_bytes(*pid))
            .sum()
    }

    /// Quits the browser, reaps it and removes the profile directory; kills it when it
    /// does not quit within a few seconds.
    pub async fn close(mut self) {
        // Found before the main process goes: once it has, its helpers have no parent
        // that leads to it.
        let helpers = processes_of(self.profile());
        let closing = async {
            let _ = self.browser.close().await;
            self.browser.wait().await
        };
        if tokio::time::timeout(Duration::from_secs(5), closing)
            .await
            .is_err()
        {
            tracing::warn!("browser: did not quit in time, killing it");
            let _ = self.browser.kill().await;
        }
        self.handler.abort();
        // Helpers (zygote, renderers) end when the main process does; wait briefly so
        // the profile directory is no longer in use when it is removed.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        while helpers.iter().any(|pid| alive(*pid)) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let path = self.profile.path().to_owned();
        if let Err(e) = self.profile.close() {
            tracing::warn!(path = %path.display(), error = %e, "browser: cannot remove the profile directory");
        }
        tracing::info!("browser: closed");
    }
}

/// The browser's processes: those whose command line names `profile` (the main
/// process; the full browser also passes its `--user-data-dir` to every helper, the
/// headless shell does not) and every descendant of them (zygotes, GPU, network,
/// renderers).
pub fn processes_of(profile: &Path) -> Vec<u32> {
    let needle = profile.as_os_str().as_encoded_bytes();
    let table = process_table();
    let mut found: Vec<u32> = table
        .iter()
        .map(|&(pid, _)| pid)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|cmd| cmd.windows(needle.len()).any(|w| w == needle))
        })
        .collect();
    let mut next = 0;
    while let Some(&parent) = found.get(next) {
        for &(pid, ppid) in &table {
            if ppid == parent && !found.contains(&pid) {
                found.push(pid);
            }
        }
        next += 1;
    }
    found
}

/// Whether `pid` is a process that has not ended (a zombie has ended).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat_fields(&stat).map(|(state, _)| state != "Z"))
        .unwrap_or(false)
}

/// Every process as (pid, parent pid).
fn process_table() -> Vec<(u32, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            Some((pid, stat_fields(&stat)?.1))
        })
        .collect()
}

/// The state and parent pid from `/proc/PID/stat`; the command name before them is in
/// parentheses and may itself contain spaces and parentheses, so it is skipped whole.
fn stat_fields(stat: &str) -> Option<(&str, u32)> {
    let mut rest = stat.get(stat.rfind(')')? + 1..)?.split_whitespace();
    let state = rest.next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some((state, ppid))
}

/// A process's proportional set size in bytes (0 when it cannot be read).
fn pss_bytes(pid: u32) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
