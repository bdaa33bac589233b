//! The IMAP watcher: a second connection that only waits for the folder to change.
//!
//! In: the account, a [`Notify`] to poke and a shutdown token. Out: pokes — when the
//! watcher (re)connects (mail may have arrived meanwhile), when IDLE reports anything, and
//! every `poll_interval` whatever happens (the safety-net full check, and the only signal
//! when IDLE is off or missing). It holds no state: any error drops the connection and a
//! new one is opened after a backoff with jitter.
//!
//! IDLE is re-issued every `idle_renew` under our own timer, because async-imap's IDLE
//! timer restarts on every server keepalive (`* OK Still here`) and would never fire on
//! Dovecot. A renewal (DONE, then IDLE again) is also how a dead connection is found, and
//! each one counts as a successful check in [`Health`].

use std::sync::Arc;
use std::time::Duration;

use async_imap::extensions::idle::{Handle, IdleResponse};
use async_imap::imap_proto::{Response, Status};
use tokio::sync::Notify;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::Shared;
use super::connect::{self, ImapStream};
use crate::mailbox::MailboxError;
use crate::mailbox::backoff::{Backoff, BackoffPolicy};
use crate::mailbox::health::Part;

/// How long a polite goodbye (DONE, LOGOUT) may take at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Waits for changes on its own IMAP connection; spawn [`ImapWatcher::run`].
#[derive(Debug)]
pub struct ImapWatcher {
    shared: Arc<Shared>,
    policy: BackoffPolicy,
}

/// Why one IDLE session ended without an error.
enum Ended {
    Shutdown,
    /// The server cannot IDLE: the poll timer alone signals changes.
    NoIdle,
}

/// What one IDLE command ended with.
enum Wake {
    Changed,
    Renew,
    Shutdown,
}

impl ImapWatcher {
    pub(crate) fn new(shared: Arc<Shared>, policy: BackoffPolicy) -> Self {
        Self { shared, policy }
    }

    /// Watches until `shutdown` is cancelled; see the module documentation for when
    /// `changed` is notified.
    pub async fn run(self, changed: Arc<Notify>, shutdown: CancellationToken) {
        let poll = self.shared.config.poll_interval;
        let safety_net = async {
            let mut ticks = tokio::time::interval_at(Instant::now() + poll, poll);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                changed.notify_one();
            }
        };
        // At shutdown the IDLE session says DONE and LOGOUT if the server answers within
        // the grace period; a wedged server is simply dropped.
        let grace_over = async {
            shutdown.cancelled().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            () = safety_net => {}
            () = grace_over => {}
            () = self.watch(&changed, &shutdown) => {}
        }
        self.shared.health.watcher_stopped();
    }

    /// Keeps an IDLE session going; returns only at shutdown.
    async fn watch(&self, changed: &Notify, shutdown: &CancellationToken) {
        if !self.shared.config.idle {
            return shutdown.cancelled().await;
        }
        let mut backoff = Backoff::new(self.policy);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = backoff.wait() => {}
            }
            match self.idle_session(changed, shutdown, &mut backoff).await {
                Ok(Ended::Shutdown) => return,
                Ok(Ended::NoIdle) => {
                    tracing::info!(
                        every = ?self.shared.config.poll_interval,
                        "the IMAP server has no IDLE; polling instead"
                    );
                    self.shared.health.watcher_stopped();
                    return shutdown.cancelled().await;
                }
                Err(error) => {
                    let retry_in = backoff.failed();
                    self.shared.health.failed(Part::Watcher, &error);
                    tracing::warn!(error = %crate::report::chain(&error), ?retry_in, "mailbox watcher lost its connection");
                }
            }
        }
    }

    /// One connection: EXAMINE the folder, then IDLE until an error or shutdown.
    async fn idle_session(
        &self,
        changed: &Notify,
        shutdown: &CancellationToken,
        backoff: &mut Backoff,
    ) -> Result<Ended, MailboxError> {
        let shared = &self.shared;
        let connection = tokio::select! {
            () = shutdown.cancelled() => return Ok(Ended::Shutdown),
            connection = connect::open(shared) => connection?,
        };
        if !connection.capabilities.idle {
            connection.logout(shared).await;
            return Ok(Ended::NoIdle);
        }
        let folder = connection.server_folder(&shared.config.folder);
        let mut session = connection.session;
        shared
            .command(&format!("open folder {folder}"), session.examine(&folder))
            .await?;
        shared.health.checked(Part::Watcher);
        // Whatever arrived while we were away is news to the daemon.
        changed.notify_one();
        loop {
            let mut idle = session.idle();
            shared
                .command("start waiting for new mail (IDLE)", idle.init())
                .await?;
            // The server accepted IDLE: a later drop (a NAT timeout, a restart) starts the
            // backoff from the bottom again rather than doubling forever.
            backoff.succeeded();
            shared.health.set_watching(true);
            let wake = wait(&mut idle, shared, shutdown).await?;
            session = shared
                .command("stop waiting for new mail (DONE)", idle.done())
                .await?;
            shared.health.checked(Part::Watcher);
            match wake {
                Wake::Changed => changed.notify_one(),
                Wake::Renew => {}
                Wake::Shutdown => {
                    shared.health.set_watching(false);
                    let _ = shared.command("log out", session.logout()).await;
                    return Ok(Ended::Shutdown);
                }
            }
        }
    }
}

/// Waits in IDLE for news, the renewal time, or shutdown.
async fn wait(
    idle: &mut Handle<ImapStream>,
    shared: &Shared,
    shutdown: &CancellationToken,
) -> Result<Wake, MailboxError> {
    let renew = shared.config.idle_renew;
    // `_stop` must live until the wait ends: dropping it interrupts the IDLE at once.
    let (response, _stop) = idle.wait_with_timeout(renew);
    let outcome = tokio::select! {
        () = shutdown.cancelled() => return Ok(Wake::Shutdown),
        outcome = tokio::time::timeout(renew, response) => outcome,
    };
    match outcome {
        Err(_elapsed) => Ok(Wake::Renew),
        Ok(Ok(IdleResponse::Timeout | IdleResponse::ManualInterrupt)) => Ok(Wake::Renew),
        Ok(Ok(IdleResponse::NewData(data))) => match data.parsed() {
            Response::Data {
                status: Status::Bye,
                outcome,
            } => Err(MailboxError::Closed {
                address: shared.address.clone(),
                reason: outcome.information.as_deref().unwrap_or("BYE").to_owned(),
            }),
            _ => Ok(Wake::Changed),
        },
        Ok(Err(source)) => Err(MailboxError::imap(
            &shared.address,
            "wait for new mail (IDLE)",
            source,
        )),
    }
}
