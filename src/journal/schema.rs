//! The journal's file and tables: how the database is opened and kept up to date.
//!
//! In: a state directory (or nothing, for an in-memory journal). Out: a configured
//! [`rusqlite::Connection`] with the newest schema. The directory is created 0700 and the
//! file 0600 before SQLite touches it (SQLite gives its `-wal` and `-shm` files the same
//! mode); WAL with `synchronous=FULL` makes every commit durable before the side effect
//! that follows it; `secure_delete` overwrites an erased password instead of leaving it in
//! free space.

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::error::JournalError;
use super::types::JobState;

/// The database file's name inside the state directory.
pub const FILE_NAME: &str = "journal.sqlite3";

/// How long a write waits for another process (`onbehalf retry`, `status`) to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The current time as SQLite writes it: RFC 3339, UTC, milliseconds.
pub(super) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

/// Schema steps; step `i` takes the file from `user_version` i to i + 1. Append only.
const MIGRATIONS: &[&str] = &[
    // 1: jobs, where their messages were seen, their history, and health values.
    "CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        state TEXT NOT NULL,
        source TEXT NOT NULL,
        location TEXT NOT NULL,
        uidvalidity INTEGER,
        uid INTEGER,
        message_id TEXT,
        content_sha256 TEXT NOT NULL,
        platform TEXT,
        invite_url TEXT,
        invitee TEXT,
        requester TEXT,
        subject TEXT,
        login TEXT,
        sealed_password TEXT,
        account_created INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        detail TEXT,
        needs_human_folder INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX jobs_message_id ON jobs(message_id);
    CREATE INDEX jobs_content_sha256 ON jobs(content_sha256);
    CREATE INDEX jobs_invite_url ON jobs(invite_url);
    CREATE INDEX jobs_state ON jobs(state);
    CREATE TABLE locations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        key TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        uidvalidity INTEGER,
        uid INTEGER,
        location TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        filed_at TEXT
    );
    CREATE INDEX locations_job ON locations(job_id);
    CREATE TABLE history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        from_state TEXT,
        to_state TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT NOT NULL
    );
    CREATE INDEX history_job ON history(job_id);
    CREATE TABLE originals (
        job_id INTEGER PRIMARY KEY REFERENCES jobs(id),
        raw BLOB NOT NULL
    );
    CREATE TABLE health (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );",
    // 2: the mail server's answer when it refused a job's ticket for good.
    "ALTER TABLE jobs ADD COLUMN ticket_refused TEXT;",
    // 3: the password sealed with the journal's key (`sealed_password` only holds a
    // plain-text one from an older journal until the first keyed open re-seals it), when
    // a kept password expires or expired, and when retention deleted the original.
    "ALTER TABLE jobs ADD COLUMN sealed_cipher BLOB;
     ALTER TABLE jobs ADD COLUMN password_expires_at TEXT;
     ALTER TABLE jobs ADD COLUMN password_expired_at TEXT;
     ALTER TABLE jobs ADD COLUMN original_deleted_at TEXT;",
    // 4: a digest of the job's invite in its normal form, so a duplicate forward is
    // found by an index instead of by reading every job of the platform. NULL for jobs
    // recorded before this step until the daemon fills them in at start.
    "ALTER TABLE jobs ADD COLUMN invite_key TEXT;
     CREATE INDEX jobs_platform_invite_key ON jobs(platform, invite_key);",
    // 5: the invitee's display name, so a signup need not read the original again.
    "ALTER TABLE jobs ADD COLUMN invitee_name TEXT;",
];

/// Opens (creating if needed) `state_dir/journal.sqlite3` with the newest schema.
pub(super) fn open_file(state_dir: &Path) -> Result<Connection, JournalError> {
    prepare_dir(state_dir)?;
    let path = state_dir.join(FILE_NAME);
    prepare_file(&path)?;
    let open_error = open_failed(&path);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(&path, flags).map_err(open_error)?;
    configure(&conn).map_err(open_error)?;
    migrate(&mut conn, &path)?;
    Ok(conn)
}

/// Another connection on the journal's file, for reads only (the writer opened and
/// migrated it).
pub(super) fn open_reader(path: &Path) -> Result<Connection, rusqlite::Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(64);
    keep_plans(&conn)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// Keeps a cached statement's query plan when new values are bound. Without this, the
/// bundled SQLite (built with STAT4) marks a statement whose `WHERE` compares a column
/// to a parameter for a new plan at every bind, so the statement cache saved nothing:
/// each run parsed and planned the SQL again. The journal never runs `ANALYZE`, so there
/// are no statistics a value-specific plan could use.
fn keep_plans(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map(drop)
}

/// An in-memory journal with the newest schema.
pub(super) fn open_memory() -> Result<Connection, JournalError> {
    let path = PathBuf::from(":memory:");
    let mut conn = Connection::open_in_memory().map_err(open_failed(&path))?;
    configure(&conn).map_err(open_failed(&path))?;
    migrate(&mut conn, &path)?;
    Ok(conn)
}

fn prepare_dir(dir: &Path) -> Result<(), JournalError> {
    // An existing directory keeps its mode: systemd's StateDirectory= owns it.
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| JournalError::StateDir {
            path: dir.to_owned(),
            source,
        })
}

fn prepare_file(path: &Path) -> Result<(), JournalError> {
    let permissions_error = |source| JournalError::Permissions {
        path: path.to_owned(),
        source,
    };
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(permissions_error)?;
    let mode = file
        .metadata()
        .map_err(permissions_error)?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        file.set_permissions(Permissions::from_mode(0o600))
            .map_err(permissions_error)?;
    }
    Ok(())
}

fn configure(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Room for every statement a job runs, so none is parsed twice (the default is 16).
    conn.set_prepared_statement_cache_capacity(64);
    keep_plans(conn)?;
    // journal_mode answers with the mode now in force ("memory" for an in-memory file).
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
    // A statement that may need undoing alone keeps the pages it changes in a statement
    // journal: in memory, not in a temporary file under /var/tmp, which cost a write per
    // page and would put page images (sealed passwords among them) on disk outside the
    // journal's own directory.
    conn.execute_batch(
        "PRAGMA synchronous=FULL;
         PRAGMA secure_delete=ON;
         PRAGMA foreign_keys=ON;
         PRAGMA temp_store=MEMORY;",
    )
}

/// What a failed step of opening the journal at `path` (its file, its migrations, the
/// sealing of old passwords) is reported as.
pub(super) fn open_failed(path: &Path) -> impl Fn(rusqlite::Error) -> JournalError + Copy + '_ {
    move |source| JournalError::Open {
        path: path.to_owned(),
        source,
    }
}

/// An IMMEDIATE transaction for work done while opening the journal at `path`.
pub(super) fn opening_transaction<'c>(
    conn: &'c mut Connection,
    path: &Path,
) -> Result<Transaction<'c>, JournalError> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(open_failed(path))
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), JournalError> {
    let sqlite_error = open_failed(path);
    let tx = opening_transaction(conn, path)?;
    let found: i64 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(sqlite_error)?;
    let known = MIGRATIONS.len() as i64;
    if found > known {
        return Err(JournalError::TooNew {
            path: path.to_owned(),
            found,
            known,
        });
    }
    for step in MIGRATIONS.iter().skip(usize::try_from(found).unwrap_or(0)) {
        tx.execute_batch(step).map_err(sqlite_error)?;
    }
    tx.pragma_update(None, "user_version", known)
        .map_err(sqlite_error)?;
    tx.commit().map_err(sqlite_error)
}

impl ToSql for JobState {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for JobState {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value
            .as_str()?
            .parse()
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}
