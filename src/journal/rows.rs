//! The SQL behind the journal's methods: reading rows into records and the one place a
//! state changes.
//!
//! In: an open connection or transaction. Out: records, or a [`Failure`] that
//! [`Journal`](super::Journal) turns into a [`JournalError`] naming what it was doing.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::error::JournalError;
use super::schema::NOW;
use super::types::{JobId, JobRecord, JobState, Location, MessageRef, Transition};
use crate::secret::Secret;

/// An error inside a journal operation, before it is told what the operation was.
pub(super) enum Failure {
    /// SQLite failed.
    Db(rusqlite::Error),
    /// The journal refused (no such job, a step not in the diagram, …).
    Journal(JournalError),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(e)
    }
}

impl From<JournalError> for Failure {
    fn from(e: JournalError) -> Self {
        Self::Journal(e)
    }
}

/// The columns [`job_from_row`] reads, in its order.
pub(super) const JOB_COLUMNS: &str = "id, state, source, location, uidvalidity, uid, \
    message_id, platform, invite_url, invitee, requester, subject, login, \
    (sealed_password IS NOT NULL OR sealed_cipher IS NOT NULL), account_created, reason, \
    detail, created_at, updated_at, needs_human_folder, ticket_refused, password_expires_at, \
    password_expired_at, original_deleted_at, invitee_name";

/// Reads one row selected with [`JOB_COLUMNS`].
pub(super) fn job_from_row(row: &Row<'_>) -> rusqlite::Result<JobRecord> {
    Ok(JobRecord {
        id: JobId(row.get(0)?),
        state: row.get(1)?,
        source: row.get(2)?,
        location: row.get(3)?,
        uidvalidity: row.get(4)?,
        uid: row.get(5)?,
        message_id: row.get(6)?,
        platform: row.get(7)?,
        invite_url: row.get::<_, Option<String>>(8)?.map(Secret::new),
        invitee: row.get(9)?,
        requester: row.get(10)?,
        subject: row.get(11)?,
        login: row.get(12)?,
        has_password: row.get(13)?,
        account_created: row.get(14)?,
        reason: row.get(15)?,
        detail: row.get(16)?,
        created_at: row.get(17)?,
        updated_at: row.get(18)?,
        needs_human_folder: row.get(19)?,
        ticket_refused: row.get(20)?,
        password_expires_at: row.get(21)?,
        password_expired_at: row.get(22)?,
        original_deleted_at: row.get(23)?,
        invitee_name: row.get(24)?,
    })
}

/// The job's record, or `None`.
pub(super) fn find_job(conn: &Connection, job: JobId) -> rusqlite::Result<Option<JobRecord>> {
    conn.prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"))?
        .query_row([job.0], job_from_row)
        .optional()
}

/// The job's record, or [`JournalError::NoSuchJob`].
pub(super) fn load_job(conn: &Connection, job: JobId) -> Result<JobRecord, Failure> {
    find_job(conn, job)?.ok_or(Failure::Journal(JournalError::NoSuchJob(job)))
}

/// The job's state, or [`JournalError::NoSuchJob`].
pub(super) fn state_of(conn: &Connection, job: JobId) -> Result<JobState, Failure> {
    conn.prepare_cached("SELECT state FROM jobs WHERE id = ?1")?
        .query_row([job.0], |row| row.get(0))
        .optional()?
        .ok_or(Failure::Journal(JournalError::NoSuchJob(job)))
}

/// Moves `job` to `to` if the diagram allows it, and appends the step to its history.
/// Returns the state it left.
pub(super) fn step(
    conn: &Connection,
    job: JobId,
    to: JobState,
    note: &str,
) -> Result<JobState, Failure> {
    let from = state_of(conn, job)?;
    if !from.can_go_to(to) {
        return Err(JournalError::Refused { job, from, to }.into());
    }
    set_state(conn, job, from, to, note)?;
    Ok(from)
}

/// Moves `job` from `from` to `to` without consulting the diagram (for `retry`).
pub(super) fn set_state(
    conn: &Connection,
    job: JobId,
    from: JobState,
    to: JobState,
    note: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "UPDATE jobs SET state = ?2, updated_at = {NOW} WHERE id = ?1"
    ))?
    .execute(params![job.0, to])?;
    append_history(conn, job, Some(from), to, note)
}

/// Appends an entry to the job's history (`from == to` for an event that is not a move).
pub(super) fn append_history(
    conn: &Connection,
    job: JobId,
    from: Option<JobState>,
    to: JobState,
    note: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO history (job_id, from_state, to_state, at, note) \
         VALUES (?1, ?2, ?3, {NOW}, ?4)"
    ))?
    .execute(params![job.0, from, to, note])?;
    Ok(())
}

/// Overwrites the sealed password (and a plain-text one from before encryption) with
/// NULL; `secure_delete` zeroes the old bytes in the page. Returns whether there was one.
/// The caller checkpoints after committing.
pub(super) fn erase_password(conn: &Connection, job: JobId) -> rusqlite::Result<bool> {
    let erased = conn
        .prepare_cached(
            "UPDATE jobs SET sealed_password = NULL, sealed_cipher = NULL, \
             password_expires_at = NULL \
             WHERE id = ?1 AND (sealed_password IS NOT NULL OR sealed_cipher IS NOT NULL)",
        )?
        .execute([job.0])?;
    Ok(erased > 0)
}

/// The job's history, oldest first.
pub(super) fn history(conn: &Connection, job: JobId) -> rusqlite::Result<Vec<Transition>> {
    conn.prepare_cached(
        "SELECT from_state, to_state, at, note FROM history WHERE job_id = ?1 ORDER BY id",
    )?
    .query_map([job.0], |row| {
        Ok(Transition {
            from: row.get(0)?,
            to: row.get(1)?,
            at: row.get(2)?,
            note: row.get(3)?,
        })
    })?
    .collect()
}

/// The key that names one place in one mailbox: the UID within its UIDVALIDITY when
/// there is one, else the location (a Maildir file name).
pub(super) fn location_key(msg: &MessageRef) -> String {
    let validity = msg.uidvalidity.map(|v| v.to_string()).unwrap_or_default();
    match msg.uid {
        Some(uid) => format!("{}\n{validity}\nuid:{uid}", msg.source),
        None => format!("{}\n{validity}\nname:{}", msg.source, msg.location),
    }
}

/// Creates a job in `received` for a message never seen before.
pub(super) fn insert_job(
    conn: &Connection,
    msg: &MessageRef,
    message_id: Option<&str>,
    content_sha256: &str,
) -> rusqlite::Result<JobId> {
    conn.prepare_cached(&format!(
        "INSERT INTO jobs (state, source, location, uidvalidity, uid, message_id, \
         content_sha256, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, {NOW}, {NOW})"
    ))?
    .execute(params![
        JobState::Received,
        msg.source,
        msg.location,
        msg.uidvalidity,
        msg.uid,
        message_id,
        content_sha256,
    ])?;
    Ok(JobId(conn.last_insert_rowid()))
}

/// Records a place where the job's message was seen.
pub(super) fn insert_location(
    conn: &Connection,
    job: JobId,
    msg: &MessageRef,
) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO locations (job_id, key, source, uidvalidity, uid, location, seen_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW})"
    ))?
    .execute(params![
        job.0,
        location_key(msg),
        msg.source,
        msg.uidvalidity,
        msg.uid,
        msg.location,
    ])?;
    Ok(())
}

/// The job's locations, oldest first; only those not yet filed when `unfiled_only`.
pub(super) fn locations(
    conn: &Connection,
    job: JobId,
    unfiled_only: bool,
) -> rusqlite::Result<Vec<Location>> {
    conn.prepare_cached(
        "SELECT id, source, uidvalidity, uid, location, seen_at, filed_at FROM locations \
         WHERE job_id = ?1 AND (?2 = 0 OR filed_at IS NULL) ORDER BY id",
    )?
    .query_map(params![job.0, unfiled_only], |row| {
        Ok(Location {
            id: row.get(0)?,
            source: row.get(1)?,
            uidvalidity: row.get(2)?,
            uid: row.get(3)?,
            location: row.get(4)?,
            seen_at: row.get(5)?,
            filed_at: row.get(6)?,
        })
    })?
    .collect()
}

/// Runs one statement through the statement cache: the daemon runs the same few
/// statements thousands of times, and parsing them again was a measurable share of a
/// backlog's CPU.
pub(super) fn execute(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}
