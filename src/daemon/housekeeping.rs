//! Housekeeping: what the journal stops keeping as it ages.
//!
//! In: the shared services (`[journal]` retention settings). Out: expired kept passwords
//! erased and the originals of jobs filed longer than `journal.keep_originals_days`
//! deleted, once when the daemon starts and then every [`INTERVAL`] while it runs; each
//! job touched gets a line in the log and in its history.

use std::sync::Arc;
use std::time::Duration;

use super::{DaemonError, Services};

/// How often a running daemon looks: retention counts in days, so an hour late is fine.
pub const INTERVAL: Duration = Duration::from_secs(3600);

/// One round: erase the kept passwords whose time ran out, delete old originals.
pub async fn tidy(services: &Services) -> Result<(), DaemonError> {
    let journal = &services.journal;
    let keep = services.config.journal.keep_originals();
    if !services.db(move |j| j.housekeeping_due(keep)).await? {
        return Ok(());
    }
    for job in journal.expire_kept_passwords().await? {
        tracing::warn!(
            %job,
            days = services.config.journal.kept_password_days,
            "kept password expired and was erased; `onbehalf retry` can no longer mail it"
        );
    }
    let forgotten = journal.forget_old_originals(keep).await?;
    if !forgotten.is_empty() {
        tracing::info!(
            jobs = forgotten.len(),
            days = services.config.journal.keep_originals_days,
            "deleted the original messages of jobs filed longer ago than the retention"
        );
    }
    Ok(())
}

/// Runs [`tidy`] every [`INTERVAL`] until the task is aborted; a failed round is logged
/// and tried again at the next.
pub async fn every_interval(services: Arc<Services>) {
    loop {
        tokio::time::sleep(INTERVAL).await;
        if let Err(e) = tidy(&services).await {
            tracing::error!(error = %crate::report::chain(&e), "housekeeping failed; trying again later");
        }
    }
}
