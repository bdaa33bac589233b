#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The pipeline benchmarks: the real release binary end to end against a real Dovecot, a
//! real SMTP server (aiosmtpd) and the platform simulator, next to the baseline script
//! (`benches/baseline/baseline.py`) on the same servers.
//!
//! In: `cargo bench --bench pipeline -- [options]` (see `--help`; `scripts/bench-pipeline.sh`
//! runs it with the defaults). Out: the figures on stdout, as they are measured and then
//! side by side with ratios and the targets, and all of them as JSON (`--json FILE`).
//!
//! - `drain`: benchmark 2, a backlog of forwards handled by `onbehalf once` / `--once`.
//! - `arrival`: benchmark 3, one forward at a time to `onbehalf run` / a polling script.
//! - `idle`: benchmark 4, the watchers on an empty mailbox.
//! - `imapcost`: what each IMAP command of the drain costs with a backlog in the folder.
//! - `browser`: benchmark 5, signups on a script-built (single-page app) platform with
//!   `engine = "browser"` next to a Selenium script launching a browser per signup, the
//!   browser's memory with two signups at once, and `engine = "auto"` on a
//!   server-rendered platform (`--only browser`; needs `chromium`, `chromium-driver`
//!   and `python3-selenium`).
//! - `servers`, `forward`, `imap`: the world the programs run in; `runner`, `procstat`,
//!   `journal`, `stats`: measuring them.
//!
//! Not part of `cargo test`: run without `--bench` (as `cargo test --all-targets` does),
//! it only says how to run it.
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

#[path = "../../tests/support/mod.rs"]
mod support;

mod arrival;
mod browser;
mod drain;
mod forward;
mod idle;
mod imap;
mod imapcost;
mod journal;
mod procstat;
mod report;
mod runner;
mod servers;
mod stats;

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Name prefix of the simulator's runtime threads (their CPU is the simulator's).
pub const SIM_THREADS: &str = "sim";

/// Options; the defaults are the figures BENCHMARKS.md reports.
#[derive(Debug, Parser)]
#[command(about = "onbehalf pipeline benchmarks against a plain-script baseline")]
struct Options {
    /// Forwards in the backlog (benchmark 2).
    #[arg(long, default_value_t = 2000)]
    jobs: usize,
    /// Forwards in the baseline's backlog (default: as many as --jobs).
    #[arg(long)]
    baseline_jobs: Option<usize>,
    /// More drains of onbehalf with other `[daemon]` settings, e.g.
    /// `concurrency=16,per_platform_concurrency=8` (repeatable).
    #[arg(long = "drain-variant")]
    drain_variants: Vec<String>,
    /// Arrivals timed for `onbehalf run` (benchmark 3).
    #[arg(long, default_value_t = 100)]
    arrivals: usize,
    /// Arrivals timed for the baseline polling every 60 s.
    #[arg(long, default_value_t = 10)]
    baseline_arrivals_60s: usize,
    /// Arrivals timed for the baseline polling every 5 s.
    #[arg(long, default_value_t = 30)]
    baseline_arrivals_5s: usize,
    /// The idle window (benchmark 4), seconds.
    #[arg(long, default_value_t = 60)]
    idle_seconds: u64,
    /// Signups timed per program in benchmark 5 (browser).
    #[arg(long, default_value_t = 20)]
    browser_signups: usize,
    /// Only these benchmarks (comma-separated: drain, imap, arrival, idle, browser).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Skip the baseline script.
    #[arg(long)]
    no_baseline: bool,
    /// Run the first onbehalf drain under this command, e.g. `perf record -g -o FILE`
    /// or `strace -f -c -o FILE` (split at spaces; `--` and the onbehalf command follow).
    #[arg(long)]
    wrap: Option<String>,
    /// Before each measurement, wait up to this many seconds for the machine to be idle.
    #[arg(long, default_value_t = 600)]
    quiet_wait: u64,
    /// Write every figure as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Passed by `cargo bench`; without it the benchmarks do not run.
    #[arg(long, hide = true)]
    bench: bool,
}

impl Options {
    fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == name)
    }
}

/// `k=v,k=v` as TOML lines for the `[daemon]` table.
fn daemon_lines(variant: &str) -> String {
    variant
        .split(',')
        .filter(|kv| !kv.trim().is_empty())
        .map(|kv| kv.replacen('=', " = ", 1) + "\n")
        .collect()
}

fn main() {
    let options = Options::parse();
    if !options.bench {
        println!(
            "pipeline: slow end-to-end benchmarks, not run as tests; run \
             `bash scripts/bench-pipeline.sh` or `cargo bench --bench pipeline -- --help`"
        );
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let _ = procstat::QUIET_WAIT.set(Duration::from_secs(options.quiet_wait));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(SIM_THREADS)
        .enable_all()
        .build()
        .expect("cannot start the runtime");
    let mut results = report::Results::default();
    report::machine(&mut results);

    if options.wants("drain") {
        println!("\n== 2. backlog drain ==");
        let mut variants = vec![drain::Variant {
            wrap: options
                .wrap
                .as_ref()
                .map(|w| w.split_whitespace().map(str::to_owned).collect()),
            ..drain::Variant::default()
        }];
        variants.extend(options.drain_variants.iter().map(|v| drain::Variant {
            daemon: daemon_lines(v),
            ..drain::Variant::default()
        }));
        for variant in &variants {
            let drain = drain::onbehalf(&runtime, options.jobs, variant);
            drain.print();
            results.drains.push(drain);
        }
        if !options.no_baseline {
            let jobs = options.baseline_jobs.unwrap_or(options.jobs);
            let drain = drain::baseline(&runtime, jobs);
            drain.print();
            results.baseline_drain = Some(drain);
        }
    }
    if options.wants("imap") {
        println!("\n== IMAP commands with a backlog (where the drain's Dovecot time goes) ==");
        let costs = imapcost::run(&runtime, options.jobs, 200.min(options.jobs / 3));
        costs.print();
        results.imap = Some(costs);
    }
    if options.wants("arrival") {
        println!("\n== 3. arrival to credentials ==");
        let arrival = arrival::onbehalf(&runtime, options.arrivals);
        arrival.print();
        results.arrivals.push(arrival);
        if !options.no_baseline {
            for (poll, count) in [
                (5, options.baseline_arrivals_5s),
                (60, options.baseline_arrivals_60s),
            ] {
                if count == 0 {
                    continue;
                }
                let arrival = arrival::baseline(&runtime, count, Duration::from_secs(poll));
                arrival.print();
                results.arrivals.push(arrival);
            }
        }
    }
    if options.wants("idle") {
        println!("\n== 4. idle footprint ==");
        let window = Duration::from_secs(options.idle_seconds);
        for idle in idle::run(&runtime, window, !options.no_baseline) {
            idle.print();
            results.idle.push(idle);
        }
    }
    if options.wants("browser") {
        println!("\n== 5. signups in a browser ==");
        let bench = browser::run(&runtime, options.browser_signups, !options.no_baseline);
        results.browser = Some(bench);
    }
    results.print_summary();
    if let Some(path) = &options.json {
        results.write_json(path);
        println!("\nall figures as JSON: {}", path.display());
    }
}
