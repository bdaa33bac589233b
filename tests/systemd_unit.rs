//! The shipped systemd unit, `systemd/onbehalf.service`: its sandbox scores 2.0 or lower in
//! `systemd-analyze security --offline=true`, `systemd-analyze verify` finds no unknown key or
//! bad value in it (both skipped, with a notice, where `systemd-analyze` is missing or too old
//! for `--offline`), and it keeps the directives the daemon relies on.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

use std::io::ErrorKind;
use std::path::Path;
use std::process::{Command, Output};

const UNIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/systemd/onbehalf.service");
const MAX_EXPOSURE: f64 = 2.0;
const SCORE_LINE: &str = "Overall exposure level for onbehalf.service:";

/// Runs `systemd-analyze <args> <unit>`, or `None` when this machine cannot run it.
fn systemd_analyze(args: &[&str], unit: &Path) -> Option<Output> {
    let result = Command::new("systemd-analyze")
        .args(args)
        .arg(unit)
        .env("SYSTEMD_COLORS", "0")
        .output();
    let output = match result {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            println!("notice: systemd-analyze not found; unit not checked");
            return None;
        }
        Err(e) => panic!("cannot run systemd-analyze: {e}"),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("--offline") && stderr.contains("unrecognized option") {
        println!("notice: systemd-analyze predates --offline (systemd < 250); not checked");
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
    let args = ["security", "--offline=true", "--no-pager"];
    let Some(output) = systemd_analyze(&args, Path::new(UNIT)) else {
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

/// `verify` warns (and still exits 0) on a misspelt key or a bad value. It also insists that
/// ExecStart= exists, so the copy it checks runs the binary this test build made.
#[test]
fn verify_finds_no_unknown_key_or_bad_value() {
    let dir = tempfile::tempdir().unwrap();
    let unit = dir.path().join("onbehalf.service");
    let text = std::fs::read_to_string(UNIT).unwrap();
    let text = text.replace(
        "/usr/bin/onbehalf ",
        &format!("{} ", env!("CARGO_BIN_EXE_onbehalf")),
    );
    std::fs::write(&unit, text).unwrap();

    let Some(output) = systemd_analyze(&["verify", "--no-pager"], &unit) else {
        return;
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Only lines about this unit: a host's own units may have warnings of their own.
    let ours: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("onbehalf"))
        .collect();
    assert!(
        output.status.success() && ours.is_empty(),
        "systemd-analyze verify ({}):\n{stderr}",
        output.status
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

/// Headless Chromium runs in the unit with its own sandbox on: the namespaces that
/// sandbox creates, the calls it sheds access with, and the JIT memory V8 needs.
#[test]
fn unit_lets_chromium_keep_its_own_sandbox() {
    let namespaces = values_of("RestrictNamespaces");
    assert_eq!(namespaces.len(), 1, "{namespaces:?}");
    let allowed: Vec<&str> = namespaces[0].split_whitespace().collect();
    for kind in ["user", "pid", "net"] {
        assert!(allowed.contains(&kind), "{kind} missing: {namespaces:?}");
    }
    for kind in ["mnt", "ipc", "uts", "cgroup"] {
        assert!(!allowed.contains(&kind), "{kind} allowed: {namespaces:?}");
    }
    let mdwe = values_of("MemoryDenyWriteExecute");
    assert!(mdwe.iter().all(|v| v == "no"), "V8 needs W+X: {mdwe:?}");
    let filters = values_of("SystemCallFilter");
    let last_deny = filters.iter().rposition(|f| f.starts_with('~')).unwrap();
    let back: Vec<&str> = filters[last_deny + 1..]
        .iter()
        .flat_map(|f| f.split_whitespace())
        .collect();
    assert!(
        back.contains(&"chroot") && back.contains(&"capset"),
        "{filters:?}"
    );
}
