//! Benchmark 5, signups in a browser: the simulator's script-built (single-page app)
//! signup, done by `onbehalf run` with `engine = "browser"` and by the baseline script
//! launching a Selenium-driven Chromium per signup; and what `engine = "auto"` costs on a
//! server-rendered platform.
//!
//! In: how many signups to time. Out: a [`BrowserBench`]:
//!
//! - onbehalf: forwards arrive one at a time through IMAP (as in benchmark 3, after one
//!   warm-up that also starts the browser); the signup is the journal's `signing_up` →
//!   `signed_up`. Then forwards arrive two at once (`browser_concurrency = 2`) and the
//!   PSS of every process under the daemon (the Chromium tree) is summed every
//!   [`SAMPLE`] and the peak kept.
//! - the baseline: a backlog drained by `baseline.py --once` with `engine = browser`;
//!   the signup is its `parsed` → `signed_up` (browser launch to quit), and the PSS of
//!   its tree (chromedriver and Chromium) is sampled the same way.
//! - `engine = "auto"` and `engine = "http"` on the server-rendered simulator, one
//!   arrival at a time: the signup times side by side, and how many Chromium processes
//!   ever ran under the daemon (none expected).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use onbehalf_sim::{Frontend, SimOptions};
use serde_json::{Value, json};

use crate::arrival;
use crate::imap::Appender;
use crate::journal::JobTimes;
use crate::procstat;
use crate::runner::{self, Service};
use crate::servers::Servers;
use crate::stats::{Summary, duration};

/// How often the process tree is sampled.
const SAMPLE: Duration = Duration::from_millis(25);
/// Pairs of forwards delivered at once for the memory figure.
const PAIRS: usize = 3;
/// The pause after each pair, so that the next one meets a quiet daemon.
const SETTLE: Duration = Duration::from_secs(1);

/// The peak of a process tree while it was sampled.
#[derive(Debug, Clone, Copy, Default)]
pub struct TreePeak {
    /// The largest sum of `Pss:` over the tree, KiB.
    pub pss_kib: u64,
    /// The most Chromium processes seen at once.
    pub chromium: usize,
}

impl TreePeak {
    fn json(self) -> Value {
        json!({ "pss_mib": self.pss_mib(), "chromium_processes": self.chromium })
    }

    fn pss_mib(self) -> f64 {
        self.pss_kib as f64 / 1024.0
    }
}

/// Samples the processes below a pid on a thread.
struct TreeSampler {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<TreePeak>>,
}

impl TreeSampler {
    fn start(root: u32) -> TreeSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut peak = TreePeak::default();
            while !flag.load(Ordering::Relaxed) {
                let tree = procstat::descendants(root);
                let pss = tree.iter().filter_map(|&pid| procstat::pss_kib(pid)).sum();
                let chromium = tree
                    .iter()
                    .filter(|&&pid| procstat::comm(pid).contains("chrom"))
                    .count();
                peak.pss_kib = peak.pss_kib.max(pss);
                peak.chromium = peak.chromium.max(chromium);
                std::thread::sleep(SAMPLE);
            }
            peak
        });
        TreeSampler {
            stop,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> TreePeak {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .map(|t| t.join().expect("the sampler panicked"))
            .unwrap_or_default()
    }
}

/// One program's browser signups.
pub struct Signups {
    /// Who, and how.
    pub who: String,
    /// The first signup (onbehalf: it also starts the browser), seconds.
    pub first: Option<f64>,
    /// The timed signups, one at a time.
    pub one_at_a_time: Summary,
    /// Two at once (onbehalf only).
    pub two_at_once: Option<Summary>,
    /// Signups that did not happen (the job went to a human).
    pub failed: usize,
    /// The tree while signing up one at a time.
    pub peak_one: TreePeak,
    /// The tree while signing up two at once (onbehalf only).
    pub peak_two: Option<TreePeak>,
}

impl Signups {
    fn print(&self) {
        println!("  {}", self.who);
        if let Some(first) = self.first {
            println!("    first signup (starts the browser): {}", duration(first));
        }
        println!("    signup, one at a time: {}", self.one_at_a_time.show());
        println!("    signups that failed (went to a human): {}", self.failed);
        println!(
            "    peak PSS of its process tree: {:.1} MiB ({} Chromium processes)",
            self.peak_one.pss_mib(),
            self.peak_one.chromium
        );
        if let (Some(two), Some(peak)) = (&self.two_at_once, self.peak_two) {
            println!("    signup, two at once: {}", two.show());
            println!(
                "    peak PSS, two at once: {:.1} MiB ({} Chromium processes)",
                peak.pss_mib(),
                peak.chromium
            );
        }
    }

    fn json(&self) -> Value {
        json!({
            "who": self.who,
            "first_s": self.first,
            "one_at_a_time": self.one_at_a_time.json(),
            "two_at_once": self.two_at_once.map(|s| s.json()),
            "failed": self.failed,
            "peak_one": self.peak_one.json(),
            "peak_two": self.peak_two.map(TreePeak::json),
        })
    }
}

/// One engine setting on the server-rendered simulator.
pub struct EngineCost {
    /// `engine = "…"`.
    pub engine: String,
    /// `signing_up` → `signed_up`.
    pub signup: Summary,
    /// Timed jobs that did not sign up.
    pub failed: usize,
    /// APPEND → credentials mail.
    pub latency: Summary,
    /// The daemon's tree (Chromium processes: none expected).
    pub peak: TreePeak,
}

/// Everything benchmark 5 measured.
#[derive(Default)]
pub struct BrowserBench {
    /// onbehalf, then the baseline.
    pub signups: Vec<Signups>,
    /// `http`, then `auto`.
    pub server_rendered: Vec<EngineCost>,
}

impl EngineCost {
    fn print(&self) {
        println!(
            "  server-rendered, engine = {:?}: signup {}; arrival → credentials p50 {}; \
             failed: {}; Chromium processes seen: {}",
            self.engine,
            self.signup.show(),
            duration(self.latency.p50),
            self.failed,
            self.peak.chromium
        );
    }
}

impl BrowserBench {
    /// The figures as JSON.
    pub fn json(&self) -> Value {
        json!({
            "signups": self.signups.iter().map(Signups::json).collect::<Vec<_>>(),
            "server_rendered": self.server_rendered.iter().map(|c| json!({
                "engine": c.engine,
                "signup": c.signup.json(),
                "failed": c.failed,
                "latency": c.latency.json(),
                "peak": c.peak.json(),
            })).collect::<Vec<_>>(),
        })
    }
}

fn script_built() -> SimOptions {
    SimOptions {
        frontend: Frontend::ScriptBuilt,
        ..SimOptions::default()
    }
}

/// Starts `onbehalf run` with this platform line and waits for its first mailbox check.
fn start_daemon(servers: &Servers, platform: &str, log: &str) -> Service {
    let state = servers.path("state");
    let daemon = "browser_concurrency = 2\n";
    let config = servers.onbehalf_config_with("onbehalf.toml", &state, daemon, platform);
    arrival::start_run(&config, &state, &servers.path(log))
}

/// Waits until all `jobs` are filed (the credentials mail goes out before the forward is
/// moved), then stops the daemon.
fn stop_when_filed(servers: &Servers, service: &mut Service, jobs: usize) {
    let state = servers.path("state");
    runner::wait_until(
        "every job filed",
        Duration::from_secs(30),
        Duration::from_millis(20),
        || {
            service.assert_running();
            JobTimes::read(&state).count_in("filed") >= jobs
        },
    );
    service.stop();
}

/// Per job in job order, its signup time, or `None` for a job that did not sign up (it
/// went to a human: the count is reported, not hidden).
fn signup_times(servers: &Servers, jobs: usize) -> Vec<Option<f64>> {
    let times = JobTimes::read(&servers.path("state"));
    assert_eq!(times.jobs.len(), jobs, "one job per forward");
    times
        .jobs
        .values()
        .map(|states| Some(states.get("signed_up")? - states.get("signing_up")?))
        .collect()
}

/// The signups that happened, and how many did not.
fn done(signups: &[Option<f64>]) -> (Summary, usize) {
    let times: Vec<f64> = signups.iter().flatten().copied().collect();
    (Summary::of(&times), signups.len() - times.len())
}

/// onbehalf with `engine = "browser"`: `count` arrivals one at a time, then pairs.
pub fn onbehalf(runtime: &tokio::runtime::Runtime, count: usize) -> Signups {
    let servers = Servers::start_with(runtime, script_built());
    let forwards = servers.forwards("spa", count + 1 + 2 * PAIRS);
    let mut service = start_daemon(&servers, "engine = \"browser\"\n", "onbehalf-browser.log");
    let sampler = TreeSampler::start(service.pid());
    let limit = Duration::from_secs(60);
    let spacing = Duration::from_millis(500);
    arrival::deliver(&servers, &mut service, &forwards[..=count], spacing, limit);
    let peak_one = sampler.finish();

    let dovecot = &servers.dovecot;
    let mut appender =
        Appender::connect(dovecot.imap_port(), dovecot.username(), dovecot.password());
    let sampler = TreeSampler::start(service.pid());
    for pair in forwards[count + 1..].chunks(2) {
        let before = servers.mails_received();
        appender.append_all(pair);
        runner::wait_until("both credentials mails", limit, SAMPLE, || {
            service.assert_running();
            servers.mails_received() >= before + pair.len()
        });
        std::thread::sleep(SETTLE);
    }
    let peak_two = sampler.finish();
    stop_when_filed(&servers, &mut service, forwards.len());
    let signups = signup_times(&servers, forwards.len());
    let (one_at_a_time, failed_one) = done(&signups[1..=count]);
    let (two_at_once, failed_two) = done(&signups[count + 1..]);
    Signups {
        who: "onbehalf run, engine = \"browser\" (one Chromium, a context per job)".to_owned(),
        first: signups.first().copied().flatten(),
        one_at_a_time,
        two_at_once: Some(two_at_once),
        failed: failed_one + failed_two + usize::from(signups[0].is_none()),
        peak_one,
        peak_two: Some(peak_two),
    }
}

/// The baseline script with Selenium draining a backlog of `count`, one at a time.
pub fn baseline(runtime: &tokio::runtime::Runtime, count: usize) -> Signups {
    let servers = Servers::start_with(runtime, script_built());
    let forwards = servers.forwards("spa", count);
    let dovecot = &servers.dovecot;
    Appender::connect(dovecot.imap_port(), dovecot.username(), dovecot.password())
        .append_all(&forwards);
    let config = servers.baseline_config_with("baseline.ini", "engine = browser\n");
    let stats = servers.path("baseline-stats.jsonl");
    let mut command = runner::baseline(&config);
    command.arg("--once").arg("--stats").arg(&stats);
    crate::procstat::wait_for_quiet_machine();
    let mut service = Service::start(command, &servers.path("baseline-browser.log"));
    let sampler = TreeSampler::start(service.pid());
    let status = service.wait_exit(Duration::from_secs(60) * count as u32);
    let peak_one = sampler.finish();
    assert!(status.success(), "the baseline failed: {status}");
    let signups: Vec<f64> = std::fs::read_to_string(&stats)
        .expect("the baseline's stats")
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("a stats line"))
        .filter(|s| s["outcome"] == "done")
        .map(|s| s["signed_up"].as_f64().unwrap_or(0.0) - s["parsed"].as_f64().unwrap_or(0.0))
        .collect();
    Signups {
        who: "baseline script, Selenium + chromium-driver (a browser per signup)".to_owned(),
        first: None,
        failed: count - signups.len(),
        one_at_a_time: Summary::of(&signups),
        two_at_once: None,
        peak_one,
        peak_two: None,
    }
}

/// onbehalf on the server-rendered simulator with `engine = "<engine>"`, `count`
/// arrivals one at a time (after a warm-up).
pub fn server_rendered(
    runtime: &tokio::runtime::Runtime,
    count: usize,
    engine: &str,
) -> EngineCost {
    let servers = Servers::start(runtime);
    let forwards = servers.forwards("ssr", count + 1);
    let platform = format!("engine = \"{engine}\"\n");
    let mut service = start_daemon(&servers, &platform, "onbehalf-ssr.log");
    let sampler = TreeSampler::start(service.pid());
    let limit = Duration::from_secs(30);
    let spacing = Duration::from_millis(500);
    let delivered = arrival::deliver(&servers, &mut service, &forwards, spacing, limit);
    let peak = sampler.finish();
    stop_when_filed(&servers, &mut service, forwards.len());
    let signups = signup_times(&servers, forwards.len());
    let (signup, failed) = done(&signups[1..]);
    EngineCost {
        engine: engine.to_owned(),
        signup,
        failed,
        latency: Summary::of(&delivered.latencies),
        peak,
    }
}

/// The whole benchmark.
pub fn run(runtime: &tokio::runtime::Runtime, count: usize, with_baseline: bool) -> BrowserBench {
    // Each part is printed as it ends: a later one failing keeps the earlier figures.
    let mut bench = BrowserBench::default();
    let ours = onbehalf(runtime, count);
    ours.print();
    bench.signups.push(ours);
    if with_baseline {
        let theirs = baseline(runtime, count);
        theirs.print();
        bench.signups.push(theirs);
    }
    for engine in ["http", "auto"] {
        let cost = server_rendered(runtime, count, engine);
        cost.print();
        bench.server_rendered.push(cost);
    }
    bench
}
