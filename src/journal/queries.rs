//! What the journal answers: one job, its history, the unfinished, the recent, the counts.
//!
//! In: a job id or a limit. Out: owned [`JobRecord`]s and [`Transition`]s for the daemon's
//! resume on start and for `onbehalf status`.

use rusqlite::{OptionalExtension, params};

use super::error::{Context, JournalError};
use super::rows::{self, JOB_COLUMNS};
use super::types::{JobId, JobRecord, JobState, Transition};
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

    /// Another job (the oldest) with the same invite link: the same invite forwarded
    /// twice, which must not make a second account.
    pub fn other_job_with_invite(
        &self,
        job: JobId,
        invite_url: &Secret,
    ) -> Result<Option<JobRecord>, JournalError> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE invite_url = ?1 AND id <> ?2 \
                 ORDER BY id LIMIT 1"
            ))?
            .query_row(params![invite_url.expose(), job.0], rows::job_from_row)
            .optional()
        })
        .doing(|| format!("look for another job with {job}'s invite link"))
    }

    /// Every job with this invite link, oldest first: the daemon decides from all of them
    /// whether the link was already taken.
    pub fn jobs_with_invite(&self, invite_url: &Secret) -> Result<Vec<JobRecord>, JournalError> {
        self.select_jobs(
            "WHERE invite_url = ?1 ORDER BY id",
            [invite_url.expose()],
            "list the jobs with an invite link",
        )
    }

    /// Every job with an invite link of `platform`, oldest first: the daemon compares
    /// their links as invites (the same invite can be written several ways), not as text.
    pub fn jobs_with_invites_on(&self, platform: &str) -> Result<Vec<JobRecord>, JournalError> {
        self.select_jobs(
            "WHERE platform = ?1 AND invite_url IS NOT NULL ORDER BY id",
            [platform],
            "list the jobs with an invite link of a platform",
        )
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
