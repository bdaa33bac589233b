//! The daemon: the loop that turns a mailbox into signups, credentials mails and tickets.
//!
//! In: the validated config, a mailbox, a notifier and a shutdown signal. Out: every
//! message in the watched folder walked through extract → vet → signup → notify → file,
//! with each transition journaled first. `run` watches until shut down; `once` drains
//! what is there and returns. Both resume unfinished jobs from the journal first.

pub mod fault;
mod filing;
pub mod health;
mod intake;
pub mod job;
pub mod same_invite;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Semaphore, SemaphorePermit};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::journal::{JobId, JobRecord, Journal, JournalError, WIPE_INTERVAL};
use crate::mailbox::{Destination, Health, Mailbox, MailboxError, MessageLocation};
use crate::notify::{Notifier, NotifyError};
use crate::signup::SignupOptions;

pub use intake::Summary;

/// Whether the daemon keeps watching or stops once the mailbox is drained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Watch the mailbox until shut down (`onbehalf run`).
    Watch,
    /// Process what is in the mailbox now, then return (`onbehalf once`).
    Once,
}

/// What stops the daemon as a whole (a single job's trouble never does).
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The journal failed.
    #[error("cannot use the journal")]
    Journal(#[from] JournalError),
    /// The mailbox failed in a way reconnecting cannot fix.
    #[error("cannot use the mailbox")]
    Mailbox(#[from] MailboxError),
    /// A mail was refused for good (not a temporary failure).
    #[error("cannot send mail")]
    Notify(#[from] NotifyError),
    /// A job id the journal does not know.
    #[error("cannot find {0} in the journal")]
    JobMissing(JobId),
    /// A job whose record lacks what its state needs (a journal from another version).
    #[error("cannot continue {0}: its journal record is incomplete")]
    JobIncomplete(JobId),
    /// A blocking task panicked or was cancelled.
    #[error("cannot finish a journal write: {0}")]
    Task(String),
}

/// Everything a job needs, shared by all jobs of a run.
pub struct Services {
    /// The validated configuration.
    pub config: Config,
    /// The crash-safe record of every job.
    pub journal: Arc<Journal>,
    /// The commander connection: one task at a time searches, fetches and moves.
    pub mailbox: Mutex<Mailbox>,
    /// Sends credentials mails, notes and tickets.
    pub notifier: Notifier,
    /// How signups connect (address overrides for the demo).
    pub signup: SignupOptions,
    /// Set when the daemon is asked to stop: no new work starts.
    pub shutdown: CancellationToken,
    /// The mailbox loop's liveness, read by the watchdog and `status`.
    pub mailbox_health: Arc<Health>,
    /// Counters for the optional metrics endpoint.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The watched mailbox and folder, for status lines (no secrets).
    pub source: String,
    /// Held from a job's duplicate check to its move to `vetted`: one job at a time may
    /// claim an invite link.
    pub vetting: Mutex<()>,
    /// At most this many requests in flight to one platform.
    platform_slots: HashMap<String, Semaphore>,
    /// Jobs' messages waiting to be filed together.
    filing: filing::FilingQueue,
    /// The headless browser for `engine = "browser"`/`"auto"` platforms; starts nothing
    /// until a job needs it, and is closed when the daemon stops.
    pub browser: Arc<crate::signup::browser::BrowserEngine>,
    /// What the browser showed when a job's browser signup failed, until its ticket is
    /// sent (kept in memory only: screenshots do not go into the journal).
    pub evidence: std::sync::Mutex<HashMap<crate::journal::JobId, crate::signup::Evidence>>,
}

impl Services {
    /// Bundles the parts of a run.
    pub fn new(
        config: Config,
        journal: Arc<Journal>,
        mailbox: Mailbox,
        notifier: Notifier,
        signup: SignupOptions,
        shutdown: CancellationToken,
    ) -> Self {
        let per_platform = config.daemon.per_platform_concurrency;
        let platform_slots = config
            .platforms
            .iter()
            .map(|p| (p.name.clone(), Semaphore::new(per_platform)))
            .collect();
        let browser = Arc::new(crate::signup::browser::BrowserEngine::new(
            config.browser.clone(),
            config.daemon.browser_concurrency,
        ));
        Self {
            browser,
            config,
            journal,
            mailbox_health: mailbox.health(),
            metrics: Arc::default(),
            source: mailbox.source_name(),
            mailbox: Mutex::new(mailbox),
            notifier,
            signup,
            shutdown,
            vetting: Mutex::new(()),
            platform_slots,
            filing: filing::FilingQueue::default(),
            evidence: std::sync::Mutex::default(),
        }
    }

    /// Runs a journal read. Reads are short and never wait for the writer (see
    /// [`Journal`]), so they run right here, with no hand-off to another thread; writes
    /// are awaited on the journal itself (`services.journal.transition(…).await`).
    pub async fn db<T, F>(&self, call: F) -> Result<T, DaemonError>
    where
        T: Send + 'static,
        F: FnOnce(&Journal) -> Result<T, JournalError> + Send + 'static,
    {
        call(&self.journal).map_err(DaemonError::from)
    }

    /// The original message of a job, as stored when it was received.
    pub async fn raw(&self, job: JobId) -> Result<Arc<Vec<u8>>, DaemonError> {
        self.db(move |j| j.original(job))
            .await?
            .map(Arc::new)
            .ok_or(DaemonError::JobIncomplete(job))
    }

    /// Another job that took the same invite link, if any: one vetted (or further) for
    /// it, whichever came first. Call it while holding [`Services::vetting`] up to this
    /// job's own move to `vetted`, so two forwards of one invite cannot both pass. A job
    /// that ended with a human before reaching the platform (no account, no password
    /// kept: a rejected forward) took nothing, so a later, acceptable forward may still
    /// use the link.
    /// Links are compared as invites ([`same_invite::invite_key`]): a forward that added
    /// `utm_source` or upper-cased the host is the same invite.
    pub async fn already_handled(&self, record: &JobRecord) -> Result<Option<JobId>, DaemonError> {
        let job = record.id;
        let (Some(url), Some(platform)) = (&record.invite_url, record.platform.clone()) else {
            return Ok(None);
        };
        let key = same_invite::invite_key(url.expose());
        let others = self.db(move |j| j.jobs_with_invites_on(&platform)).await?;
        let same = |r: &JobRecord| {
            r.invite_url
                .as_ref()
                .is_some_and(|u| same_invite::invite_key(u.expose()) == key)
        };
        Ok(others
            .into_iter()
            .find(|r| r.id != job && took_link(r) && same(r))
            .map(|r| r.id))
    }

    /// A slot for one request to `platform`; held while its signup runs.
    pub async fn platform_slot(&self, platform: &str) -> Option<SemaphorePermit<'_>> {
        self.platform_slots.get(platform)?.acquire().await.ok()
    }

    /// The login page named in the credentials mail.
    pub fn login_url(&self, platform: &str, invite_url: &str) -> String {
        self.config.notify.login_url(platform, invite_url)
    }

    /// Moves every copy of the job's message still in the watched folder to `to`; a copy
    /// already gone is not an error.
    pub async fn file(&self, job: JobId, to: Destination) -> Result<(), DaemonError> {
        self.file_places(job, None, to).await
    }

    /// A message of a finished job is in the watched folder at `location`: a copy that
    /// arrived again, or one the journal has as filed although it is still there (a move
    /// whose outcome the server never confirmed). It is moved with the job's other unfiled
    /// copies, so a look at the folder always ends with every finished job's messages out
    /// of it.
    pub async fn file_again(
        &self,
        job: JobId,
        location: &MessageLocation,
        to: Destination,
    ) -> Result<(), DaemonError> {
        self.file_places(job, Some(location), to).await
    }

    /// Files the job's unfiled places in this mailbox, and `also` unless it is one of them;
    /// marks the places filed in the journal.
    async fn file_places(
        &self,
        job: JobId,
        also: Option<&MessageLocation>,
        to: Destination,
    ) -> Result<(), DaemonError> {
        let places: Vec<_> = self
            .db(move |j| j.unfiled_locations(job))
            .await?
            .into_iter()
            .filter(|place| place.source == self.source)
            .collect();
        let mut messages: Vec<_> = places
            .iter()
            .map(|place| {
                let location = MessageLocation {
                    uidvalidity: place.uidvalidity,
                    uid: place.uid,
                    name: place.location.clone(),
                };
                (location, to)
            })
            .collect();
        if let Some(also) = also.filter(|also| !messages.iter().any(|(m, _)| m == *also)) {
            messages.push((also.clone(), to));
        }
        let answers = self.filing.file(&self.mailbox, messages).await?;
        for (index, answer) in answers.into_iter().enumerate() {
            if let Err(e) = answer {
                tracing::warn!(%job, error = %crate::report::chain(&e), "message could not be filed");
            }
            if let Some(place) = places.get(index) {
                self.journal.mark_filed(place.id).await?;
            }
        }
        Ok(())
    }
}

/// Whether a job used (or is about to use) its invite link: it passed vetting and did
/// not end with a human before anything was created.
fn took_link(record: &JobRecord) -> bool {
    use crate::journal::JobState::*;
    match record.state {
        Received | Extracted => false,
        Vetted | SigningUp | SignedUp | Notified => true,
        NeedsHuman | Ticketed | Filed => {
            record.reason.is_none() || record.account_created || record.has_password
        }
    }
}

/// Runs the daemon until `shutdown` completes (Watch) or the mailbox is drained (Once).
pub async fn run(
    services: Arc<Services>,
    mode: Mode,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Summary, DaemonError> {
    let token = services.shutdown.clone();
    let stopper = tokio::spawn(async move {
        shutdown.await;
        tracing::info!("stopping: no new work; letting jobs reach a journaled state");
        token.cancel();
    });
    let wiper = tokio::spawn(wipe_erased_passwords(Arc::clone(&services)));
    let result = intake::run(Arc::clone(&services), mode).await;
    services.browser.shutdown().await;
    stopper.abort();
    wiper.abort();
    let _ = services.journal.wipe_if_pending().await;
    result
}

/// Erased passwords wait at most [`WIPE_INTERVAL`] in the journal's WAL: the journal
/// checkpoints at most that often by itself and says when it left one for later; this
/// catches the last erase of a burst. Idle, it sleeps.
async fn wipe_erased_passwords(services: Arc<Services>) {
    loop {
        services.journal.wipe_wanted().await;
        tokio::time::sleep(WIPE_INTERVAL).await;
        if services.journal.wipe_if_pending().await.is_err() {
            return;
        }
    }
}

/// How long in-flight jobs get to reach a journaled state after shutdown.
pub fn shutdown_grace(config: &Config) -> Duration {
    config.daemon.shutdown_grace
}
