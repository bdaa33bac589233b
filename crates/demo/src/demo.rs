//! The demo: the whole pipeline on this machine, with nothing configured.
//!
//! In: the forwarded emails in `samples/` and their config (`samples/onbehalf.toml`),
//! plus the built-in [`browser_sample`]. Out: every sample walked
//! through extract, vet, signup and notify against the bundled simulators (started on
//! loopback, the platforms' host names pointed at them; the browser sample's is a
//! single-page app that headless Chromium fills in), mails written as `.eml` files
//! instead of SMTP, and one [`Row`] per sample: its outcome, the account created and the
//! mail written. Leaves nothing running.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox as Address;
use regex::Regex;
use tokio_util::sync::CancellationToken;

use onbehalf::config::{Config, ConfigError, UrlPattern};
use onbehalf::daemon::{self, Mode, Services};
use onbehalf::extract;
use onbehalf::journal::{JobState, Journal};
use onbehalf::mailbox::Mailbox;
use onbehalf::notify::Notifier;
use onbehalf::signup::SignupOptions;
use onbehalf_sim::{InviteSpec, SimOptions, Simulator};

use crate::browser_sample;

/// What the demo needs from the outside.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The folder with the sample `.eml` files and `onbehalf.toml`.
    pub samples: PathBuf,
    /// An empty folder for the Maildir, the journal and the written mails.
    pub workdir: PathBuf,
}

/// One sample's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The sample's file name.
    pub sample: String,
    /// `created`, or the reason it needed a human.
    pub outcome: String,
    /// The login of the account created, if any.
    pub account: Option<String>,
    /// The credentials mail or ticket written for it.
    pub mail: Option<PathBuf>,
}

/// Why the demo could not run.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The samples folder or the work folder could not be used.
    #[error("cannot use {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The samples' config is not valid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Another part failed to start or run.
    #[error("cannot run the demo: {0}")]
    Part(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_owned(),
        source,
    }
}

fn part(e: impl std::fmt::Display) -> DemoError {
    DemoError::Part(format!("{e:#}"))
}

/// The simulators the samples' platforms run on.
struct Sims {
    /// Engage and Acme Learn, server-rendered.
    main: Simulator,
    /// The browser sample's single-page app.
    spa: Simulator,
    /// The main simulator's host names.
    hosts: Vec<String>,
}

/// Runs the demo; the simulators are stopped before it returns.
pub async fn run(options: &DemoOptions) -> Result<Vec<Row>, DemoError> {
    let mut samples = sample_files(&options.samples)?;
    let built_in = browser_sample::write_forward(&options.workdir).map_err(io(&options.workdir))?;
    samples.push(built_in);
    let hosts = vec![
        "engage.example.com".to_owned(),
        "learn.acme.test".to_owned(),
    ];
    let main = Simulator::start(SimOptions {
        hostnames: hosts.clone(),
        ..SimOptions::default()
    })
    .await
    .map_err(part)?;
    let spa = match browser_sample::start().await {
        Ok(spa) => spa,
        Err(e) => {
            main.shutdown().await;
            return Err(part(e));
        }
    };
    let sims = Sims { main, spa, hosts };
    let result = run_with(options, &samples, &sims).await;
    sims.main.shutdown().await;
    sims.spa.shutdown().await;
    result
}

async fn run_with(
    options: &DemoOptions,
    samples: &[PathBuf],
    sims: &Sims,
) -> Result<Vec<Row>, DemoError> {
    let work = &options.workdir;
    let ca_file = work.join("platform-ca.pem");
    std::fs::write(&ca_file, sims.main.ca_pem().unwrap_or_default()).map_err(io(&ca_file))?;
    let spa_ca_file = work.join("brightdesk-ca.pem");
    let spa_ca = sims.spa.ca_pem().unwrap_or_default();
    std::fs::write(&spa_ca_file, spa_ca).map_err(io(&spa_ca_file))?;
    let config = demo_config(&options.samples, work, &ca_file, &spa_ca_file)?;
    browser_sample::require_chromium(&config).map_err(DemoError::Part)?;
    let maildir = work.join("maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).map_err(io(&maildir))?;
    }
    let mut invited = HashMap::new();
    for (index, sample) in samples.iter().enumerate() {
        let raw = std::fs::read(sample).map_err(io(sample))?;
        issue_sample_invite(sims, &config, &raw, &mut invited);
        let target = maildir.join("new").join(maildir_name(index, sample));
        std::fs::write(&target, &raw).map_err(io(&target))?;
    }
    let outbox = work.join("outbox");
    std::fs::create_dir_all(&outbox).map_err(io(&outbox))?;
    let services = services(config, &outbox, sims)?;
    let journal = Arc::clone(&services.journal);
    daemon::run(services, Mode::Once, std::future::pending())
        .await
        .map_err(part)?;
    rows(&journal, samples, &outbox)
}

fn sample_files(dir: &Path) -> Result<Vec<PathBuf>, DemoError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Maildir names may not hold `/` or `:`; the index keeps delivery order.
fn maildir_name(index: usize, sample: &Path) -> String {
    let stem = sample
        .file_stem()
        .map(|s| s.to_string_lossy().replace([':', '/'], "_"))
        .unwrap_or_default();
    format!("{index:04}.{stem}.demo")
}

fn sample_of(location: &str) -> Option<usize> {
    location.split('.').next()?.parse().ok()
}

/// The samples' config, plus what a real deployment would set: the simulator's CA, how
/// success looks, the terms checkbox, a Maildir, the written-mails outbox and a journal.
fn demo_config(
    samples: &Path,
    work: &Path,
    ca_file: &Path,
    spa_ca_file: &Path,
) -> Result<Config, DemoError> {
    let path = samples.join("onbehalf.toml");
    let base = std::fs::read_to_string(&path).map_err(io(&path))?;
    let text = format!(
        "{base}{spa}\n[mailbox]\nkind = \"maildir\"\npath = {maildir:?}\npoll_interval = \"1s\"\n\
         [notify]\nticket_to = \"Help desk <helpdesk@corp.example>\"\n\
         [policy]\ntrusted_authserv_ids = [\"mx.corp.example\"]\n\
         [daemon]\nstate_dir = {state:?}\nconcurrency = 8\nper_platform_concurrency = 4\n",
        spa = browser_sample::profile(),
        maildir = work.join("maildir").display().to_string(),
        state = work.join("state").display().to_string(),
    );
    let mut config = Config::from_toml(&text, &path)?;
    for platform in &mut config.platforms {
        let origin = platform
            .invite_links
            .first()
            .map(|p| format!("{}://{}", p.scheme(), p.authority()))
            .unwrap_or_default();
        let ca = if platform.name == browser_sample::PLATFORM {
            spa_ca_file
        } else {
            ca_file
        };
        platform.ca_file = Some(ca.to_owned());
        platform.success_url = UrlPattern::parse(&format!("{origin}/home*")).ok();
        platform.tick_checkboxes = vec!["accept_terms".to_owned()];
    }
    Ok(config)
}

/// Issues on the simulator the invite a sample carries, as the real platform had. Several
/// samples were sent to the same person; a workspace invites an address once, so repeats
/// come from workspace `n`, keeping every sample's signup its own and its address the
/// one the forward names.
fn issue_sample_invite(
    sims: &Sims,
    config: &Config,
    raw: &[u8],
    invited: &mut HashMap<String, usize>,
) {
    let Ok(invite) = extract::extract(raw, config) else {
        return;
    };
    let sim = if invite.platform == browser_sample::PLATFORM {
        &sims.spa
    } else {
        &sims.main
    };
    let Some(token) = url::Url::parse(&invite.invite_url).ok().and_then(|u| {
        u.query_pairs()
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
    }) else {
        return;
    };
    let email = invite
        .invitee
        .unwrap_or_else(|| "new.user@partner.test".to_owned());
    let local = email.split('@').next().unwrap_or_default().to_owned();
    let seen = invited.entry(email.to_lowercase()).or_insert(0);
    *seen += 1;
    let workspace = *seen;
    let mut names = local.split(['.', '_', '-']).map(capitalise);
    let first = names.next().unwrap_or_default();
    let last = names.next().unwrap_or_else(|| "User".to_owned());
    let spec = InviteSpec::new(email.clone(), first, last).token(token);
    sim.issue_invite(match workspace {
        1 => spec,
        n => spec.workspace(format!("workspace-{n}")),
    });
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn services(config: Config, outbox: &Path, sims: &Sims) -> Result<Arc<Services>, DemoError> {
    let onbehalf::config::MailboxConfig::Maildir(maildir) = config
        .mailbox
        .clone()
        .ok_or_else(|| part("the demo config has no mailbox"))?
    else {
        return Err(part("the demo mailbox must be a Maildir"));
    };
    let from: Address = "onbehalf <onbehalf@corp.example>".parse().map_err(part)?;
    let notifier = Notifier::files(outbox, from, &config.notify).map_err(part)?;
    let journal = Arc::new(Journal::open(&config.daemon.state_dir).map_err(part)?);
    let signup = SignupOptions {
        address_overrides: sims
            .hosts
            .iter()
            .map(|h| (h.clone(), sims.main.addr()))
            .chain([(browser_sample::HOST.to_owned(), sims.spa.addr())])
            .collect(),
        dry_run: false,
        ..SignupOptions::default()
    };
    let mailbox = Mailbox::Maildir(onbehalf::mailbox::MaildirMailbox::new(maildir));
    Ok(Arc::new(Services::new(
        config,
        journal,
        mailbox,
        notifier,
        signup,
        CancellationToken::new(),
    )))
}

/// Which written mail belongs to which job: each names its job id (`job-12`).
fn mails_by_job(outbox: &Path) -> Result<HashMap<String, PathBuf>, DemoError> {
    let job_id = Regex::new(r"\bjob-\d+\b").map_err(part)?;
    let mut mails = HashMap::new();
    for entry in std::fs::read_dir(outbox).map_err(io(outbox))?.flatten() {
        let path = entry.path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).map_err(io(&path))?).into_owned();
        if let Some(id) = job_id.find(&text) {
            // A credentials mail wins over the note to a colleague for the same job.
            let is_credentials = text.contains("Password");
            if is_credentials || !mails.contains_key(id.as_str()) {
                mails.insert(id.as_str().to_owned(), path);
            }
        }
    }
    Ok(mails)
}

fn rows(journal: &Journal, samples: &[PathBuf], outbox: &Path) -> Result<Vec<Row>, DemoError> {
    let mails = mails_by_job(outbox)?;
    let mut rows: Vec<Row> = samples
        .iter()
        .map(|s| Row {
            sample: s
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            outcome: "not processed".to_owned(),
            account: None,
            mail: None,
        })
        .collect();
    for job in journal.recent(samples.len() * 2 + 10).map_err(part)? {
        let places = journal.locations(job.id).map_err(part)?;
        let Some(row) = places
            .iter()
            .find_map(|p| sample_of(&p.location))
            .and_then(|i| rows.get_mut(i))
        else {
            continue;
        };
        let done = job.state == JobState::Filed && !job.needs_human_folder;
        row.outcome = if done {
            "created".to_owned()
        } else {
            job.reason
                .clone()
                .unwrap_or_else(|| job.state.as_str().to_owned())
        };
        row.account = job.login.clone().filter(|_| job.account_created || done);
        row.mail = mails.get(&job.id.to_string()).cloned();
    }
    Ok(rows)
}

/// How long the demo may take before it is considered stuck.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_io_error_says_its_cause_once() {
        let error = DemoError::Io {
            path: "/tmp/demo".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        };
        let line = onbehalf::report::chain(&error);
        assert_eq!(line.matches("no such file").count(), 1, "{line}");
        assert!(line.starts_with("cannot use /tmp/demo"), "{line}");
    }
}
