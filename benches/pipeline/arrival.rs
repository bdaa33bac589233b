//! Benchmark 3, arrival to credentials: one forward arrives, how long until the SMTP
//! server holds the credentials mail?
//!
//! In: a running watcher (`onbehalf run` on IDLE, or the baseline script polling every
//! N seconds) and how many arrivals. Out: an [`Arrival`] report: the latency from the
//! start of the APPEND to the mail being stored by the SMTP server (its file appearing,
//! polled every millisecond), p50/p99; for onbehalf also how that splits into noticing
//! the message (APPEND → journaled as received) and handling it (received → notified).
//!
//! Arrivals are spaced by a pause of [`SETTLE`] plus a random part (uniform in
//! `[0, spacing)`), so each one lands in a quiet mailbox — Dovecot announces the previous
//! message's move only about half a second later, and that announcement would otherwise
//! wake the watcher early — and at a random phase of a poller's cycle, as real mail does.
//! One warm-up arrival before the measured ones proves the watcher is up.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::RngExt;
use serde_json::{Value, json};

use crate::imap::{Appender, IdleProbe};
use crate::journal::JobTimes;
use crate::runner::{self, Service};
use crate::servers::Servers;
use crate::stats::Summary;

/// What one series of arrivals measured.
pub struct Arrival {
    /// Who watched, and how.
    pub who: String,
    /// APPEND start → credentials mail stored, per arrival.
    pub latency: Summary,
    /// APPEND start → Dovecot announcing it to an IDLE client (the server's own delay).
    pub dovecot_idle: Summary,
    /// onbehalf: APPEND start → journaled as received.
    pub noticed: Option<Summary>,
    /// onbehalf: received → credentials accepted by SMTP (`notified`).
    pub handled: Option<Summary>,
}

impl Arrival {
    /// Prints the figures.
    pub fn print(&self) {
        println!("  {}", self.who);
        println!(
            "    APPEND → credentials mail at the SMTP server: {}",
            self.latency.show()
        );
        println!(
            "    (for reference, APPEND → Dovecot tells an IDLE client: {})",
            self.dovecot_idle.show()
        );
        if let Some(noticed) = &self.noticed {
            println!(
                "    APPEND → journaled (IDLE wake-up, fetch): {}",
                noticed.show()
            );
        }
        if let Some(handled) = &self.handled {
            println!(
                "    journaled → credentials accepted by SMTP: {}",
                handled.show()
            );
        }
    }

    /// The figures as JSON.
    pub fn json(&self) -> Value {
        json!({
            "who": self.who,
            "latency": self.latency.json(),
            "dovecot_idle": self.dovecot_idle.json(),
            "noticed": self.noticed.map(|s| s.json()),
            "handled": self.handled.map(|s| s.json()),
        })
    }
}

/// The fixed part of the pause between arrivals.
const SETTLE: Duration = Duration::from_secs(1);

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// True once the daemon has recorded a successful mailbox check.
pub fn daemon_ready(state_dir: &Path) -> bool {
    let path = state_dir.join(onbehalf::journal::FILE_NAME);
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let Ok(conn) = rusqlite::Connection::open_with_flags(path, flags) else {
        return false;
    };
    conn.query_row(
        "SELECT count(*) FROM health WHERE key = ?1",
        [onbehalf::journal::LAST_MAILBOX_CHECK],
        |row| row.get::<_, i64>(0),
    )
    .is_ok_and(|n| n > 0)
}

/// Starts `onbehalf run --config <config>` (stderr to `log`) and waits for its first
/// successful mailbox check.
pub fn start_run(config: &Path, state_dir: &Path, log: &Path) -> Service {
    let mut service = Service::start(runner::onbehalf("run", config), log);
    runner::wait_until(
        "onbehalf run to check the mailbox",
        Duration::from_secs(30),
        Duration::from_millis(20),
        || {
            service.assert_running();
            daemon_ready(state_dir)
        },
    );
    service
}

/// What [`deliver`] measured per arrival (the warm-up left out of the latencies).
pub struct Delivered {
    /// APPEND start → mail stored, seconds.
    pub latencies: Vec<f64>,
    /// APPEND start → Dovecot's EXISTS to an IDLE client, seconds.
    pub announced: Vec<f64>,
    /// Unix time of every APPEND start, warm-up included.
    pub starts: Vec<f64>,
}

/// Delivers `forwards[0]` as a warm-up, then each other one after a random pause,
/// timing APPEND start → mail stored, and when Dovecot announced it to an IDLE client.
pub fn deliver(
    servers: &Servers,
    service: &mut Service,
    forwards: &[Vec<u8>],
    spacing: Duration,
    limit: Duration,
) -> Delivered {
    let dovecot = &servers.dovecot;
    let probe = IdleProbe::start(dovecot.imap_port(), dovecot.username(), dovecot.password());
    let mut appender =
        Appender::connect(dovecot.imap_port(), dovecot.username(), dovecot.password());
    let mut rng = rand::rng();
    crate::procstat::wait_for_quiet_machine();
    let mut delivered = Delivered {
        latencies: Vec::new(),
        announced: Vec::new(),
        starts: Vec::new(),
    };
    for (n, forward) in forwards.iter().enumerate() {
        if n > 0 {
            std::thread::sleep(SETTLE + spacing.mul_f64(rng.random_range(0.0..1.0)));
        }
        service.assert_running();
        delivered.starts.push(unix_now());
        let started = Instant::now();
        appender.append(forward);
        runner::wait_until(
            "the credentials mail",
            limit,
            Duration::from_millis(1),
            || servers.mails_received() > n,
        );
        if n > 0 {
            delivered.latencies.push(started.elapsed().as_secs_f64());
            if let Some(at) = probe.first_after(started) {
                delivered.announced.push((at - started).as_secs_f64());
            }
        }
    }
    delivered
}

/// `onbehalf run` (IDLE) and `count` arrivals.
pub fn onbehalf(runtime: &tokio::runtime::Runtime, count: usize) -> Arrival {
    let servers = Servers::start(runtime);
    let forwards = servers.forwards("arrive", count + 1);
    let state = servers.path("state");
    let config = servers.onbehalf_config("onbehalf.toml", &state, "");
    let mut service = start_run(&config, &state, &servers.path("onbehalf-run.log"));
    let delivered = deliver(
        &servers,
        &mut service,
        &forwards,
        Duration::from_millis(500),
        Duration::from_secs(30),
    );
    service.stop();
    let times = JobTimes::read(&state);
    let received = times.entered("received");
    let starts = &delivered.starts;
    assert_eq!(received.len(), starts.len(), "one job per arrival");
    // Jobs are numbered in arrival order; the first is the warm-up.
    let noticed: Vec<f64> = received
        .iter()
        .zip(starts)
        .skip(1)
        .map(|(r, s)| r - s)
        .collect();
    let handled: Vec<f64> = times
        .spans("received", "notified")
        .into_iter()
        .skip(1)
        .collect();
    Arrival {
        who: "onbehalf run (IDLE; safety-net poll 60 s)".to_owned(),
        latency: Summary::of(&delivered.latencies),
        dovecot_idle: Summary::of(&delivered.announced),
        noticed: Some(Summary::of(&noticed)),
        handled: Some(Summary::of(&handled)),
    }
}

/// The baseline script polling every `poll` and `count` arrivals.
pub fn baseline(runtime: &tokio::runtime::Runtime, count: usize, poll: Duration) -> Arrival {
    let servers = Servers::start(runtime);
    let forwards = servers.forwards("arrive", count + 1);
    let config = servers.baseline_config("baseline.ini");
    let mut command = runner::baseline(&config);
    command.arg("--poll").arg(poll.as_secs_f64().to_string());
    let mut service = Service::start(command, &servers.path("baseline-poll.log"));
    let limit = poll + Duration::from_secs(30);
    let delivered = deliver(&servers, &mut service, &forwards, poll, limit);
    service.stop();
    Arrival {
        who: format!("baseline script polling every {} s", poll.as_secs()),
        latency: Summary::of(&delivered.latencies),
        dovecot_idle: Summary::of(&delivered.announced),
        noticed: None,
        handled: None,
    }
}
