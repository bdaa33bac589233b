//! Running the program under test (the release `onbehalf` binary or the baseline script)
//! and measuring it from the outside.
//!
//! In: a [`Command`] (stderr goes to a log file). Out: for a run to completion
//! ([`run_measured`]), its wall time, CPU seconds and peak RSS (`VmHWM`, polled every few
//! milliseconds; CPU is read from the zombie before it is reaped, so nothing is lost at
//! exit); for a service ([`Service`]), its pid, stopped with SIGTERM on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::procstat;

/// How often a running program is sampled.
const POLL: Duration = Duration::from_millis(5);

/// The release binary Cargo built for this bench (the bench profile is the release one),
/// or the one `ONBEHALF_BENCH_BIN` names: a copy of an earlier build, to measure two
/// versions back to back on the same machine.
pub fn onbehalf_binary() -> PathBuf {
    std::env::var_os("ONBEHALF_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_onbehalf")))
}

/// `onbehalf <verb> --config <config>`, logging at the default level.
pub fn onbehalf(verb: &str, config: &Path) -> Command {
    let mut command = Command::new(onbehalf_binary());
    command
        .arg(verb)
        .arg("--config")
        .arg(config)
        .env_remove("RUST_LOG")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("CREDENTIALS_DIRECTORY");
    command
}

/// The baseline script under Debian's Python (where `python3-requests` is installed).
pub fn baseline(config: &Path) -> Command {
    let mut command = Command::new("/usr/bin/python3");
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/baseline/baseline.py"
        ))
        .arg("--config")
        .arg(config);
    command
}

/// What a finished run cost.
#[derive(Debug, Clone, Copy)]
pub struct Exit {
    /// From spawn to exit.
    pub wall: Duration,
    /// `utime + stime` of the process.
    pub cpu_seconds: f64,
    /// The largest `VmHWM` seen, KiB.
    pub peak_rss_kib: u64,
    /// The most threads seen at once.
    pub peak_threads: u64,
    /// How it ended.
    pub status: ExitStatus,
}

fn spawn(mut command: Command, log: &Path) -> Child {
    let stderr = std::fs::File::create(log).expect("cannot create the log file");
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

/// Runs `command` to the end, sampling it (or, with `wrapped`, the one child of a wrapper
/// such as `perf record -- …`).
pub fn run_measured(command: Command, log: &Path, wrapped: bool) -> Exit {
    let tick = procstat::ticks_per_second();
    let started = Instant::now();
    let mut child = spawn(command, log);
    let mut target = (!wrapped).then(|| child.id());
    let (mut ticks, mut peak, mut peak_threads, mut ended) = (0, 0, 0, None);
    loop {
        if wrapped {
            // The wrapper's child; it ends when the wrapper does (the wrapper reaps it).
            if let Some(pid) = procstat::first_child(child.id()) {
                target = Some(pid);
            }
        }
        if let Some(pid) = target {
            if let Some((_, hwm)) = procstat::memory_kib(pid) {
                peak = peak.max(hwm);
            }
            peak_threads = peak_threads.max(procstat::threads(pid).unwrap_or(0));
            match procstat::stat(pid) {
                Some((state, _, now)) => {
                    ticks = ticks.max(now);
                    if state == 'Z' && !wrapped {
                        ended = Some(started.elapsed());
                    }
                }
                None if !wrapped => ended = Some(started.elapsed()),
                None => {}
            }
        }
        // The direct child is not reaped here: its zombie still shows its CPU time.
        if ended.is_some() || (wrapped && child.try_wait().ok().flatten().is_some()) {
            break;
        }
        std::thread::sleep(POLL);
    }
    let wall = ended.unwrap_or_else(|| started.elapsed());
    let status = child.wait().expect("cannot wait for the process");
    Exit {
        wall,
        cpu_seconds: ticks as f64 / tick,
        peak_rss_kib: peak,
        peak_threads,
        status,
    }
}

/// A long-running process (`onbehalf run`, the polling baseline); SIGTERM on drop.
pub struct Service {
    child: Child,
    /// Where its stderr goes.
    pub log: PathBuf,
}

impl Service {
    /// Starts `command` with stderr to `log`.
    pub fn start(command: Command, log: &Path) -> Service {
        Service {
            child: spawn(command, log),
            log: log.to_owned(),
        }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Panics with its log when it is no longer running.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited ({status}); its log:\n{}",
                self.log.display(),
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
    }

    /// Waits (up to `limit`, then panics with its log) for it to exit by itself.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} still running after {limit:?}; its log:\n{}",
                self.log.display(),
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGTERM and waits (up to 30 s, then SIGKILL).
    pub fn stop(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Polls `condition` every `every` until it holds; panics with `what` after `limit`.
pub fn wait_until(
    what: &str,
    limit: Duration,
    every: Duration,
    mut condition: impl FnMut() -> bool,
) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(every);
    }
}
