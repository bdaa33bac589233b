//! The SMTP server, reached as the notifier reaches it, without sending mail.
//!
//! In: the `[smtp]` and `[notify]` settings. Out: lines saying the server answers, TLS
//! holds and AUTH is accepted (from [`Notifier::check`], which connects, upgrades and logs
//! in, then leaves), or the steps that evidently worked and one `✗` line with the fix;
//! and a warning when the server's `SIZE` is too small for a ticket carrying a forward
//! of `limits.max_message_bytes`.

use crate::config::{NotifyConfig, SmtpConfig, SmtpSecurity};
use crate::notify::{Capabilities, Notifier, NotifyError};

use super::imap::{CertKeys, cert_line};
use super::line::{Line, find_cause, has_io_kind};
use super::secrets;
use crate::report::chain;

const TOPIC: &str = "SMTP";

/// Checks the server; the password was already read (`secret_ok`).
pub async fn check(
    smtp: &SmtpConfig,
    notify: &NotifyConfig,
    max_message_bytes: usize,
    secret_ok: bool,
) -> Vec<Line> {
    let server = smtp.server();
    if !secret_ok {
        return vec![Line::warn(
            TOPIC,
            format!("{server} not checked: the password could not be read (see above)"),
        )];
    }
    // The check sends nothing; a missing ticket address is reported on its own line.
    let mut notify = notify.clone();
    notify.ticket_to.get_or_insert_with(|| smtp.from.clone());
    let notifier = match Notifier::smtp(smtp, &notify) {
        Ok(notifier) => notifier,
        Err(error) => return vec![setup_failure(smtp, error)],
    };
    match notifier.check().await {
        Ok(()) => {
            let mut lines = passed(smtp);
            lines.extend(size_line(&notifier.capabilities().await, max_message_bytes));
            lines
        }
        Err(error) => failure(smtp, &error),
    }
}

/// A forward that does not fit the server's `SIZE` with its ticket reaches the help desk
/// as headers and text only: certain when `limits.max_message_bytes` is over `SIZE`, and
/// from about three quarters of it for an original that needs base64 (a third larger).
fn size_line(server: &Capabilities, max_message_bytes: usize) -> Option<Line> {
    let size = server.size?;
    let base64_fits = size.saturating_mul(3) / 4;
    let max = u64::try_from(max_message_bytes).unwrap_or(u64::MAX);
    if max > size {
        return Some(Line::warn(
            TOPIC,
            format!(
                "the server takes mails up to {} kB (SIZE) but limits.max_message_bytes is \
                 {} kB: the ticket of a forward over about {} kB carries only its headers \
                 and text (the full original stays in the needs-human folder); lower \
                 limits.max_message_bytes to {} or raise the server's message size limit",
                size / 1024,
                max / 1024,
                base64_fits / 1024,
                base64_fits
            ),
        ));
    }
    Some(Line::pass(
        TOPIC,
        format!(
            "the server takes mails up to {} kB (SIZE), limits.max_message_bytes is {} kB \
             (a ticket attaches forwards up to about {} kB whole, or {} kB when base64 is \
             needed; larger ones as headers and text)",
            size / 1024,
            max / 1024,
            size / 1024,
            base64_fits.min(max) / 1024,
        ),
    ))
}

fn passed(smtp: &SmtpConfig) -> Vec<Line> {
    let server = smtp.server();
    let mut lines = vec![Line::pass(TOPIC, format!("{server} answers"))];
    lines.push(match smtp.security {
        SmtpSecurity::Tls => Line::pass(TOPIC, "TLS from the first byte, certificate verified"),
        SmtpSecurity::Starttls => Line::pass(TOPIC, "STARTTLS, certificate verified"),
        SmtpSecurity::Plain => Line::warn(
            TOPIC,
            "security = \"plain\": mail to the server is not encrypted (loopback only)",
        ),
    });
    lines.push(match &smtp.username {
        Some(user) => Line::pass(TOPIC, format!("login accepted for {user} (no mail sent)")),
        None => Line::pass(
            TOPIC,
            "no smtp.username: the server took the connection without AUTH (no mail sent)",
        ),
    });
    lines
}

fn setup_failure(smtp: &SmtpConfig, error: NotifyError) -> Line {
    match error {
        NotifyError::CaFile { .. } => Line::fail(
            TOPIC,
            chain(&error),
            "point smtp.ca_file at the PEM file of the CA that signed the server's certificate",
        ),
        NotifyError::Password { .. } => Line::fail(
            TOPIC,
            chain(&error),
            &format!(
                "fix {}",
                smtp.password
                    .as_ref()
                    .map_or("smtp.password_file", secrets::smtp_key)
            ),
        ),
        other => Line::fail(TOPIC, chain(&other), "check the [smtp] settings"),
    }
}

fn failure(smtp: &SmtpConfig, error: &NotifyError) -> Vec<Line> {
    let server = smtp.server();
    let answers = || Line::pass(TOPIC, format!("{server} answers"));
    match error {
        NotifyError::Auth { source, .. } => {
            let user = smtp.username.as_deref().unwrap_or("(none)");
            let key = smtp
                .password
                .as_ref()
                .map_or("smtp.password_file", secrets::smtp_key);
            vec![
                answers(),
                Line::fail(
                    "SMTP login",
                    format!("the server refused the login for {user}"),
                    &format!(
                        "check {key} and smtp.username (the server said: {})",
                        chain(source)
                    ),
                ),
            ]
        }
        NotifyError::Timeout { limit, .. } => vec![Line::fail(
            TOPIC,
            format!(
                "no answer from {server} within {}",
                humantime_serde::re::humantime::format_duration(*limit)
            ),
            "check smtp.host/port and the firewall, or raise smtp.timeout",
        )],
        NotifyError::Smtp { source, .. } => transport_failure(smtp, source),
        other => vec![Line::fail(TOPIC, chain(other), "check the [smtp] settings")],
    }
}

/// A failure to connect, secure or talk: which of them, from the error's causes.
fn transport_failure(smtp: &SmtpConfig, source: &(dyn std::error::Error + 'static)) -> Vec<Line> {
    let server = smtp.server();
    if has_io_kind(source, std::io::ErrorKind::ConnectionRefused) {
        return vec![Line::fail(
            TOPIC,
            format!("nothing answers on {server}"),
            "check smtp.host/port and the firewall",
        )];
    }
    if let Some(rustls::Error::InvalidCertificate(problem)) = find_cause::<rustls::Error>(source) {
        let keys = CertKeys {
            host: "smtp.host",
            ca_file: "smtp.ca_file",
            ca_path: smtp.ca_file.as_deref(),
        };
        return vec![
            Line::pass(TOPIC, format!("{server} answers")),
            cert_line("SMTP TLS", problem, &smtp.host, &keys),
        ];
    }
    vec![Line::fail(
        TOPIC,
        format!("cannot connect and log in via {server} ({})", chain(source)),
        "check smtp.host, smtp.port and smtp.security (\"tls\" is usually port 465, \
         \"starttls\" port 587)",
    )]
}

#[cfg(test)]
mod tests {
    use super::super::line::Mark;
    use super::*;

    #[test]
    fn a_limit_over_the_servers_size_warns() {
        let server = |size| Capabilities {
            size,
            eight_bit_mime: true,
        };
        assert!(size_line(&server(None), 25 << 20).is_none());
        let small = size_line(&server(Some(10_240_000)), 25 << 20).unwrap();
        assert_eq!(small.mark, Mark::Warn);
        assert!(small.text.contains("limits.max_message_bytes"), "{small}");
        assert!(small.text.contains("7680000"), "{small}");
        let room = size_line(&server(Some(32 << 20)), 25 << 20).unwrap();
        assert_eq!(room.mark, Mark::Pass, "{room}");
    }
}
