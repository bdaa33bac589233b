//! The three servers a benchmark runs against, and the config files that point at them.
//!
//! In: nothing but Debian's `dovecot-imapd` and `python3-aiosmtpd` (started through the
//! test harnesses in `tests/support/`) and the in-process platform simulator. Out: a
//! [`Servers`] value — a real Dovecot (IMAPS with a test CA), a real SMTP server
//! (aiosmtpd, STARTTLS + AUTH) and the simulator (HTTPS with its own CA), all on loopback —
//! that writes an `onbehalf.toml` ([`Servers::onbehalf_config`]) or the baseline script's
//! INI file ([`Servers::baseline_config`]) for them, and issues invites with forwards
//! ([`Servers::forwards`]).

use std::path::{Path, PathBuf};

use onbehalf::config::ImapSecurity;
use onbehalf_sim::{InviteSpec, SimOptions, Simulator};

use crate::forward;
use crate::procstat::{self, Target};
use crate::support::dovecot::{Dovecot, DovecotOptions};
use crate::support::smtp::{SmtpOptions, SmtpServer};

const IMAP_PASSWORD: &str = "imap-Bench-8472";
const SMTP_USER: &str = "onbehalf";
const SMTP_PASSWORD: &str = "smtp-Bench-5190";
const HELPDESK: &str = "helpdesk@corp.example";

/// A fresh Dovecot, SMTP server and simulator, and a temp dir for configs and state.
pub struct Servers {
    /// The IMAP server holding the support mailbox.
    pub dovecot: Dovecot,
    /// Where credentials mails and tickets go.
    pub smtp: SmtpServer,
    /// The platform.
    pub sim: Simulator,
    /// Configs, CA files, secrets, journals, logs.
    pub dir: tempfile::TempDir,
}

impl Servers {
    /// Starts all three; the simulator runs on `runtime`.
    pub fn start(runtime: &tokio::runtime::Runtime) -> Servers {
        Servers::start_with(runtime, SimOptions::default())
    }

    /// The same with the simulator run with `options` (HTTPS in any case).
    pub fn start_with(runtime: &tokio::runtime::Runtime, options: SimOptions) -> Servers {
        let dovecot = Dovecot::start_with(DovecotOptions {
            password: IMAP_PASSWORD.into(),
            ..DovecotOptions::default()
        });
        let smtp = SmtpServer::start(SmtpOptions::starttls().with_auth(SMTP_USER, SMTP_PASSWORD));
        let sim = runtime
            .block_on(Simulator::start(SimOptions {
                tls: true,
                ..options
            }))
            .expect("cannot start the simulator");
        let dir = tempfile::tempdir().expect("cannot make a temp dir");
        let ca = sim.ca_pem().expect("the simulator serves HTTPS");
        std::fs::write(dir.path().join("sim-ca.pem"), ca).expect("cannot write the sim CA");
        std::fs::write(dir.path().join("smtp-password"), SMTP_PASSWORD)
            .expect("cannot write the SMTP password");
        Servers {
            dovecot,
            smtp,
            sim,
            dir,
        }
    }

    /// A path inside the temp dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// How many mails the SMTP server has accepted. The harness stores each one as a file
    /// in `<its dir>/mail/new`, the dir that also holds its certificates; counting the
    /// files is cheap enough to do in a tight loop, unlike parsing every message.
    pub fn mails_received(&self) -> usize {
        let dir = self
            .smtp
            .certs()
            .ca_pem
            .parent()
            .expect("the CA file is in the server's dir")
            .join("mail/new");
        std::fs::read_dir(dir).map_or(0, |entries| entries.count())
    }

    /// Issues `count` invites to distinct people (`{prefix}0001@partner.test`, …) on the
    /// simulator and builds the forward each of them sends to the support mailbox.
    pub fn forwards(&self, prefix: &str, count: usize) -> Vec<Vec<u8>> {
        (1..=count)
            .map(|n| {
                let email = format!("{prefix}{n:04}@partner.test");
                let spec = InviteSpec::new(&email, "Bench", format!("User{n}"));
                let url = self.sim.issue_invite(spec);
                forward::gmail_forward(&email, &url)
            })
            .collect()
    }

    /// Writes `onbehalf.toml` (journal in `state_dir`) and returns its path. `daemon` is
    /// extra lines for the `[daemon]` table.
    pub fn onbehalf_config(&self, name: &str, state_dir: &Path, daemon: &str) -> PathBuf {
        self.onbehalf_config_with(name, state_dir, daemon, "")
    }

    /// The same with `platform` as extra lines for the `[[platform]]` table (such as
    /// `engine = "browser"`).
    pub fn onbehalf_config_with(
        &self,
        name: &str,
        state_dir: &Path,
        daemon: &str,
        platform: &str,
    ) -> PathBuf {
        let authority = self.sim.authority();
        let text = format!(
            r#"{mailbox}poll_interval = "60s"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "starttls"
username = "{SMTP_USER}"
password_file = "smtp-password"
ca_file = "{smtp_ca}"
from = "Support <support@corp.example>"
timeout = "10s"

[notify]
ticket_to = "{HELPDESK}"

[policy]
trusted_authserv_ids = ["mx.corp.example"]

[daemon]
state_dir = "{state}"
{daemon}

[[platform]]
name = "Engage"
invite_links = ["https://{authority}/invitations/accept?*"]
allowed_hosts = ["{authority}"]
success_url = "https://{authority}/home*"
tick_checkboxes = ["accept_terms"]
ca_file = "sim-ca.pem"
{platform}"#,
            mailbox = self.dovecot.mailbox_toml(ImapSecurity::Tls),
            smtp_port = self.smtp.port(),
            smtp_ca = self.smtp.ca_file().display(),
            state = state_dir.display(),
        );
        let path = self.path(name);
        std::fs::write(&path, text).expect("cannot write onbehalf.toml");
        path
    }

    /// Writes the baseline script's INI file and returns its path.
    pub fn baseline_config(&self, name: &str) -> PathBuf {
        self.baseline_config_with(name, "")
    }

    /// The same with `platform` as extra lines for its `[platform]` section (such as
    /// `engine = browser`).
    pub fn baseline_config_with(&self, name: &str, platform: &str) -> PathBuf {
        let authority = self.sim.authority();
        let text = format!(
            "[imap]\nhost = 127.0.0.1\nport = {imaps}\nuser = {user}\npassword_file = {pw}\n\
             ca_file = {imap_ca}\nfolder = INBOX\ndone = Done\nfailed = Failed\n\n\
             [smtp]\nhost = 127.0.0.1\nport = {smtp_port}\nuser = {SMTP_USER}\n\
             password_file = {smtp_pw}\nca_file = {smtp_ca}\n\
             from = Support <support@corp.example>\n\n\
             [platform]\ninvite_pattern = https://{pattern_authority}/invitations/accept\\?[^\\s\"'<>]+\n\
             success_url = https://{authority}/home\ncheckbox = accept_terms\n\
             ca_file = {sim_ca}\ntrusted_authserv_id = mx.corp.example\nhelpdesk = {HELPDESK}\n\
             {platform}",
            imaps = self.dovecot.imaps_port(),
            user = self.dovecot.username(),
            pw = self.dovecot.password_file().display(),
            imap_ca = self.dovecot.ca_file().display(),
            smtp_port = self.smtp.port(),
            smtp_pw = self.path("smtp-password").display(),
            smtp_ca = self.smtp.ca_file().display(),
            pattern_authority = authority.replace('.', "\\."),
            sim_ca = self.path("sim-ca.pem").display(),
        );
        let path = self.path(name);
        std::fs::write(&path, text).expect("cannot write the baseline config");
        path
    }
}

impl Servers {
    /// What a [`CpuMeter`](crate::procstat::CpuMeter) should watch besides the program
    /// under test: Dovecot (its whole process group: master, logins, IMAP sessions), the
    /// SMTP server, and the simulator (this process's threads named `sim`).
    pub fn cpu_targets(&self) -> Vec<(String, Target)> {
        let conf = self.dovecot.dir().join("dovecot.conf");
        let master = procstat::find_by_cmdline(&["dovecot", &conf.to_string_lossy()])
            .expect("cannot find the Dovecot master process");
        let mail = self
            .smtp
            .certs()
            .ca_pem
            .parent()
            .expect("the CA file is in the server's dir")
            .join("mail");
        let smtp = procstat::find_by_cmdline(&["smtp_server.py", &mail.to_string_lossy()])
            .expect("cannot find the SMTP server process");
        vec![
            ("dovecot".to_owned(), Target::Group(master)),
            ("smtp".to_owned(), Target::Pid(smtp)),
            (
                "simulator".to_owned(),
                Target::Threads(std::process::id(), crate::SIM_THREADS.to_owned()),
            ),
        ]
    }
}
