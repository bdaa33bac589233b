//! A small pool of open SMTP connections, so a mail does not pay for TCP, TLS and AUTH.
//!
//! In: a way to open a connection, used when no idle one is usable. Out: a [`Lease`] on
//! a connection. Give it back with [`Pool::put`] after a clean exchange; drop it after a
//! failed or cut-off one, which may have left it mid-command: it is then closed, never
//! reused.
//!
//! At most `max` connections are open at once, idle or leased; a caller that finds none
//! free waits until one is given back or closed. An idle connection is checked before
//! reuse ([`Reusable::is_alive`], a NOOP for SMTP) and closed after `idle_timeout`
//! unused. This is lettre's pool, whose `max_size` bounds only the idle connections,
//! with the number of open ones bounded too.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// A connection the pool can keep.
pub(super) trait Reusable: Send + Sized + 'static {
    /// Whether it still answers.
    fn is_alive(&mut self) -> impl Future<Output = bool> + Send;
    /// Whether an exchange left it unusable.
    fn is_broken(&self) -> bool;
    /// Takes leave politely before it is dropped (bounded in time).
    fn close(self) -> impl Future<Output = ()> + Send;
}

/// The pool; see the module docs.
pub(super) struct Pool<C: Reusable> {
    shared: Arc<Shared<C>>,
}

/// A connection taken from the pool, with its place among the `max`.
pub(super) struct Lease<C: Reusable> {
    connection: C,
    slot: Slot<C>,
}

struct Shared<C> {
    state: Mutex<State<C>>,
    /// Woken when a place frees up or a connection is given back.
    changed: Notify,
    max: usize,
    idle_timeout: Duration,
}

struct State<C> {
    /// Oldest first.
    idle: Vec<Parked<C>>,
    /// Idle plus leased plus being opened.
    open: usize,
    /// Whether a task is waiting to close idle connections as they expire.
    reaping: bool,
}

struct Parked<C> {
    connection: C,
    since: Instant,
}

/// One of the `max` places: freed on drop unless the connection went back idle.
struct Slot<C> {
    shared: Arc<Shared<C>>,
    kept: bool,
}

/// What a caller got while waiting.
enum Reserved<C: Reusable> {
    Idle(Lease<C>),
    Free(Slot<C>),
}

impl<C: Reusable> Pool<C> {
    /// An empty pool of at most `max` connections (at least one).
    pub(super) fn new(max: usize, idle_timeout: Duration) -> Self {
        let state = State {
            idle: Vec::new(),
            open: 0,
            reaping: false,
        };
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(state),
                changed: Notify::new(),
                max: max.max(1),
                idle_timeout,
            }),
        }
    }

    /// The most recently used idle connection that still answers, else a new one from
    /// `open`; waits while `max` are open and none is idle.
    pub(super) async fn get<E, Fut>(&self, open: impl FnOnce() -> Fut) -> Result<Lease<C>, E>
    where
        Fut: Future<Output = Result<C, E>>,
    {
        let slot = loop {
            match self.reserve().await {
                Reserved::Idle(mut lease) => {
                    if lease.connection.is_alive().await {
                        return Ok(lease);
                    }
                    tracing::debug!("dropping an idle SMTP connection that stopped answering");
                }
                Reserved::Free(slot) => break slot,
            }
        };
        let connection = open().await?;
        Ok(Lease { connection, slot })
    }

    /// Keeps the connection for the next caller, unless it is broken.
    pub(super) fn put(&self, lease: Lease<C>) {
        if lease.connection.is_broken() {
            return;
        }
        let Lease {
            connection,
            mut slot,
        } = lease;
        slot.kept = true;
        let start_reaper = {
            let mut state = self.shared.lock();
            state.idle.push(Parked {
                connection,
                since: Instant::now(),
            });
            !std::mem::replace(&mut state.reaping, true)
        };
        self.shared.changed.notify_one();
        if start_reaper {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => drop(runtime.spawn(reap(Arc::downgrade(&self.shared)))),
                // Without a runtime, `reserve` still skips expired connections.
                Err(_) => self.shared.lock().reaping = false,
            }
        }
    }

    /// An idle connection or a free place, whichever comes first.
    async fn reserve(&self) -> Reserved<C> {
        loop {
            // Registered before looking, so a change in between is not missed.
            let mut changed = pin!(self.shared.changed.notified());
            changed.as_mut().enable();
            let (reserved, expired) = {
                let mut state = self.shared.lock();
                let expired = self.shared.take_expired(&mut state);
                let reserved = if let Some(parked) = state.idle.pop() {
                    Some(Reserved::Idle(Lease {
                        connection: parked.connection,
                        slot: self.shared.slot(),
                    }))
                } else if state.open < self.shared.max {
                    state.open += 1;
                    Some(Reserved::Free(self.shared.slot()))
                } else {
                    None
                };
                (reserved, expired)
            };
            drop(expired);
            if let Some(reserved) = reserved {
                return reserved;
            }
            changed.await;
        }
    }
}

impl<C: Reusable> Drop for Pool<C> {
    /// Says goodbye on the idle connections (lettre's pool does too).
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.shared.lock().idle);
        if idle.is_empty() {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            drop(runtime.spawn(close_all(idle)));
        }
    }
}

impl<C> Shared<C> {
    fn lock(&self) -> MutexGuard<'_, State<C>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A place already counted in `open`.
    fn slot(self: &Arc<Self>) -> Slot<C> {
        Slot {
            shared: Arc::clone(self),
            kept: false,
        }
    }

    /// Removes the idle connections unused for `idle_timeout`, freeing their places.
    fn take_expired(&self, state: &mut State<C>) -> Vec<Parked<C>> {
        let now = Instant::now();
        let count = state
            .idle
            .partition_point(|parked| parked.since + self.idle_timeout <= now);
        state.open = state.open.saturating_sub(count);
        for _ in 0..count {
            self.changed.notify_one();
        }
        state.idle.drain(..count).collect()
    }
}

/// Closes idle connections as they expire; ends when none is idle or the pool is gone.
async fn reap<C: Reusable>(shared: Weak<Shared<C>>) {
    loop {
        let next_expiry = {
            let Some(shared) = shared.upgrade() else {
                return;
            };
            let mut state = shared.lock();
            match state.idle.first() {
                Some(oldest) => oldest.since + shared.idle_timeout,
                None => {
                    state.reaping = false;
                    return;
                }
            }
        };
        tokio::time::sleep_until(next_expiry).await;
        let expired = {
            let Some(shared) = shared.upgrade() else {
                return;
            };
            let mut state = shared.lock();
            shared.take_expired(&mut state)
        };
        if !expired.is_empty() {
            tracing::debug!(count = expired.len(), "closing idle SMTP connections");
        }
        close_all(expired).await;
    }
}

async fn close_all<C: Reusable>(parked: Vec<Parked<C>>) {
    for parked in parked {
        parked.connection.close().await;
    }
}

impl<C> Drop for Slot<C> {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        {
            let mut state = self.shared.lock();
            state.open = state.open.saturating_sub(1);
        }
        self.shared.changed.notify_one();
    }
}

impl<C: Reusable> Deref for Lease<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.connection
    }
}

impl<C: Reusable> DerefMut for Lease<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.connection
    }
}

#[cfg(test)]
#[path = "pool_tests.rs"]
mod tests;
