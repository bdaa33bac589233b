//! Exponential backoff with jitter between reconnect attempts.
//!
//! In: a [`BackoffPolicy`] and the outcome of each attempt. Out: how long to wait before
//! the next one — doubling from `base` up to `cap`, each delay drawn from its upper half so
//! that several clients (or the watcher and the commander) do not retry in lockstep.

use std::time::Duration;

use rand::RngExt;
use tokio::time::Instant;

/// How quickly reconnects are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// The delay after the first failure.
    pub base: Duration,
    /// The longest delay, however many failures follow.
    pub cap: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(5 * 60),
        }
    }
}

/// The retry state of one connection.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    policy: BackoffPolicy,
    /// Failures since the last success; the delay doubles with each.
    failures: u32,
    /// No new attempt before this instant.
    not_before: Option<Instant>,
}

impl Backoff {
    pub(crate) fn new(policy: BackoffPolicy) -> Self {
        Self {
            policy,
            failures: 0,
            not_before: None,
        }
    }

    /// Records a failed attempt; returns the delay before the next one.
    pub(crate) fn failed(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let doubling = 2u32.saturating_pow(self.failures.saturating_sub(1).min(30));
        let full = self
            .policy
            .base
            .saturating_mul(doubling)
            .min(self.policy.cap);
        let half = full / 2;
        let jitter = rand::rng().random_range(Duration::ZERO..=half);
        let delay = half + jitter;
        self.not_before = Some(Instant::now() + delay);
        delay
    }

    /// Records a success: the next failure starts from `base` again.
    pub(crate) fn succeeded(&mut self) {
        self.failures = 0;
        self.not_before = None;
    }

    /// Waits until the next attempt is allowed (at once after a success).
    pub(crate) async fn wait(&self) {
        if let Some(at) = self.not_before {
            tokio::time::sleep_until(at).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> BackoffPolicy {
        BackoffPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(10),
        }
    }

    #[test]
    fn delays_double_with_jitter_up_to_the_cap() {
        let mut backoff = Backoff::new(policy());
        let expected_full = [1, 2, 4, 8, 10, 10, 10];
        for full in expected_full {
            let full = Duration::from_secs(full);
            let delay = backoff.failed();
            assert!(delay >= full / 2 && delay <= full, "{delay:?} for {full:?}");
        }
        backoff.succeeded();
        assert!(backoff.failed() <= Duration::from_secs(1));
    }

    #[test]
    fn many_failures_do_not_overflow() {
        let mut backoff = Backoff::new(policy());
        for _ in 0..1000 {
            assert!(backoff.failed() <= Duration::from_secs(10));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn wait_lasts_the_delay_and_ends_after_a_success() {
        let mut backoff = Backoff::new(policy());
        let start = Instant::now();
        backoff.wait().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        let delay = backoff.failed();
        backoff.wait().await;
        // tokio's timer wheel counts whole milliseconds.
        let waited = start.elapsed();
        assert!(
            waited >= delay && waited <= delay + Duration::from_millis(1),
            "{waited:?}"
        );
        backoff.succeeded();
        let again = Instant::now();
        backoff.wait().await;
        assert_eq!(again.elapsed(), Duration::ZERO);
    }
}
