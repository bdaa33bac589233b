#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The notify stage against a real SMTP server on loopback (aiosmtpd, see
//! `tests/support/smtp.rs`): what each mail says, to whom it goes, how the transport
//! retries, and that neither the SMTP password nor the user's password leaks.
//!
//! - `credentials`: the credentials mail, the requester note, templates, the file
//!   transport.
//! - `tickets`: the ticket and its byte-identical `message/rfc822` attachment.
//! - `transport`: TLS modes, AUTH, retries, timeouts, a server going away, logs.
//! - `pool`: connection reuse and its limits, counted by the server.
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

#[path = "../support/mod.rs"]
mod support;

mod credentials;
mod pool;
mod tickets;
mod transport;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use mail_parser::MessageParser;
use onbehalf::config::Config;
use onbehalf::notify::{CredentialsMail, Notifier, NotifyError, Ticket};
use onbehalf::secret::Secret;
use support::smtp::SmtpServer;

pub(crate) const USER: &str = "onbehalf";
pub(crate) const SMTP_PASSWORD: &str = "smtp-Pa55word!";
/// The generated password; HTML-special characters prove the escaping.
pub(crate) const PASSWORD: &str = "Xy7&<pw>Q!9z";
pub(crate) const PASSWORD_IN_HTML: &str = "Xy7&amp;&lt;pw&gt;Q!9z";
pub(crate) const WAIT: Duration = Duration::from_secs(5);

pub(crate) const PLATFORM: &str = r#"
[[platform]]
name = "Engage"
invite_links = ["https://engage.example.com/invitations/accept?*"]
allowed_hosts = ["engage.example.com"]
"#;

/// A config file in a temp dir pointing at `server`; `smtp_password` is written to the
/// password file (`None`: no AUTH). Returns the dir too, which must outlive the config.
pub(crate) fn load(
    server: &SmtpServer,
    security: &str,
    smtp_password: Option<&str>,
    notify_extra: &str,
) -> (Config, tempfile::TempDir) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let auth = match smtp_password {
        Some(password) => {
            std::fs::write(dir.path().join("smtp-password"), format!("{password}\n")).unwrap();
            format!("username = \"{USER}\"\npassword_file = \"smtp-password\"\n")
        }
        None => String::new(),
    };
    let text = format!(
        r#"{PLATFORM}
[smtp]
host = "127.0.0.1"
port = {port}
security = "{security}"
{auth}ca_file = {ca:?}
from = "Support <support@onbehalf.test>"
timeout = "5s"
retries = 3
retry_backoff = "10ms"

[notify]
ticket_to = "Help desk <helpdesk@onbehalf.test>"
reply_to = "support@onbehalf.test"
{notify_extra}
"#,
        port = server.port(),
        ca = server.ca_file().display().to_string(),
    );
    let path = dir.path().join("onbehalf.toml");
    std::fs::write(&path, text).unwrap();
    (Config::load(&path).unwrap(), dir)
}

pub(crate) fn notifier(config: &Config) -> Notifier {
    Notifier::smtp(config.smtp.as_ref().unwrap(), &config.notify).unwrap()
}

pub(crate) fn credentials(
    job_id: &str,
    requester: &str,
    in_reply_to: Option<&str>,
) -> CredentialsMail {
    CredentialsMail {
        job_id: job_id.to_owned(),
        platform: "Engage".to_owned(),
        login_url: "https://engage.example.com/login".to_owned(),
        login: "jane@partner.test".to_owned(),
        password: Secret::new(PASSWORD),
        requester: Some(requester.to_owned()),
        in_reply_to: in_reply_to.map(str::to_owned),
        subject_of_forward: Some("Fwd: You're invited to Engage".to_owned()),
    }
}

pub(crate) fn ticket(job_id: &str, original: &[u8]) -> Ticket {
    Ticket {
        job_id: job_id.to_owned(),
        reason: "link_expired".to_owned(),
        headline: "Could not sign up jane@partner.test on Engage: the invite link has expired"
            .to_owned(),
        detail: "The signup page said the invitation is no longer valid.".to_owned(),
        tried: vec![
            "opened the invite link in a fresh session".to_owned(),
            "read the page: \"This invitation has expired\"".to_owned(),
        ],
        requester: Some("Jane Doe <jane@partner.test>".to_owned()),
        platform: Some("Engage".to_owned()),
        original: original.to_vec(),
        evidence: None,
    }
}

pub(crate) fn parse(raw: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default().parse(raw).unwrap()
}

pub(crate) fn first_address(address: Option<&mail_parser::Address<'_>>) -> Option<String> {
    address
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_owned)
}

pub(crate) fn header_section(raw: &[u8]) -> &[u8] {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    &raw[..end]
}

pub(crate) fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The whole chain of an error, as `main` prints it, plus its Debug form.
pub(crate) fn everything_about(error: &NotifyError) -> String {
    let mut text = format!("{error:?}\n{error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!("\n{cause}"));
        source = cause.source();
    }
    text
}

/// Collects what tracing writes, for the whole test binary.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

static LOGS: OnceLock<Captured> = OnceLock::new();

/// Installs one global subscriber (all levels) writing into a buffer. Every test calls
/// this before it sends anything: a thread-local `set_default` races with other tests'
/// threads over tracing's cached callsite interest and can miss events.
pub(crate) fn capture_logs() {
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        captured
    });
}

/// Everything logged so far by every test in this binary.
pub(crate) fn captured_logs() -> String {
    capture_logs();
    let bytes = LOGS.get().unwrap().0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}
