//! Where CPU work over outside input (a message, a page) runs.
//!
//! In: the input's size and the work. Out: the work's result, or `None` if it panicked.
//! Small input is worked on right here, on the async worker: a hand-off to tokio's
//! blocking pool and back (two thread wake-ups) cost more than parsing a typical page or
//! message, and was a tenth of a backlog's CPU. Input over [`INLINE_BYTES`] still goes
//! to the blocking pool, so a large or hostile one cannot stall other jobs' I/O.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// The largest input worked on inline: a page or message of this size parses in well
/// under a millisecond.
pub const INLINE_BYTES: usize = 64 * 1024;

/// Runs `work` over input of `input_len` bytes, inline or on the blocking pool.
pub async fn run<T, F>(input_len: usize, work: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    if input_len <= INLINE_BYTES {
        catch_unwind(AssertUnwindSafe(work)).ok()
    } else {
        tokio::task::spawn_blocking(work).await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn small_input_runs_here_and_large_input_on_the_blocking_pool() {
        let here = std::thread::current().id();
        let small = run(INLINE_BYTES, || std::thread::current().id()).await;
        assert_eq!(small, Some(here));
        let large = run(INLINE_BYTES + 1, || std::thread::current().id()).await;
        assert!(large.is_some_and(|there| there != here));
    }

    #[tokio::test]
    async fn a_panic_is_none_wherever_it_ran() {
        for len in [0, INLINE_BYTES + 1] {
            let outcome: Option<()> = run(len, || panic!("hostile input")).await;
            assert_eq!(outcome, None);
        }
    }
}
