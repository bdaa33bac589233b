//! The credentials step: mail the new account's login and password.
//!
//! In: a job at `signed_up`, its sealed password and login. Out: the job at `notified`
//! (and a note to a colleague who forwarded it), paused when a later try may work, or
//! handed to a human when the mail cannot reach the user; the password stays sealed
//! until the mail server accepted the mail.

use crate::journal::{JobId, JobRecord};
use crate::notify::{CredentialsMail, NotifyError, RequesterNote};
use crate::reason::Reason;

use super::{DaemonError, Services, Step, invite_of, needs_human};
use crate::report::chain;

pub(super) async fn notify_step(
    services: &Services,
    record: &JobRecord,
) -> Result<Step, DaemonError> {
    let job = record.id;
    let Some(password) = services.db(move |j| j.sealed_password(job)).await? else {
        let detail = "The account was created but its password is no longer stored.";
        return needs_human(services, job, Reason::NoLoginAddress, detail).await;
    };
    let Some(login) = record.login.clone().or_else(|| record.invitee.clone()) else {
        let detail = "The platform did not show the account's email address and the forward \
                      does not say who the invite was for, so the credentials cannot be sent.";
        return needs_human(services, job, Reason::NoLoginAddress, detail).await;
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
            tracing::warn!(error = %chain(&e), "could not tell the requester where the credentials went");
        }
    }
    Ok(Step::Next)
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
) -> Result<Step, DaemonError> {
    if error.is_temporary() {
        let error = chain(&error);
        tracing::warn!(error, "credentials mail not sent yet");
        return Ok(Step::Pause);
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
        chain(&error)
    );
    needs_human(services, job, Reason::CredentialsRefused, &detail).await
}
