//! Intake: list the folder, record new messages in the journal, run their jobs.
//!
//! In: the shared services and the run mode. Out: a [`Summary`] once the mailbox is
//! drained (`once`) or the daemon is shut down (`run`). Resumes unfinished jobs first;
//! what was handled is known from the journal, never from flags on the server.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use mail_parser::MessageParser;
use tokio::sync::{Notify, Semaphore};
use tokio::task::{self, JoinError, JoinSet};

use crate::journal::{JobId, JobRecord, JobState, LAST_MAILBOX_CHECK, MessageRef, Received};
use crate::mailbox::{Destination, Fetched, MailboxError, MessageLocation};
use crate::reason::Reason;

use super::job::{self, Progress};
use super::{DaemonError, Mode, Services};

/// What a run did, in jobs: a job attempted several times in one run (paused by an IMAP
/// outage, then resumed) counts once, by how its last attempt ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Jobs started or resumed in this run.
    pub jobs: usize,
    /// Jobs that reached `filed`.
    pub finished: usize,
    /// Jobs left at a journaled state, to resume later (shutdown, temporary failures).
    pub paused: usize,
    /// Jobs whose last attempt in this run stopped with an error (they resume on the
    /// next run); a job that failed once and then finished does not count.
    pub failed: usize,
}

/// What a job's task returns.
type Outcome = (JobId, Result<Progress, DaemonError>);

struct Jobs {
    tasks: JoinSet<Outcome>,
    /// The job each task drives, to tell which job a panicked task was.
    task_jobs: HashMap<task::Id, JobId>,
    in_flight: HashSet<JobId>,
    /// Messages fetched in this run (by place), with their job.
    seen: HashMap<String, JobId>,
    slots: Arc<Semaphore>,
    /// How each job's last attempt in this run ended (`None` while it runs): the summary
    /// counts jobs, not attempts.
    last: HashMap<JobId, Option<Ended>>,
    /// Tasks that panicked without a known job.
    lost_tasks: usize,
}

/// How a job's attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Finished,
    Paused,
    Failed,
}

impl Jobs {
    /// Starts a job once a slot is free. Waiting here, not inside the task, keeps a
    /// backlog of thousands to `concurrency` job futures in memory (and stops intake from
    /// reading far ahead of the work); returns without starting it at shutdown.
    async fn spawn(&mut self, services: &Arc<Services>, job: JobId) {
        if self.in_flight.contains(&job) {
            return;
        }
        let slot = tokio::select! {
            slot = Arc::clone(&self.slots).acquire_owned() => slot,
            () = services.shutdown.cancelled() => return,
        };
        let Ok(slot) = slot else { return };
        // A finished task keeps its memory until it is joined: book those that ended.
        while let Some(joined) = self.tasks.try_join_next_with_id() {
            self.joined(joined);
        }
        self.in_flight.insert(job);
        self.last.insert(job, None);
        let services = Arc::clone(services);
        let task = self.tasks.spawn(async move {
            let _slot = slot;
            (job, job::drive(services, job).await)
        });
        self.task_jobs.insert(task.id(), job);
    }

    /// Books a task that ended. One that panicked counts as failed and its job resumes
    /// at the next look: a bug in one job must not stop the daemon.
    fn joined(&mut self, joined: Result<(task::Id, Outcome), JoinError>) {
        match joined {
            Ok((id, outcome)) => {
                self.task_jobs.remove(&id);
                self.finished(outcome);
            }
            Err(error) => {
                let job = self.task_jobs.remove(&error.id());
                match job {
                    Some(job) => {
                        self.in_flight.remove(&job);
                        self.last.insert(job, Some(Ended::Failed));
                    }
                    None => self.lost_tasks += 1,
                }
                let job = job.map(|j| j.to_string()).unwrap_or_default();
                tracing::error!(job, %error, "job task ended abnormally; it resumes later");
            }
        }
    }

    /// What the run did, each job counted once by its last attempt; one still running
    /// (cut off at shutdown) is paused: it resumes from the journal.
    fn summary(&self) -> Summary {
        let count = |ended: Ended| self.last.values().filter(|l| **l == Some(ended)).count();
        let failed = count(Ended::Failed) + self.lost_tasks;
        let finished = count(Ended::Finished);
        Summary {
            jobs: self.last.len(),
            finished,
            failed,
            paused: self.last.len() + self.lost_tasks - finished - failed,
        }
    }

    fn finished(&mut self, (job, result): Outcome) {
        self.in_flight.remove(&job);
        let ended = match &result {
            Ok(Progress::Finished) => Ended::Finished,
            Ok(Progress::Paused) => Ended::Paused,
            Err(_) => Ended::Failed,
        };
        self.last.insert(job, Some(ended));
        if let Err(e) = result {
            tracing::error!(%job, error = %crate::report::chain(&e), "job stopped; it resumes on the next run");
        }
    }
}

/// The intake loop.
pub(super) async fn run(services: Arc<Services>, mode: Mode) -> Result<Summary, DaemonError> {
    let concurrency = services.config.daemon.concurrency;
    let mut jobs = Jobs {
        tasks: JoinSet::new(),
        task_jobs: HashMap::new(),
        in_flight: HashSet::new(),
        seen: HashMap::new(),
        slots: Arc::new(Semaphore::new(concurrency)),
        last: HashMap::new(),
        lost_tasks: 0,
    };
    let changed = Arc::new(Notify::new());
    if mode == Mode::Watch {
        // The watcher also signals every poll interval: the safety-net full check.
        let watcher = services.mailbox.lock().await.watcher();
        tokio::spawn(watcher.run(Arc::clone(&changed), services.shutdown.clone()));
    }
    let mut ready_sent = false;
    // Only the watcher's signal (a change, a reconnect, the poll) starts the next look at
    // the folder. A finished job does not: a job paused by a temporary failure would be
    // resumed by that very look and pause again, in a busy loop, until the failure ends.
    let mut look = true;
    loop {
        let mut failed_look = None;
        if look && !services.shutdown.is_cancelled() {
            match intake_pass(&services, &mut jobs).await {
                Ok(()) if !ready_sent => {
                    super::health::ready(&services, jobs.in_flight.len());
                    ready_sent = true;
                }
                Ok(()) => super::health::status(&services, jobs.in_flight.len()),
                Err(e) if mode == Mode::Once => failed_look = Some(e),
                Err(e) => {
                    tracing::warn!(error = %crate::report::chain(&e), "mailbox check failed; retrying")
                }
            }
        }
        if mode == Mode::Once {
            // Jobs already started finish first, even when the look failed half-way:
            // returning would drop (cancel) them in the middle of a step.
            let mut progress = Backlog::new(jobs.last.len());
            while let Some(joined) = jobs.tasks.join_next_with_id().await {
                jobs.joined(joined);
                progress.step(jobs.tasks.len());
            }
            progress.done();
            return failed_look.map_or(Ok(jobs.summary()), Err);
        }
        look = tokio::select! {
            () = services.shutdown.cancelled() => break,
            () = changed.notified() => true,
            Some(joined) = jobs.tasks.join_next_with_id(), if !jobs.tasks.is_empty() => {
                jobs.joined(joined);
                false
            }
        };
    }
    drain(&services, &mut jobs).await;
    Ok(jobs.summary())
}

/// After shutdown: jobs get the grace period to reach a journaled state.
async fn drain(services: &Services, jobs: &mut Jobs) {
    let grace = super::shutdown_grace(&services.config);
    let deadline = tokio::time::Instant::now() + grace;
    while !jobs.tasks.is_empty() {
        match tokio::time::timeout_at(deadline, jobs.tasks.join_next_with_id()).await {
            Ok(Some(joined)) => jobs.joined(joined),
            Ok(None) => break,
            Err(_) => {
                tracing::warn!(
                    jobs = jobs.tasks.len(),
                    "grace period over; jobs resume on restart"
                );
                // Still running, so counted as paused by `summary`.
                jobs.tasks.abort_all();
                break;
            }
        }
    }
}

fn location_key(location: &MessageLocation) -> String {
    format!("{:?}/{}", location.uidvalidity, location.name)
}

/// Messages asked for in one go when many are new: a backlog takes a few round trips per
/// batch rather than per message, and the first jobs start after one batch, not after
/// the whole backlog.
const FETCH_BATCH: usize = 50;

/// Records one fetched message in the journal; `None` when it left the folder before it
/// could be read (a person moved it). A message over `limits.max_message_bytes` was not
/// downloaded: its header section is recorded and its new job goes straight to a human
/// with reason `too_large`. (Should the process die between the two writes, the job
/// resumes from `received` with the header alone, which extract answers with
/// `no_invite_link`: still one ticket, under a vaguer reason.)
async fn record_message(
    services: &Services,
    location: &MessageLocation,
    source: &str,
    fetched: Result<Fetched, MailboxError>,
) -> Result<Option<Received>, DaemonError> {
    let limit = services.config.limits.max_message_bytes;
    let (raw, too_large) = match fetched {
        Ok(Fetched::Whole(raw)) => (raw, None),
        Ok(Fetched::TooLarge { size, header }) => (header, Some(size)),
        Err(MailboxError::Gone { .. }) => {
            tracing::info!(%location, "the message left the folder before it was read");
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    let message_id = MessageParser::new()
        .parse_headers(&raw)
        .and_then(|m| m.message_id().map(str::to_owned));
    let message = MessageRef::new(
        source.to_owned(),
        location.uidvalidity,
        location.uid,
        location.name.clone(),
        message_id.as_deref(),
        &raw,
    );
    let received = services.journal.receive_original(&message, &raw).await?;
    if let (Received::New(job), Some(size)) = (&received, too_large) {
        let job = *job;
        let detail = format!(
            "The email is {} kB, above the limit of {} kB (limits.max_message_bytes), so it \
             was not downloaded: only its headers are attached.",
            size.div_ceil(1024),
            limit / 1024
        );
        services
            .journal
            .needs_human(job, Reason::TooLarge.as_str(), &detail)
            .await?;
    }
    Ok(Some(received))
}

/// One look at the folder: every message not yet seen in this run is fetched, recorded
/// and started (new) or resumed (known and unfinished) or re-filed (known and done).
async fn intake_pass(services: &Arc<Services>, jobs: &mut Jobs) -> Result<(), DaemonError> {
    let (listing, source) = {
        let mut mailbox = services.mailbox.lock().await;
        (mailbox.list().await?, mailbox.source_name())
    };
    services
        .journal
        .set_health(LAST_MAILBOX_CHECK, "ok")
        .await?;
    let (seen, unseen): (Vec<MessageLocation>, Vec<MessageLocation>) = listing
        .messages
        .into_iter()
        .partition(|location| jobs.seen.contains_key(&location_key(location)));
    // Jobs that ended before this listing was taken: their messages should be gone.
    let leftovers: Vec<(JobId, MessageLocation)> = seen
        .into_iter()
        .filter_map(|location| {
            let job = *jobs.seen.get(&location_key(&location))?;
            (!jobs.in_flight.contains(&job)).then_some((job, location))
        })
        .collect();
    let limit = services.config.limits.max_message_bytes;
    for batch in unseen.chunks(FETCH_BATCH) {
        if services.shutdown.is_cancelled() {
            break;
        }
        let fetched = services
            .mailbox
            .lock()
            .await
            .fetch_many_within(batch, limit)
            .await?;
        for (location, fetched) in batch.iter().zip(fetched) {
            if let Some(received) = record_message(services, location, &source, fetched).await? {
                let job = start(services, jobs, received, location).await?;
                jobs.seen.insert(location_key(location), job);
            }
        }
    }
    file_leftovers(services, leftovers).await?;
    // Jobs paused by a temporary failure, or sent round again by `onbehalf retry`.
    for record in services.db(|j| j.unfinished()).await? {
        jobs.spawn(services, record.id).await;
    }
    Ok(())
}

/// Starts the job of a recorded message: a new one, or a known unfinished one; a known
/// finished one (a copy that arrived again) is filed like its first copy.
async fn start(
    services: &Arc<Services>,
    jobs: &mut Jobs,
    received: Received,
    location: &MessageLocation,
) -> Result<JobId, DaemonError> {
    Ok(match received {
        Received::New(job) => {
            super::fault::entered(JobState::Received);
            jobs.spawn(services, job).await;
            job
        }
        Received::Known(record) if record.state == JobState::Filed => {
            file_again(services, &record, location).await?;
            record.id
        }
        Received::Known(record) => {
            jobs.spawn(services, record.id).await;
            record.id
        }
    })
}

/// Messages fetched earlier in this run that are still in the folder although their job
/// had ended before the folder was listed: filed again if the job finished (their move
/// was never confirmed by the server).
async fn file_leftovers(
    services: &Arc<Services>,
    leftovers: Vec<(JobId, MessageLocation)>,
) -> Result<(), DaemonError> {
    for (job, location) in leftovers {
        let record = services.db(move |j| j.job(job)).await?;
        if let Some(record) = record.filter(|r| r.state == JobState::Filed) {
            file_again(services, &record, &location).await?;
        }
    }
    Ok(())
}

async fn file_again(
    services: &Services,
    record: &JobRecord,
    location: &MessageLocation,
) -> Result<(), DaemonError> {
    let to = if record.needs_human_folder {
        Destination::NeedsHuman
    } else {
        Destination::Done
    };
    tracing::info!(job = %record.id, %location, "a handled message is in the folder; filing it");
    services.file_again(record.id, location, to).await
}

/// A one-line progress report for `once` on a large backlog, on a terminal only (logs
/// and journald get the per-job lines instead).
struct Backlog {
    total: usize,
    shown: Option<std::time::Instant>,
    enabled: bool,
}

impl Backlog {
    /// Backlogs smaller than this finish before a progress line would help.
    const MIN_JOBS: usize = 50;

    fn new(total: usize) -> Self {
        let enabled =
            total >= Self::MIN_JOBS && std::io::IsTerminal::is_terminal(&std::io::stderr());
        Self {
            total,
            shown: None,
            enabled,
        }
    }

    fn step(&mut self, remaining: usize) {
        let due = self
            .shown
            .is_none_or(|t| t.elapsed() >= std::time::Duration::from_millis(500));
        if self.enabled && due {
            let done = self.total.saturating_sub(remaining);
            eprint!("\ronbehalf: {done}/{} jobs handled", self.total);
            self.shown = Some(std::time::Instant::now());
        }
    }

    fn done(&self) {
        if self.enabled && self.shown.is_some() {
            eprintln!("\ronbehalf: {0}/{0} jobs handled", self.total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jobs() -> Jobs {
        Jobs {
            tasks: JoinSet::new(),
            task_jobs: HashMap::new(),
            in_flight: HashSet::new(),
            seen: HashMap::new(),
            slots: Arc::new(Semaphore::new(1)),
            last: HashMap::new(),
            lost_tasks: 0,
        }
    }

    fn imap_outage() -> DaemonError {
        DaemonError::Mailbox(MailboxError::Timeout {
            address: "imap.example.com:993".into(),
            action: "move UID 4 to folder onbehalf.done".into(),
            after: std::time::Duration::from_secs(30),
        })
    }

    /// What `spawn` books, without a task.
    fn attempt(jobs: &mut Jobs, job: JobId, outcome: Result<Progress, DaemonError>) {
        jobs.last.insert(job, None);
        jobs.finished((job, outcome));
    }

    #[test]
    fn the_summary_counts_jobs_not_attempts() {
        let mut jobs = jobs();
        let (a, b, c, d) = (JobId(1), JobId(2), JobId(3), JobId(4));
        // Paused by an IMAP outage, failed at filing, then finished: one finished job.
        attempt(&mut jobs, a, Ok(Progress::Paused));
        attempt(&mut jobs, a, Err(imap_outage()));
        attempt(&mut jobs, a, Ok(Progress::Finished));
        // Failed, then paused (the failure cleared): one paused job.
        attempt(&mut jobs, b, Err(imap_outage()));
        attempt(&mut jobs, b, Ok(Progress::Paused));
        // Failed twice: one failed job.
        attempt(&mut jobs, c, Err(imap_outage()));
        attempt(&mut jobs, c, Err(imap_outage()));
        // Cut off at shutdown, still running: paused.
        jobs.last.insert(d, None);
        assert_eq!(
            jobs.summary(),
            Summary {
                jobs: 4,
                finished: 1,
                paused: 2,
                failed: 1,
            }
        );
    }
}
