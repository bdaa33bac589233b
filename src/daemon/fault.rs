//! A test hook: crash the process right after a job's transition is journaled.
//!
//! In: the environment variable `ONBEHALF_FAULT_CRASH_AFTER`, read once, naming a job
//! state (`received`, `extracted`, …, `filed`). Out: when a job of this process enters
//! that state, the process aborts (`std::process::abort`, no unwinding, no cleanup) right
//! after the journal committed the transition and before the side effect that follows
//! it — the crash the journal exists for. The integration tests in `tests/daemon/` use it
//! to prove every state resumes to exactly one account and one credentials mail.
//!
//! Not for production: unset, it costs one environment lookup per process. A value that
//! names no state is ignored. `signing_up` fires after the password is sealed and before
//! the form is submitted (a crash *during* the submission is what SIGKILL tests).
//! The journal has a hook of its own for a kill in the middle of a group commit
//! (`ONBEHALF_FAULT_HOLD_GROUP`, in `src/journal/hold.rs`).

use std::sync::OnceLock;

use crate::journal::JobState;

/// The environment variable naming the state to crash after.
pub const CRASH_AFTER_VAR: &str = "ONBEHALF_FAULT_CRASH_AFTER";

fn crash_after() -> Option<JobState> {
    static STATE: OnceLock<Option<JobState>> = OnceLock::new();
    *STATE.get_or_init(|| std::env::var(CRASH_AFTER_VAR).ok()?.trim().parse().ok())
}

/// Aborts the process if the hook names `entered`, the state a job just entered.
pub(crate) fn entered(entered: JobState) {
    if crash_after() == Some(entered) {
        eprintln!("onbehalf: {CRASH_AFTER_VAR}={entered}: aborting (test hook)");
        std::process::abort();
    }
}
