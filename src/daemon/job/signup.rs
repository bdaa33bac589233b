//! The steps that talk to the platform: sign up, and find out after an interruption.
//!
//! In: a job at `vetted` (or at `signing_up` after a crash). Out: the job at `signed_up`,
//! handed to a human with the platform's reason, or paused for a later try. Every
//! password is sealed in the journal before the form that uses it is submitted, and a
//! form whose submission may have worked is never submitted again: the only second
//! submission is the flow's own, after the platform refused the password and showed
//! its form again. A password is erased only after such a refusal; after any other
//! failure of a submission it stays sealed until the invite tells the outcome.

use std::time::Duration;

use crate::config::Platform;
use crate::journal::{JobId, JobRecord, JobState};
use crate::net::retry::Backoff;
use crate::reason::Reason;
use crate::secret::Secret;
use crate::signup::{self, SubmitGuard};

use super::{DaemonError, SealedPassword, Services, Step, escalate, invite_of, needs_human};

/// Retryable signup failures are retried this many times within a job.
const SIGNUP_ATTEMPTS: u32 = 3;
/// A Retry-After longer than this is not waited for: the job goes to a human.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(300);
/// Without a Retry-After: 2 s before the second attempt, 4 s before the third.
const SIGNUP_BACKOFF: Backoff = Backoff::new(Duration::from_secs(2), MAX_RETRY_WAIT);

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
                .map_err(|e| crate::report::chain(&e))?;
            crate::daemon::fault::entered(JobState::SigningUp);
            Ok(())
        }
    }
}

/// The invitee's display name from the forwarded original; `None` when an operator's
/// `retry --login` chose another address than the one the name was written with.
fn invitee_name(record: &JobRecord) -> Option<String> {
    let invitee = record.invitee.as_ref()?;
    let other_login = record
        .login
        .as_ref()
        .is_some_and(|l| !l.eq_ignore_ascii_case(invitee));
    record.invitee_name.clone().filter(|_| !other_login)
}

pub(super) async fn signup_step(
    services: &Services,
    record: &JobRecord,
) -> Result<Step, DaemonError> {
    let job = record.id;
    let invite = invite_of(record)?;
    let Some(platform) = services.config.platform(&invite.platform) else {
        let detail = format!(
            "The platform {:?} is no longer configured, so its invite cannot be used.",
            invite.platform
        );
        return needs_human(services, job, Reason::UnexpectedPage, &detail).await;
    };
    // The account must be for the invitee, or for the address an operator gave `retry`.
    let options = signup::SignupOptions {
        expected_login: record.login.clone().or_else(|| invite.invitee.clone()),
        invitee_name: invitee_name(record),
        ..services.signup.clone()
    };
    let allowed = services.config.daemon.job_deadline;
    let deadline = tokio::time::Instant::now() + allowed;
    let mut slot = services.platform_slot(&platform.name).await;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut guard = JournalGuard { services, job };
        let signing = engine_sign_up(services, platform, &invite.invite_url, &options, &mut guard);
        let Ok((result, engine)) = tokio::time::timeout_at(deadline, signing).await else {
            return past_deadline(services, platform, job, &invite.invite_url, allowed).await;
        };
        let failure = match result {
            Ok(account) => {
                let note = format!("account created for {} ({engine})", account.login);
                services
                    .journal
                    .transition(job, JobState::SignedUp, &note)
                    .await?;
                return Ok(Step::Next);
            }
            Err(mut failure) => {
                if let (Some(evidence), Ok(mut kept)) =
                    (failure.evidence.take(), services.evidence.lock())
                {
                    kept.insert(job, evidence);
                }
                failure.detail = format!("{} ({engine})", failure.detail);
                failure
            }
        };
        tracing::info!(reason = %failure.reason, attempt, engine, "signup failed");
        services.metrics.platform_error(failure.reason.as_str());
        if failure.outcome_unknown() {
            // The account may exist (or appear later): never submit again in this job.
            return after_submission(services, platform, job, &invite.invite_url, &failure).await;
        }
        if failure.submitted {
            // The platform refused the password and showed its form again: that
            // password created nothing.
            let (reason, detail) = (failure.reason, &failure.detail);
            return escalate(services, job, reason, detail, SealedPassword::Erase).await;
        }
        let wait = failure
            .retry_after
            .unwrap_or_else(|| SIGNUP_BACKOFF.delay(attempt));
        let retry = failure.reason.retryable()
            && attempt < SIGNUP_ATTEMPTS
            && wait <= MAX_RETRY_WAIT
            && tokio::time::Instant::now() + wait < deadline
            && !services.shutdown.is_cancelled();
        if !retry {
            // Nothing was submitted in this job, so no password of it can have made an
            // account; one that kept failing is kept anyway, as before.
            let password = if failure.reason.retryable() {
                SealedPassword::Keep
            } else {
                SealedPassword::Erase
            };
            return escalate(services, job, failure.reason, &failure.detail, password).await;
        }
        // Waiting must not hold the platform's slot from the other jobs.
        drop(slot.take());
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = services.shutdown.cancelled() => return Ok(Step::Pause),
        }
        slot = services.platform_slot(&platform.name).await;
    }
}

/// Signs up with the platform's engine ([`signup::browser::sign_up_with_engine`]).
async fn engine_sign_up(
    services: &Services,
    platform: &Platform,
    invite_url: &str,
    options: &signup::SignupOptions,
    guard: &mut JournalGuard<'_>,
) -> (Result<signup::Account, signup::SignupFailure>, &'static str) {
    let engine = &services.browser;
    signup::browser::sign_up_with_engine(engine, platform, invite_url, options, guard).await
}

/// The job's deadline passed during a signup. A password sealed by then may have been
/// submitted, so that takes the uncertain path; otherwise nothing was sent.
async fn past_deadline(
    services: &Services,
    platform: &Platform,
    job: JobId,
    invite_url: &str,
    allowed: Duration,
) -> Result<Step, DaemonError> {
    let detail = format!(
        "the platform did not complete the signup within the job's deadline ([daemon] \
         job_deadline = {allowed:?})"
    );
    let state = services.db(move |j| j.job(job)).await?.map(|r| r.state);
    if state == Some(JobState::SigningUp) {
        let failure = signup::SignupFailure::new(Reason::Network, detail).submitted(true);
        return after_submission(services, platform, job, invite_url, &failure).await;
    }
    escalate(
        services,
        job,
        Reason::Network,
        &detail,
        SealedPassword::Keep,
    )
    .await
}

/// A submission whose outcome is unknown (a server error, a timeout, a page nobody
/// recognises, a redirect refused after the POST): the invite tells whether the account
/// exists; if it does not tell, a human gets the job and the password stays sealed.
async fn after_submission(
    services: &Services,
    platform: &Platform,
    job: JobId,
    invite_url: &str,
    failure: &signup::SignupFailure,
) -> Result<Step, DaemonError> {
    match probe_invite(services, platform, invite_url).await {
        Probe::AccountExists => account_exists(services, job).await,
        Probe::StillOpen => uncertain(services, job, &failure.detail, STILL_OPEN).await,
        Probe::TryLater => Ok(Step::Pause),
        Probe::Unknown(detail) => {
            let what = format!(
                "{}; checking the invite afterwards: {detail}",
                failure.detail
            );
            uncertain(services, job, &what, "").await
        }
    }
}

/// Said of an invite that still opens its form after a submission of unknown outcome.
const STILL_OPEN: &str = " The invite still opened the signup form when checked, but a \
     platform may finish creating the account later.";

async fn uncertain(
    services: &Services,
    job: JobId,
    what: &str,
    invite: &str,
) -> Result<Step, DaemonError> {
    let detail = format!(
        "The signup form was submitted but its outcome is unknown ({what}).{invite} The \
         password is kept: once the account exists, `onbehalf retry` sends its \
         credentials. onbehalf never submits a signup twice."
    );
    needs_human(services, job, Reason::UncertainAccountState, &detail).await
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
        Err(f) if matches!(f.reason, Reason::LinkExpired | Reason::AlreadyRegistered) => {
            Probe::AccountExists
        }
        Err(f) if f.reason.retryable() && !services.shutdown.is_cancelled() => Probe::TryLater,
        Err(f) => Probe::Unknown(f.detail),
    }
}

async fn account_exists(services: &Services, job: JobId) -> Result<Step, DaemonError> {
    let note = "the invite now says it was used: the interrupted signup created the account";
    services
        .journal
        .transition(job, JobState::SignedUp, note)
        .await?;
    Ok(Step::Next)
}

/// After a crash while submitting: the invite tells what happened. A still-open invite
/// goes to a human rather than being submitted a second time.
pub(super) async fn resume_signing_up(
    services: &Services,
    record: &JobRecord,
) -> Result<Step, DaemonError> {
    let job = record.id;
    let invite = invite_of(record)?;
    let Some(platform) = services.config.platform(&invite.platform) else {
        return uncertain(services, job, "the platform is no longer configured", "").await;
    };
    match probe_invite(services, platform, &invite.invite_url).await {
        Probe::AccountExists => account_exists(services, job).await,
        Probe::StillOpen => {
            let what = "onbehalf stopped while submitting the signup";
            uncertain(services, job, what, STILL_OPEN).await
        }
        Probe::TryLater => {
            tracing::warn!("cannot check the interrupted signup yet");
            Ok(Step::Pause)
        }
        Probe::Unknown(detail) => uncertain(services, job, &detail, "").await,
    }
}
