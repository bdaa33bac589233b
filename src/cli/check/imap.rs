//! The mailbox, reached as `run` would reach it.
//!
//! In: the `[mailbox]` settings. Out: lines from [`Mailbox::check`] — reachable, TLS,
//! login, folders (the filing folders are created when missing), IDLE — or, when it fails,
//! the steps that evidently worked and one `✗` line saying what to change. When only the
//! watched folder is missing, the rest is checked on `INBOX`, so one run reports the
//! filing folders and IDLE too.

use std::time::Duration;

use crate::config::{ImapConfig, MailboxConfig};
use crate::mailbox::{CheckReport, Mailbox, MailboxError};

use super::line::{Line, find_cause, has_io_kind};
use super::secrets;
use crate::report::chain;

const TOPIC: &str = "IMAP";

/// Steps a whole check may take, each under `timeout` (connect, TLS, greeting, login,
/// CAPABILITY, NAMESPACE, SELECT, two CREATEs; for the IDLE test a second connection, a
/// scratch folder made and deleted, EXAMINE, IDLE, APPEND, the wait, DONE): the limit
/// for the check as a whole.
const STEPS: u32 = 24;

/// Checks the mailbox; the secret was already read (`secret_ok`), so a failure to read
/// it is not reported twice.
pub async fn check(config: &MailboxConfig, secret_ok: bool) -> Vec<Line> {
    let imap = match config {
        MailboxConfig::Maildir(_) => return maildir(config).await,
        MailboxConfig::Imap(imap) => imap,
    };
    if !secret_ok {
        return vec![Line::warn(
            TOPIC,
            format!(
                "{} not checked: the login secret could not be had (see above)",
                address(imap)
            ),
        )];
    }
    match run_check(config, imap).await {
        Ok(report) => report_lines(TOPIC, &report),
        Err(error) => {
            let mut lines = failure(imap, &error);
            if is_missing_folder(&error) {
                lines.extend(rest_on_inbox(imap).await);
            }
            lines
        }
    }
}

async fn maildir(config: &MailboxConfig) -> Vec<Line> {
    let topic = "Maildir";
    let outcome = match Mailbox::from_config(config) {
        Ok(mut mailbox) => mailbox.check().await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(report) => report_lines(topic, &report),
        Err(error @ MailboxError::NotAMaildir { .. }) => {
            vec![Line::fail(topic, chain(&error), "fix mailbox.path")]
        }
        Err(error) => vec![Line::fail(
            topic,
            chain(&error),
            "check that the user onbehalf runs as may read and write there",
        )],
    }
}

async fn run_check(config: &MailboxConfig, imap: &ImapConfig) -> Result<CheckReport, MailboxError> {
    let mut mailbox = Mailbox::from_config(config)?;
    let limit = imap.timeout.saturating_mul(STEPS);
    match tokio::time::timeout(limit, mailbox.check()).await {
        Ok(outcome) => outcome,
        Err(_) => Err(MailboxError::Timeout {
            address: address(imap),
            action: "complete the mailbox check".into(),
            after: limit,
        }),
    }
}

fn report_lines(topic: &str, report: &CheckReport) -> Vec<Line> {
    let passed = report.passed.iter().map(|text| Line::pass(topic, text));
    let warned = report.warnings.iter().map(|text| Line::warn(topic, text));
    passed.chain(warned).collect()
}

/// The filing folders and IDLE, checked with `INBOX` (which every server has) in place
/// of the missing watched folder.
async fn rest_on_inbox(imap: &ImapConfig) -> Vec<Line> {
    let inbox = "INBOX";
    let filing = [&imap.done_folder, &imap.needs_human_folder];
    if filing.iter().any(|f| f.eq_ignore_ascii_case(inbox)) {
        return Vec::new();
    }
    let config = MailboxConfig::Imap(ImapConfig {
        folder: inbox.to_owned(),
        ..imap.clone()
    });
    match run_check(&config, imap).await {
        Ok(report) => {
            let skip = format!("folder {inbox:?} ");
            let lines = report_lines(TOPIC, &report);
            // The connection was reported already; INBOX is not the configured folder.
            lines
                .into_iter()
                .filter(|l| !l.text.starts_with("connected to") && !l.text.starts_with(&skip))
                .collect()
        }
        Err(error) => failure(imap, &error),
    }
}

fn address(imap: &ImapConfig) -> String {
    if imap.host.contains(':') && !imap.host.starts_with('[') {
        format!("[{}]:{}", imap.host, imap.port)
    } else {
        format!("{}:{}", imap.host, imap.port)
    }
}

fn is_missing_folder(error: &MailboxError) -> bool {
    matches!(error, MailboxError::Refused { action, .. } if action.starts_with("open folder "))
}

/// What evidently worked before `error`, and the `✗` line for it.
fn failure(imap: &ImapConfig, error: &MailboxError) -> Vec<Line> {
    let address = address(imap);
    let connected = || Line::pass(TOPIC, format!("{address} answers"));
    match error {
        MailboxError::Connect { source, .. } => vec![unreachable(imap, source)],
        MailboxError::Timeout { action, after, .. } => vec![Line::fail(
            TOPIC,
            format!(
                "no answer from {address} within {} while trying to {action}",
                seconds(*after)
            ),
            "check mailbox.host/port and the firewall (one that drops packets looks like \
             this), or raise mailbox.timeout",
        )],
        MailboxError::Tls { source, .. } => vec![connected(), tls_failure(imap, source)],
        MailboxError::Greeting { .. } | MailboxError::Closed { .. } => vec![Line::fail(
            TOPIC,
            chain(error),
            "check mailbox.host and mailbox.port: they must name the IMAP server",
        )],
        MailboxError::StartTls { .. } => vec![
            connected(),
            Line::fail(
                TOPIC,
                chain(error),
                "check mailbox.security and mailbox.port",
            ),
        ],
        MailboxError::Login { reason, .. } => vec![
            Line::pass(TOPIC, format!("{address} answers ({})", security(imap))),
            Line::fail(
                "IMAP login",
                format!("the server refused the login for {}", imap.username),
                &format!(
                    "check {} and mailbox.username (the server said: {reason})",
                    secrets::imap_key(&imap.auth)
                ),
            ),
        ],
        MailboxError::Secret { .. } | MailboxError::Token { .. } => vec![Line::fail(
            "IMAP login",
            chain(error),
            &format!("fix {}", secrets::imap_key(&imap.auth)),
        )],
        MailboxError::Refused { action, said, .. } => refused(imap, error, action, said),
        MailboxError::CaFile { .. } => vec![Line::fail(
            TOPIC,
            chain(error),
            "point mailbox.ca_file at the PEM file of the CA that signed the server's \
             certificate",
        )],
        other => vec![Line::fail(
            TOPIC,
            chain(other),
            "see the server's answer; `onbehalf run` would stop here too",
        )],
    }
}

/// A refused command after the login: the watched folder, a filing folder, or another.
fn refused(imap: &ImapConfig, error: &MailboxError, action: &str, said: &str) -> Vec<Line> {
    let address = address(imap);
    let logged_in = Line::pass(
        TOPIC,
        format!(
            "connected to {address} ({}) and logged in as {}",
            security(imap),
            imap.username
        ),
    );
    let failed = if is_missing_folder(error) {
        Line::fail(
            format!("IMAP folder {:?}", imap.folder),
            "the folder does not exist or cannot be opened",
            &format!(
                "check mailbox.folder: it must name the existing folder forwarded invites \
                 arrive in, with \"/\" between levels (asked for {}, the server said: {said})",
                action.trim_start_matches("open folder ")
            ),
        )
    } else if action.starts_with("create folder ") {
        Line::fail(
            "IMAP folder",
            chain(error),
            "create the folder by hand, or name one the account may create in \
             mailbox.done_folder / mailbox.needs_human_folder",
        )
    } else {
        Line::fail(
            TOPIC,
            chain(error),
            "see the server's answer; `onbehalf run` would stop here too",
        )
    };
    vec![logged_in, failed]
}

fn unreachable(imap: &ImapConfig, source: &std::io::Error) -> Line {
    let address = address(imap);
    if has_io_kind(source, std::io::ErrorKind::ConnectionRefused) {
        return Line::fail(
            TOPIC,
            format!("nothing answers on {address}"),
            "check mailbox.host/port and the firewall",
        );
    }
    if source.to_string().contains("lookup") {
        return Line::fail(
            TOPIC,
            format!("the name {} does not resolve ({source})", imap.host),
            "check the spelling of mailbox.host and this machine's DNS",
        );
    }
    Line::fail(
        TOPIC,
        format!("cannot reach {address} ({source})"),
        "check mailbox.host/port and the firewall",
    )
}

fn tls_failure(imap: &ImapConfig, source: &std::io::Error) -> Line {
    let address = address(imap);
    let topic = "IMAP TLS";
    let certificate = match find_cause::<rustls::Error>(source) {
        Some(rustls::Error::InvalidCertificate(problem)) => problem,
        _ => {
            return Line::fail(
                topic,
                format!("cannot set up TLS with {address} ({})", chain(source)),
                "check mailbox.port and mailbox.security: \"tls\" is usually port 993, \
                 \"starttls\" port 143",
            );
        }
    };
    let keys = CertKeys {
        host: "mailbox.host",
        ca_file: "mailbox.ca_file",
        ca_path: imap.ca_file.as_deref(),
    };
    cert_line(topic, certificate, &imap.host, &keys)
}

/// Where a certificate problem is fixed: the keys naming the host and the extra CA.
pub struct CertKeys<'a> {
    /// The key that names the host, e.g. `mailbox.host`.
    pub host: &'a str,
    /// The key of the extra trusted CA, e.g. `mailbox.ca_file`.
    pub ca_file: &'a str,
    /// Its current value.
    pub ca_path: Option<&'a std::path::Path>,
}

/// The `✗` line for a certificate the client refused, shared by IMAP, SMTP and HTTPS.
pub fn cert_line(
    topic: &str,
    problem: &rustls::CertificateError,
    host: &str,
    keys: &CertKeys<'_>,
) -> Line {
    use rustls::CertificateError as E;
    match problem {
        E::NotValidForName | E::NotValidForNameContext { .. } => Line::fail(
            topic,
            format!("the server's certificate does not name {host}"),
            &format!("set {} to a name the certificate carries", keys.host),
        ),
        E::Expired | E::ExpiredContext { .. } | E::NotValidYet | E::NotValidYetContext { .. } => {
            Line::fail(
                topic,
                "the server's certificate is outside its validity period",
                &format!("renew it on the server, or fix this machine's clock ({problem:?})"),
            )
        }
        _ => {
            let current = keys.ca_path.map_or_else(String::new, |path| {
                format!("; the current one, {}, did not sign it", path.display())
            });
            Line::fail(
                topic,
                "the server's certificate is not trusted",
                &format!(
                    "set {} to the PEM file of the CA that signed it ({problem:?}{current})",
                    keys.ca_file
                ),
            )
        }
    }
}

fn security(imap: &ImapConfig) -> &'static str {
    match imap.security {
        crate::config::ImapSecurity::Tls => "TLS, certificate verified",
        crate::config::ImapSecurity::StartTls => "STARTTLS, certificate verified",
        crate::config::ImapSecurity::Plain => "plain, loopback only",
    }
}

fn seconds(duration: Duration) -> String {
    humantime_serde::re::humantime::format_duration(duration).to_string()
}
