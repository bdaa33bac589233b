//! Benchmark 4, idle footprint: what a watcher costs while nothing arrives.
//!
//! In: how long to watch. Out: per watcher — `onbehalf run` (IDLE) and, side by side on
//! the same empty mailbox, the baseline script polling every 60 s and every 5 s — its
//! `VmRSS` at the end and at most, `VmHWM`, and the CPU it used over the window (the
//! delta of its threads' run time in `/proc/<pid>/task/*/schedstat`, nanoseconds, rather
//! than the 10 ms ticks of `/proc/<pid>/stat`) as seconds and as a share of one core.
//! The window starts once onbehalf has checked the mailbox and every watcher has run for
//! a few seconds (start-up is not idling).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::procstat;
use crate::runner::{self, Service};
use crate::servers::Servers;

/// What one watcher cost over the window.
pub struct Idle {
    /// Who watched, and how.
    pub who: String,
    /// The window, seconds.
    pub seconds: f64,
    /// `VmRSS` at the end, KiB.
    pub rss_end_kib: u64,
    /// The largest `VmRSS` sampled during the window, KiB.
    pub rss_max_kib: u64,
    /// `VmHWM` at the end (since the process started), KiB.
    pub hwm_kib: u64,
    /// CPU seconds used in the window.
    pub cpu_seconds: f64,
}

impl Idle {
    /// CPU as a percentage of one core.
    pub fn cpu_percent(&self) -> f64 {
        100.0 * self.cpu_seconds / self.seconds
    }

    /// Prints the figures.
    pub fn print(&self) {
        println!(
            "  {:<44} RSS {:>5.1} MiB (max {:.1}, HWM {:.1})  CPU {:.3} s in {:.0} s = {:.3}% of a core",
            self.who,
            self.rss_end_kib as f64 / 1024.0,
            self.rss_max_kib as f64 / 1024.0,
            self.hwm_kib as f64 / 1024.0,
            self.cpu_seconds,
            self.seconds,
            self.cpu_percent()
        );
    }

    /// The figures as JSON.
    pub fn json(&self) -> Value {
        json!({
            "who": self.who,
            "seconds": self.seconds,
            "rss_end_mib": self.rss_end_kib as f64 / 1024.0,
            "rss_max_mib": self.rss_max_kib as f64 / 1024.0,
            "hwm_mib": self.hwm_kib as f64 / 1024.0,
            "cpu_s": self.cpu_seconds,
            "cpu_percent_of_core": self.cpu_percent(),
        })
    }
}

/// Watches an empty mailbox with onbehalf and (with `baselines`) the script, for `window`.
pub fn run(runtime: &tokio::runtime::Runtime, window: Duration, baselines: bool) -> Vec<Idle> {
    let servers = Servers::start(runtime);
    let state = servers.path("state");
    let config = servers.onbehalf_config("onbehalf.toml", &state, "");
    let mut watchers = vec![(
        "onbehalf run (IDLE)".to_owned(),
        Service::start(
            runner::onbehalf("run", &config),
            &servers.path("onbehalf-idle.log"),
        ),
    )];
    if baselines {
        let config = servers.baseline_config("baseline.ini");
        for poll in [60, 5] {
            let mut command = runner::baseline(&config);
            command.arg("--poll").arg(poll.to_string());
            let log = servers.path(&format!("baseline-idle-{poll}.log"));
            watchers.push((
                format!("baseline script polling every {poll} s"),
                Service::start(command, &log),
            ));
        }
    }
    runner::wait_until(
        "onbehalf run to check the mailbox",
        Duration::from_secs(30),
        Duration::from_millis(20),
        || crate::arrival::daemon_ready(&state),
    );
    // Start-up (connections, TLS, the first check) is not idling.
    std::thread::sleep(Duration::from_secs(3));
    procstat::wait_for_quiet_machine();
    let start: Vec<u64> = watchers
        .iter_mut()
        .map(|(_, service)| {
            service.assert_running();
            procstat::cpu_nanoseconds(service.pid()).unwrap_or(0)
        })
        .collect();
    let started = Instant::now();
    let mut rss_max = vec![0u64; watchers.len()];
    while started.elapsed() < window {
        std::thread::sleep(
            Duration::from_millis(500).min(window.saturating_sub(started.elapsed())),
        );
        for ((_, service), max) in watchers.iter().zip(rss_max.iter_mut()) {
            if let Some((rss, _)) = procstat::memory_kib(service.pid()) {
                *max = (*max).max(rss);
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    watchers
        .iter_mut()
        .zip(start)
        .zip(rss_max)
        .map(|(((who, service), cpu_before), rss_max_kib)| {
            service.assert_running();
            let pid = service.pid();
            let (rss_end_kib, hwm_kib) = procstat::memory_kib(pid).unwrap_or_default();
            let cpu_after = procstat::cpu_nanoseconds(pid).unwrap_or(0);
            Idle {
                who: who.clone(),
                seconds,
                rss_end_kib,
                rss_max_kib,
                hwm_kib,
                cpu_seconds: cpu_after.saturating_sub(cpu_before) as f64 / 1e9,
            }
        })
        .collect()
}
