//! One job, walked through its states until it is filed.
//!
//! In: a job id whose message is recorded in the journal. Out: the job filed (done or
//! needs-human), every transition journaled before the side effect that follows it. A
//! job resumed after a crash continues from its last journaled state: signup is never
//! submitted twice, and a created account always ends in a credentials mail or a ticket.
//!
//! Each step reads the job's record, does one state's work and says `Step::Next` (a
//! new state is journaled: go on) or `Step::Pause` (stop here, resume later). The
//! steps that talk to the platform are in `job/signup.rs`, the credentials mail in
//! `job/notify.rs` and the ticket in `job/ticket.rs`.

mod junk;
mod notify;
mod signup;
mod ticket;

use std::sync::Arc;

use tracing::Instrument;

use crate::extract;
use crate::journal::{InviteRecord, JobId, JobRecord, JobState};
use crate::mailbox::Destination;
use crate::reason::Reason;
use crate::vet;

use super::{DaemonError, Services};

/// How far a job got in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Filed: nothing left to do.
    Finished,
    /// Stopped at a journaled state (shutdown, or a temporary failure); resumes later.
    Paused,
}

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The job is at a new journaled state: take the next step.
    Next,
    /// The job stays at its journaled state (shutdown, or a failure a later try may
    /// fix): the run stops here and resumes it later.
    Pause,
}

/// What happens to the sealed password of a job handed to a human.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SealedPassword {
    /// Kept: an account may exist, and `onbehalf retry` may still send its credentials.
    Keep,
    /// Erased: the platform refused the signup, so the password created no account (the
    /// journal keeps it anyway if an account was confirmed).
    Erase,
}

/// Counts a job filed in this run for the metrics endpoint.
fn finished(services: &Services, record: &JobRecord, took: std::time::Duration) {
    let (outcome, reason) = if record.needs_human_folder {
        ("needs_human", record.reason.as_deref().unwrap_or("unknown"))
    } else {
        ("done", "")
    };
    services.metrics.job_finished(outcome, reason, took);
}

/// Drives `job` until it is filed, paused by shutdown, or blocked by a temporary error.
/// Every log line of the job carries its id (and its platform once known) from the span.
pub async fn drive(services: Arc<Services>, job: JobId) -> Result<Progress, DaemonError> {
    let span = tracing::info_span!("job", %job, platform = tracing::field::Empty);
    walk(services, job).instrument(span).await
}

async fn walk(services: Arc<Services>, job: JobId) -> Result<Progress, DaemonError> {
    let started = std::time::Instant::now();
    let mut last = None;
    // The formatter appends a field each time it is recorded: record the platform once.
    let mut platform_shown = false;
    // Read once for extract and kept for vet: a message never changes in the journal.
    let mut original = Original::default();
    loop {
        let record = services
            .db(move |j| j.job(job))
            .await?
            .ok_or(DaemonError::JobMissing(job))?;
        if let (Some(platform), false) = (&record.platform, platform_shown) {
            tracing::Span::current().record("platform", platform.as_str());
            platform_shown = true;
        }
        let previous = last.replace(record.state);
        if previous.is_some_and(|state| state != record.state) {
            super::fault::entered(record.state);
        }
        if record.state == JobState::Filed {
            if previous.is_some() {
                finished(&services, &record, started.elapsed());
            }
            return Ok(Progress::Finished);
        }
        if services.shutdown.is_cancelled() && record.state != JobState::SigningUp {
            return Ok(Progress::Paused);
        }
        let step = match record.state {
            JobState::Received => extract_step(&services, &record, &mut original).await?,
            JobState::Extracted => vet_step(&services, &record, &mut original).await?,
            JobState::Vetted => signup::signup_step(&services, &record).await?,
            JobState::SigningUp => signup::resume_signing_up(&services, &record).await?,
            JobState::SignedUp => notify::notify_step(&services, &record).await?,
            JobState::Notified => file_step(&services, &record, Destination::Done).await?,
            JobState::NeedsHuman => ticket::ticket_step(&services, &record).await?,
            JobState::Ticketed => file_step(&services, &record, Destination::NeedsHuman).await?,
            JobState::Filed => Step::Next,
        };
        if step == Step::Pause {
            return Ok(Progress::Paused);
        }
    }
}

/// Hands the job to a human, keeping the sealed password (if any): an account that may
/// exist is never left without it.
async fn needs_human(
    services: &Services,
    job: JobId,
    reason: Reason,
    detail: &str,
) -> Result<Step, DaemonError> {
    escalate(services, job, reason, detail, SealedPassword::Keep).await
}

async fn escalate(
    services: &Services,
    job: JobId,
    reason: Reason,
    detail: &str,
    password: SealedPassword,
) -> Result<Step, DaemonError> {
    tracing::info!(%reason, "needs a human");
    let detail = detail.to_owned();
    let journal = &services.journal;
    match password {
        SealedPassword::Keep => journal.needs_human(job, reason.as_str(), &detail).await?,
        SealedPassword::Erase => {
            journal
                .needs_human_without_account(job, reason.as_str(), &detail)
                .await?
        }
    }
    Ok(Step::Next)
}

/// A job's original message, read from the journal when first needed.
#[derive(Default)]
struct Original(Option<Arc<Vec<u8>>>);

impl Original {
    async fn get(&mut self, services: &Services, job: JobId) -> Result<Arc<Vec<u8>>, DaemonError> {
        if let Some(raw) = &self.0 {
            return Ok(Arc::clone(raw));
        }
        let raw = services.raw(job).await?;
        self.0 = Some(Arc::clone(&raw));
        Ok(raw)
    }
}

async fn extract_step(
    services: &Services,
    record: &JobRecord,
    original: &mut Original,
) -> Result<Step, DaemonError> {
    let job = record.id;
    let raw = original.get(services, job).await?;
    // Extract is CPU work over hostile input: a large message goes off the async workers
    // (extract catches its own panics).
    let config = services.config.clone();
    let extracted = crate::cpu::run(raw.len(), move || extract::extract(&raw, &config))
        .await
        .ok_or_else(|| DaemonError::Task("the extract stage stopped".to_owned()))?;
    match extracted {
        Ok(invite) => {
            tracing::info!(platform = %invite.platform, "invite found");
            let key = services.invite_key(&invite.platform, &invite.invite_url);
            let invite = InviteRecord::new(&invite, key);
            services.journal.record_invite(job, &invite).await?;
            Ok(Step::Next)
        }
        Err(rejection) => needs_human(services, job, rejection.reason, &rejection.detail).await,
    }
}

fn invite_of(record: &JobRecord) -> Result<extract::Invite, DaemonError> {
    Ok(extract::Invite {
        platform: record
            .platform
            .clone()
            .ok_or(DaemonError::JobIncomplete(record.id))?,
        invite_url: record
            .invite_url
            .as_ref()
            .map(|url| url.expose().to_owned())
            .ok_or(DaemonError::JobIncomplete(record.id))?,
        invitee: record.invitee.clone(),
        invitee_name: record.invitee_name.clone(),
        requester: record.requester.clone(),
        subject: record.subject.clone(),
        message_id: record.message_id.clone(),
    })
}

async fn vet_step(
    services: &Services,
    record: &JobRecord,
    original: &mut Original,
) -> Result<Step, DaemonError> {
    let job = record.id;
    let raw = original.get(services, job).await?;
    let invite = invite_of(record)?;
    // Held until this job is vetted (or rejected): another forward of the same invite
    // then finds it and stops.
    let _turn = services.vetting.lock().await;
    if let Some(earlier) = services.already_handled(record).await? {
        let detail = format!(
            "This invite was already handled by {earlier}; the same invitation was forwarded \
             again. Nothing was done a second time."
        );
        return needs_human(services, job, Reason::DuplicateForward, &detail).await;
    }
    match vet::vet(&raw, &invite, &services.config.policy) {
        Ok(vetted) => {
            let note = vetted
                .authenticated_by
                .unwrap_or_else(|| "sender authentication not required".to_owned());
            services
                .journal
                .transition(job, JobState::Vetted, &note)
                .await?;
            Ok(Step::Next)
        }
        Err(rejection) => needs_human(services, job, rejection.reason, &rejection.detail).await,
    }
}

async fn file_step(
    services: &Services,
    record: &JobRecord,
    to: Destination,
) -> Result<Step, DaemonError> {
    let job = record.id;
    services.file(job, to).await?;
    // Both go to the writer at once, so they share a commit; a done job's original is no
    // longer needed, a ticketed one's is, for retry.
    let filed = services
        .journal
        .transition(job, JobState::Filed, "message filed");
    let forgotten = (to == Destination::Done).then(|| services.journal.forget_original(job));
    filed.await?;
    if let Some(forgotten) = forgotten {
        forgotten.await?;
    }
    tracing::info!("filed");
    Ok(Step::Next)
}
