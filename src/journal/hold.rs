//! A test hook: stop the journal's writer in the middle of a group commit, to be killed
//! there.
//!
//! In: the environment variable `ONBEHALF_FAULT_HOLD_GROUP`, read once when a journal is
//! opened: `before-commit:N` or `after-commit:N`. Out: the writer keeps every synced
//! request (one that precedes an outside effect) aside until N of them wait, commits them
//! as one group with whatever else is waiting, and stops right before its `COMMIT` or
//! right after it (before any waiter is answered), printing a line on stderr and waiting
//! to be killed. The daemon tests SIGKILL it there: with several jobs' transitions in one
//! group, either none or all of them are on disk, and the next run must finish every job
//! exactly once.
//!
//! Not for production: unset, it costs one environment lookup per opened journal. A value
//! it does not understand is ignored.

use std::sync::mpsc::Receiver;

use super::Durability;
use super::writer::Op;

/// The environment variable arming the hook.
pub const HOLD_GROUP_VAR: &str = "ONBEHALF_FAULT_HOLD_GROUP";

/// Where the writer stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    BeforeCommit,
    AfterCommit,
}

/// The armed hook.
pub(super) struct Hold {
    when: When,
    size: usize,
    held: Vec<Box<dyn Op>>,
}

/// The hook, if the environment arms it.
pub(super) fn from_env() -> Option<Hold> {
    let value = std::env::var(HOLD_GROUP_VAR).ok()?;
    let (when, size) = value.trim().split_once(':')?;
    let when = match when {
        "before-commit" => When::BeforeCommit,
        "after-commit" => When::AfterCommit,
        _ => return None,
    };
    let size = size.parse().ok().filter(|n| *n > 0)?;
    Some(Hold {
        when,
        size,
        held: Vec::new(),
    })
}

impl Hold {
    /// Takes the synced requests out of `group` until `size` of them wait; then returns
    /// them together with everything else waiting. `None` when nothing is left to commit
    /// now.
    pub fn gather(
        &mut self,
        group: Vec<Box<dyn Op>>,
        requests: &Receiver<Box<dyn Op>>,
    ) -> Option<Vec<Box<dyn Op>>> {
        let (synced, mut rest): (Vec<_>, Vec<_>) = group
            .into_iter()
            .partition(|op| op.durability() == Durability::Synced);
        self.held.extend(synced);
        if self.held.len() >= self.size {
            while let Ok(next) = requests.try_recv() {
                rest.push(next);
            }
            rest.append(&mut self.held);
        }
        (!rest.is_empty()).then_some(rest)
    }

    /// Stops the writer before the `COMMIT` of a full group.
    pub fn before_commit(&self, group: &[Box<dyn Op>]) {
        if self.when == When::BeforeCommit {
            self.stop_if_full(group, "before its COMMIT");
        }
    }

    /// Stops the writer after the `COMMIT` of a full group, before its answers.
    pub fn after_commit(&self, group: &[Box<dyn Op>]) {
        if self.when == When::AfterCommit {
            self.stop_if_full(group, "after its COMMIT, before any answer");
        }
    }

    fn stop_if_full(&self, group: &[Box<dyn Op>], at: &str) {
        let synced = group
            .iter()
            .filter(|op| op.durability() == Durability::Synced)
            .count();
        if synced >= self.size {
            eprintln!(
                "onbehalf: {HOLD_GROUP_VAR}: holding a group commit of {} requests \
                 ({synced} synced) {at} (test hook)",
                group.len()
            );
            loop {
                std::thread::park();
            }
        }
    }
}
