//! Health that cannot die silently: systemd readiness, status lines and a watchdog tied
//! to the mailbox loop's real liveness.
//!
//! In: the mailbox's health (time of the last successful check or IDLE keepalive) and
//! the jobs in flight. Out: `READY=1` after the first successful check, `STATUS=` lines,
//! and `WATCHDOG=1` pings only while the last success is recent — a wedged connection
//! stops the pings and systemd restarts the service. No-ops outside systemd.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use sd_notify::NotifyState;

use super::Services;

/// Seconds since the mailbox last answered, if it ever did.
pub fn seconds_since_check(services: &Services) -> Option<u64> {
    let last = services.mailbox_health.last_success()?;
    Some(
        SystemTime::now()
            .duration_since(last)
            .unwrap_or(Duration::ZERO)
            .as_secs(),
    )
}

fn status_line(services: &Services, in_flight: usize) -> String {
    let folder = &services.source;
    match seconds_since_check(services) {
        Some(age) => {
            format!("watching {folder}, {in_flight} jobs in flight, last check {age} s ago")
        }
        None => format!("connecting to the mailbox, {in_flight} jobs in flight"),
    }
}

fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::debug!(error = %e, "cannot notify systemd");
    }
}

/// Tells systemd the service is up: the mailbox was checked successfully once.
pub(super) fn ready(services: &Services, in_flight: usize) {
    let status = status_line(services, in_flight);
    send(&[NotifyState::Ready, NotifyState::Status(&status)]);
}

/// Updates the status line `systemctl status` shows.
pub(super) fn status(services: &Services, in_flight: usize) {
    let status = status_line(services, in_flight);
    send(&[NotifyState::Status(&status)]);
}

/// Tells systemd the service is stopping.
pub fn stopping() {
    send(&[NotifyState::Stopping]);
}

/// Whether the mailbox loop counts as alive: a success within `stale_after`.
pub fn is_healthy(services: &Services) -> bool {
    seconds_since_check(services)
        .is_some_and(|age| age <= services.config.daemon.stale_after.as_secs())
}

/// Pings the systemd watchdog at half its period, but only while healthy.
pub fn spawn_watchdog(services: Arc<Services>) {
    let Some(period) = sd_notify::watchdog_enabled() else {
        return;
    };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period / 2);
        loop {
            tokio::select! {
                () = services.shutdown.cancelled() => return,
                _ = tick.tick() => {}
            }
            if is_healthy(&services) {
                send(&[NotifyState::Watchdog]);
            } else {
                tracing::warn!(
                    "mailbox has not answered within the staleness bound; withholding the \
                     watchdog ping so systemd restarts the service"
                );
            }
        }
    });
}
