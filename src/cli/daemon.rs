//! `onbehalf run`, `once`, `status` and `retry`: the service and what a person asks it.
//!
//! In: the config file. Out: the daemon running until SIGTERM/SIGINT (`run`), one drain
//! of the mailbox (`once`), the journal's figures (`status`), or a job sent round again
//! (`retry`). Exit status 0 on success, 1 when the run failed, 2 for config errors.

use std::sync::Arc;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::daemon::{self, Mode, Services};
use crate::journal::{JobId, Journal};
use crate::mailbox::Mailbox;
use crate::notify::Notifier;
use crate::signup::SignupOptions;

/// Arguments of `onbehalf run` and `onbehalf once`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    config: super::ConfigArg,
}

/// Arguments of `onbehalf status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    config: super::ConfigArg,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
}

/// Arguments of `onbehalf retry`.
#[derive(Debug, clap::Args)]
pub struct RetryArgs {
    #[command(flatten)]
    config: super::ConfigArg,
    /// The job to run again, as shown in its ticket (e.g. `job-42` or `42`).
    #[arg(value_name = "JOB")]
    job: String,
    /// The address the account is for, when the platform's page or the mail server showed
    /// another one was wrong (login_mismatch, a refused credentials mail).
    #[arg(long, value_name = "ADDRESS")]
    login: Option<String>,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Resolves on SIGTERM or SIGINT.
async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Builds the services of a run from the config.
pub async fn services(config: Config) -> anyhow::Result<Arc<Services>> {
    let mailbox_config = config
        .mailbox
        .as_ref()
        .context("cannot run without a [mailbox] section in the config")?;
    let smtp = config
        .smtp
        .as_ref()
        .context("cannot run without an [smtp] section in the config")?;
    let mailbox = Mailbox::from_config(mailbox_config)?;
    let notifier = Notifier::smtp(smtp, &config.notify)?;
    let settings = config.journal_settings(true);
    let journal = Arc::new(Journal::open_with(&config.daemon.state_dir, &settings)?);
    Ok(Arc::new(Services::new(
        config,
        journal,
        mailbox,
        notifier,
        SignupOptions::default(),
        CancellationToken::new(),
    )))
}

/// Runs `run` (watch) or `once` (drain); returns the exit status.
pub fn run(args: &RunArgs, mode: Mode) -> u8 {
    let config = match args.config.load() {
        Ok(config) => config,
        Err(status) => return status,
    };
    let result = runtime().and_then(|rt| {
        rt.block_on(async {
            let services = services(config).await?;
            daemon::health::spawn_watchdog(Arc::clone(&services));
            serve_metrics(&services).await?;
            let summary = daemon::run(services, mode, termination()).await?;
            daemon::health::stopping();
            Ok(summary)
        })
    });
    match result {
        Ok(summary) => {
            tracing::info!(
                jobs = summary.jobs,
                finished = summary.finished,
                paused = summary.paused,
                failed = summary.failed,
                "done"
            );
            if summary.failed > 0 {
                super::EXIT_INPUT
            } else {
                super::EXIT_OK
            }
        }
        Err(e) => {
            eprintln!("onbehalf: {}", crate::report::chain(e.as_ref()));
            super::EXIT_INPUT
        }
    }
}

/// Starts the metrics endpoint when `[daemon] metrics_listen` is set.
async fn serve_metrics(services: &Arc<Services>) -> anyhow::Result<()> {
    let Some(addr) = services.config.daemon.metrics_listen else {
        return Ok(());
    };
    let shared = Arc::clone(services);
    let render = move || {
        let shared = Arc::clone(&shared);
        async move {
            // A scrape counts every job (a scan that grows with the journal): off the
            // async workers, unlike a job's own short reads.
            let journal = Arc::clone(&shared.journal);
            let jobs_by_state = tokio::task::spawn_blocking(move || journal.counts_by_state())
                .await
                .ok()
                .and_then(Result::ok)
                .map(|counts| {
                    counts
                        .into_iter()
                        .map(|(state, n)| (state.as_str().to_owned(), n))
                        .collect()
                })
                .unwrap_or_default();
            shared.metrics.render(&crate::metrics::Snapshot {
                jobs_by_state,
                mailbox_connected: shared.mailbox_health.connected(),
                last_check: shared.mailbox_health.last_success(),
            })
        }
    };
    let bound = crate::metrics::serve(addr, render, services.shutdown.clone()).await?;
    tracing::info!(%bound, "metrics endpoint listening");
    Ok(())
}

/// The journal for `status` and `retry`: with the service's key when this command can
/// read it, never creating one (a key file made by root here would be one the service
/// cannot read).
fn open_journal(config: &Config) -> Result<Journal, u8> {
    Journal::open_with(&config.daemon.state_dir, &config.journal_settings(false)).map_err(|e| {
        eprintln!("onbehalf: {}", crate::report::chain(&e));
        super::EXIT_INPUT
    })
}

/// `onbehalf status`: jobs by state, last successful mailbox check, stuck jobs.
pub fn status(args: &StatusArgs) -> u8 {
    let config = match args.config.load() {
        Ok(config) => config,
        Err(status) => return status,
    };
    let journal = match open_journal(&config) {
        Ok(journal) => journal,
        Err(status) => return status,
    };
    match super::status::report(&journal, &config, args.json) {
        Ok(text) => {
            println!("{text}");
            super::EXIT_OK
        }
        Err(e) => {
            eprintln!("onbehalf: {}", crate::report::chain(&e));
            super::EXIT_INPUT
        }
    }
}

/// `onbehalf retry JOB`.
pub fn retry(args: &RetryArgs) -> u8 {
    let config = match args.config.load() {
        Ok(config) => config,
        Err(status) => return status,
    };
    let Ok(job) = args.job.parse::<JobId>() else {
        eprintln!(
            "onbehalf: {:?} is not a job id; write it as in the ticket, e.g. job-42",
            args.job
        );
        return super::EXIT_USAGE;
    };
    let login = args.login.as_deref().map(str::trim);
    if let Some(why) = login.and_then(crate::signup::login_problem) {
        eprintln!(
            "onbehalf: --login {:?} {why}",
            args.login.as_deref().unwrap_or_default()
        );
        return super::EXIT_USAGE;
    }
    let journal = match open_journal(&config) {
        Ok(journal) => journal,
        Err(status) => return status,
    };
    match journal.retry_as(job, login).wait() {
        Ok(state) => {
            println!(
                "{job} goes round again from {}; the daemon picks it up at its next mailbox check",
                state.as_str()
            );
            super::EXIT_OK
        }
        Err(e) => {
            eprintln!("onbehalf: {}", crate::report::chain(&e));
            super::EXIT_INPUT
        }
    }
}
