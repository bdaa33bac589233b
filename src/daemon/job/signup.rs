//! The steps that talk to the platform: sign up, and find out after an interruption.
//!
//! In: a job at `vetted` (or at `signing_up` after a crash). Out: the job at `signed_up`,
//! handed to a human with the platform's reason, or paused for a later try. Every
//! password is sealed in the journal before the form that uses it is submitted, and a
//! form whose submission may have worked is never submitted again.

use std::time::Duration;

use crate::config::Platform;
use crate::journal::{JobId, JobRecord, JobState};
use crate::reason::Reason;
use crate::secret::Secret;
use crate::signup::{self, SubmitGuard};

use super::{DaemonError, SealedPassword, Services, Step, escalate, invite_of, needs_human};

/// Retryable signup failures are retried this many times within a job.
const SIGNUP_ATTEMPTS: u32 = 3;
/// A Retry-After longer than this is not waited for: the job goes to a human.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(300);

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
        ..services.signup.clone()
    };
    let _slot = services.platform_slot(&platform.name).await;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut guard = JournalGuard { services, job };
        let result = signup::sign_up(platform, &invite.invite_url, &options, &mut guard).await;
        let failure = match result {
            Ok(account) => {
                let note = format!("account created for {}", account.login);
                tracing::info!("account created");
                services
                    .journal
                    .transition(job, JobState::SignedUp, &note)
                    .await?;
                return Ok(Step::Next);
            }
            Err(failure) => failure,
        };
        tracing::info!(reason = %failure.reason, attempt, "signup failed");
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
                Probe::TryLater => return Ok(Step::Pause),
                Probe::Unknown(detail) => return uncertain(services, job, &detail).await,
            }
        } else if !retry {
            // A platform that answered with a refusal created no account; one that kept
            // failing may have, so its password stays.
            let password = if failure.reason.retryable() {
                SealedPassword::Keep
            } else {
                SealedPassword::Erase
            };
            return escalate(services, job, failure.reason, &failure.detail, password).await;
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = services.shutdown.cancelled() => return Ok(Step::Pause),
        }
    }
}

async fn uncertain(services: &Services, job: JobId, what: &str) -> Result<Step, DaemonError> {
    let detail = format!(
        "The signup form was submitted but its outcome is unknown ({what}). The invite still \
         opens the signup form, so the account was probably not created; onbehalf never \
         submits a signup twice."
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
            tracing::warn!("cannot check the interrupted signup yet");
            Ok(Step::Pause)
        }
        Probe::Unknown(detail) => uncertain(services, job, &detail).await,
    }
}
