//! A real SMTP server on loopback for integration tests.
//!
//! In: [`SmtpOptions`] (plain, STARTTLS or implicit TLS; optional AUTH user and
//! password; optional `SIZE` limit). Out: a running [`SmtpServer`] on `127.0.0.1:<free port>` whose received
//! messages (envelope sender, recipients, raw bytes) the test reads back, which can be
//! told to refuse the next transactions with a given code, which counts and can close
//! client connections, and which can be stopped and restarted on the same port.
//!
//! The server is Debian's `python3-aiosmtpd` driven by `tests/support/smtp_server.py`,
//! run as a child process (killed on drop; it also exits by itself when the test process
//! goes away, because its stdin closes). It needs `apt-get install -y python3-aiosmtpd`;
//! the interpreter is `$ONBEHALF_TEST_PYTHON`, else `/usr/bin/python3` (where Debian's
//! package lives), else `python3` on the PATH.
//!
//! TLS uses a throwaway CA and a `localhost`/`127.0.0.1`/`::1` leaf minted with rcgen
//! ([`TestCerts`], reusable by other harnesses); point the client at
//! [`SmtpServer::ca_file`].
//!
//! ```ignore
//! mod support;
//! use support::smtp::{SmtpOptions, SmtpServer, FailStage};
//!
//! let mut server = SmtpServer::start(SmtpOptions::starttls().with_auth("bot", "s3cret"));
//! server.fail_next(2, 451, FailStage::Data);
//! // … send through 127.0.0.1:server.port() trusting server.ca_file() …
//! let received = server.wait_for_messages(1, Duration::from_secs(5));
//! assert_eq!(received[0].rcpt_to, ["jane@partner.test"]);
//! ```
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine as _;

/// How long the server may take to start and answer.
const STARTUP: Duration = Duration::from_secs(15);

/// How the server protects connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS at all.
    Plain,
    /// Plain greeting, STARTTLS required before MAIL and AUTH.
    StartTls,
    /// TLS from the first byte.
    Tls,
}

/// What server to start.
#[derive(Debug, Clone)]
pub struct SmtpOptions {
    /// Plain, STARTTLS or implicit TLS.
    pub security: Security,
    /// `Some((user, password))`: AUTH PLAIN/LOGIN required with exactly these.
    pub auth: Option<(String, String)>,
    /// `Some(octets)`: announced as `SIZE` in EHLO; larger messages get 552.
    pub size_limit: Option<u64>,
}

impl SmtpOptions {
    /// Plain SMTP without AUTH.
    pub fn plain() -> Self {
        Self {
            security: Security::Plain,
            auth: None,
            size_limit: None,
        }
    }

    /// STARTTLS required, no AUTH.
    pub fn starttls() -> Self {
        Self {
            security: Security::StartTls,
            auth: None,
            size_limit: None,
        }
    }

    /// Implicit TLS, no AUTH.
    pub fn tls() -> Self {
        Self {
            security: Security::Tls,
            auth: None,
            size_limit: None,
        }
    }

    /// Announces `SIZE octets` and refuses larger messages with 552.
    pub fn with_size_limit(mut self, octets: u64) -> Self {
        self.size_limit = Some(octets);
        self
    }

    /// Requires AUTH with this user and password.
    pub fn with_auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Some((user.to_owned(), password.to_owned()));
        self
    }
}

/// When a refusal is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailStage {
    /// At `RCPT TO` (counted per RCPT command).
    Rcpt,
    /// After the message data (counted per DATA command).
    Data,
}

/// One accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// `MAIL FROM` address.
    pub mail_from: String,
    /// `RCPT TO` addresses.
    pub rcpt_to: Vec<String>,
    /// The message as received (CRLF line endings, dot-stuffing removed).
    pub raw: Vec<u8>,
}

/// A test CA and a server certificate it signed, as PEM files in a folder.
#[derive(Debug, Clone)]
pub struct TestCerts {
    /// The CA certificate: what clients must trust.
    pub ca_pem: PathBuf,
    /// The server's certificate (SAN `localhost`, `127.0.0.1`, `::1`; not a CA).
    pub cert_pem: PathBuf,
    /// The server's private key (PKCS#8).
    pub key_pem: PathBuf,
}

impl TestCerts {
    /// Mints a fresh CA and leaf into `dir` as `ca.pem`, `server.pem`, `server.key`.
    pub fn generate(dir: &Path) -> TestCerts {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
            KeyPair, KeyUsagePurpose,
        };
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "onbehalf test CA");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca, ca_key);

        let leaf_key = KeyPair::generate().unwrap();
        let names = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ];
        let mut leaf = CertificateParams::new(names).unwrap();
        leaf.is_ca = IsCa::ExplicitNoCa;
        leaf.distinguished_name
            .push(DnType::CommonName, "localhost");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();

        let certs = TestCerts {
            ca_pem: dir.join("ca.pem"),
            cert_pem: dir.join("server.pem"),
            key_pem: dir.join("server.key"),
        };
        std::fs::write(&certs.ca_pem, ca_cert.pem()).unwrap();
        std::fs::write(&certs.cert_pem, leaf_cert.pem()).unwrap();
        std::fs::write(&certs.key_pem, leaf_key.serialize_pem()).unwrap();
        certs
    }
}

/// The child process and the pipes to talk to it.
struct Process {
    child: Child,
    stdin: ChildStdin,
    /// Lines the server printed on stdout, read by a thread.
    lines: mpsc::Receiver<String>,
}

/// A running SMTP server; see the module docs.
pub struct SmtpServer {
    options: SmtpOptions,
    /// Holds the certificates, the password file, the log and the received messages.
    dir: tempfile::TempDir,
    certs: TestCerts,
    port: u16,
    process: Option<Process>,
}

impl SmtpServer {
    /// Starts a server on a free loopback port and waits until it answers.
    pub fn start(options: SmtpOptions) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let certs = TestCerts::generate(dir.path());
        let mut server = SmtpServer {
            options,
            dir,
            certs,
            port: 0,
            process: None,
        };
        server.spawn(0);
        server
    }

    /// The host to connect to.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The port it listens on (kept across [`SmtpServer::restart`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The CA certificate (PEM) clients must trust for TLS and STARTTLS.
    pub fn ca_file(&self) -> &Path {
        &self.certs.ca_pem
    }

    /// The certificates, to reuse for another server in the same test.
    pub fn certs(&self) -> &TestCerts {
        &self.certs
    }

    /// The server's own log (aiosmtpd's stderr), for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Every message accepted so far, oldest first (including before a restart).
    pub fn messages(&self) -> Vec<Received> {
        let new = self.dir.path().join("mail").join("new");
        let mut names: Vec<PathBuf> = match std::fs::read_dir(&new) {
            Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names.iter().map(|path| read_message(path)).collect()
    }

    /// Waits until at least `count` messages were accepted; panics after `timeout`.
    pub fn wait_for_messages(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "expected {count} message(s), got {} within {timeout:?}; server log:\n{}",
                messages.len(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Answers `code` (e.g. 451 or 550) instead of 250 to the next `count` RCPT or DATA
    /// commands.
    pub fn fail_next(&mut self, count: u32, code: u16, stage: FailStage) {
        let stage = match stage {
            FailStage::Rcpt => "rcpt",
            FailStage::Data => "data",
        };
        let reply = self.command(&format!("FAIL {count} {code} {stage}"));
        assert_eq!(reply, "OK");
    }

    /// Leaves the next `count` DATA commands unanswered, as a hung server would; the
    /// message is not stored.
    pub fn stall_next(&mut self, count: u32) {
        let reply = self.command(&format!("STALL {count}"));
        assert_eq!(reply, "OK");
    }

    /// How many commands were refused because of [`SmtpServer::fail_next`] since the
    /// server (re)started.
    pub fn refused(&mut self) -> u32 {
        self.stat(2)
    }

    /// How many DATA commands were left unanswered because of
    /// [`SmtpServer::stall_next`] since the server (re)started.
    pub fn stalled(&mut self) -> u32 {
        self.stat(3)
    }

    /// How many TCP connections clients opened since the server (re)started, including
    /// the probe that waits for it to answer.
    pub fn connections(&mut self) -> u32 {
        self.stat(4)
    }

    /// Closes every open client connection at once, as a server restarting or timing
    /// out idle clients does; returns when they are closed.
    pub fn drop_connections(&mut self) {
        let reply = self.command("DROP");
        assert_eq!(reply, "OK");
    }

    fn stat(&mut self, index: usize) -> u32 {
        let reply = self.command("STATS");
        let value = reply.split_whitespace().nth(index);
        value.and_then(|n| n.parse().ok()).unwrap_or_else(|| {
            panic!("unexpected STATS reply {reply:?}");
        })
    }

    /// Whether the server process is running.
    pub fn is_running(&self) -> bool {
        self.process.is_some()
    }

    /// Kills the server; connections drop, the port refuses until [`SmtpServer::restart`].
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.child.kill();
            let _ = process.child.wait();
        }
    }

    /// Starts the server again on the same port, keeping the received messages.
    pub fn restart(&mut self) {
        self.stop();
        let port = self.port;
        self.spawn(port);
    }

    fn spawn(&mut self, port: u16) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))
            .unwrap();
        let mut command = Command::new(python());
        command
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/support/smtp_server.py"
            ))
            .arg("--dir")
            .arg(self.dir.path().join("mail"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--mode",
                match self.options.security {
                    Security::Plain => "plain",
                    Security::StartTls => "starttls",
                    Security::Tls => "tls",
                },
            ])
            .arg("--cert")
            .arg(&self.certs.cert_pem)
            .arg("--key")
            .arg(&self.certs.key_pem);
        if let Some((user, password)) = &self.options.auth {
            let file = self.dir.path().join("auth-password");
            std::fs::write(&file, password).unwrap();
            command
                .args(["--user", user])
                .arg("--password-file")
                .arg(file);
        }
        if let Some(octets) = self.options.size_limit {
            command.args(["--size-limit", &octets.to_string()]);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", python()));
        let stdin = child.stdin.take().unwrap();
        let lines = read_lines(child.stdout.take().unwrap());
        self.process = Some(Process {
            child,
            stdin,
            lines,
        });
        let ready = self.next_line();
        let announced: u16 = ready
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("SMTP server said {ready:?}; log:\n{}", self.log()));
        assert!(
            port == 0 || announced == port,
            "restarted on {announced}, not {port}"
        );
        self.port = announced;
        self.wait_until_connectable();
    }

    /// Polls the port until a connection succeeds (and, without TLS, the 220 greeting
    /// arrives), with a deadline.
    fn wait_until_connectable(&self) {
        let deadline = Instant::now() + STARTUP;
        loop {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                if self.options.security == Security::Tls {
                    return;
                }
                stream.set_read_timeout(Some(STARTUP)).unwrap();
                let mut greeting = [0u8; 3];
                if stream.read_exact(&mut greeting).is_ok() && &greeting == b"220" {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "SMTP server on port {} not answering; log:\n{}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn command(&mut self, line: &str) -> String {
        let process = self.process.as_mut().expect("the SMTP server is stopped");
        writeln!(process.stdin, "{line}").unwrap();
        process.stdin.flush().unwrap();
        self.next_line()
    }

    fn next_line(&mut self) -> String {
        let process = self.process.as_mut().expect("the SMTP server is stopped");
        match process.lines.recv_timeout(STARTUP) {
            Ok(line) => line,
            Err(e) => {
                let status = process.child.try_wait();
                panic!(
                    "no answer from the SMTP server ({e}; process: {status:?}); is \
                     python3-aiosmtpd installed? log:\n{}",
                    self.log()
                )
            }
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn python() -> String {
    if let Ok(python) = std::env::var("ONBEHALF_TEST_PYTHON") {
        return python;
    }
    if Path::new("/usr/bin/python3").exists() {
        return "/usr/bin/python3".to_owned();
    }
    "python3".to_owned()
}

fn read_lines(stdout: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

fn read_message(path: &Path) -> Received {
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    Received {
        mail_from: text(&record["mail_from"]),
        rcpt_to: record["rcpt_tos"]
            .as_array()
            .map(|all| all.iter().map(text).collect())
            .unwrap_or_default(),
        raw: base64::engine::general_purpose::STANDARD
            .decode(text(&record["data"]))
            .unwrap(),
    }
}
