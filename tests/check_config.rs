//! `onbehalf check-config` through the real binary, against a real Dovecot, a real SMTP
//! server (STARTTLS + AUTH) and the platform simulator over HTTPS: all ✓ on a good
//! config, and each misconfiguration caught with its fix and exit status 1 — without a
//! secret in the output.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use onbehalf_sim::{SimOptions, Simulator, TestCa};
use support::dovecot::Dovecot;
use support::smtp::{SmtpOptions, SmtpServer};

const SMTP_USER: &str = "bot";
const SMTP_PASSWORD: &str = "smtp-S3cret-pw";
const WRONG_PASSWORD: &str = "wrong-Pa55word-xyz";

/// Three real servers and a folder for the config and its files.
struct Env {
    dovecot: Dovecot,
    smtp: SmtpServer,
    sim: Simulator,
    dir: tempfile::TempDir,
}

/// What one config says; each test changes what it is about.
struct Settings {
    imap_port: u16,
    imap_password_file: PathBuf,
    imap_ca_file: PathBuf,
    folder: Option<&'static str>,
    imap_timeout: &'static str,
    smtp_password: &'static str,
    platform_port: u16,
    policy: &'static str,
}

impl Env {
    async fn start() -> Env {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sim = Simulator::start(SimOptions::default()).await.unwrap();
        let (dovecot, smtp) = tokio::task::spawn_blocking(|| {
            let smtp =
                SmtpServer::start(SmtpOptions::starttls().with_auth(SMTP_USER, SMTP_PASSWORD));
            (Dovecot::start(), smtp)
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sim-ca.pem"), sim.ca_pem().unwrap()).unwrap();
        Env {
            dovecot,
            smtp,
            sim,
            dir,
        }
    }

    /// A config where everything works.
    fn good(&self) -> Settings {
        Settings {
            imap_port: self.dovecot.imaps_port(),
            imap_password_file: self.dovecot.password_file(),
            imap_ca_file: self.dovecot.ca_file(),
            folder: None,
            imap_timeout: "3s",
            smtp_password: SMTP_PASSWORD,
            platform_port: self.sim.addr().port(),
            policy: "trusted_authserv_ids = [\"mx.corp.example\"]\n",
        }
    }

    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn write_config(&self, s: &Settings) -> PathBuf {
        let smtp_password = self.file("smtp-password", &format!("{}\n", s.smtp_password));
        let folder = s
            .folder
            .map(|f| format!("folder = \"{f}\"\n"))
            .unwrap_or_default();
        let text = format!(
            "[mailbox]\nkind = \"imap\"\nhost = \"127.0.0.1\"\nport = {imap_port}\n\
             security = \"tls\"\nusername = \"{imap_user}\"\npassword_file = {imap_pw:?}\n\
             ca_file = {imap_ca:?}\ntimeout = \"{imap_timeout}\"\n{folder}\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\nsecurity = \"starttls\"\n\
             username = \"{SMTP_USER}\"\npassword_file = {smtp_pw:?}\nca_file = {smtp_ca:?}\n\
             from = \"Support <support@example.com>\"\ntimeout = \"2s\"\n\n\
             [[platform]]\nname = \"Engage\"\n\
             invite_links = [\"https://localhost:{web}/invitations/accept?*\"]\n\
             allowed_hosts = [\"localhost:{web}\"]\nsuccess_selector = \"h1.welcome\"\n\
             ca_file = \"sim-ca.pem\"\nconnect_timeout = \"2s\"\nrequest_timeout = \"2s\"\n\n\
             [policy]\n{policy}\n[notify]\nticket_to = \"helpdesk@example.com\"\n",
            imap_port = s.imap_port,
            imap_user = self.dovecot.username(),
            imap_pw = s.imap_password_file.display().to_string(),
            imap_ca = s.imap_ca_file.display().to_string(),
            imap_timeout = s.imap_timeout,
            smtp_port = self.smtp.port(),
            smtp_pw = smtp_password.display().to_string(),
            smtp_ca = self.smtp.ca_file().display().to_string(),
            web = s.platform_port,
            policy = s.policy,
        );
        self.file("onbehalf.toml", &text)
    }

    async fn check(&self, settings: &Settings) -> Outcome {
        let config = self.write_config(settings);
        let outcome = check_config(&config).await;
        for secret in [self.dovecot.password(), SMTP_PASSWORD, WRONG_PASSWORD] {
            assert!(
                !outcome.all.contains(secret),
                "a secret is in the output:\n{}",
                outcome.all
            );
        }
        outcome
    }
}

/// What the command printed and how it exited.
struct Outcome {
    code: i32,
    stdout: String,
    all: String,
}

impl Outcome {
    /// The line that starts with `mark` and holds every one of `parts`.
    fn line(&self, mark: &str, parts: &[&str]) -> &str {
        self.stdout
            .lines()
            .find(|l| l.starts_with(mark) && parts.iter().all(|p| l.contains(p)))
            .unwrap_or_else(|| {
                panic!(
                    "no line starting with {mark} holding {parts:?} in:\n{}",
                    self.all
                )
            })
    }

    fn count(&self, mark: &str) -> usize {
        self.stdout.lines().filter(|l| l.starts_with(mark)).count()
    }
}

/// Runs the binary off the async runtime (the simulator keeps serving meanwhile).
async fn check_config(config: &Path) -> Outcome {
    let config = config.to_owned();
    let output = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("onbehalf")
            .unwrap()
            .arg("check-config")
            .arg("--config")
            .arg(&config)
            .env_remove("ONBEHALF_CONFIG")
            .env_remove("CREDENTIALS_DIRECTORY")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    for line in stdout.lines() {
        assert!(
            ["✓ ", "! ", "✗ "].iter().any(|m| line.starts_with(m)),
            "a line without a mark: {line:?}\n{stdout}"
        );
    }
    Outcome {
        code: output.status.code().unwrap(),
        all: format!("{stdout}\n--- stderr ---\n{stderr}"),
        stdout,
    }
}

/// A loopback port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_config_passes_every_check() {
    let env = Env::start().await;
    let out = env.check(&env.good()).await;
    assert_eq!(out.code, 0, "{}", out.all);
    assert_eq!(out.count("✗"), 0, "{}", out.all);
    assert_eq!(out.count("!"), 0, "{}", out.all);
    out.line("✓", &["config", "every key is valid"]);
    out.line("✓", &["secret", "mailbox.password_file", "not shown"]);
    out.line("✓", &["secret", "smtp.password_file", "not shown"]);
    out.line(
        "✓",
        &["IMAP", "TLS, certificate verified", "logged in as testuser"],
    );
    out.line("✓", &["IMAP", "folder \"INBOX\""]);
    out.line("✓", &["IMAP", "\"onbehalf/done\"", "created"]);
    out.line("✓", &["IMAP", "\"onbehalf/needs-human\"", "created"]);
    out.line("✓", &["IMAP", "IDLE is supported"]);
    out.line("✓", &["SMTP", "STARTTLS, certificate verified"]);
    out.line("✓", &["SMTP", "login accepted for bot", "no mail sent"]);
    let web = format!("https://localhost:{}/", env.sim.addr().port());
    out.line(
        "✓",
        &["platform Engage", &web, "answers over HTTPS", "HTTP "],
    );
    out.line("✓", &["platform Engage", "success_selector"]);
    out.line("✓", &["policy", "mx.corp.example"]);
    out.line("✓", &["notify", "helpdesk@example.com"]);
    assert!(
        env.smtp.messages().is_empty(),
        "check-config sent mail: {:?}",
        env.smtp.messages()
    );

    // The folders made the first time are there the second time.
    let again = env.check(&env.good()).await;
    assert_eq!(again.code, 0, "{}", again.all);
    again.line("✓", &["IMAP", "\"onbehalf/done\" exists"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_imap_password_names_the_password_file() {
    let env = Env::start().await;
    let settings = Settings {
        imap_password_file: env.file("wrong-imap-password", &format!("{WRONG_PASSWORD}\n")),
        ..env.good()
    };
    let out = env.check(&settings).await;
    assert_eq!(out.code, 1, "{}", out.all);
    out.line(
        "✗",
        &[
            "IMAP login",
            "the server refused the login for testuser: check mailbox.password_file",
        ],
    );
    // Everything else still gets checked.
    out.line("✓", &["SMTP", "login accepted"]);
    out.line("✓", &["platform Engage", "answers over HTTPS"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_that_did_not_sign_the_imap_certificate_says_to_set_ca_file() {
    let env = Env::start().await;
    let other_ca = TestCa::new().unwrap().cert_pem();
    let settings = Settings {
        imap_ca_file: env.file("other-ca.pem", &other_ca),
        ..env.good()
    };
    let out = env.check(&settings).await;
    assert_eq!(out.code, 1, "{}", out.all);
    out.line(
        "✗",
        &[
            "IMAP TLS",
            "the server's certificate is not trusted: set mailbox.ca_file to",
            "other-ca.pem",
        ],
    );
    out.line("✓", &["IMAP", "answers"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_imap_port_says_nothing_answers() {
    let env = Env::start().await;
    let port = closed_port();
    let settings = Settings {
        imap_port: port,
        ..env.good()
    };
    let out = env.check(&settings).await;
    assert_eq!(out.code, 1, "{}", out.all);
    out.line(
        "✗",
        &[
            "IMAP",
            &format!(
                "nothing answers on 127.0.0.1:{port}: check mailbox.host/port and the firewall"
            ),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_imap_server_is_a_timeout_and_the_rest_is_checked_meanwhile() {
    let env = Env::start().await;
    env.dovecot.pause();
    let settings = Settings {
        imap_timeout: "1s",
        ..env.good()
    };
    let started = std::time::Instant::now();
    let out = env.check(&settings).await;
    let took = started.elapsed();
    env.dovecot.resume();
    assert_eq!(out.code, 1, "{}", out.all);
    out.line(
        "✗",
        &[
            "IMAP",
            "no answer from 127.0.0.1:",
            "within 1s",
            "check mailbox.host/port and the firewall",
        ],
    );
    out.line("✓", &["SMTP", "login accepted"]);
    out.line("✓", &["platform Engage", "answers over HTTPS"]);
    assert!(took < std::time::Duration::from_secs(8), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_watched_folder_fails_and_the_filing_folders_are_created() {
    let env = Env::start().await;
    let settings = Settings {
        folder: Some("Invites"),
        ..env.good()
    };
    let out = env.check(&settings).await;
    assert_eq!(out.code, 1, "{}", out.all);
    out.line("✗", &["IMAP folder \"Invites\"", "check mailbox.folder"]);
    out.line("✓", &["IMAP", "\"onbehalf/done\"", "created"]);
    out.line("✓", &["IMAP", "\"onbehalf/needs-human\"", "created"]);
    out.line("✓", &["IMAP", "IDLE is supported"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_smtp_password_names_the_smtp_password_file() {
    let env = Env::start().await;
    let settings = Settings {
        smtp_password: WRONG_PASSWORD,
        ..env.good()
    };
    let out = env.check(&settings).await;
    assert_eq!(out.code, 1, "{}", out.all);
    out.line(
        "✗",
        &[
            "SMTP login",
            "the server refused the login for bot: check smtp.password_file",
        ],
    );
    out.line("✓", &["IMAP", "logged in as testuser"]);
    assert!(env.smtp.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_host_that_does_not_answer_is_named() {
    let env = Env::start().await;
    let port = closed_port();
    let settings = Settings {
        platform_port: port,
        ..env.good()
    };
    let out = env.check(&settings).await;
    assert_eq!(out.code, 1, "{}", out.all);
    out.line(
        "✗",
        &[
            "platform Engage",
            &format!("nothing answers on localhost:{port}"),
            "check platform[0].allowed_hosts",
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_authentication_off_is_a_warning_not_a_failure() {
    let env = Env::start().await;
    let settings = Settings {
        policy: "require_authenticated_sender = false\n",
        ..env.good()
    };
    let out = env.check(&settings).await;
    assert_eq!(out.code, 0, "{}", out.all);
    out.line(
        "!",
        &["policy", "require_authenticated_sender = false", "DMARC"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extract_only_config_reports_what_run_would_need() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(SimOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sim-ca.pem"), sim.ca_pem().unwrap()).unwrap();
    let base = sim.base_url();
    let text = format!(
        "[[platform]]\nname = \"Engage\"\ninvite_links = [\"{base}/invitations/accept?*\"]\n\
         allowed_hosts = [\"{}\"]\nca_file = \"sim-ca.pem\"\nrequest_timeout = \"2s\"\n\
         [policy]\ntrusted_authserv_ids = [\"mx.corp.example\"]\n",
        sim.authority()
    );
    let config = dir.path().join("onbehalf.toml");
    std::fs::write(&config, text).unwrap();
    let out = check_config(&config).await;
    assert_eq!(out.code, 1, "{}", out.all);
    out.line("!", &["mailbox", "not configured (needed by run/once)"]);
    out.line("!", &["smtp", "not configured (needed by run/once)"]);
    out.line("!", &["notify", "ticket_to"]);
    out.line("✓", &["platform Engage", "answers over HTTPS"]);
    // The one real failure: success could not be recognised.
    out.line("✗", &["platform Engage", "success_url", "success_selector"]);
    assert_eq!(out.count("✗"), 1, "{}", out.all);
}

#[test]
fn a_config_that_does_not_load_exits_2_with_the_loaders_message() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("onbehalf.toml");
    std::fs::write(
        &config,
        "[[platform]]\nname = \"Engage\"\nallowed_hostz = []\n",
    )
    .unwrap();
    let output = assert_cmd::Command::cargo_bin("onbehalf")
        .unwrap()
        .arg("check-config")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.starts_with("✗ config: cannot use config file"),
        "{stdout}"
    );
    assert!(stdout.contains("allowed_hostz"), "{stdout}");
}
