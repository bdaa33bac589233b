#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The daemon end to end: the real `onbehalf` binary (`once`, `run`, `status`) against a
//! real Dovecot (IMAPS with a test CA), a real SMTP server (aiosmtpd, STARTTLS + AUTH)
//! and the platform simulator (HTTPS with its own CA), all on loopback.
//!
//! A test appends forwarded invites to Dovecot, runs the binary, and asserts what the
//! outside world saw: accounts on the simulator, mails at the SMTP server (recipients,
//! threading, a password that logs in, tickets with the original attached) and the
//! folders in Dovecot. Every run's stderr is kept, and when a test ends no secret (IMAP
//! or SMTP password, generated password, invite token) may appear in it.
//!
//! - `setup`: the config file; `running`: a background `onbehalf` process.
//! - `forward`: builds Gmail-style forwards and rewrites `samples/` to the simulator.
//! - `mails`: reads what the SMTP server received.
//! - `happy`: one invite, every client format, duplicates, a colleague forwarding.
//! - `tickets`: every rejection and signup failure is exactly one ticket.
//! - `no_ticket`: junk filed without a ticket; a ticket refused for good, then retried.
//! - `crashes`: a crash at every journal state, and a kill during the form POST.
//! - `outages`: Dovecot restarted, SMTP down, UIDVALIDITY changed, SIGTERM, IDLE.
//! - `drops`: the IMAP connections cut again and again while a batch is handled.
//! - `summary`: one `fault-summary:` line per fault test (`scripts/fault-summary.sh`).
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

#[path = "../support/mod.rs"]
mod support;

mod crashes;
mod drops;
mod fields;
mod forward;
mod groups;
mod happy;
mod mails;
mod no_ticket;
mod outages;
mod running;
mod setup;
mod slots;
mod submissions;
mod summary;
mod tickets;
mod watchdog;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use onbehalf_sim::{SimOptions, Simulator};
use support::dovecot::{Dovecot, DovecotOptions};
use support::smtp::{SmtpOptions, SmtpServer};

pub(crate) use running::Running;
use setup::{config_toml, platform_toml};

pub(crate) const IMAP_PASSWORD: &str = "imap-Secr3t-8472";
pub(crate) const SMTP_USER: &str = "onbehalf";
pub(crate) const SMTP_PASSWORD: &str = "smtp-Secr3t-5190";
pub(crate) const HELPDESK: &str = "helpdesk@corp.example";
/// How long any one wait for the daemon may take before the test fails.
pub(crate) const DEADLINE: Duration = Duration::from_secs(30);

/// What differs between tests' setups.
pub(crate) struct Setup {
    /// `poll_interval` of the mailbox (the safety-net check in `run`).
    pub poll_interval: &'static str,
    /// Added to every simulator response (a slow platform).
    pub sim_latency: Duration,
    /// Extra lines for the `[daemon]` table.
    pub daemon: &'static str,
    /// More simulators, each its own `[[platform]]` ("Engage 1", …), for invites to the
    /// same person (a simulator has one account per email).
    pub extra_sims: usize,
    /// The main simulator's `request_timeout` (a platform that times out).
    pub request_timeout: &'static str,
    /// Lines added to Dovecot's config (e.g. [`support::dovecot::INBOX_PREFIX`]).
    pub dovecot_config: &'static str,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            poll_interval: "2s",
            sim_latency: Duration::ZERO,
            daemon: "",
            extra_sims: 0,
            request_timeout: "5s",
            dovecot_config: "",
        }
    }
}

/// The three servers, a temp dir with the config, and every line the binary logged.
pub(crate) struct Env {
    pub dovecot: Dovecot,
    pub smtp: SmtpServer,
    pub sim: Simulator,
    /// The [`Setup::extra_sims`].
    pub extra_sims: Vec<Simulator>,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    /// Everything the binary wrote to stderr, over all runs.
    logs: Arc<Mutex<String>>,
    /// What must never show up in `logs` (passwords seen in mails, invite tokens, …).
    secrets: Mutex<Vec<String>>,
}

impl Env {
    /// How many form submissions (POSTs) the platform has received.
    pub fn posts(&self) -> usize {
        self.sim
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count()
    }

    pub async fn start() -> Env {
        Self::start_with(Setup::default()).await
    }

    pub async fn start_with(setup: Setup) -> Env {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dovecot = Dovecot::start_with(DovecotOptions {
            password: IMAP_PASSWORD.into(),
            extra_config: setup.dovecot_config.into(),
            ..DovecotOptions::default()
        });
        let smtp = SmtpServer::start(SmtpOptions::starttls().with_auth(SMTP_USER, SMTP_PASSWORD));
        let sim = Simulator::start(SimOptions {
            latency: setup.sim_latency,
            ..SimOptions::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sim-ca.pem"), sim.ca_pem().unwrap()).unwrap();
        std::fs::write(dir.path().join("smtp-password"), SMTP_PASSWORD).unwrap();
        let mut text = config_toml(&dovecot, &smtp, &sim, &setup);
        let mut extra_sims = Vec::new();
        for n in 1..=setup.extra_sims {
            let extra = Simulator::start(SimOptions::default()).await.unwrap();
            let ca = format!("sim-ca-{n}.pem");
            std::fs::write(dir.path().join(&ca), extra.ca_pem().unwrap()).unwrap();
            text.push_str(&platform_toml(
                &format!("Engage {n}"),
                &extra.authority(),
                &ca,
                "5s",
            ));
            extra_sims.push(extra);
        }
        let config = dir.path().join("onbehalf.toml");
        std::fs::write(&config, text).unwrap();
        Env {
            dovecot,
            smtp,
            sim,
            extra_sims,
            dir,
            config,
            logs: Arc::default(),
            secrets: Mutex::new(vec![IMAP_PASSWORD.into(), SMTP_PASSWORD.into()]),
        }
    }

    /// The simulator's `host:port`, as it appears in invite links.
    pub fn authority(&self) -> String {
        self.sim.authority()
    }

    /// Remembers a value that must never be logged.
    pub fn secret(&self, value: &str) {
        self.secrets.lock().unwrap().push(value.to_owned());
    }

    /// Appends a message to the INBOX.
    pub async fn append(&self, raw: &[u8]) {
        self.dovecot.append("INBOX", raw).await;
    }

    fn command(&self, verb: &str) -> Command {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("onbehalf"));
        command
            .arg(verb)
            .arg("--config")
            .arg(&self.config)
            .env("RUST_LOG", "info,onbehalf=debug")
            .env_remove("ONBEHALF_FAULT_CRASH_AFTER")
            .env_remove("ONBEHALF_FAULT_HOLD_GROUP")
            .env_remove("NOTIFY_SOCKET")
            .env_remove("CREDENTIALS_DIRECTORY")
            .stdin(Stdio::null());
        command
    }

    /// `onbehalf once`; returns its exit status and stderr (also kept for the leak check).
    pub fn once(&self) -> (ExitStatus, String) {
        self.once_with(&[])
    }

    /// `onbehalf once` with extra environment variables.
    pub fn once_with(&self, vars: &[(&str, &str)]) -> (ExitStatus, String) {
        let mut command = self.command("once");
        command.envs(vars.iter().copied());
        let mut running = self.spawn_command(command);
        let status = running.wait(DEADLINE);
        (status, running.stderr())
    }

    /// `onbehalf once`, which must succeed.
    pub fn once_ok(&self) -> String {
        let (status, stderr) = self.once();
        assert!(status.success(), "once failed: {status}\n{stderr}");
        stderr
    }

    /// `onbehalf once` in the background (to kill it mid-way).
    pub fn once_running(&self) -> Running {
        self.spawn_command(self.command("once"))
    }

    /// `onbehalf once` in the background with extra environment variables.
    pub fn once_running_with(&self, vars: &[(&str, &str)]) -> Running {
        let mut command = self.command("once");
        command.envs(vars.iter().copied());
        self.spawn_command(command)
    }

    /// `onbehalf run` in the background.
    pub fn run(&self) -> Running {
        self.spawn_command(self.command("run"))
    }

    /// `onbehalf run` in the background with extra environment variables.
    pub fn run_with(&self, vars: &[(&str, &str)]) -> Running {
        let mut command = self.command("run");
        command.envs(vars.iter().copied());
        self.spawn_command(command)
    }

    /// Runs a short command (`status`, `retry`) to the end; what it printed, on stdout
    /// and stderr, joins the logs checked for secrets. Returns stdout.
    fn short(&self, verb: &str, args: &[&str]) -> String {
        let output = self.command(verb).args(args).output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        self.logs
            .lock()
            .unwrap()
            .push_str(&format!("{stdout}{stderr}"));
        assert!(output.status.success(), "{verb} failed:\n{stdout}{stderr}");
        stdout
    }

    /// `onbehalf status`, as text.
    pub fn status(&self) -> String {
        self.short("status", &[])
    }

    /// `onbehalf status --json`, parsed.
    pub fn status_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.short("status", &["--json"])).unwrap()
    }

    /// `onbehalf retry JOB`; returns what it printed.
    pub fn retry(&self, job: &str) -> String {
        self.short("retry", &[job])
    }

    fn spawn_command(&self, mut command: Command) -> Running {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut pipe = child.stderr.take().unwrap();
        let own = Arc::new(Mutex::new(String::new()));
        let (mine, all) = (Arc::clone(&own), Arc::clone(&self.logs));
        let reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buffer[..n]).into_owned();
                mine.lock().unwrap().push_str(&text);
                all.lock().unwrap().push_str(&text);
            }
        });
        Running {
            child,
            stderr: own,
            reader: Some(reader),
        }
    }

    /// Fails if any secret appeared in anything the binary logged.
    fn assert_no_secret_logged(&self) {
        let logs = self.logs.lock().unwrap();
        for secret in self.secrets.lock().unwrap().iter() {
            assert!(
                !logs.contains(secret.as_str()),
                "a secret ({} chars) appears in the daemon's logs:\n{logs}",
                secret.len()
            );
        }
    }

    /// The journal's state counts, from `onbehalf status --json`.
    pub fn jobs_in(&self, state: &str) -> u64 {
        self.status_json()["jobs_by_state"][state]
            .as_u64()
            .unwrap_or(0)
    }

    /// Every mail the SMTP server accepted, and the passwords in them marked as secret.
    pub fn mails(&self) -> Vec<mails::Mail> {
        let all: Vec<_> = self.smtp.messages().iter().map(mails::Mail::from).collect();
        for mail in &all {
            if let Some(password) = mail.password() {
                self.secret(&password);
            }
        }
        all
    }

    /// Messages in a Dovecot folder.
    pub async fn count(&self, folder: &str) -> usize {
        self.dovecot.count(folder).await
    }

    pub async fn assert_folders(&self, inbox: usize, done: usize, needs_human: usize) {
        let counts = (
            self.count("INBOX").await,
            self.count("onbehalf/done").await,
            self.count("onbehalf/needs-human").await,
        );
        assert_eq!(
            counts,
            (inbox, done, needs_human),
            "(INBOX, done, needs-human); logs:\n{}",
            self.logs.lock().unwrap()
        );
    }

    /// Everything logged so far.
    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.mails();
            self.assert_no_secret_logged();
        }
    }
}

/// Polls `condition` every 20 ms until it holds; fails after [`DEADLINE`].
pub(crate) fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Like [`wait_until`] for conditions that need Dovecot (async).
pub(crate) async fn wait_for_folder(env: &Env, folder: &str, count: usize) {
    let deadline = Instant::now() + DEADLINE;
    while env.count(folder).await < count {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {count} message(s) in {folder}; logs:\n{}",
            env.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The path of a file in `samples/`.
pub(crate) fn sample_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}
