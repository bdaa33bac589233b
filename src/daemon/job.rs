//! One job, walked through its states until it is filed.
//!
//! In: a job id whose message is recorded in the journal. Out: the job filed (done or
//! needs-human), every transition journaled before the side effect that follows it. A
//! job resumed after a crash continues from its last journaled state: signup is never
//! submitted twice, and a created account always ends in a credentials mail or a ticket.

use std::sync::Arc;
use std::time::Duration;

use mail_parser::MessageParser;

use crate::config::Platform;
use crate::extract;
use crate::journal::{InviteRecord, JobId, JobRecord, JobState};
use crate::mailbox::Destination;
use crate::notify::{CredentialsMail, NotifyError, RequesterNote, Ticket};
use crate::secret::Secret;
use crate::signup::{self, FailureReason, SubmitGuard};
use crate::vet;

use super::tickets::{self, CREDENTIALS_REFUSED, NO_LOGIN_ADDRESS, UNCERTAIN_ACCOUNT_STATE};
use super::{DaemonError, Services};

/// Counts a job filed in this run for the metrics endpoint.
fn finished(services: &Services, record: &JobRecord, took: std::time::Duration) {
    let (outcome, reason) = if record.needs_human_folder {
        ("needs_human", record.reason.as_deref().unwrap_or("unknown"))
    } else {
        ("done", "")
    };
    services.metrics.job_finished(outcome, reason, took);
}

/// Retryable signup failures are retried this many times within a job.
const SIGNUP_ATTEMPTS: u32 = 3;
/// A Retry-After longer than this is not waited for: the job goes to a human.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(300);

/// How far a job got in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Filed: nothing left to do.
    Finished,
    /// Stopped at a journaled state (shutdown, or a temporary failure); resumes later.
    Paused,
}

/// Drives `job` until it is filed, paused by shutdown, or blocked by a temporary error.
pub async fn drive(services: Arc<Services>, job: JobId) -> Result<Progress, DaemonError> {
    let started = std::time::Instant::now();
    let mut last = None;
    loop {
        let record = services
            .db(move |j| j.job(job))
            .await?
            .ok_or(DaemonError::JobMissing(job))?;
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
            JobState::Received => extract_step(&services, &record).await,
            JobState::Extracted => vet_step(&services, &record).await,
            JobState::Vetted => signup_step(&services, &record).await,
            JobState::SigningUp => resume_signing_up(&services, &record).await,
            JobState::SignedUp => notify_step(&services, &record).await,
            JobState::Notified => file_step(&services, &record, Destination::Done).await,
            JobState::NeedsHuman => ticket_step(&services, &record).await,
            JobState::Ticketed => file_step(&services, &record, Destination::NeedsHuman).await,
            JobState::Filed => Ok(true),
        };
        match step {
            Ok(true) => {}
            Ok(false) => return Ok(Progress::Paused),
            Err(e) => return Err(e),
        }
    }
}

/// Hands the job to a human. The sealed password (if any) is kept unless the platform
/// is known to have refused it: an account that may exist is never left without it.
async fn needs_human(
    services: &Services,
    job: JobId,
    reason: &str,
    detail: &str,
) -> Result<bool, DaemonError> {
    escalate(services, job, reason, detail, false).await
}

async fn escalate(
    services: &Services,
    job: JobId,
    reason: &str,
    detail: &str,
    refused: bool,
) -> Result<bool, DaemonError> {
    tracing::info!(%job, reason, "needs a human");
    let (reason, detail) = (reason.to_owned(), detail.to_owned());
    if refused {
        services
            .journal
            .needs_human_without_account(job, &reason, &detail)
            .await?;
    } else {
        services.journal.needs_human(job, &reason, &detail).await?;
    }
    Ok(true)
}

async fn extract_step(services: &Services, record: &JobRecord) -> Result<bool, DaemonError> {
    let job = record.id;
    let raw = services.raw(job).await?;
    // Extract is CPU work over hostile input: keep it off the async workers.
    let config = services.config.clone();
    let extracted = tokio::task::spawn_blocking(move || extract::extract(&raw, &config))
        .await
        .map_err(|e| DaemonError::Task(e.to_string()))?;
    match extracted {
        Ok(invite) => {
            tracing::info!(%job, platform = %invite.platform, "invite found");
            let invite = InviteRecord::from(&invite);
            services.journal.record_invite(job, &invite).await?;
            Ok(true)
        }
        Err(rejection) => {
            needs_human(services, job, rejection.reason.as_str(), &rejection.detail).await
        }
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
        requester: record.requester.clone(),
        subject: record.subject.clone(),
        message_id: record.message_id.clone(),
    })
}

async fn vet_step(services: &Services, record: &JobRecord) -> Result<bool, DaemonError> {
    let job = record.id;
    let raw = services.raw(job).await?;
    let invite = invite_of(record)?;
    // Held until this job is vetted (or rejected): another forward of the same invite
    // then finds it and stops.
    let _turn = services.vetting.lock().await;
    if let Some(earlier) = services.already_handled(record).await? {
        let detail = format!(
            "This invite was already handled by {earlier}; the same invitation was forwarded \
             again. Nothing was done a second time."
        );
        return needs_human(services, job, "duplicate_forward", &detail).await;
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
            Ok(true)
        }
        Err(rejection) => {
            needs_human(services, job, rejection.reason.as_str(), &rejection.detail).await
        }
    }
}

/// Seals every generated password in the journal before the form is submitted.
struct JournalGuard<'s> {
    services: &'s Services,
    job: JobId,
}

impl SubmitGuard for JournalGuard<'_> {
    fn before_submit(
        &mut self,
        login: &str,
        password: &Secret,
    ) -> impl std::future::Future<Output = Result<(), String>> + Send {
        let (job, login, password) = (self.job, login.to_owned(), password.clone());
        let services = self.services;
        async move {
            services
                .journal
                .seal_password(job, &login, &password)
                .await
                .map_err(|e| e.to_string())?;
            super::fault::entered(JobState::SigningUp);
            Ok(())
        }
    }
}

async fn signup_step(services: &Services, record: &JobRecord) -> Result<bool, DaemonError> {
    let job = record.id;
    let invite = invite_of(record)?;
    let Some(platform) = services.config.platform(&invite.platform) else {
        let detail = format!(
            "The platform {:?} is no longer configured, so its invite cannot be used.",
            invite.platform
        );
        return needs_human(services, job, "unexpected_page", &detail).await;
    };
    let _slot = services.platform_slot(&platform.name).await;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut guard = JournalGuard { services, job };
        let result =
            signup::sign_up(platform, &invite.invite_url, &services.signup, &mut guard).await;
        let failure = match result {
            Ok(account) => {
                let note = format!("account created for {}", account.login);
                tracing::info!(%job, platform = %platform.name, "account created");
                services
                    .journal
                    .transition(job, JobState::SignedUp, &note)
                    .await?;
                return Ok(true);
            }
            Err(failure) => failure,
        };
        tracing::info!(%job, reason = failure.reason.as_str(), attempt, "signup failed");
        services.metrics.platform_error(failure.reason.as_str());
        let wait = failure
            .retry_after
            .unwrap_or(Duration::from_secs(2u64.pow(attempt)));
        let retry = failure.reason.retryable()
            && attempt < SIGNUP_ATTEMPTS
            && wait <= MAX_RETRY_WAIT
            && !services.shutdown.is_cancelled();
        if failure.submitted && failure.reason.retryable() {
            // The platform failed after a submission: find out before submitting again.
            match probe_invite(services, platform, &invite.invite_url).await {
                Probe::AccountExists => return account_exists(services, job).await,
                Probe::StillOpen if retry => {}
                Probe::StillOpen => return uncertain(services, job, &failure.detail).await,
                Probe::TryLater => return Ok(false),
                Probe::Unknown(detail) => return uncertain(services, job, &detail).await,
            }
        } else if !retry {
            let refused = !failure.reason.retryable();
            return escalate(
                services,
                job,
                failure.reason.as_str(),
                &failure.detail,
                refused,
            )
            .await;
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = services.shutdown.cancelled() => return Ok(false),
        }
    }
}

async fn uncertain(services: &Services, job: JobId, what: &str) -> Result<bool, DaemonError> {
    let detail = format!(
        "The signup form was submitted but its outcome is unknown ({what}). The invite still \
         opens the signup form, so the account was probably not created; onbehalf never \
         submits a signup twice."
    );
    needs_human(services, job, UNCERTAIN_ACCOUNT_STATE, &detail).await
}

/// What the invite link says after a submission whose outcome is unknown.
enum Probe {
    /// The invite is used (or the email registered): the submission created the account.
    AccountExists,
    /// The invite still opens the signup form.
    StillOpen,
    /// The platform cannot be asked right now.
    TryLater,
    /// Anything else, described.
    Unknown(String),
}

async fn probe_invite(services: &Services, platform: &Platform, invite_url: &str) -> Probe {
    match signup::probe(platform, invite_url, &services.signup).await {
        Ok(_) => Probe::StillOpen,
        Err(f)
            if matches!(
                f.reason,
                FailureReason::LinkExpired | FailureReason::AlreadyRegistered
            ) =>
        {
            Probe::AccountExists
        }
        Err(f) if f.reason.retryable() && !services.shutdown.is_cancelled() => Probe::TryLater,
        Err(f) => Probe::Unknown(f.detail),
    }
}

async fn account_exists(services: &Services, job: JobId) -> Result<bool, DaemonError> {
    let note = "the invite now says it was used: the interrupted signup created the account";
    services
        .journal
        .transition(job, JobState::SignedUp, note)
        .await?;
    Ok(true)
}

/// After a crash while submitting: the invite tells what happened. A still-open invite
/// goes to a human rather than being submitted a second time.
async fn resume_signing_up(services: &Services, record: &JobRecord) -> Result<bool, DaemonError> {
    let job = record.id;
    let invite = invite_of(record)?;
    let Some(platform) = services.config.platform(&invite.platform) else {
        return uncertain(services, job, "the platform is no longer configured").await;
    };
    match probe_invite(services, platform, &invite.invite_url).await {
        Probe::AccountExists => account_exists(services, job).await,
        Probe::StillOpen => {
            uncertain(
                services,
                job,
                "onbehalf stopped while submitting the signup",
            )
            .await
        }
        Probe::TryLater => {
            tracing::warn!(%job, "cannot check the interrupted signup yet");
            Ok(false)
        }
        Probe::Unknown(detail) => uncertain(services, job, &detail).await,
    }
}

async fn notify_step(services: &Services, record: &JobRecord) -> Result<bool, DaemonError> {
    let job = record.id;
    let Some(password) = services.db(move |j| j.sealed_password(job)).await? else {
        let detail = "The account was created but its password is no longer stored.";
        return needs_human(services, job, NO_LOGIN_ADDRESS, detail).await;
    };
    let Some(login) = record.login.clone().or_else(|| record.invitee.clone()) else {
        let detail = "The platform did not show the account's email address and the forward \
                      does not say who the invite was for, so the credentials cannot be sent.";
        return needs_human(services, job, NO_LOGIN_ADDRESS, detail).await;
    };
    let invite = invite_of(record)?;
    let same_person = invite
        .requester
        .as_deref()
        .is_some_and(|r| r.eq_ignore_ascii_case(&login));
    let mail = CredentialsMail {
        job_id: job.to_string(),
        platform: invite.platform.clone(),
        login_url: services.login_url(&invite.platform, &invite.invite_url),
        login: login.clone(),
        password,
        requester: invite.requester.clone(),
        in_reply_to: invite.message_id.clone().filter(|_| same_person),
        subject_of_forward: invite.subject.clone(),
    };
    if let Err(e) = services.notifier.send_credentials(&mail).await {
        services.metrics.smtp_error();
        return credentials_not_sent(services, job, &login, e).await;
    }
    let note = format!("credentials sent to {login}");
    services.journal.mark_notified(job, &note).await?;
    if let (Some(requester), false) = (invite.requester, same_person) {
        let note = RequesterNote {
            job_id: job.to_string(),
            platform: invite.platform,
            to: requester,
            invitee: login,
            in_reply_to: invite.message_id,
        };
        if let Err(e) = services.notifier.send_requester_note(&note).await {
            tracing::warn!(%job, error = %super::describe(&e), "could not tell the requester where the credentials went");
        }
    }
    Ok(true)
}

/// The credentials mail failed: the job pauses when a later try may work; it goes to a
/// human when the mail server refused this very mail for good (the account exists and
/// its password stays sealed for `onbehalf retry`); and it stops with an error when no
/// mail can be sent at all (the SMTP login or TLS), which no ticket could report either.
async fn credentials_not_sent(
    services: &Services,
    job: JobId,
    login: &str,
    error: NotifyError,
) -> Result<bool, DaemonError> {
    if error.is_temporary() {
        let error = super::describe(&error);
        tracing::warn!(%job, error, "credentials mail not sent yet");
        return Ok(false);
    }
    let refused_this_mail = matches!(
        error,
        NotifyError::Address { .. }
            | NotifyError::Build { .. }
            | NotifyError::Smtp {
                temporary: false,
                ..
            }
    );
    if !refused_this_mail {
        return Err(DaemonError::Notify(error));
    }
    let detail = format!(
        "The account for {login} was created, but the credentials mail to that address was \
         refused for good ({}). The password was sent nowhere; it is kept, sealed in the \
         journal, for sending again.",
        super::describe(&error)
    );
    needs_human(services, job, CREDENTIALS_REFUSED, &detail).await
}

async fn ticket_step(services: &Services, record: &JobRecord) -> Result<bool, DaemonError> {
    let job = record.id;
    let reason = record
        .reason
        .clone()
        .unwrap_or_else(|| "unknown".to_owned());
    let history = services.db(move |j| j.history(job)).await?;
    let original = services
        .raw(job)
        .await
        .map(|r| r.to_vec())
        .unwrap_or_default();
    // A forward rejected by extract never had its requester recorded: the ticket's
    // Reply-To is then the original's From, so answering it reaches whoever forwarded it.
    let requester = record.requester.clone().or_else(|| sender_of(&original));
    let ticket = Ticket {
        job_id: job.to_string(),
        headline: tickets::headline(&reason).to_owned(),
        detail: format!(
            "{}\n\n{}",
            record.detail.clone().unwrap_or_default(),
            tickets::next_step(&reason).replace("JOB", &job.to_string())
        ),
        reason,
        tried: history
            .iter()
            .map(|t| format!("{} {}: {}", t.at, t.to.as_str(), t.note))
            .collect(),
        requester,
        platform: record.platform.clone(),
        original,
    };
    let sent = services.notifier.send_ticket(&ticket).await;
    if sent.is_err() {
        services.metrics.smtp_error();
    }
    match sent {
        Ok(_) => {}
        Err(e) if e.is_temporary() => {
            tracing::warn!(%job, error = %super::describe(&e), "ticket not sent yet");
            return Ok(false);
        }
        Err(e) => return Err(DaemonError::Notify(e)),
    }
    services
        .journal
        .transition(job, JobState::Ticketed, "ticket sent")
        .await?;
    Ok(true)
}

/// The first From address of a message, if it has one.
fn sender_of(raw: &[u8]) -> Option<String> {
    let headers = MessageParser::new().parse_headers(raw)?;
    let address = headers.from()?.first()?.address()?;
    Some(address.to_owned())
}

async fn file_step(
    services: &Services,
    record: &JobRecord,
    to: Destination,
) -> Result<bool, DaemonError> {
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
    tracing::info!(%job, "filed");
    Ok(true)
}
