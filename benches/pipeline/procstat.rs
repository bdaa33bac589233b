//! What processes cost, read from `/proc`: CPU time, resident memory, and who is who.
//!
//! In: process ids (or how to find them: a process group, a command line, a thread
//! name). Out: CPU seconds (`utime + stime`), `VmRSS`/`VmHWM` in KiB, and a [`CpuMeter`]
//! that samples a set of processes on a thread and adds up the CPU they used during a
//! window, including processes that start and exit inside it (their last sample counts,
//! so at most one sampling interval of their time is lost).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Clock ticks per second of `/proc/*/stat` times.
pub fn ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

/// The fields of `/proc/<pid>/stat` after the command name.
fn stat_fields(path: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let after_name = &text[text.rfind(')')? + 2..];
    Some(after_name.split_whitespace().map(str::to_owned).collect())
}

/// A process's state letter (`R`, `S`, `Z`, …), process group and CPU ticks.
pub fn stat(pid: u32) -> Option<(char, u32, u64)> {
    let fields = stat_fields(Path::new(&format!("/proc/{pid}/stat")))?;
    // After the name: state(0) ppid(1) pgrp(2) … utime(11) stime(12).
    let state = fields.first()?.chars().next()?;
    let pgrp = fields.get(2)?.parse().ok()?;
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((state, pgrp, ticks))
}

/// A number from `/proc/<pid>/status` (`VmRSS:`, `Threads:`, …), first word after it.
fn status_field(pid: u32, name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// `VmRSS` and `VmHWM` of a live process, in KiB.
pub fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    Some((status_field(pid, "VmRSS:")?, status_field(pid, "VmHWM:")?))
}

/// Nanoseconds a live process's threads have spent on a CPU (the first field of each
/// `/proc/<pid>/task/<tid>/schedstat`): finer than the 10 ms ticks of `stat`, for small
/// figures such as an idle daemon's.
pub fn cpu_nanoseconds(pid: u32) -> Option<u64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let total = tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|text| text.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Some(total)
}

/// How many threads a live process has.
pub fn threads(pid: u32) -> Option<u64> {
    status_field(pid, "Threads:")
}

fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn cmdline(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
        .unwrap_or_default()
}

/// The first process whose command line contains every one of `parts`.
pub fn find_by_cmdline(parts: &[&str]) -> Option<u32> {
    all_pids().into_iter().find(|&pid| {
        let line = cmdline(pid);
        parts.iter().all(|part| line.contains(part))
    })
}

/// The first child of `parent` (a wrapper such as `perf`'s one child).
pub fn first_child(parent: u32) -> Option<u32> {
    let text = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children")).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Every process below `root` (children, grandchildren, …), from each one's parent pid.
pub fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = all_pids()
        .into_iter()
        .filter_map(|pid| {
            let fields = stat_fields(Path::new(&format!("/proc/{pid}/stat")))?;
            Some((pid, fields.get(1)?.parse().ok()?))
        })
        .collect();
    let mut found = vec![root];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(pid, _)| *pid),
        );
        next += 1;
    }
    found.remove(0);
    found
}

/// A live process's proportional set size (`Pss:` of `/proc/<pid>/smaps_rollup`), KiB:
/// its private memory plus its share of what it maps with others, so that the PSS of a
/// process tree adds up to what the tree really costs.
pub fn pss_kib(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// A process's command name (`/proc/<pid>/comm`).
pub fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|c| c.trim().to_owned())
        .unwrap_or_default()
}

/// What a [`CpuMeter`] watches.
#[derive(Debug, Clone)]
pub enum Target {
    /// One process.
    Pid(u32),
    /// Every process in this process group (Dovecot's master and its children).
    Group(u32),
    /// The threads of this process whose name starts with this (the simulator's runtime).
    Threads(u32, String),
}

/// A set of named targets sampled every `interval` on a thread.
pub struct CpuMeter {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<HashMap<String, f64>>>,
}

/// First and last tick count seen per (target name, task id).
type Seen = HashMap<(String, u32), (u64, u64)>;

impl CpuMeter {
    /// Starts sampling; the first sample of each process is its starting point, except for
    /// processes that appear later (they count from zero: they started in the window).
    pub fn start(targets: Vec<(String, Target)>, interval: Duration) -> CpuMeter {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let tick = ticks_per_second();
            let mut seen = Seen::new();
            let mut first_pass = true;
            loop {
                for (name, target) in &targets {
                    sample(name, target, &mut seen, first_pass);
                }
                first_pass = false;
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                std::thread::sleep(interval);
            }
            let mut totals = HashMap::new();
            for ((name, _), (first, last)) in seen {
                *totals.entry(name).or_insert(0.0) += (last - first) as f64 / tick;
            }
            totals
        });
        CpuMeter {
            stop,
            thread: Some(thread),
        }
    }

    /// Takes a last sample and returns CPU seconds per target name.
    pub fn finish(mut self) -> HashMap<String, f64> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .map(|t| t.join().expect("the sampler panicked"))
            .unwrap_or_default()
    }
}

fn sample(name: &str, target: &Target, seen: &mut Seen, first_pass: bool) {
    let mut record = |id: u32, ticks: u64| {
        let start = if first_pass { ticks } else { 0 };
        let entry = seen.entry((name.to_owned(), id)).or_insert((start, ticks));
        entry.1 = entry.1.max(ticks);
    };
    match target {
        Target::Pid(pid) => {
            if let Some((_, _, ticks)) = stat(*pid) {
                record(*pid, ticks);
            }
        }
        Target::Group(group) => {
            for pid in all_pids() {
                if let Some((_, pgrp, ticks)) = stat(pid)
                    && pgrp == *group
                {
                    record(pid, ticks);
                }
            }
        }
        Target::Threads(pid, prefix) => {
            let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
                return;
            };
            for task in tasks.filter_map(Result::ok) {
                let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else {
                    continue;
                };
                let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
                if comm.starts_with(prefix.as_str())
                    && let Some(fields) = stat_fields(&task.path().join("stat"))
                    && let (Some(u), Some(s)) = (fields.get(11), fields.get(12))
                    && let (Ok(u), Ok(s)) = (u.parse::<u64>(), s.parse::<u64>())
                {
                    record(tid, u + s);
                }
            }
        }
    }
}

/// Busy and total CPU ticks of the whole machine, from `/proc/stat`.
pub fn machine_ticks() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let values: Vec<u64> = text
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …
    let total: u64 = values.iter().take(8).sum();
    let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

/// How long [`wait_for_quiet_machine`] may wait; set once from the command line.
pub static QUIET_WAIT: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();

/// Waits (up to [`QUIET_WAIT`]) until the machine is nearly idle — less than 10% of its
/// CPU busy over one second — so that other work does not skew a benchmark; says when it
/// had to wait, and when it gave up.
pub fn wait_for_quiet_machine() {
    let limit = QUIET_WAIT.get().copied().unwrap_or_default();
    let deadline = std::time::Instant::now() + limit;
    let mut said = false;
    loop {
        let (busy_before, total_before) = machine_ticks();
        std::thread::sleep(Duration::from_secs(1));
        let (busy_after, total_after) = machine_ticks();
        let busy = (busy_after - busy_before) as f64 / (total_after - total_before).max(1) as f64;
        if busy < 0.10 {
            return;
        }
        if std::time::Instant::now() > deadline {
            println!(
                "  (the machine is still {:.0}% busy with other work; measuring anyway)",
                busy * 100.0
            );
            return;
        }
        if !said {
            println!(
                "  (waiting for other work on this machine to finish: {:.0}% busy)",
                busy * 100.0
            );
            said = true;
        }
    }
}
