//! Prometheus metrics for the service (off unless `[daemon] metrics_listen` is set).
//!
//! In: events from the daemon (a job finished with an outcome and reason after so many
//! seconds, an SMTP or platform error) and, at scrape time, the journal's job counts and
//! the mailbox's health. Out: the Prometheus text format on `GET /metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Upper bounds (seconds) of the job duration histogram's buckets.
const BUCKETS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

/// Counters kept by the running daemon.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Finished jobs by (outcome, reason).
    finished: Mutex<BTreeMap<(String, String), u64>>,
    /// Cumulative bucket counts, then the sum (ms) and count of job durations.
    buckets: [AtomicU64; BUCKETS.len()],
    duration_sum_ms: AtomicU64,
    duration_count: AtomicU64,
    smtp_errors: AtomicU64,
    /// Mails with no invite link from an unauthenticated sender, filed without a ticket.
    junk_filed: AtomicU64,
    /// Platform errors by reason (`network`, `server_error`, …).
    platform_errors: Mutex<BTreeMap<String, u64>>,
}

/// What is read at scrape time rather than counted.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Jobs in the journal by state.
    pub jobs_by_state: Vec<(String, u64)>,
    /// Whether the mailbox connection is up.
    pub mailbox_connected: bool,
    /// When the mailbox last answered successfully.
    pub last_check: Option<SystemTime>,
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    let mut map = map
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    *map.entry(key).or_insert(0) += 1;
}

impl Metrics {
    /// Records a job that reached `filed`: `done` or `needs_human` with its reason.
    pub fn job_finished(&self, outcome: &str, reason: &str, took: Duration) {
        bump(&self.finished, (outcome.to_owned(), reason.to_owned()));
        let seconds = took.as_secs_f64();
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        let ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
        self.duration_sum_ms.fetch_add(ms, Ordering::Relaxed);
        self.duration_count.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a mail the SMTP server did not take.
    pub fn smtp_error(&self) {
        self.smtp_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a mail with no invite link from an unauthenticated sender, filed in the
    /// needs-human folder without a ticket.
    pub fn junk_filed(&self) {
        self.junk_filed.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a signup that failed for `reason`.
    pub fn platform_error(&self, reason: &str) {
        bump(&self.platform_errors, reason.to_owned());
    }

    /// The Prometheus text exposition.
    pub fn render(&self, snapshot: &Snapshot) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP onbehalf_jobs Jobs in the journal by state.\n# TYPE onbehalf_jobs gauge"
        );
        for (state, n) in &snapshot.jobs_by_state {
            let _ = writeln!(out, "onbehalf_jobs{{state=\"{state}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP onbehalf_jobs_finished_total Jobs filed since start, by outcome and reason.\n# TYPE onbehalf_jobs_finished_total counter"
        );
        for ((outcome, reason), n) in self
            .finished
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "onbehalf_jobs_finished_total{{outcome=\"{outcome}\",reason=\"{reason}\"}} {n}"
            );
        }
        self.render_histogram(&mut out);
        let _ = writeln!(
            out,
            "# HELP onbehalf_mailbox_connected Whether the mailbox connection is up.\n# TYPE onbehalf_mailbox_connected gauge\nonbehalf_mailbox_connected {}",
            u8::from(snapshot.mailbox_connected)
        );
        if let Some(last) = snapshot.last_check {
            let age = SystemTime::now().duration_since(last).unwrap_or_default();
            let _ = writeln!(
                out,
                "# HELP onbehalf_mailbox_seconds_since_last_check Seconds since the mailbox last answered.\n# TYPE onbehalf_mailbox_seconds_since_last_check gauge\nonbehalf_mailbox_seconds_since_last_check {:.3}",
                age.as_secs_f64()
            );
        }
        let _ = writeln!(
            out,
            "# HELP onbehalf_smtp_errors_total Mails the SMTP server did not take.\n# TYPE onbehalf_smtp_errors_total counter\nonbehalf_smtp_errors_total {}",
            self.smtp_errors.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP onbehalf_junk_filed_total Mails with no invite link from an unauthenticated sender, filed without a ticket.\n# TYPE onbehalf_junk_filed_total counter\nonbehalf_junk_filed_total {}",
            self.junk_filed.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP onbehalf_platform_errors_total Failed signups by reason.\n# TYPE onbehalf_platform_errors_total counter"
        );
        for (reason, n) in self
            .platform_errors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "onbehalf_platform_errors_total{{reason=\"{reason}\"}} {n}"
            );
        }
        out
    }

    fn render_histogram(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP onbehalf_job_duration_seconds Time from receiving a message to filing it.\n# TYPE onbehalf_job_duration_seconds histogram"
        );
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(
                out,
                "onbehalf_job_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.duration_count.load(Ordering::Relaxed);
        let sum = self.duration_sum_ms.load(Ordering::Relaxed) as f64 / 1000.0;
        let _ = writeln!(
            out,
            "onbehalf_job_duration_seconds_bucket{{le=\"+Inf\"}} {count}\nonbehalf_job_duration_seconds_sum {sum:.3}\nonbehalf_job_duration_seconds_count {count}"
        );
    }
}

/// Why the metrics endpoint could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen for metrics on {addr}")]
pub struct MetricsError {
    /// The configured address.
    pub addr: SocketAddr,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// Serves `GET /metrics` on `addr` until `shutdown`; `render` is awaited per scrape (it
/// reads the journal on a blocking thread, never on an async worker).
pub async fn serve<F>(
    addr: SocketAddr,
    render: impl Fn() -> F + Clone + Send + Sync + 'static,
    shutdown: tokio_util::sync::CancellationToken,
) -> Result<SocketAddr, MetricsError>
where
    F: std::future::Future<Output = String> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| MetricsError { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| MetricsError { addr, source })?;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let render = render.clone();
            async move {
                (
                    [("content-type", "text/plain; version=0.0.4; charset=utf-8")],
                    render().await,
                )
            }
        }),
    );
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::warn!(error = %crate::report::chain(&e), "metrics endpoint stopped");
        }
    });
    Ok(bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histogram() {
        let metrics = Metrics::default();
        metrics.job_finished("done", "", Duration::from_millis(300));
        metrics.job_finished("needs_human", "link_expired", Duration::from_secs(3));
        metrics.smtp_error();
        metrics.platform_error("network");
        let text = metrics.render(&Snapshot {
            jobs_by_state: vec![("filed".to_owned(), 2)],
            mailbox_connected: true,
            last_check: Some(SystemTime::now()),
        });
        assert!(text.contains("onbehalf_jobs{state=\"filed\"} 2"), "{text}");
        assert!(text.contains(
            "onbehalf_jobs_finished_total{outcome=\"needs_human\",reason=\"link_expired\"} 1"
        ));
        assert!(text.contains("onbehalf_job_duration_seconds_bucket{le=\"0.25\"} 0"));
        assert!(text.contains("onbehalf_job_duration_seconds_bucket{le=\"0.5\"} 1"));
        assert!(text.contains("onbehalf_job_duration_seconds_bucket{le=\"5\"} 2"));
        assert!(text.contains("onbehalf_job_duration_seconds_count 2"));
        assert!(text.contains("onbehalf_mailbox_connected 1"));
        assert!(text.contains("onbehalf_smtp_errors_total 1"));
        assert!(text.contains("onbehalf_junk_filed_total 0"), "{text}");
        assert!(text.contains("onbehalf_platform_errors_total{reason=\"network\"} 1"));
    }

    #[tokio::test]
    async fn serves_over_http() {
        let token = tokio_util::sync::CancellationToken::new();
        let addr = serve(
            "127.0.0.1:0".parse().unwrap(),
            || async { "x_total 1\n".to_owned() },
            token.clone(),
        )
        .await
        .unwrap();
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut body = String::new();
        stream.read_to_string(&mut body).await.unwrap();
        assert!(body.starts_with("HTTP/1.1 200"), "{body}");
        assert!(body.ends_with("x_total 1\n"), "{body}");
        token.cancel();
    }
}
