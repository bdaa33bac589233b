//! Summaries of measured durations: count, mean, p50, p99, max.
//!
//! In: samples in seconds. Out: a [`Summary`] (nearest-rank percentiles), printed in
//! milliseconds or seconds, and as JSON for the results file.

use serde_json::{Value, json};

/// The distribution of a set of durations, in seconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// How many samples.
    pub count: usize,
    /// Their mean.
    pub mean: f64,
    /// Median (nearest rank).
    pub p50: f64,
    /// 99th percentile (nearest rank).
    pub p99: f64,
    /// The largest.
    pub max: f64,
}

impl Summary {
    /// Summarizes `samples` (seconds); all zero when empty.
    pub fn of(samples: &[f64]) -> Summary {
        if samples.is_empty() {
            return Summary::default();
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            let index = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
            sorted[index]
        };
        Summary {
            count: sorted.len(),
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            p50: rank(0.50),
            p99: rank(0.99),
            max: sorted[sorted.len() - 1],
        }
    }

    /// `p50 … / p99 … (n=…)` with a unit that fits.
    pub fn show(&self) -> String {
        format!(
            "p50 {} / p99 {} (mean {}, max {}, n={})",
            duration(self.p50),
            duration(self.p99),
            duration(self.mean),
            duration(self.max),
            self.count
        )
    }

    /// As a JSON object, seconds.
    pub fn json(&self) -> Value {
        json!({
            "n": self.count,
            "mean_s": self.mean,
            "p50_s": self.p50,
            "p99_s": self.p99,
            "max_s": self.max,
        })
    }
}

/// Seconds as `12.3 ms` or `4.56 s`.
pub fn duration(seconds: f64) -> String {
    if seconds < 1.0 {
        format!("{:.1} ms", seconds * 1000.0)
    } else {
        format!("{seconds:.2} s")
    }
}
