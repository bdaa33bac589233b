//! Where a job's time went, read back from onbehalf's journal.
//!
//! In: `state_dir/journal.sqlite3` after a run (opened read-only with rusqlite). Out: per
//! job, the time of each state it entered (the `history` table's `at`, RFC 3339 with
//! milliseconds), from which [`JobTimes`] gives received → filed latencies and the time
//! spent in each state before the next transition.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

/// The states of a job that ends as done, in order.
pub const STATES: &[&str] = &[
    "received",
    "extracted",
    "vetted",
    "signing_up",
    "signed_up",
    "notified",
    "filed",
];

/// Per job, when (Unix time, seconds) it entered each state.
pub struct JobTimes {
    /// job id → state → time.
    pub jobs: BTreeMap<i64, BTreeMap<String, f64>>,
}

impl JobTimes {
    /// Reads every job's history.
    pub fn read(state_dir: &Path) -> JobTimes {
        let path = state_dir.join(onbehalf::journal::FILE_NAME);
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        let mut statement = conn
            .prepare("SELECT job_id, to_state, at FROM history ORDER BY id")
            .expect("cannot read the history table");
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .expect("cannot read the history table");
        let mut jobs: BTreeMap<i64, BTreeMap<String, f64>> = BTreeMap::new();
        for row in rows {
            let (job, state, at) = row.expect("a history row");
            // The first time a state was entered (a resumed job may enter one twice).
            jobs.entry(job)
                .or_default()
                .entry(state)
                .or_insert_with(|| unix_seconds(&at));
        }
        JobTimes { jobs }
    }

    /// How many jobs reached `state`.
    pub fn count_in(&self, state: &str) -> usize {
        self.jobs.values().filter(|s| s.contains_key(state)).count()
    }

    /// Seconds from entering `from` to entering `to`, for every job that did both.
    pub fn spans(&self, from: &str, to: &str) -> Vec<f64> {
        self.jobs
            .values()
            .filter_map(|states| Some(states.get(to)? - states.get(from)?))
            .collect()
    }

    /// The time each job entered `state`.
    pub fn entered(&self, state: &str) -> Vec<f64> {
        self.jobs
            .values()
            .filter_map(|states| states.get(state).copied())
            .collect()
    }
}

/// `2026-11-03T10:02:11.123Z` as Unix seconds.
pub fn unix_seconds(at: &str) -> f64 {
    let parse = |range: std::ops::Range<usize>| -> i64 {
        at.get(range)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("cannot read the journal time {at:?}"))
    };
    let days = days_from_civil(parse(0..4), parse(5..7), parse(8..10));
    let seconds: f64 = at
        .get(17..at.len() - 1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("cannot read the journal time {at:?}"));
    (days * 86_400 + parse(11..13) * 3600 + parse(14..16) * 60) as f64 + seconds
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
