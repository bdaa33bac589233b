//! How quickly the server's IDLE announces new mail, measured for `check-config`.
//!
//! In: a logged-in connection (the check's) and the account. Out: how long IDLE took to
//! announce a message appended to a scratch folder, or `None` when it said nothing within
//! [`PROBE_WAIT`]. Servers that advertise IDLE but only look for changes every minute or so
//! (Debian's Cyrus without `idled`, Courier without enhanced IDLE) answer `None`; IDLE
//! there is no quicker than polling.
//!
//! The scratch folder is made for the probe next to `done_folder` and deleted afterwards
//! whatever happened; the watched folder never sees the probe message.

use std::time::{Duration, Instant};

use async_imap::extensions::idle::IdleResponse;

use super::Shared;
use super::connect::{self, Connection};
use crate::mailbox::MailboxError;

/// How long IDLE gets to announce the probe message: an IDLE that pushes changes does so
/// within milliseconds, one that polls takes its polling interval (a minute, typically).
pub(crate) const PROBE_WAIT: Duration = Duration::from_secs(5);

/// The probe message: marked as such, should anyone ever see it.
const PROBE_MESSAGE: &[u8] = b"From: onbehalf check-config <onbehalf@localhost>\r\n\
Subject: onbehalf IDLE probe (safe to delete)\r\n\r\n\
check-config measures how fast IDLE reports new mail; this folder is deleted after.\r\n";

/// What the probe found.
#[derive(Debug)]
pub(crate) struct Probe {
    /// How long IDLE took to announce the message; `None` when it did not within
    /// [`PROBE_WAIT`].
    pub(crate) announced_after: Option<Duration>,
    /// The scratch folder, if it could not be deleted (to name in a warning).
    pub(crate) left_behind: Option<String>,
}

/// Makes a scratch folder, IDLEs on it from a second connection, appends a message from
/// `connection` and times the announcement; then deletes the folder.
pub(crate) async fn idle_latency(
    shared: &Shared,
    connection: &mut Connection,
) -> Result<Probe, MailboxError> {
    let scratch = match shared.config.done_folder.rsplit_once('/') {
        Some((parent, _)) => format!("{parent}/{}", scratch_name()),
        None => scratch_name(),
    };
    let folder = connection.server_folder(&scratch);
    shared
        .command(
            &format!("create folder {folder}"),
            connection.session.create(&folder),
        )
        .await?;
    let measured = measure(shared, connection, &folder).await;
    let deleted = shared
        .command(
            &format!("delete folder {folder}"),
            connection.session.delete(&folder),
        )
        .await;
    if let Err(error) = &deleted {
        tracing::warn!(%error, folder, "cannot delete the IDLE probe folder");
    }
    Ok(Probe {
        announced_after: measured?,
        left_behind: deleted.is_err().then_some(folder),
    })
}

async fn measure(
    shared: &Shared,
    connection: &mut Connection,
    folder: &str,
) -> Result<Option<Duration>, MailboxError> {
    let watcher = connect::open(shared).await?;
    let mut session = watcher.session;
    shared
        .command(&format!("open folder {folder}"), session.examine(folder))
        .await?;
    let mut idle = session.idle();
    shared
        .command("start waiting for new mail (IDLE)", idle.init())
        .await?;
    shared
        .command(
            &format!("add a probe message to folder {folder}"),
            connection.session.append(folder, None, None, PROBE_MESSAGE),
        )
        .await?;
    let appended = Instant::now();
    let announced = {
        // `_stop` must live until the wait ends: dropping it interrupts the IDLE at once.
        let (response, _stop) = idle.wait_with_timeout(PROBE_WAIT);
        match tokio::time::timeout(PROBE_WAIT, response).await {
            Ok(Ok(IdleResponse::NewData(_))) => Some(appended.elapsed()),
            Ok(Ok(_)) | Err(_) => None,
            Ok(Err(source)) => {
                return Err(MailboxError::imap(
                    &shared.address,
                    "wait for new mail (IDLE)",
                    source,
                ));
            }
        }
    };
    let mut session = shared
        .command("stop waiting for new mail (DONE)", idle.done())
        .await?;
    let _ = shared.command("log out", session.logout()).await;
    Ok(announced)
}

/// A name no person would use and no two checks share.
fn scratch_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("onbehalf-idle-probe-{}-{nanos}", std::process::id())
}
