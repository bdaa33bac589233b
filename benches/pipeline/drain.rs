//! Benchmark 2, backlog drain: thousands of forwards waiting in the mailbox, handled by
//! one run of `onbehalf once` — or of the baseline script with `--once`.
//!
//! In: how many forwards, and the `[daemon]` settings. Out: a [`Drain`] report — total
//! time, jobs/s, per-job latency, peak RSS, the CPU each process used (onbehalf or the
//! script, the simulator, Dovecot, the SMTP server) and, for onbehalf, the time spent in
//! each journal state. Every run is checked: one account, one credentials mail and one
//! filed message per forward, or the benchmark panics.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{Value, json};

use crate::imap::Appender;
use crate::journal::{JobTimes, STATES};
use crate::procstat::{self, CpuMeter};
use crate::runner::{self, Exit};
use crate::servers::Servers;
use crate::stats::{Summary, duration};

/// What one drain measured.
pub struct Drain {
    /// `onbehalf` or `baseline`, with settings.
    pub who: String,
    /// Forwards handled.
    pub jobs: usize,
    /// How long the bulk APPEND took (setup, not part of the drain).
    pub append_seconds: f64,
    /// The program's run, exit to exit.
    pub exit: Exit,
    /// Per job: from the message being read (journaled) to it being filed.
    pub latency: Summary,
    /// Per job: the work itself, without waiting for a free slot (onbehalf: extracted →
    /// filed; the script handles one message at a time, so its latency is all work).
    pub active: Summary,
    /// Time in each state before the next one (onbehalf only): (state, summary).
    pub states: Vec<(String, Summary)>,
    /// CPU seconds per process during the run.
    pub cpu: HashMap<String, f64>,
    /// CPU seconds the whole machine was busy during the run.
    pub machine_busy: f64,
    /// onbehalf: the size of one job's future (see [`job_task_bytes`]).
    pub job_task_bytes: Option<usize>,
}

impl Drain {
    /// Jobs per second of wall time.
    pub fn jobs_per_second(&self) -> f64 {
        self.jobs as f64 / self.exit.wall.as_secs_f64()
    }

    /// Peak RSS in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        self.exit.peak_rss_kib as f64 / 1024.0
    }

    /// Prints the figures.
    pub fn print(&self) {
        let wall = self.exit.wall.as_secs_f64();
        println!("  {}", self.who);
        println!(
            "    {} forwards APPENDed in {:.2} s (setup)",
            self.jobs, self.append_seconds
        );
        println!(
            "    drained in {:.2} s: {:.1} jobs/s, peak RSS {:.1} MiB, at most {} threads",
            wall,
            self.jobs_per_second(),
            self.peak_rss_mib(),
            self.exit.peak_threads
        );
        if let Some(bytes) = self.job_task_bytes {
            println!("    one job's task (future) is {bytes} bytes, one per job running at once");
        }
        println!("    job latency (read → filed): {}", self.latency.show());
        println!("    job work time (no queueing): {}", self.active.show());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        println!(
            "    CPU during the drain: machine {:.1} s of {:.1} s available ({:.0}% busy)",
            self.machine_busy,
            wall * cores,
            100.0 * self.machine_busy / (wall * cores)
        );
        let mut parts: Vec<_> = self.cpu.iter().collect();
        parts.sort_by(|a, b| b.1.total_cmp(a.1));
        for (name, seconds) in parts {
            println!(
                "      {name:<10} {seconds:>6.2} s CPU  ({:>4.1}% of the busy time, {:.2} ms/job)",
                100.0 * seconds / self.machine_busy,
                1000.0 * seconds / self.jobs as f64
            );
        }
        let other = self.cpu.get("other").copied().unwrap_or(0.0);
        if other > 0.15 * wall * cores {
            println!(
                "    note: other processes on this machine used {:.0}% of its CPU meanwhile; \
                 these figures are pessimistic",
                100.0 * other / (wall * cores)
            );
        }
        for (state, summary) in &self.states {
            println!(
                "    in {state:<11} mean {:>9}  p50 {:>9}  p99 {:>9}",
                duration(summary.mean),
                duration(summary.p50),
                duration(summary.p99)
            );
        }
    }

    /// The figures as JSON.
    pub fn json(&self) -> Value {
        json!({
            "who": self.who,
            "jobs": self.jobs,
            "append_s": self.append_seconds,
            "wall_s": self.exit.wall.as_secs_f64(),
            "jobs_per_s": self.jobs_per_second(),
            "peak_rss_mib": self.peak_rss_mib(),
            "peak_threads": self.exit.peak_threads,
            "job_task_bytes": self.job_task_bytes,
            "latency": self.latency.json(),
            "active": self.active.json(),
            "cpu_s": self.cpu,
            "machine_busy_s": self.machine_busy,
            "states": self.states.iter().map(|(s, sum)| (s.clone(), sum.json())).collect::<serde_json::Map<_, _>>(),
        })
    }
}

/// Starts fresh servers and puts `count` forwards in the INBOX; returns the APPEND time.
fn backlog(runtime: &tokio::runtime::Runtime, count: usize, prefix: &str) -> (Servers, f64) {
    let servers = Servers::start(runtime);
    let forwards = servers.forwards(prefix, count);
    let dovecot = &servers.dovecot;
    let mut appender =
        Appender::connect(dovecot.imap_port(), dovecot.username(), dovecot.password());
    let started = Instant::now();
    appender.append_all(&forwards);
    let append_seconds = started.elapsed().as_secs_f64();
    assert_eq!(
        runtime.block_on(dovecot.count("INBOX")),
        count,
        "the backlog is in place"
    );
    (servers, append_seconds)
}

/// Runs `command` while metering the servers; returns its exit and everyone's CPU.
fn measure(
    servers: &Servers,
    command: std::process::Command,
    log: &str,
    wrapped: bool,
) -> (Exit, HashMap<String, f64>, f64) {
    procstat::wait_for_quiet_machine();
    let meter = CpuMeter::start(servers.cpu_targets(), std::time::Duration::from_millis(50));
    let (busy_before, _) = procstat::machine_ticks();
    let exit = runner::run_measured(command, &servers.path(log), wrapped);
    let (busy_after, _) = procstat::machine_ticks();
    let mut cpu = meter.finish();
    let tick = procstat::ticks_per_second();
    let program = if log.starts_with("onbehalf") {
        "onbehalf"
    } else {
        "script"
    };
    cpu.insert(program.to_owned(), exit.cpu_seconds);
    let machine_busy = (busy_after - busy_before) as f64 / tick;
    let known: f64 = cpu.values().sum();
    cpu.insert("other".to_owned(), (machine_busy - known).max(0.0));
    if !exit.status.success() {
        let text = std::fs::read_to_string(servers.path(log)).unwrap_or_default();
        let kept = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/bench-pipeline")
            .join(format!("failed-{log}"));
        let _ = std::fs::create_dir_all(kept.parent().unwrap_or(std::path::Path::new(".")));
        let _ = std::fs::write(&kept, &text);
        let tail: Vec<&str> = text.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        panic!(
            "{log} failed ({}); its log is kept in {}; it ends:\n{}",
            exit.status,
            kept.display(),
            tail.join("\n")
        );
    }
    (exit, cpu, machine_busy)
}

/// Everything the outside world should show after `count` forwards were handled.
fn check_outcome(
    runtime: &tokio::runtime::Runtime,
    servers: &Servers,
    count: usize,
    done_folder: &str,
) {
    assert_eq!(
        servers.sim.accounts().len(),
        count,
        "one account per forward"
    );
    assert_eq!(
        servers.mails_received(),
        count,
        "one credentials mail per forward"
    );
    let dovecot = &servers.dovecot;
    assert_eq!(
        runtime.block_on(dovecot.count("INBOX")),
        0,
        "nothing left in INBOX"
    );
    assert_eq!(
        runtime.block_on(dovecot.count(done_folder)),
        count,
        "every message filed"
    );
}

/// How one onbehalf drain is run.
#[derive(Debug, Clone, Default)]
pub struct Variant {
    /// Extra lines for the `[daemon]` table (`concurrency = 16`, …).
    pub daemon: String,
    /// A program to run onbehalf under (`perf record …`, `strace …`).
    pub wrap: Option<Vec<String>>,
}

impl Variant {
    fn describe(&self) -> String {
        let settings = if self.daemon.trim().is_empty() {
            "defaults".to_owned()
        } else {
            self.daemon.trim().replace('\n', ", ")
        };
        format!("onbehalf once ([daemon] {settings})")
    }
}

/// `onbehalf once` on a backlog of `count`, run as `variant` says.
pub fn onbehalf(runtime: &tokio::runtime::Runtime, count: usize, variant: &Variant) -> Drain {
    let (servers, append_seconds) = backlog(runtime, count, "drain");
    let state = servers.path("state");
    let config = servers.onbehalf_config("onbehalf.toml", &state, &variant.daemon);
    let mut command = runner::onbehalf("once", &config);
    if let Some(wrap) = &variant.wrap {
        let mut wrapper = std::process::Command::new(&wrap[0]);
        wrapper
            .args(&wrap[1..])
            .arg("--")
            .arg(command.get_program())
            .args(command.get_args());
        for (key, value) in command.get_envs() {
            match value {
                Some(value) => wrapper.env(key, value),
                None => wrapper.env_remove(key),
            };
        }
        command = wrapper;
    }
    let (exit, cpu, machine_busy) = measure(
        &servers,
        command,
        "onbehalf-once.log",
        variant.wrap.is_some(),
    );
    check_outcome(runtime, &servers, count, "onbehalf/done");
    let times = JobTimes::read(&state);
    assert_eq!(
        times.count_in("filed"),
        count,
        "every job filed in the journal"
    );
    let states = STATES
        .windows(2)
        .map(|pair| {
            (
                pair[0].to_owned(),
                Summary::of(&times.spans(pair[0], pair[1])),
            )
        })
        .collect();
    Drain {
        who: variant.describe(),
        jobs: count,
        append_seconds,
        exit,
        latency: Summary::of(&times.spans("received", "filed")),
        active: Summary::of(&times.spans("extracted", "filed")),
        states,
        cpu,
        machine_busy,
        job_task_bytes: Some(job_task_bytes(runtime, &config)),
    }
}

/// The baseline script with `--once` on a backlog of `count`.
pub fn baseline(runtime: &tokio::runtime::Runtime, count: usize) -> Drain {
    let (servers, append_seconds) = backlog(runtime, count, "drain");
    let config = servers.baseline_config("baseline.ini");
    let stats = servers.path("baseline-stats.jsonl");
    let mut command = runner::baseline(&config);
    command.arg("--once").arg("--stats").arg(&stats);
    let (exit, cpu, machine_busy) = measure(&servers, command, "baseline-once.log", false);
    check_outcome(runtime, &servers, count, "Done");
    let lines = std::fs::read_to_string(&stats).expect("the baseline wrote no stats");
    let records: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("a stats line"))
        .collect();
    let span = |from: &str, to: &str| -> Vec<f64> {
        records
            .iter()
            .filter_map(|r| Some(r[to].as_f64()? - r[from].as_f64()?))
            .collect()
    };
    let latency = Summary::of(&span("fetched", "filed"));
    let steps = [
        ("fetch", "start", "fetched"),
        ("parse", "fetched", "parsed"),
        ("signup", "parsed", "signed_up"),
        ("smtp", "signed_up", "sent"),
        ("move", "sent", "filed"),
    ];
    Drain {
        who: "baseline script (--once)".to_owned(),
        jobs: count,
        append_seconds,
        exit,
        latency,
        active: latency,
        states: steps
            .iter()
            .map(|(name, from, to)| ((*name).to_owned(), Summary::of(&span(from, to))))
            .collect(),
        cpu,
        machine_busy,
        job_task_bytes: None,
    }
}

/// How many bytes tokio allocates for one job's task, whatever state it is in: the
/// future of `daemon::job::drive` is as large as its largest state (the signup's HTTP
/// and TLS futures included), and `once` spawns one task per message up front, so a
/// backlog costs about this much per waiting message.
pub fn job_task_bytes(runtime: &tokio::runtime::Runtime, config: &std::path::Path) -> usize {
    let config = onbehalf::config::Config::load(config).expect("the bench config loads");
    runtime.block_on(async {
        let services = onbehalf::cli::daemon::services(config)
            .await
            .expect("services for the bench config");
        let job = onbehalf::daemon::job::drive(services, onbehalf::journal::JobId(1));
        std::mem::size_of_val(&job)
    })
}
