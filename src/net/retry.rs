//! One retry policy for the stages that ask a server outside again after a failure that a
//! later try may fix: the SMTP relay (`notify::transport`) and the platform
//! (`daemon::job::signup`). (The IMAP session keeps its own "not before" backoff in
//! `mailbox/backoff.rs`: it paces reconnects, not retries of one request.)
//!
//! In: the first wait, the cap, and which retry this is. Out: how long to wait before it.

use std::time::Duration;

/// Exponential backoff: `first` before the first retry, doubled for each one after,
/// never more than `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    first: Duration,
    cap: Duration,
}

impl Backoff {
    /// A policy waiting `first`, then twice as long each time, at most `cap`.
    pub const fn new(first: Duration, cap: Duration) -> Self {
        Self { first, cap }
    }

    /// The wait before retry number `retry` (1 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 1u32 << retry.saturating_sub(1).min(16);
        self.first.saturating_mul(factor).min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_the_first_wait_up_to_the_cap() {
        let backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(300));
        assert_eq!(backoff.delay(1), Duration::from_millis(500));
        assert_eq!(backoff.delay(2), Duration::from_secs(1));
        assert_eq!(backoff.delay(3), Duration::from_secs(2));
        assert_eq!(backoff.delay(40), Duration::from_secs(300));
        assert_eq!(backoff.delay(0), Duration::from_millis(500));
    }
}
