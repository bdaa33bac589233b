//! `check-config` for an IMAP account.
//!
//! In: the account. Out: a [`CheckReport`] after a fresh connection has shown that TLS,
//! the login and the folder work, the filing folders exist (they are created when
//! missing, the only sure test that they can be), how fast IDLE announces a message (timed
//! on a scratch folder made and deleted for it), and what the server lacks (IDLE, MOVE,
//! UIDPLUS) — or the first [`MailboxError`] that would stop `run`.

use super::connect::{self, Capabilities, Connection};
use super::{ImapMailbox, Shared, probe};
use crate::config::{ImapConfig, ImapSecurity};
use crate::mailbox::health::Part;
use crate::mailbox::{CheckReport, MailboxError};

impl ImapMailbox {
    /// Connects afresh (not through the commander's session) and checks every step.
    pub async fn check(&mut self) -> Result<CheckReport, MailboxError> {
        let shared = &self.shared;
        let config = &shared.config;
        let mut report = CheckReport {
            source: shared.source_name(),
            ..CheckReport::default()
        };
        let mut connection = connect::open(shared).await?;
        let security = match config.security {
            ImapSecurity::Tls => "TLS, certificate verified",
            ImapSecurity::StartTls => "STARTTLS, certificate verified",
            ImapSecurity::Plain => {
                report
                    .warnings
                    .push("security = \"plain\": the connection is not encrypted".into());
                "plain, loopback only"
            }
        };
        report.passed.push(format!(
            "connected to {} ({security}) and logged in as {}",
            shared.address, config.username
        ));
        let selected = connection.select(shared, &config.folder).await?;
        shared.health.checked(Part::Commander);
        report.passed.push(format!(
            "folder {:?} holds {} message(s), UIDVALIDITY {}{}",
            config.folder,
            selected.exists,
            selected
                .uid_validity
                .map_or_else(|| "not given".to_owned(), |v| v.to_string()),
            on_server(&connection, &config.folder),
        ));
        for folder in [&config.done_folder, &config.needs_human_folder] {
            let created = connection.ensure_folder(shared, folder).await?;
            let server = on_server(&connection, folder);
            report.passed.push(if created {
                format!("folder {folder:?} was missing and has been created{server}")
            } else {
                format!("folder {folder:?} exists{server}")
            });
        }
        if config.idle && connection.capabilities.idle {
            idle_note(shared, &mut connection, &mut report).await?;
        }
        capability_notes(config, connection.capabilities, &mut report);
        connection.logout(shared).await;
        Ok(report)
    }
}

/// ` (its name on the server)` when that differs from the configured name.
fn on_server(connection: &Connection, folder: &str) -> String {
    let name = connection.server_folder(folder);
    if name == folder {
        String::new()
    } else {
        format!(" (on the server: {name})")
    }
}

/// What IDLE is worth on this server, measured rather than assumed.
async fn idle_note(
    shared: &Shared,
    connection: &mut Connection,
    report: &mut CheckReport,
) -> Result<(), MailboxError> {
    let probe = probe::idle_latency(shared, connection).await?;
    probe_notes(&probe, shared.config.poll_interval, report);
    Ok(())
}

/// The report's lines for an IDLE probe.
fn probe_notes(probe: &probe::Probe, poll: std::time::Duration, report: &mut CheckReport) {
    match probe.announced_after {
        Some(after) => report.passed.push(format!(
            "IDLE is supported and announced a test message after {} ms: new mail is seen \
             at once",
            after.as_millis()
        )),
        None => report.warnings.push(format!(
            "IDLE is supported, but a test message was not announced within {:?}: this \
             server looks for changes only every so often (Cyrus without idled, Courier \
             without enhanced IDLE do so every minute), so new mail is seen within that \
             interval or poll_interval ({poll:?}), whichever is shorter",
            probe::PROBE_WAIT
        )),
    }
    if let Some(folder) = &probe.left_behind {
        report.warnings.push(format!(
            "the scratch folder {folder} made for the IDLE test could not be deleted; \
             delete it by hand"
        ));
    }
}

/// What the server's capabilities mean for `run`.
fn capability_notes(config: &ImapConfig, capabilities: Capabilities, report: &mut CheckReport) {
    let poll = config.poll_interval;
    match (config.idle, capabilities.idle) {
        // Measured by `idle_note`.
        (true, true) => {}
        (true, false) => report.warnings.push(format!(
            "the server has no IDLE: new mail is seen within poll_interval ({poll:?})"
        )),
        (false, _) => report.warnings.push(format!(
            "idle = false: new mail is seen within poll_interval ({poll:?})"
        )),
    }
    if !capabilities.moves {
        report.warnings.push(
            "the server has no MOVE: messages are filed with COPY and a \\Deleted flag".into(),
        );
        if !capabilities.uidplus {
            report.warnings.push(
                "the server has no UIDPLUS: filed messages stay in the folder flagged \
                 \\Deleted until someone expunges it"
                    .into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn an_idle_that_pushes_is_called_instant_and_one_that_polls_is_not() {
        let poll = Duration::from_secs(60);
        let mut quick = CheckReport::default();
        let pushed = probe::Probe {
            announced_after: Some(Duration::from_millis(12)),
            left_behind: None,
        };
        probe_notes(&pushed, poll, &mut quick);
        assert!(quick.passed[0].contains("after 12 ms: new mail is seen at once"));
        assert!(quick.warnings.is_empty());

        let mut slow = CheckReport::default();
        let silent = probe::Probe {
            announced_after: None,
            left_behind: Some("INBOX.onbehalf.onbehalf-idle-probe-1-2".into()),
        };
        probe_notes(&silent, poll, &mut slow);
        assert!(slow.passed.is_empty(), "{slow:?}");
        let warnings = slow.warnings.join("\n");
        assert!(!warnings.contains("at once"), "{warnings}");
        assert!(
            warnings.contains("not announced within 5s")
                && warnings.contains("poll_interval (60s)"),
            "{warnings}"
        );
        assert!(
            warnings.contains("INBOX.onbehalf.onbehalf-idle-probe-1-2"),
            "{warnings}"
        );
    }
}
