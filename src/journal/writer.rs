//! The journal's one writer: a thread that owns the write connection and commits every
//! request waiting for it as one transaction (group commit).
//!
//! In: write requests from any thread or task, each a body to run against the
//! connection, how hard its commit must press to disk, and a one-shot channel for its
//! answer. Out: each request's answer, sent only after the transaction holding it is
//! committed — and, when any request of the group needs [`Durability::Synced`], after
//! the WAL is fsynced: the durability rule of the [module docs](super) holds for every
//! request, while concurrent jobs share one sync instead of paying one each.
//!
//! While other jobs are writing too, the writer sleeps 2 ms and takes their requests
//! that arrived meanwhile before it commits (as a database's commit delay does): in a
//! 600-job backlog a commit then holds five requests instead of two, and the writer's CPU
//! per job drops by a third. A lone job's requests are committed at once.
//!
//! A body that fails (a refused step, a constraint) must fail alone while its neighbours
//! commit. Bodies fail rarely, so a group is run without a savepoint per request (which
//! copied every page a request touched into the statement journal): when one fails, or
//! the transaction itself cannot begin or commit (another process holds the file past
//! the busy timeout, a full disk), the whole group is rolled back and every request is
//! run again in a transaction of its own, so each gets an answer that is its own.
//!
//! Checkpoints that wipe an erased password from the WAL run here too, on the same
//! connection, after the commit and before the answers (see [`super::password`]).

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::rows::Failure;
use super::{Durability, JournalError, Shared, WIPE_INTERVAL, hold, resolve};

/// The most requests one transaction commits; more wait for the next one, so one group
/// never holds the first waiter's answer for long.
const MAX_GROUP: usize = 64;

/// How long a busy writer waits for more requests before it commits.
const GATHER_WINDOW: Duration = Duration::from_millis(2);

/// What the writer must do once a request's transaction committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum After {
    /// Nothing.
    Nothing,
    /// A password was erased: its old page must leave the WAL.
    Erased,
    /// Checkpoint now if an erase is waiting for one ([`super::Journal::wipe_if_pending`]).
    WipeIfPending,
}

/// One request to the writer, whatever its answer's type.
pub(super) trait Op: Send {
    /// How durable its commit must be.
    fn durability(&self) -> Durability;
    /// Runs the body on the connection (inside a transaction) and keeps the outcome.
    /// Returns whether it succeeded.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Turns a kept success into this failure (its transaction did not commit).
    fn fail(&mut self, error: rusqlite::Error);
    /// What is owed after the commit, given the kept outcome.
    fn after(&self) -> After;
    /// Sends the kept outcome to the waiter.
    fn answer(self: Box<Self>);
}

/// A write request whose body gives a `T` and whose waiter gets an `R`.
pub(super) struct Write<T, R, A, B> {
    /// How durable the commit must be.
    pub durability: Durability,
    /// What is being done, for an error message ("record job-7's invite").
    pub action: A,
    /// The statements; may run twice (see the module docs), so it only touches the
    /// connection.
    pub body: B,
    /// Whether a successful outcome erased a password.
    pub erased: fn(&T) -> bool,
    /// What to do after the commit when it succeeded, besides an erase.
    pub then: After,
    /// What the waiter gets of a successful outcome.
    pub answer_with: fn(T) -> R,
    /// The kept outcome of the last run.
    pub outcome: Option<Result<T, Failure>>,
    /// Where the answer goes.
    pub reply: tokio::sync::oneshot::Sender<Result<R, JournalError>>,
}

impl<T, R, A, B> Op for Write<T, R, A, B>
where
    T: Send,
    R: Send,
    A: Fn() -> String + Send,
    B: FnMut(&Connection) -> Result<T, Failure> + Send,
{
    fn durability(&self) -> Durability {
        self.durability
    }

    fn run(&mut self, conn: &Connection) -> bool {
        let outcome = (self.body)(conn);
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn fail(&mut self, error: rusqlite::Error) {
        self.outcome = Some(Err(Failure::Db(error)));
    }

    fn after(&self) -> After {
        match &self.outcome {
            Some(Ok(value)) if (self.erased)(value) => After::Erased,
            Some(Ok(_)) => self.then,
            _ => After::Nothing,
        }
    }

    fn answer(self: Box<Self>) {
        let Write {
            action,
            outcome,
            reply,
            answer_with,
            ..
        } = *self;
        let answer = match outcome {
            Some(Ok(value)) => Ok(answer_with(value)),
            Some(Err(failure)) => Err(resolve(failure, action)),
            None => Err(JournalError::WriterStopped),
        };
        // A waiter that went away (its task was cancelled) needs no answer.
        let _ = reply.send(answer);
    }
}

/// The writer thread's state.
pub(super) struct Writer {
    /// The write connection (shared with reads only for an in-memory journal).
    pub conn: Arc<Mutex<Connection>>,
    /// What the journal's handles see: whether a wipe is pending, and who to tell.
    pub shared: Arc<Shared>,
    /// The database file, for logs.
    pub path: Option<PathBuf>,
    /// Whether the connection is at `synchronous=FULL` now.
    pub synced: bool,
    /// When the last checkpoint ran.
    pub last_wipe: Option<Instant>,
}

impl Writer {
    /// Serves requests until every handle is gone, then wipes a pending erase.
    pub fn serve(mut self, requests: Receiver<Box<dyn Op>>) {
        let mut hold = hold::from_env();
        let mut busy = false;
        while let Ok(first) = requests.recv() {
            let mut group = vec![first];
            take_waiting(&mut group, &requests);
            if busy && group.len() < MAX_GROUP {
                // While other jobs are writing too, their next requests share this
                // commit instead of each paying for one (a database's commit delay).
                // Sleeping, not waking per request: a sender whose receiver is not
                // blocked in `recv` only queues, so neither side pays a futex wake-up.
                std::thread::sleep(GATHER_WINDOW);
                take_waiting(&mut group, &requests);
            }
            busy = group.len() > 1;
            let group = match hold.as_mut() {
                Some(hold) => match hold.gather(group, &requests) {
                    Some(group) => group,
                    None => continue,
                },
                None => group,
            };
            self.commit(group, hold.as_ref());
        }
        if self.shared.wipe_pending.load(Ordering::Acquire) {
            self.checkpoint();
        }
    }

    /// Commits a group and answers its requests.
    fn commit(&mut self, mut group: Vec<Box<dyn Op>>, hold: Option<&hold::Hold>) {
        let conn = Arc::clone(&self.conn);
        let conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
        let durability = if group.iter().any(|op| op.durability() == Durability::Synced) {
            Durability::Synced
        } else {
            Durability::Deferred
        };
        let failed = match group.as_mut_slice() {
            [op] if hold.is_none() => {
                self.alone(&conn, op.as_mut());
                false
            }
            group => self.together(&conn, group, durability, hold).is_err(),
        };
        if failed {
            if !conn.is_autocommit() {
                let _ = execute(&conn, "ROLLBACK");
            }
            for op in &mut group {
                self.alone(&conn, op.as_mut());
            }
        }
        if let Some(hold) = hold {
            hold.after_commit(&group);
        }
        drop(conn);
        let mut wipe = None;
        for op in &group {
            wipe = match (wipe, op.after()) {
                (_, After::Erased) | (Some(After::Erased), _) => Some(After::Erased),
                (_, After::WipeIfPending) => Some(After::WipeIfPending),
                (wipe, After::Nothing) => wipe,
            };
        }
        match wipe {
            Some(After::Erased) => self.wipe_wal(),
            Some(After::WipeIfPending) if self.shared.wipe_pending.load(Ordering::Acquire) => {
                self.checkpoint();
            }
            _ => {}
        }
        for op in group {
            op.answer();
        }
    }

    /// Runs the group in one transaction. An error means a request failed or the
    /// transaction did not commit: nothing of it may be kept.
    fn together(
        &mut self,
        conn: &Connection,
        group: &mut [Box<dyn Op>],
        durability: Durability,
        hold: Option<&hold::Hold>,
    ) -> rusqlite::Result<()> {
        self.set_durability(conn, durability)?;
        execute(conn, "BEGIN IMMEDIATE")?;
        for op in group.iter_mut() {
            if !op.run(conn) {
                // Its changes so far cannot be told from its neighbours': every request
                // is run again alone.
                return Err(rusqlite::Error::InvalidQuery);
            }
        }
        if let Some(hold) = hold {
            hold.before_commit(group);
        }
        execute(conn, "COMMIT")
    }

    /// Runs one request in a transaction of its own.
    fn alone(&mut self, conn: &Connection, op: &mut dyn Op) {
        let begun = self
            .set_durability(conn, op.durability())
            .and_then(|()| execute(conn, "BEGIN IMMEDIATE"));
        if let Err(error) = begun {
            op.fail(error);
            return;
        }
        let finished = if op.run(conn) {
            execute(conn, "COMMIT")
        } else {
            execute(conn, "ROLLBACK")
        };
        if let Err(error) = finished {
            if !conn.is_autocommit() {
                let _ = execute(conn, "ROLLBACK");
            }
            op.fail(error);
        }
    }

    /// Switches `synchronous` when the next commit needs another level (outside a
    /// transaction).
    fn set_durability(
        &mut self,
        conn: &Connection,
        durability: Durability,
    ) -> rusqlite::Result<()> {
        let synced = durability == Durability::Synced;
        if self.synced != synced {
            conn.pragma_update(None, "synchronous", if synced { "FULL" } else { "NORMAL" })?;
            self.synced = synced;
        }
        Ok(())
    }

    /// After an erase: checkpoints now, unless one ran within [`WIPE_INTERVAL`], in which
    /// case the daemon is told to come back for it.
    fn wipe_wal(&mut self) {
        self.shared.wipe_pending.store(true, Ordering::Release);
        if self
            .last_wipe
            .is_some_and(|at| at.elapsed() < WIPE_INTERVAL)
        {
            self.shared.wipe_wanted.notify_one();
        } else {
            self.checkpoint();
        }
    }

    /// Copies the WAL into the database and truncates it, so an erased password survives
    /// in no old WAL frame. Failure is logged, not returned: the erase itself committed.
    fn checkpoint(&mut self) {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        self.shared.wipe_pending.store(false, Ordering::Release);
        let result = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
            row.get::<_, i64>(0)
        });
        self.last_wipe = Some(Instant::now());
        if !matches!(result, Ok(0)) {
            self.shared.wipe_pending.store(true, Ordering::Release);
        }
        match result {
            Ok(0) => {}
            Ok(_) => tracing::warn!(
                journal = ?self.path,
                "another process held the journal open, so an erased password may remain in \
                 its -wal file until the next checkpoint"
            ),
            Err(error) => tracing::warn!(
                journal = ?self.path,
                error = %error,
                "cannot checkpoint the journal after erasing a password"
            ),
        }
    }
}

/// Adds the requests already waiting to `group`, up to [`MAX_GROUP`].
fn take_waiting(group: &mut Vec<Box<dyn Op>>, requests: &Receiver<Box<dyn Op>>) {
    while group.len() < MAX_GROUP {
        let Ok(next) = requests.try_recv() else { break };
        group.push(next);
    }
}

/// Runs a statement without parameters through the statement cache.
fn execute(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}
