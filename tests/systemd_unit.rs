//! The shipped systemd unit, `systemd/onbehalf.service`: its sandbox scores 2.0 or lower in
//! `systemd-analyze security --offline=true` (skipped, with a notice, where `systemd-analyze`
//! is missing or too old for `--offline`), and it keeps the directives the daemon relies on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::ErrorKind;
use std::path::Path;
use std::process::{Command, Output};

const UNIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/systemd/onbehalf.service");
const MAX_EXPOSURE: f64 = 2.0;
const SCORE_LINE: &str = "Overall exposure level for onbehalf.service:";

/// Runs the offline security analysis, or `None` when this machine cannot run it.
fn analyze_security(unit: &Path) -> Option<Output> {
    let result = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(unit)
        .env("SYSTEMD_COLORS", "0")
        .output();
    let output = match result {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            println!("notice: systemd-analyze not found; unit security score not checked");
            return None;
        }
        Err(e) => panic!("cannot run systemd-analyze: {e}"),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("--offline") && stderr.contains("unrecognized option") {
        println!("notice: systemd-analyze predates --offline (systemd < 250); score not checked");
        return None;
    }
    Some(output)
}

/// The number in "Overall exposure level for onbehalf.service: 1.1 OK 🙂".
fn exposure(stdout: &str) -> Option<f64> {
    let line = stdout.lines().find(|line| line.contains(SCORE_LINE))?;
    let (_, rest) = line.split_once(SCORE_LINE)?;
    rest.split_whitespace().next()?.parse().ok()
}

#[test]
fn exposure_score_is_at_most_two() {
    let Some(output) = analyze_security(Path::new(UNIT)) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let full = format!(
        "status: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    assert!(
        output.status.success(),
        "systemd-analyze security failed\n{full}"
    );
    let score = exposure(&stdout).unwrap_or_else(|| panic!("no score line in the output\n{full}"));
    assert!(
        score <= MAX_EXPOSURE,
        "exposure {score} is above {MAX_EXPOSURE:.1}\n{full}"
    );
}

#[test]
fn score_line_parses() {
    let sample = "✗ PrivateNetwork=   Service has access to the host's network   0.5\n\n\
                  → Overall exposure level for onbehalf.service: 1.1 OK 🙂\n";
    assert_eq!(exposure(sample), Some(1.1));
    assert_eq!(
        exposure("→ Overall exposure level for other.service: 1.1 OK"),
        None
    );
}

/// The unit's `Key=value` lines, without comments and blank lines.
fn directives() -> Vec<(String, String)> {
    std::fs::read_to_string(UNIT)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with(['#', ';', '[']))
        .map(|line| {
            let (key, value) = line.split_once('=').unwrap();
            (key.trim().to_owned(), value.trim().to_owned())
        })
        .collect()
}

fn values_of(key: &str) -> Vec<String> {
    directives()
        .into_iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v)
        .collect()
}

#[test]
fn unit_keeps_what_the_daemon_relies_on() {
    assert_eq!(values_of("Type"), ["notify"]);
    assert_eq!(values_of("NotifyAccess"), ["main"]);
    assert_eq!(values_of("DynamicUser"), ["yes"]);
    assert_eq!(values_of("StateDirectory"), ["onbehalf"]);
    assert_eq!(values_of("ConfigurationDirectory"), ["onbehalf"]);
    assert_eq!(values_of("Restart"), ["on-failure"]);

    let watchdog = values_of("WatchdogSec");
    assert_eq!(watchdog.len(), 1, "one WatchdogSec= expected: {watchdog:?}");
    assert!(
        !["", "0", "infinity"].contains(&watchdog[0].as_str()),
        "watchdog off: {watchdog:?}"
    );

    let credentials = values_of("LoadCredential");
    assert!(!credentials.is_empty(), "no LoadCredential= line");
    for credential in &credentials {
        let (name, path) = credential.split_once(':').unwrap();
        assert!(
            !name.is_empty() && path.starts_with("/etc/onbehalf/secrets/"),
            "{credential}"
        );
    }
}

#[test]
fn exec_start_runs_the_daemon_with_the_default_config() {
    let exec = values_of("ExecStart");
    let expected = format!(
        "/usr/bin/onbehalf run --config {}",
        onbehalf::config::DEFAULT_PATH
    );
    assert_eq!(exec, [expected]);
}
