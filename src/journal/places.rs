//! Where each job's message lives, and the mailbox's health values.
//!
//! In: the mailbox's report that a copy was filed, or that a folder's UIDVALIDITY changed;
//! small key/value health facts (last successful check, UIDVALIDITY per folder). Out: the
//! copies still to be filed, and the health values for the watchdog and `status`.
//!
//! A job's message may be seen in several places: a re-delivered copy, or the same
//! message under a new UID after UIDVALIDITY changed. [`Journal::receive`] records each
//! place; the daemon files every [unfiled](Journal::unfiled_locations) one when the job
//! ends (or at once, for a copy of a job already filed) and marks it
//! [filed](Journal::mark_filed).

use std::time::Duration;

use rusqlite::{OptionalExtension, params};

use super::error::{Context, JournalError};
use super::rows;
use super::schema::NOW;
use super::types::{JobId, Location};
use super::{Durability, Journal, Pending};

/// The health key set after every successful mailbox check; its
/// [age](Journal::health_age) against `daemon.stale_after` is the health signal.
pub const LAST_MAILBOX_CHECK: &str = "last_mailbox_check";

/// The health key holding the UIDVALIDITY last seen for a mailbox source.
pub fn uidvalidity_key(source: &str) -> String {
    format!("uidvalidity:{source}")
}

impl Journal {
    /// Every place the job's message was seen, oldest first.
    pub fn locations(&self, job: JobId) -> Result<Vec<Location>, JournalError> {
        self.read(|conn| rows::locations(conn, job, false))
            .doing(|| format!("list {job}'s messages"))
    }

    /// The places of the job's message not yet filed, oldest first.
    pub fn unfiled_locations(&self, job: JobId) -> Result<Vec<Location>, JournalError> {
        self.read(|conn| rows::locations(conn, job, true))
            .doing(|| format!("list {job}'s messages still to file"))
    }

    /// Records that the copy at `location` (a [`Location::id`]) was moved to its final
    /// folder, or found gone. Marking it again changes nothing.
    pub fn mark_filed(&self, location: i64) -> Pending<()> {
        self.write(
            Durability::Deferred,
            move || format!("mark message location {location} filed"),
            move |conn| {
                rows::execute(
                    conn,
                    &format!(
                        "UPDATE locations SET filed_at = {NOW} WHERE id = ?1 AND filed_at IS NULL"
                    ),
                    [location],
                )?;
                Ok(())
            },
        )
    }

    /// Marks every unfiled place in `source` seen under another UIDVALIDITY than
    /// `uidvalidity` as gone: those UIDs name nothing any more, and the rescan records the
    /// messages again under their new UIDs. Returns how many were marked.
    pub fn forget_stale_locations(&self, source: &str, uidvalidity: u32) -> Pending<usize> {
        let source = source.to_owned();
        let action = format!("forget {source}'s places from an old UIDVALIDITY");
        self.write(
            Durability::Deferred,
            move || action.clone(),
            move |conn| {
                Ok(rows::execute(
                    conn,
                    &format!(
                        "UPDATE locations SET filed_at = {NOW} WHERE source = ?1 \
                         AND filed_at IS NULL AND uidvalidity IS NOT NULL AND uidvalidity <> ?2"
                    ),
                    params![source, uidvalidity],
                )?)
            },
        )
    }

    /// Sets a health value (e.g. the time of the last successful mailbox check).
    pub fn set_health(&self, key: &str, value: &str) -> Pending<()> {
        let (key, value) = (key.to_owned(), value.to_owned());
        let action = format!("record health value {key}");
        self.write(
            Durability::Deferred,
            move || action.clone(),
            move |conn| {
                rows::execute(
                    conn,
                    &format!(
                        "INSERT INTO health (key, value, updated_at) VALUES (?1, ?2, {NOW}) \
                         ON CONFLICT(key) DO UPDATE SET value = excluded.value, \
                         updated_at = excluded.updated_at"
                    ),
                    params![key, value],
                )?;
                Ok(())
            },
        )
    }

    /// A health value, if it was ever set.
    pub fn health(&self, key: &str) -> Result<Option<String>, JournalError> {
        self.read(|conn| {
            conn.prepare_cached("SELECT value FROM health WHERE key = ?1")?
                .query_row([key], |row| row.get(0))
                .optional()
        })
        .doing(|| format!("read health value {key}"))
    }

    /// How long ago a health value was last set (never negative, even if the clock
    /// stepped back); `None` if it never was.
    pub fn health_age(&self, key: &str) -> Result<Option<Duration>, JournalError> {
        let seconds: Option<f64> = self
            .read(|conn| {
                conn.query_row(
                    "SELECT (julianday('now') - julianday(updated_at)) * 86400.0 \
                     FROM health WHERE key = ?1",
                    [key],
                    |row| row.get(0),
                )
                .optional()
            })
            .doing(|| format!("read the age of health value {key}"))?;
        Ok(seconds.map(|s| Duration::from_secs_f64(s.max(0.0))))
    }

    /// Every health value as `(key, value, updated_at)`, sorted by key.
    pub fn health_all(&self) -> Result<Vec<(String, String, String)>, JournalError> {
        self.read(|conn| {
            conn.prepare("SELECT key, value, updated_at FROM health ORDER BY key")?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect()
        })
        .doing(|| "read health values".to_owned())
    }
}
