//! What the daemon's housekeeping removes from the journal as it ages: passwords kept
//! for a human's `retry` once they expire, and the original messages of filed jobs once
//! they are older than the retention.
//!
//! In: the current time (SQLite's clock) and the retention. Out: the jobs touched, each
//! with a history note; the job's record (state, reason, hash, timestamps) stays.

use std::time::Duration;

use rusqlite::{Connection, params};

use super::error::Context;
use super::rows;
use super::schema::NOW;
use super::types::{JobId, JobRecord, JobState};
use super::writer::After;
use super::{Durability, Journal, JournalError, Pending};

/// The jobs whose kept password's time ran out: ended with a human (ticketed or filed).
fn expired_sql() -> String {
    format!(
        "SELECT id FROM jobs WHERE state IN ('ticketed', 'filed') \
         AND password_expires_at IS NOT NULL AND password_expires_at <= {NOW} \
         AND (sealed_cipher IS NOT NULL OR sealed_password IS NOT NULL)"
    )
}

/// The jobs filed before `?1` that still have their original (and no refused ticket,
/// which `retry` sends again with it).
const OLD_ORIGINALS: &str = "SELECT j.id FROM jobs j JOIN originals o ON o.job_id = j.id \
     WHERE j.state = 'filed' AND j.ticket_refused IS NULL \
     AND j.updated_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)";

impl Journal {
    /// Whether [`expire_kept_passwords`](Self::expire_kept_passwords) or
    /// [`forget_old_originals`](Self::forget_old_originals) has anything to do: a read,
    /// so a daemon with nothing to tidy writes (and fsyncs) nothing.
    pub fn housekeeping_due(&self, older_than: Duration) -> Result<bool, JournalError> {
        let age = format!("-{} seconds", older_than.as_secs());
        self.read(|conn| {
            Ok(!job_ids(conn, &expired_sql(), "")?.is_empty()
                || !job_ids(conn, OLD_ORIGINALS, &age)?.is_empty())
        })
        .doing(|| "look for expired passwords and old originals".to_owned())
    }

    /// Erases every kept password whose time ran out (`password_expires_at`) on a job
    /// that ended with a human (ticketed or filed), and notes when. Returns the jobs.
    pub fn expire_kept_passwords(&self) -> Pending<Vec<JobId>> {
        self.request(
            Durability::Synced,
            || "erase expired kept passwords".to_owned(),
            |tx| {
                let jobs = job_ids(tx, &expired_sql(), "")?;
                for &job in &jobs {
                    let state = rows::state_of(tx, job)?;
                    rows::erase_password(tx, job)?;
                    rows::execute(
                        tx,
                        &format!("UPDATE jobs SET password_expired_at = {NOW} WHERE id = ?1"),
                        [job.0],
                    )?;
                    let note = "the kept password expired (journal.kept_password_days) \
                                and was erased";
                    rows::append_history(tx, job, Some(state), state, note)?;
                }
                Ok(jobs)
            },
            |jobs| !jobs.is_empty(),
            After::Nothing,
            |jobs| jobs,
        )
    }

    /// Deletes the original message of every job filed longer than `older_than` ago,
    /// keeping its record. A job whose ticket the mail server refused keeps its original
    /// until the ticket is sent (`retry` attaches it). Returns the jobs.
    pub fn forget_old_originals(&self, older_than: Duration) -> Pending<Vec<JobId>> {
        let age = format!("-{} seconds", older_than.as_secs());
        self.write(
            Durability::Deferred,
            || "delete originals past their retention".to_owned(),
            move |tx| {
                let jobs = job_ids(tx, OLD_ORIGINALS, &age)?;
                for &job in &jobs {
                    rows::execute(tx, "DELETE FROM originals WHERE job_id = ?1", [job.0])?;
                    rows::execute(
                        tx,
                        &format!("UPDATE jobs SET original_deleted_at = {NOW} WHERE id = ?1"),
                        [job.0],
                    )?;
                    let note = "original message deleted (journal.keep_originals_days)";
                    rows::append_history(tx, job, Some(JobState::Filed), JobState::Filed, note)?;
                }
                Ok(jobs)
            },
        )
    }

    /// Jobs that ended with a human and keep a password for `retry`, soonest to expire
    /// first (for `status`).
    pub fn kept_passwords(&self) -> Result<Vec<JobRecord>, JournalError> {
        self.select_jobs(
            "WHERE state IN ('needs_human', 'ticketed', 'filed') \
             AND (sealed_cipher IS NOT NULL OR sealed_password IS NOT NULL) \
             ORDER BY password_expires_at, id",
            [],
            "list kept passwords",
        )
    }

    /// Jobs whose kept password expired, most recent first (for `status`).
    pub fn expired_passwords(&self, limit: usize) -> Result<Vec<JobRecord>, JournalError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.select_jobs(
            "WHERE password_expired_at IS NOT NULL ORDER BY password_expired_at DESC LIMIT ?1",
            [limit],
            "list expired passwords",
        )
    }
}

impl Journal {
    /// How many jobs' originals retention deleted (for `status`).
    pub fn originals_deleted(&self) -> Result<i64, JournalError> {
        self.read(|conn| {
            conn.prepare_cached("SELECT COUNT(*) FROM jobs WHERE original_deleted_at IS NOT NULL")?
                .query_row([], |row| row.get(0))
        })
        .doing(|| "count deleted originals".to_owned())
    }
}

/// The ids a `SELECT id …` gives, with `param` as `?1` when the query has one.
fn job_ids(conn: &Connection, sql: &str, param: &str) -> rusqlite::Result<Vec<JobId>> {
    let mut select = conn.prepare_cached(sql)?;
    let ids = if select.parameter_count() == 0 {
        select
            .query_map([], |row| row.get(0))?
            .collect::<Result<Vec<i64>, _>>()?
    } else {
        select
            .query_map(params![param], |row| row.get(0))?
            .collect::<Result<Vec<i64>, _>>()?
    };
    Ok(ids.into_iter().map(JobId).collect())
}
