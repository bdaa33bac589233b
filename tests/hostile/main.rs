#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The hostile-input suite: malformed and adversarial forwards, generated here (never
//! committed as files), each run through the extract stage (and the vet stage where the
//! attack is on it). In: a generator per case. Out: for each case, a clear outcome (an
//! `Invite` only for the genuine invite, else a `Rejection` with the expected reason and
//! a short, token-free detail), no panic, bounded time (a hang detector, not a
//! benchmark) and, for the big ones, bounded peak memory measured in a child process.
//!
//! - `mail`: the message builders shared by the cases.
//! - `mime`: broken boundaries, 100-level nesting of multiparts and attached messages.
//! - `bombs`: sizes (50 MB, header bombs, 5 MB lines, huge base64, QP storms, a million
//!   `http://`, 100,000 links, 100,000 nested `<div>`s).
//! - `charsets`: unknown and lying charsets, invalid UTF-8, RFC 2047 garbage.
//! - `links`: loopback and metadata addresses, look-alike hosts.
//! - `vet`: spoofed `Authentication-Results`.
//! - `daemon`: a few hostile forwards through the real daemon (Maildir in, ticket files
//!   out) with a canary listener that must never be contacted.
//! - `secrets`: the daemon's log, errors and tickets captured in a child process and
//!   searched for every secret.
//!
//! Each case prints one line (`hostile: <case>: <outcome> in <ms> ms …`), visible with
//! `cargo test --test hostile -- --nocapture`.
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

mod bombs;
mod charsets;
mod daemon;
mod links;
mod mail;
mod mime;
mod secrets;
mod vet;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use onbehalf::config::Config;
use onbehalf::extract::{self, Invite, Rejection};
use onbehalf::reason::Reason;

/// A hang detector, not a benchmark: a quadratic path on these inputs takes minutes.
pub const TIME_BOUND: Duration = Duration::from_secs(5);
/// Added per MB of input in debug builds, where the parsers run unoptimised (about
/// 1 MB/s for HTML) on a busy 2-core machine.
const DEBUG_TIME_PER_MB: Duration = Duration::from_secs(2);
/// A child process that has not finished by then is killed and the case fails.
const CHILD_DEADLINE: Duration = Duration::from_secs(120);
/// The environment variable that makes a test run its case instead of spawning a child.
const CHILD_ENV: &str = "ONBEHALF_HOSTILE_CHILD";

/// The time bound for an input of `bytes`: [`TIME_BOUND`], plus [`DEBUG_TIME_PER_MB`]
/// per MB in debug builds.
pub fn time_bound(bytes: usize) -> Duration {
    if cfg!(debug_assertions) {
        TIME_BOUND + DEBUG_TIME_PER_MB.mul_f64(bytes as f64 / (1024.0 * 1024.0))
    } else {
        TIME_BOUND
    }
}

/// The two platforms of the sample corpus, with the default limits (25 MB).
pub fn config() -> Config {
    let text = "[[platform]]\nname = \"Engage\"\n\
         invite_links = [\"https://engage.example.com/invitations/accept?*\"]\n\
         allowed_hosts = [\"engage.example.com\"]\n\n[[platform]]\nname = \"Acme Learn\"\n\
         invite_links = [\"https://learn.acme.test/join/*\"]\nallowed_hosts = [\"learn.acme.test\"]\n";
    Config::from_toml(text, Path::new("hostile.toml")).unwrap()
}

/// What a case must end as.
#[derive(Debug, Clone)]
pub enum Expect {
    /// The genuine Engage invite, with this URL.
    Invite(String),
    /// The genuine Engage invite, with this URL and invitee.
    InviteFor(String, &'static str),
    /// A rejection for this reason.
    Rejected(Reason),
}

/// The outcome of one extract run, with how long it took.
pub struct Run {
    /// What extract said.
    pub outcome: Result<Invite, Rejection>,
    /// How long it took.
    pub elapsed: Duration,
}

/// Runs the extract stage on `raw`, timed.
pub fn run_extract(raw: &[u8], config: &Config) -> Run {
    let start = Instant::now();
    let outcome = extract::extract(raw, config);
    Run {
        outcome,
        elapsed: start.elapsed(),
    }
}

/// A short description of an outcome for the summary line (never the invite URL).
pub fn describe(outcome: &Result<Invite, Rejection>) -> String {
    match outcome {
        Ok(invite) => format!(
            "invite of {} for {}",
            invite.platform,
            invite.invitee.as_deref().unwrap_or("?")
        ),
        Err(rejection) => format!("rejected {}", rejection.reason),
    }
}

/// Asserts the outcome is what `expect` says, and that a rejection reads as one: a
/// detail that is not empty, not huge, and quotes no invite token.
pub fn assert_outcome(case: &str, outcome: &Result<Invite, Rejection>, expect: &Expect) {
    match (outcome, expect) {
        (Ok(invite), Expect::Invite(url)) => {
            assert_eq!(invite.platform, "Engage", "{case}");
            assert_eq!(&invite.invite_url, url, "{case}");
        }
        (Ok(invite), Expect::InviteFor(url, invitee)) => {
            assert_eq!(invite.platform, "Engage", "{case}");
            assert_eq!(&invite.invite_url, url, "{case}");
            assert_eq!(invite.invitee.as_deref(), Some(*invitee), "{case}");
        }
        (Err(rejection), Expect::Rejected(reason)) => {
            assert_eq!(rejection.reason, *reason, "{case}: {}", rejection.detail);
            assert_clear_detail(case, &rejection.detail);
        }
        (outcome, expect) => panic!(
            "{case}: expected {expect:?}, got {}",
            match outcome {
                Ok(invite) => format!("an invite of {} ({})", invite.platform, invite.invite_url),
                Err(r) => format!("rejected {} ({})", r.reason, r.detail),
            }
        ),
    }
}

/// A rejection's detail goes into a ticket and a log line: a few sentences, no token.
pub fn assert_clear_detail(case: &str, detail: &str) {
    assert!(!detail.trim().is_empty(), "{case}: empty detail");
    assert!(
        detail.len() < 2000,
        "{case}: a {}-byte detail is not a sentence for a support agent",
        detail.len()
    );
    assert!(
        !detail.contains("token="),
        "{case}: the detail quotes a token: {detail}"
    );
    assert!(
        !detail.contains(mail::TOKEN),
        "{case}: the detail quotes a token"
    );
}

/// Runs one case in this process: extract, outcome, time bound, summary line.
pub fn check(case: &str, raw: &[u8], expect: &Expect) -> Run {
    let run = run_extract(raw, &config());
    assert_outcome(case, &run.outcome, expect);
    let bound = time_bound(raw.len());
    assert!(
        run.elapsed < bound,
        "{case}: extract took {:?} (bound {bound:?}) on {} bytes",
        run.elapsed,
        raw.len()
    );
    println!(
        "hostile: {case}: {} in {} ms ({} bytes)",
        describe(&run.outcome),
        run.elapsed.as_millis(),
        raw.len()
    );
    run
}

/// Runs a big case in a child process of this test binary, so its peak memory can be
/// measured alone. `test_path` is the calling test's path (`bombs::fifty_mb_message`):
/// the child runs just that test with [`CHILD_ENV`] set, which makes the same call run
/// the case itself and print its measurements. Peak memory is measured from after the
/// input was generated (the kernel's high-water mark is reset then) and must stay under
/// ten times the input plus 64 MB.
pub fn check_in_child(test_path: &str, make: fn() -> Vec<u8>, expect: &Expect) {
    if is_child(test_path) {
        return child_side(test_path, make, expect, &config());
    }
    let measured = spawn_child(test_path);
    let bound_kb = 10 * measured.input_bytes / 1024 + 64 * 1024;
    let bound = time_bound(measured.input_bytes);
    assert!(
        measured.elapsed < bound,
        "{test_path}: extract took {:?} (bound {bound:?})",
        measured.elapsed
    );
    assert!(
        measured.peak_kb < bound_kb,
        "{test_path}: peak memory grew by {} KB over the input's, bound {bound_kb} KB \
         ({} bytes of input)",
        measured.peak_kb,
        measured.input_bytes
    );
    println!(
        "hostile: {test_path}: {} in {} ms, peak +{} MB ({:.1} MB of input{})",
        measured.outcome,
        measured.elapsed.as_millis(),
        measured.peak_kb / 1024,
        measured.input_bytes as f64 / (1024.0 * 1024.0),
        if measured.reset {
            ""
        } else {
            ", generation included"
        }
    );
}

/// What the child reported.
struct Measured {
    outcome: String,
    elapsed: Duration,
    input_bytes: usize,
    /// Peak resident memory above the resident memory before extract ran, in KB.
    peak_kb: usize,
    /// Whether the high-water mark could be reset after generating the input.
    reset: bool,
}

const REPORT: &str = "HOSTILE-REPORT";

fn child_side(test_path: &str, make: fn() -> Vec<u8>, expect: &Expect, config: &Config) {
    let raw = make();
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = if reset { status_kb("VmRSS") } else { 0 };
    let run = run_extract(&raw, config);
    let peak = status_kb("VmHWM");
    assert_outcome(test_path, &run.outcome, expect);
    println!(
        "\n{REPORT}\t{}\t{}\t{}\t{}\t{}",
        run.elapsed.as_micros(),
        raw.len(),
        peak.saturating_sub(before),
        reset,
        describe(&run.outcome)
    );
}

/// A field of `/proc/self/status`, in KB.
pub fn status_kb(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn spawn_child(test_path: &str) -> Measured {
    let output = run_child(test_path);
    let line = output
        .lines()
        .find_map(|l| l.split_once(REPORT).map(|(_, report)| report))
        .unwrap_or_else(|| panic!("{test_path}: the child printed no report:\n{output}"));
    let fields: Vec<&str> = line.trim_start_matches('\t').splitn(5, '\t').collect();
    Measured {
        elapsed: Duration::from_micros(fields[0].parse().unwrap()),
        input_bytes: fields[1].parse().unwrap(),
        peak_kb: fields[2].parse().unwrap(),
        reset: fields[3] == "true",
        outcome: fields[4].to_owned(),
    }
}

/// Runs only `test_path` in a child of this test binary with [`CHILD_ENV`] set to it,
/// and returns its stdout; a failing or hanging child fails the caller.
pub fn run_child(test_path: &str) -> String {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([test_path, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, test_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    // The pipes close when the child exits: their readers finishing is the wait, and the
    // deadline on it is the hang detector.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        let _ = done.send(text);
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let out = match finished.recv_timeout(CHILD_DEADLINE) {
        Ok(out) => out,
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{test_path}: the child ran longer than {CHILD_DEADLINE:?}: a hang");
        }
    };
    let status = child.wait().unwrap();
    let err = err.join().unwrap();
    assert!(
        status.success(),
        "{test_path}: the child failed ({status}):\n{out}\n{err}"
    );
    out
}

/// Whether this process is the child running `test_path`.
pub fn is_child(test_path: &str) -> bool {
    std::env::var(CHILD_ENV).as_deref() == Ok(test_path)
}
