//! The journal's read connections.
//!
//! In: a read to run. Out: its result, from a connection of its own on the calling
//! thread. With WAL, a read sees every committed write and never waits for the writer;
//! connections are opened when first needed and kept for the next read, so reads from
//! several threads at once do not queue. An in-memory journal has one database per
//! connection, so its reads share the writer's connection instead.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use super::schema;

/// How many idle read connections are kept; more readers at once open their own.
const KEPT: usize = 4;

/// Where reads run.
pub(super) enum Reads {
    /// Read connections on the database file.
    Files {
        /// The database file.
        path: PathBuf,
        /// Connections not in use.
        idle: Mutex<Vec<Connection>>,
    },
    /// The writer's own connection (an in-memory journal).
    Shared(Arc<Mutex<Connection>>),
}

impl Reads {
    /// Reads on the database file at `path`.
    pub fn files(path: PathBuf) -> Self {
        Self::Files {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on a connection.
    pub fn with<T, E: From<rusqlite::Error>>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        match self {
            Self::Files { path, idle } => {
                let kept = idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
                let conn = match kept {
                    Some(conn) => conn,
                    None => schema::open_reader(path)?,
                };
                let result = read(&conn);
                let mut idle = idle.lock().unwrap_or_else(PoisonError::into_inner);
                if idle.len() < KEPT {
                    idle.push(conn);
                }
                result
            }
            Self::Shared(conn) => read(&conn.lock().unwrap_or_else(PoisonError::into_inner)),
        }
    }
}
