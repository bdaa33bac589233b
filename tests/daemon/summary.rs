//! The final counts of a fault scenario, as one line for `scripts/fault-summary.sh`.
//!
//! In: an [`Env`] after a fault test's assertions. Out: on stderr,
//! `fault-summary: <scenario>: accounts=N credentials=N tickets=N unprocessed=N unfinished=N`,
//! read from the real state: accounts on every simulator, mails the SMTP server accepted,
//! messages still in Dovecot's INBOX, and unfinished jobs in the journal (`status --json`).

use super::Env;
use super::mails;

impl Env {
    /// Prints the scenario's summary line (call it after the test's own assertions).
    pub async fn fault_summary(&self, scenario: &str) {
        let accounts = self.sim.accounts().len()
            + self
                .extra_sims
                .iter()
                .map(|sim| sim.accounts().len())
                .sum::<usize>();
        let sent = self.mails();
        let credentials = mails::credentials(&sent).len();
        let tickets = mails::tickets(&sent).len();
        let unprocessed = self.count("INBOX").await;
        let unfinished = self.status_json()["unfinished_jobs"]
            .as_array()
            .map_or(0, Vec::len);
        eprintln!(
            "fault-summary: {scenario}: accounts={accounts} credentials={credentials} \
             tickets={tickets} unprocessed={unprocessed} unfinished={unfinished}"
        );
    }
}
