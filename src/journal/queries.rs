//! What the journal answers: one job, its history, the unfinished, the recent, the counts.
//!
//! In: a job id or a limit. Out: owned [`JobRecord`]s and [`Transition`]s for the daemon's
//! resume on start and for `onbehalf status`.

use super::error::{Context, JournalError};
use super::rows::{self, JOB_COLUMNS};
use super::types::{InviteKey, JobId, JobRecord, JobState, Transition};
use super::{Journal, resolve};
use crate::secret::Secret;

impl Journal {
    /// The job's record, `None` if there is no such job.
    pub fn job(&self, job: JobId) -> Result<Option<JobRecord>, JournalError> {
        self.read(|conn| rows::find_job(conn, job))
            .doing(|| format!("read {job}"))
    }

    /// The job's history, oldest first.
    pub fn history(&self, job: JobId) -> Result<Vec<Transition>, JournalError> {
        self.read(|conn| {
            rows::state_of(conn, job)?;
            Ok(rows::history(conn, job)?)
        })
        .map_err(|failure| resolve(failure, || format!("read {job}'s history")))
    }

    /// Every job not yet filed, oldest first: what the daemon resumes on start.
    pub fn unfinished(&self) -> Result<Vec<JobRecord>, JournalError> {
        self.select_jobs(
            "WHERE state <> 'filed' ORDER BY id",
            [],
            "list unfinished jobs",
        )
    }

    /// The jobs whose history changed last, newest first.
    pub fn recent(&self, limit: usize) -> Result<Vec<JobRecord>, JournalError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.select_jobs(
            // History ids order changes exactly; timestamps tie within a millisecond.
            "ORDER BY (SELECT MAX(h.id) FROM history h WHERE h.job_id = jobs.id) DESC \
             LIMIT ?1",
            [limit],
            "list recent jobs",
        )
    }

    /// Every job of `platform` whose invite has `key`, oldest first: the daemon's
    /// duplicate check, by index (the same invite can be written several ways; the key
    /// is of its normal form).
    pub fn jobs_with_invite_key(
        &self,
        platform: &str,
        key: &InviteKey,
    ) -> Result<Vec<JobRecord>, JournalError> {
        self.select_jobs(
            "WHERE platform = ?1 AND invite_key = ?2 ORDER BY id",
            [platform, key.as_str()],
            "list the jobs with an invite",
        )
    }

    /// Jobs with an invite link but no key yet (recorded by an older version): their id,
    /// platform and link, for the daemon to key them.
    pub fn invites_without_key(&self) -> Result<Vec<(JobId, String, Secret)>, JournalError> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT id, platform, invite_url FROM jobs \
                 WHERE invite_key IS NULL AND invite_url IS NOT NULL AND platform IS NOT NULL",
            )?
            .query_map([], |row| {
                let url: String = row.get(2)?;
                Ok((JobId(row.get(0)?), row.get(1)?, Secret::new(url)))
            })?
            .collect()
        })
        .doing(|| "list the invites recorded without a key".to_owned())
    }

    /// How many jobs are in each state, for every state in diagram order.
    pub fn counts_by_state(&self) -> Result<Vec<(JobState, u64)>, JournalError> {
        let counted: Vec<(JobState, i64)> = self
            .read(|conn| {
                conn.prepare_cached("SELECT state, COUNT(*) FROM jobs GROUP BY state")?
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect()
            })
            .doing(|| "count jobs by state".to_owned())?;
        Ok(JobState::ALL
            .into_iter()
            .map(|state| {
                let n = counted.iter().find(|(s, _)| *s == state).map_or(0, |c| c.1);
                (state, u64::try_from(n).unwrap_or(0))
            })
            .collect())
    }

    pub(super) fn select_jobs(
        &self,
        clause: &str,
        args: impl rusqlite::Params,
        action: &str,
    ) -> Result<Vec<JobRecord>, JournalError> {
        self.read(|conn| {
            conn.prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM jobs {clause}"))?
                .query_map(args, rows::job_from_row)?
                .collect()
        })
        .doing(|| action.to_owned())
    }
}
