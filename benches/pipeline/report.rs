//! The machine, and every figure side by side: onbehalf, the baseline, the ratio, the
//! target.
//!
//! In: the reports of the benchmarks that ran. Out: the machine description, a summary
//! table on stdout, and one JSON document with everything.

use std::path::Path;

use serde_json::{Value, json};

use crate::arrival::Arrival;
use crate::browser::BrowserBench;
use crate::drain::Drain;
use crate::idle::Idle;
use crate::imapcost::ImapCosts;

/// Everything measured in one run.
#[derive(Default)]
pub struct Results {
    /// nproc, CPU model, RAM, kernel, rustc.
    pub machine: Value,
    /// onbehalf drains (defaults first, then the variants).
    pub drains: Vec<Drain>,
    /// The baseline's drain.
    pub baseline_drain: Option<Drain>,
    /// The IMAP command costs.
    pub imap: Option<ImapCosts>,
    /// onbehalf first, then the baselines.
    pub arrivals: Vec<Arrival>,
    /// onbehalf first, then the baselines.
    pub idle: Vec<Idle>,
    /// Benchmark 5.
    pub browser: Option<BrowserBench>,
}

fn first_line_with(path: &str, prefix: &str) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        .unwrap_or_default()
}

fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Describes the machine and prints it.
pub fn machine(results: &mut Results) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory_kib: f64 = first_line_with("/proc/meminfo", "MemTotal")
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    results.machine = json!({
        "nproc": cores,
        "cpu": first_line_with("/proc/cpuinfo", "model name"),
        "ram_gib": (memory_kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim(),
        "rustc": command_output("rustc", &["--version"]),
        "dovecot": command_output("/usr/sbin/dovecot", &["--version"]),
        "python": command_output("/usr/bin/python3", &["--version"]),
    });
    println!("== machine ==");
    for (key, value) in results.machine.as_object().into_iter().flatten() {
        println!(
            "  {key:<8} {}",
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned)
        );
    }
}

fn ratio(numerator: f64, denominator: f64) -> String {
    if denominator > 0.0 {
        format!("{:.1}×", numerator / denominator)
    } else {
        "–".to_owned()
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

impl Results {
    /// The side-by-side table.
    pub fn print_summary(&self) {
        println!("\n== summary: onbehalf | baseline | ratio (how many times better) | target ==");
        if let Some(drain) = self.drains.first() {
            let base = self.baseline_drain.as_ref();
            let jobs_s = drain.jobs_per_second();
            println!(
                "  drain throughput      {:>9.1} jobs/s | {:>9} | {:>7} | ≥ 200 jobs/s: {}",
                jobs_s,
                base.map_or("–".into(), |b| format!(
                    "{:.1} jobs/s",
                    b.jobs_per_second()
                )),
                base.map_or("–".into(), |b| ratio(jobs_s, b.jobs_per_second())),
                verdict(jobs_s >= 200.0)
            );
            let rss = drain.peak_rss_mib();
            println!(
                "  drain peak RSS        {:>9.1} MiB    | {:>9} | {:>7} | < 100 MiB: {}",
                rss,
                base.map_or("–".into(), |b| format!("{:.1} MiB", b.peak_rss_mib())),
                base.map_or("–".into(), |b| ratio(b.peak_rss_mib(), rss)),
                verdict(rss < 100.0)
            );
            let cpu = |d: &Drain, who: &str| {
                1000.0 * d.cpu.get(who).copied().unwrap_or(0.0) / d.jobs as f64
            };
            println!(
                "  drain CPU per job     {:>9.2} ms     | {:>9} | {:>7} |",
                cpu(drain, "onbehalf"),
                base.map_or("–".into(), |b| format!("{:.2} ms", cpu(b, "script"))),
                base.map_or("–".into(), |b| ratio(
                    cpu(b, "script"),
                    cpu(drain, "onbehalf")
                ))
            );
        }
        for drain in self.drains.iter().skip(1) {
            println!(
                "    also: {:<78} {:>6.1} jobs/s, peak RSS {:.1} MiB",
                drain.who,
                drain.jobs_per_second(),
                drain.peak_rss_mib()
            );
        }
        self.print_arrival_summary();
        self.print_idle_summary();
        self.print_browser_summary();
    }

    fn print_browser_summary(&self) {
        let Some(bench) = &self.browser else {
            return;
        };
        let Some(ours) = bench.signups.first() else {
            return;
        };
        let base = bench.signups.get(1);
        let p50 = ours.one_at_a_time.p50;
        println!(
            "  browser signup p50    {:>9.3} s      | {:>9} | {:>7} | ≤ 1.5 s: {}",
            p50,
            base.map_or("–".into(), |b| format!("{:.2} s", b.one_at_a_time.p50)),
            base.map_or("–".into(), |b| ratio(b.one_at_a_time.p50, p50)),
            verdict(p50 <= 1.5)
        );
        println!(
            "  browser signup p99    {:>9.3} s      | {:>9} | {:>7} |",
            ours.one_at_a_time.p99,
            base.map_or("–".into(), |b| format!("{:.2} s", b.one_at_a_time.p99)),
            base.map_or("–".into(), |b| ratio(
                b.one_at_a_time.p99,
                ours.one_at_a_time.p99
            )),
        );
        if let Some(peak) = ours.peak_two {
            // The target is in MB; PSS is counted in KiB.
            let mb = peak.pss_kib as f64 * 1024.0 / 1e6;
            println!(
                "  browser PSS, 2 at once {:>8.0} MB     |           |         | ≤ 400 MB: {}",
                mb,
                verdict(mb <= 400.0)
            );
        }
        for cost in &bench.server_rendered {
            println!(
                "  server-rendered {:<6} signup p50 {:.1} ms, Chromium processes: {}",
                cost.engine,
                cost.signup.p50 * 1000.0,
                cost.peak.chromium
            );
        }
    }

    fn print_arrival_summary(&self) {
        let Some(ours) = self.arrivals.first() else {
            return;
        };
        for base in &self.arrivals[1..] {
            println!(
                "  arrival p50 vs {:<6} {:>9.3} s      | {:>7.2} s | {:>7} | < 1 s: {}",
                base.who.rsplit("every ").next().unwrap_or_default(),
                ours.latency.p50,
                base.latency.p50,
                ratio(base.latency.p50, ours.latency.p50),
                verdict(ours.latency.p50 < 1.0)
            );
            println!(
                "  arrival p99 vs {:<6} {:>9.3} s      | {:>7.2} s | {:>7} |",
                base.who.rsplit("every ").next().unwrap_or_default(),
                ours.latency.p99,
                base.latency.p99,
                ratio(base.latency.p99, ours.latency.p99),
            );
        }
        if self.arrivals.len() == 1 {
            println!(
                "  arrival p50           {:>9.3} s | < 1 s: {}",
                ours.latency.p50,
                verdict(ours.latency.p50 < 1.0)
            );
        }
    }

    fn print_idle_summary(&self) {
        let Some(ours) = self.idle.first() else {
            return;
        };
        let rss = ours.rss_end_kib as f64 / 1024.0;
        println!(
            "  idle RSS              {rss:>9.1} MiB    |           |         | < 20 MiB: {}",
            verdict(rss < 20.0)
        );
        println!(
            "  idle CPU              {:>9.3}% core  |           |         | < 0.5%: {}",
            ours.cpu_percent(),
            verdict(ours.cpu_percent() < 0.5)
        );
        for base in &self.idle[1..] {
            let base_rss = base.rss_end_kib as f64 / 1024.0;
            println!(
                "    vs {:<36} RSS {:.1} MiB ({}), CPU {:.3}% ({})",
                base.who,
                base_rss,
                ratio(base_rss, rss),
                base.cpu_percent(),
                ratio(base.cpu_percent(), ours.cpu_percent())
            );
        }
    }

    /// Writes every figure as one JSON document.
    pub fn write_json(&self, path: &Path) {
        let value = json!({
            "machine": self.machine,
            "drain": self.drains.iter().map(Drain::json).collect::<Vec<_>>(),
            "baseline_drain": self.baseline_drain.as_ref().map(Drain::json),
            "imap": self.imap.as_ref().map(ImapCosts::json),
            "arrival": self.arrivals.iter().map(Arrival::json).collect::<Vec<_>>(),
            "idle": self.idle.iter().map(Idle::json).collect::<Vec<_>>(),
            "browser": self.browser.as_ref().map(BrowserBench::json),
        });
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("cannot create the results dir");
        }
        let text = serde_json::to_string_pretty(&value).expect("JSON");
        std::fs::write(path, text).expect("cannot write the results");
    }
}
