//! The config file a test's binary runs with.
//!
//! In: the servers of a test and its [`Setup`]. Out: TOML as an operator would write it:
//! `[[platform]]` tables pointing at simulators (their CA in the temp dir), `[mailbox]`
//! from the Dovecot harness, `[smtp]` with STARTTLS and AUTH, the help desk, the trusted
//! `mx.corp.example`, and a journal in the temp dir, with short timeouts throughout.

use onbehalf::config::ImapSecurity;
use onbehalf_sim::Simulator;

use super::support::dovecot::Dovecot;
use super::support::smtp::SmtpServer;
use super::{HELPDESK, SMTP_USER, Setup};

/// The whole file for the main simulator; more `[[platform]]` tables may be appended.
pub(crate) fn config_toml(
    dovecot: &Dovecot,
    smtp: &SmtpServer,
    sim: &Simulator,
    setup: &Setup,
) -> String {
    let mailbox = dovecot.mailbox_toml(ImapSecurity::Tls);
    let platform = platform_toml(
        "Engage",
        &sim.authority(),
        "sim-ca.pem",
        setup.request_timeout,
    );
    format!(
        r#"[limits]
max_message_bytes = 524288

{platform}
{mailbox}poll_interval = "{poll}"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "starttls"
username = "{SMTP_USER}"
password_file = "smtp-password"
ca_file = "{smtp_ca}"
from = "Support <support@corp.example>"
timeout = "5s"
retries = 2
retry_backoff = "100ms"

[notify]
ticket_to = "{HELPDESK}"

[policy]
trusted_authserv_ids = ["mx.corp.example"]

[daemon]
state_dir = "state"
shutdown_grace = "10s"
{daemon}
"#,
        poll = setup.poll_interval,
        smtp_port = smtp.port(),
        smtp_ca = smtp.ca_file().display(),
        daemon = setup.daemon,
    )
}

/// A `[[platform]]` table for a simulator. Tables come last in the file, after the
/// sections, so they can be appended.
pub(crate) fn platform_toml(
    name: &str,
    authority: &str,
    ca_file: &str,
    request_timeout: &str,
) -> String {
    format!(
        r#"
[[platform]]
name = "{name}"
invite_links = ["https://{authority}/invitations/accept?*"]
allowed_hosts = ["{authority}"]
success_url = "https://{authority}/home*"
tick_checkboxes = ["accept_terms"]
ca_file = "{ca_file}"
request_timeout = "{request_timeout}"
"#
    )
}
