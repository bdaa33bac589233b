//! `onbehalf status`: what the journal says, for a person or a script.
//!
//! In: the journal and the config. Out: jobs by state, the last successful mailbox
//! check and how long ago it was, and jobs that look stuck (unfinished for longer than
//! the staleness bound), jobs whose ticket the mail server refused, passwords kept for
//! `retry` (until when) and those that expired, and how many originals retention
//! deleted, as text or JSON.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::config::Config;
use crate::journal::{JobRecord, Journal, JournalError, LAST_MAILBOX_CHECK};

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

/// Builds the report.
pub fn report(journal: &Journal, config: &Config, as_json: bool) -> Result<String, JournalError> {
    let counts = journal.counts_by_state()?;
    let age = journal.health_age(LAST_MAILBOX_CHECK)?.map(|a| a.as_secs());
    let last_check = age.map(|a| now_secs().saturating_sub(a));
    let stale = config.daemon.stale_after.as_secs();
    let unfinished = journal.unfinished()?;
    let refused = journal.tickets_refused()?;
    let kept = journal.kept_passwords()?;
    let expired = journal.expired_passwords(20)?;
    let originals_deleted = journal.originals_deleted()?;
    let healthy = age.is_some_and(|a| a <= stale);
    if as_json {
        let by_state: serde_json::Map<String, serde_json::Value> = counts
            .iter()
            .map(|(state, n)| (state.as_str().to_owned(), json!(n)))
            .collect();
        return Ok(json!({
            "jobs_by_state": by_state,
            "last_check_unix": last_check,
            "seconds_since_last_check": age,
            "mailbox_healthy": healthy,
            "unfinished_jobs": unfinished.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(),
            "tickets_refused": refused.iter().map(|r| json!({
                "job": r.id.to_string(),
                "reason": r.reason,
                "server_said": r.ticket_refused,
            })).collect::<Vec<_>>(),
            "passwords_kept": kept.iter().map(|r| json!({
                "job": r.id.to_string(),
                "until": r.password_expires_at,
            })).collect::<Vec<_>>(),
            "passwords_expired": expired.iter().map(|r| json!({
                "job": r.id.to_string(),
                "at": r.password_expired_at,
            })).collect::<Vec<_>>(),
            "originals_deleted": originals_deleted,
        })
        .to_string());
    }
    let mut out = String::new();
    let _ = match age {
        Some(a) if healthy => writeln!(out, "✓ mailbox checked {a} s ago"),
        Some(a) => writeln!(
            out,
            "✗ mailbox last checked {a} s ago (more than {stale} s): is the daemon running? see `journalctl -u onbehalf`"
        ),
        None => writeln!(out, "✗ the mailbox was never checked successfully"),
    };
    let _ = writeln!(out, "jobs by state:");
    if counts.is_empty() {
        let _ = writeln!(out, "  (none yet)");
    }
    for (state, n) in &counts {
        let _ = writeln!(out, "  {:<12} {n}", state.as_str());
    }
    if !unfinished.is_empty() {
        let _ = writeln!(out, "unfinished:");
        for r in unfinished.iter().take(20) {
            let reason = r.reason.as_deref().unwrap_or("");
            let _ = writeln!(
                out,
                "  {}  {:<12} since {}  {reason}",
                r.id,
                r.state.as_str(),
                r.updated_at
            );
        }
    }
    if !refused.is_empty() {
        let _ = writeln!(
            out,
            "tickets refused by the mail server (messages in the needs-human folder; send \
             again with `onbehalf retry JOB` once fixed):"
        );
        for r in refused.iter().take(20) {
            let said = r.ticket_refused.as_deref().unwrap_or("");
            let reason = r.reason.as_deref().unwrap_or("");
            let _ = writeln!(out, "  {}  {reason}: {said}", r.id);
        }
    }
    retention(&mut out, config, &kept, &expired, originals_deleted);
    Ok(out.trim_end().to_owned())
}

/// What the journal keeps for `retry`, and what it no longer does.
fn retention(
    out: &mut String,
    config: &Config,
    kept: &[JobRecord],
    expired: &[JobRecord],
    originals_deleted: i64,
) {
    if !kept.is_empty() {
        let _ = writeln!(
            out,
            "passwords kept for `onbehalf retry` (erased after journal.kept_password_days = {}):",
            config.journal.kept_password_days
        );
        for r in kept.iter().take(20) {
            let until = r
                .password_expires_at
                .as_deref()
                .unwrap_or("its ticket is sent");
            let _ = writeln!(out, "  {}  until {until}", r.id);
        }
    }
    if !expired.is_empty() {
        let _ = writeln!(
            out,
            "kept passwords that expired (`retry` refuses these; reset the password on the \
             platform if the account exists):"
        );
        for r in expired {
            let at = r.password_expired_at.as_deref().unwrap_or_default();
            let _ = writeln!(out, "  {}  expired at {at}", r.id);
        }
    }
    if originals_deleted > 0 {
        let _ = writeln!(
            out,
            "originals deleted after journal.keep_originals_days = {}: {originals_deleted} \
             filed jobs (their records stay; `retry` cannot start those over: forward the \
             message again)",
            config.journal.keep_originals_days
        );
    }
}
