//! `check-config` for an IMAP account.
//!
//! In: the account. Out: a [`CheckReport`] after a fresh connection has shown that TLS,
//! the login and the folder work, the filing folders exist (they are created when
//! missing, the only sure test that they can be), and what the server lacks (IDLE, MOVE,
//! UIDPLUS) — or the first [`MailboxError`] that would stop `run`.

use super::ImapMailbox;
use super::connect::{self, Capabilities};
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
            "folder {:?} holds {} message(s), UIDVALIDITY {}",
            config.folder,
            selected.exists,
            selected
                .uid_validity
                .map_or_else(|| "not given".to_owned(), |v| v.to_string())
        ));
        for folder in [&config.done_folder, &config.needs_human_folder] {
            let created = connection.ensure_folder(shared, folder).await?;
            report.passed.push(if created {
                format!("folder {folder:?} was missing and has been created")
            } else {
                format!("folder {folder:?} exists")
            });
        }
        capability_notes(config, connection.capabilities, &mut report);
        connection.logout(shared).await;
        Ok(report)
    }
}

/// What the server's capabilities mean for `run`.
fn capability_notes(config: &ImapConfig, capabilities: Capabilities, report: &mut CheckReport) {
    let poll = config.poll_interval;
    match (config.idle, capabilities.idle) {
        (true, true) => report
            .passed
            .push("IDLE is supported: new mail is seen at once".into()),
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
