//! The mailbox's health record, shared by the commander, the watcher and whoever reports.
//!
//! In: every successful check and every failure of either connection. Out: when the
//! mailbox last answered ("last successful check", read by the systemd watchdog and
//! `status`), whether both connections are up, and the last error in words (never a
//! secret: errors hold none).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::MailboxError;

/// Which connection reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The connection that lists, fetches and files.
    Commander,
    /// The connection that waits for changes.
    Watcher,
}

const NOT_STARTED: u8 = 0;
const UP: u8 = 1;
const DOWN: u8 = 2;

/// When the mailbox last answered, and whether its connections are up.
#[derive(Debug, Default)]
pub struct Health {
    /// Milliseconds since the epoch of the last successful check; 0 = never.
    last_success_ms: AtomicU64,
    /// The commander's connection state.
    commander: AtomicU8,
    /// The watcher's connection state; stays "not started" when nothing watches.
    watcher: AtomicU8,
    /// True while the watcher is waiting for changes (in IDLE, or polling a Maildir).
    watching: AtomicBool,
    /// The most recent failure and when it happened; kept after recovery.
    last_error: Mutex<Option<(SystemTime, String)>>,
}

impl Health {
    /// When the mailbox last answered a check (a SEARCH, a Maildir scan, an IDLE response).
    pub fn last_success(&self) -> Option<SystemTime> {
        match self.last_success_ms.load(Ordering::Acquire) {
            0 => None,
            ms => Some(UNIX_EPOCH + Duration::from_millis(ms)),
        }
    }

    /// True when the mailbox answered within `max_age` of now.
    pub fn is_fresh(&self, max_age: Duration) -> bool {
        self.last_success()
            .and_then(|at| SystemTime::now().duration_since(at).ok())
            .is_some_and(|age| age <= max_age)
    }

    /// True when every connection that has started is up, and at least one has.
    pub fn connected(&self) -> bool {
        let states = [
            self.commander.load(Ordering::Acquire),
            self.watcher.load(Ordering::Acquire),
        ];
        states.contains(&UP) && !states.contains(&DOWN)
    }

    /// True while the watcher is waiting for changes, so a new message will be signalled.
    pub fn watching(&self) -> bool {
        self.watching.load(Ordering::Acquire)
    }

    /// The most recent failure, in words; kept after the mailbox recovers.
    pub fn last_error(&self) -> Option<String> {
        self.error_slot().as_ref().map(|(_, text)| text.clone())
    }

    /// When the most recent failure happened.
    pub fn last_error_at(&self) -> Option<SystemTime> {
        self.error_slot().as_ref().map(|(at, _)| *at)
    }

    /// A connection is up (it logged in, or a command succeeded).
    pub(crate) fn up(&self, part: Part) {
        self.state(part).store(UP, Ordering::Release);
    }

    /// The mailbox answered a check: the "last successful check" moves to now.
    pub(crate) fn checked(&self, part: Part) {
        self.up(part);
        let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| {
            u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
        });
        self.last_success_ms.store(now_ms, Ordering::Release);
    }

    /// A connection failed.
    pub(crate) fn failed(&self, part: Part, error: &MailboxError) {
        self.state(part).store(DOWN, Ordering::Release);
        if part == Part::Watcher {
            self.set_watching(false);
        }
        *self.error_slot() = Some((SystemTime::now(), crate::report::chain(error)));
    }

    /// The watcher stopped on purpose (shutdown, or no IDLE to wait with).
    pub(crate) fn watcher_stopped(&self) {
        self.set_watching(false);
        self.watcher.store(NOT_STARTED, Ordering::Release);
    }

    pub(crate) fn set_watching(&self, watching: bool) {
        self.watching.store(watching, Ordering::Release);
    }

    fn state(&self, part: Part) -> &AtomicU8 {
        match part {
            Part::Commander => &self.commander,
            Part::Watcher => &self.watcher,
        }
    }

    fn error_slot(&self) -> std::sync::MutexGuard<'_, Option<(SystemTime, String)>> {
        // A panic while holding this lock cannot leave the Option half-written.
        self.last_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure() -> MailboxError {
        MailboxError::Timeout {
            address: "imap.example.com:993".into(),
            action: "UID SEARCH".into(),
            after: Duration::from_secs(30),
        }
    }

    #[test]
    fn starts_unknown() {
        let health = Health::default();
        assert_eq!(health.last_success(), None);
        assert!(!health.connected());
        assert!(!health.is_fresh(Duration::from_secs(3600)));
        assert_eq!(health.last_error(), None);
    }

    #[test]
    fn a_check_makes_it_fresh_and_a_failure_is_remembered() {
        let health = Health::default();
        health.checked(Part::Commander);
        assert!(health.connected());
        assert!(health.is_fresh(Duration::from_secs(5)));
        health.failed(Part::Watcher, &failure());
        assert!(!health.connected(), "a watcher that is down counts");
        let error = health.last_error().unwrap();
        assert!(error.contains("imap.example.com:993"), "{error}");
        health.up(Part::Watcher);
        assert!(health.connected());
        assert!(
            health.last_error().is_some(),
            "the last error is kept after recovery"
        );
        health.watcher_stopped();
        assert!(health.connected(), "a stopped watcher does not count");
    }
}
