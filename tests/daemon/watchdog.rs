//! Health that cannot die silently: under systemd's notify protocol the daemon says
//! READY after its first mailbox check and feeds the watchdog only while the mailbox
//! answers; a frozen IMAP server (SIGSTOP: connections open, nothing answers) stops the
//! pings, so systemd would restart the service — and once the server thaws, the daemon
//! reconnects and handles mail again.

use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

use onbehalf_sim::Behaviour;

use super::outages::{forwarded, stop, wait_until_done};
use super::{Env, Setup};

type Seen = Vec<(Instant, String)>;

/// What the daemon sent on the notify socket, with when it arrived, until `deadline` or
/// until `enough` says so.
fn messages_until(
    socket: &UnixDatagram,
    deadline: Instant,
    enough: impl Fn(&Seen) -> bool,
) -> Seen {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline && !enough(&seen) {
        socket
            .set_read_timeout(Some(
                deadline
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1)),
            ))
            .unwrap();
        match socket.recv(&mut buf) {
            Ok(n) => seen.push((
                Instant::now(),
                String::from_utf8_lossy(&buf[..n]).into_owned(),
            )),
            Err(_) => break,
        }
    }
    seen
}

fn pings(seen: &Seen) -> Vec<Instant> {
    seen.iter()
        .filter(|(_, m)| m.lines().any(|l| l == "WATCHDOG=1"))
        .map(|(t, _)| *t)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_imap_server_stops_the_watchdog_and_a_thaw_brings_it_back() {
    let env = Env::start_with(Setup {
        poll_interval: "1s",
        daemon: "stale_after = \"2s\"\n",
        ..Setup::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    let path_text = path.display().to_string();
    let mut running = env.run_with(&[
        ("NOTIFY_SOCKET", path_text.as_str()),
        ("WATCHDOG_USEC", "400000"),
    ]);

    // Healthy: READY, a status line, and regular pings.
    let healthy = messages_until(&socket, Instant::now() + Duration::from_secs(10), |seen| {
        seen.iter().any(|(_, m)| m.contains("STATUS=watching")) && pings(seen).len() >= 3
    });
    assert!(
        healthy.iter().any(|(_, m)| m.contains("READY=1")),
        "{healthy:?}"
    );
    assert!(
        healthy.iter().any(|(_, m)| m.contains("STATUS=watching")),
        "{healthy:?}"
    );
    assert!(pings(&healthy).len() >= 3, "{healthy:?}");

    // Frozen: pings stop within the staleness bound (2 s) plus a poll and a period.
    env.dovecot.pause();
    let frozen_at = Instant::now();
    // Silence is the point here, so this phase runs to its deadline.
    let frozen = messages_until(&socket, frozen_at + Duration::from_secs(8), |_| false);
    let last_ping = pings(&frozen).last().copied().unwrap_or(frozen_at);
    assert!(
        last_ping.duration_since(frozen_at) < Duration::from_secs(5),
        "pings went on {:?} after the server froze",
        last_ping.duration_since(frozen_at)
    );
    assert!(
        frozen_at + Duration::from_secs(8) - last_ping >= Duration::from_secs(3),
        "no silence long enough for systemd's watchdog to fire"
    );

    // Thawed: the daemon reconnects, pings resume, and new mail is handled.
    env.dovecot.resume();
    let thawed = messages_until(&socket, Instant::now() + Duration::from_secs(30), |seen| {
        !pings(seen).is_empty()
    });
    assert!(
        !pings(&thawed).is_empty(),
        "no ping after the server thawed"
    );
    forwarded(&env, "after.thaw@partner.test", Behaviour::Normal).await;
    wait_until_done(&env, "after.thaw@partner.test", 1).await;
    stop(&env, &mut running);
    assert_eq!(env.accounts(), ["after.thaw@partner.test"]);
}
