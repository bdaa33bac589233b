//! IMAP connections cut again and again under `onbehalf run`: while a batch of forwards
//! arrives and is handled, every IMAP session of the support mailbox is ended every
//! 100–300 ms — alternately politely (`doveadm kick`: BYE, then close) and abruptly
//! (Dovecot frozen for a few tens of ms so the daemon's next commands wait unanswered,
//! then its `imap` processes SIGKILLed) — so cuts land during intake (SELECT, SEARCH,
//! FETCH), during jobs, during filing (SEARCH, MOVE) and in the watcher's IDLE. However
//! the cuts fall, the end state is the same: one account and one credentials mail per
//! valid invite, one ticket per invite a human must see, every message filed once,
//! nothing unfinished.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use onbehalf_sim::Behaviour;

use super::mails::{self, lf};
use super::outages::{forwarded, stop};
use super::{DEADLINE, Env, Setup, wait_for_folder, wait_until};

/// Invites that must end in an account.
const VALID: usize = 12;

/// Ends every IMAP session of the test user (anvil lists them, doveadm signals their
/// processes); false when the user had none at that moment.
fn kick(env: &Env) -> bool {
    let output = Command::new("doveadm")
        .arg("-c")
        .arg(env.dovecot.dir().join("dovecot.conf"))
        .args(["kick", env.dovecot.username()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // Exit 68 and "no users kicked" when there was no session.
    assert!(
        output.status.success() || stdout.contains("no users kicked"),
        "doveadm kick failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.status.success()
}

/// Freezes Dovecot for `stall` (so the daemon's next commands wait unanswered), then
/// SIGKILLs this instance's `imap` processes and lets the rest run on: the connections
/// drop in the middle of whatever command was sent meanwhile. Returns how many
/// sessions were killed.
fn stall_and_kill(env: &Env, stall: Duration) -> usize {
    let conf = env.dovecot.dir().join("dovecot.conf");
    let master = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains(conf.to_str().unwrap())
        })
        .expect("the test Dovecot's master process");
    env.dovecot.pause();
    std::thread::sleep(stall);
    let sessions: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // "pid (comm) state ppid pgrp …"
            let mut fields = stat.rsplit(") ").next().unwrap_or_default().split(' ');
            stat.contains("(imap) ") && fields.nth(2) == Some(master.to_string().as_str())
        })
        .collect();
    for pid in &sessions {
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg(pid.to_string())
            .status();
    }
    env.dovecot.resume();
    sessions.len()
}

/// Jobs the journal has filed (done or needs-human).
fn filed(env: &Env) -> usize {
    usize::try_from(env.jobs_in("filed")).unwrap()
}

/// What the daemon noticed of the cuts: each log line about a lost session, by the
/// IMAP command it was in (or about to send), to print with the test's output.
fn noticed(logs: &str) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for line in logs.lines() {
        let Some(error) = [
            "IMAP session went stale",
            "mailbox watcher lost its connection",
            "mailbox check failed",
            "message could not be filed",
            "job stopped",
        ]
        .iter()
        .find(|marker| line.contains(**marker))
        .and_then(|_| line.split("error=cannot ").nth(1)) else {
            continue;
        };
        let stage = match error.split(' ').take(2).collect::<Vec<_>>()[..] {
            ["keep", ..] => "IDLE (watcher)".to_owned(),
            ["UID", command] => format!("UID {command}"),
            [command, ..] if command.chars().all(|c| c.is_ascii_uppercase()) => command.into(),
            _ => error.split(':').next().unwrap_or(error).to_owned(),
        };
        *seen.entry(stage).or_insert(0) += 1;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_sessions_cut_again_and_again_still_end_every_job_exactly_once() {
    // A little platform latency stretches each job over several cuts.
    let env = Env::start_with(Setup {
        poll_interval: "1s",
        sim_latency: Duration::from_millis(20),
        ..Setup::default()
    })
    .await;
    let mut cases: Vec<(String, Behaviour)> = (0..VALID)
        .map(|n| (format!("cut.{n}@partner.test"), Behaviour::Normal))
        .collect();
    cases.push(("expired.cut@partner.test".into(), Behaviour::Expired));
    cases.push((
        "known.cut@partner.test".into(),
        Behaviour::AlreadyRegistered,
    ));
    let total = cases.len();

    let mut running = env.run();
    let mut to_append = cases.iter();
    let mut originals = Vec::new();
    let (mut cuts, mut landed) = (0, 0);
    // A bound for failing, not a wait: generous, because a loaded CI machine is slow.
    let deadline = Instant::now() + 2 * DEADLINE;
    // Fault injection, not a wait: deliver one more forward, cut a little later (while
    // the daemon fetches it, or in the middle of other jobs), pause, again — until every
    // job is filed. The test's own appends never overlap a cut.
    for round in 0u64.. {
        match to_append.next() {
            Some((email, behaviour)) => {
                originals.push(forwarded(&env, email, behaviour.clone()).await);
            }
            None if filed(&env) == total => break,
            None => {}
        }
        tokio::time::sleep(Duration::from_millis((round * 37) % 60)).await;
        cuts += 1;
        let ended = if round % 2 == 0 {
            usize::from(kick(&env))
        } else {
            stall_and_kill(&env, Duration::from_millis(20 + (round * 11) % 40))
        };
        landed += usize::from(ended > 0);
        assert!(
            Instant::now() < deadline,
            "not every job was filed under the cuts; logs:\n{}",
            env.logs()
        );
        tokio::time::sleep(Duration::from_millis(100 + (round * 73) % 201)).await;
    }
    eprintln!(
        "drops: {cuts} cuts, {landed} ended sessions; the daemon noticed them in: {:?}",
        noticed(&env.logs())
    );
    assert!(landed >= 5, "only {landed} cuts ended a session");

    // On failure, where every message is (a \Deleted one still counts here).
    eprintln!(
        "drops: INBOX {:?}, done {:?}, needs-human {:?}",
        env.dovecot.flags("INBOX").await,
        env.dovecot.flags("onbehalf/done").await,
        env.dovecot.flags("onbehalf/needs-human").await
    );
    wait_for_folder(&env, "onbehalf/done", VALID).await;
    wait_for_folder(&env, "onbehalf/needs-human", total - VALID).await;
    wait_until("every mail", || env.mails().len() >= total);
    stop(&env, &mut running);

    let mut accounts = env.accounts();
    accounts.sort();
    let mut valid: Vec<_> = cases[..VALID].iter().map(|(e, _)| e.clone()).collect();
    valid.sort();
    assert_eq!(accounts, valid, "one account per valid invite");
    for email in &valid {
        env.assert_credentials(email);
    }
    let sent = env.mails();
    assert_eq!(mails::credentials(&sent).len(), VALID);
    let tickets = mails::tickets(&sent);
    assert_eq!(
        tickets.len(),
        total - VALID,
        "one ticket per invite a human must see"
    );
    for (raw, reason) in originals[VALID..]
        .iter()
        .zip(["link_expired", "already_registered"])
    {
        let about: Vec<_> = tickets
            .iter()
            .filter(|t| lf(&t.attached_original()) == lf(raw))
            .collect();
        assert_eq!(about.len(), 1, "one ticket for {reason}");
        assert!(about[0].text.contains(reason), "{}", about[0].text);
    }
    assert_eq!(sent.len(), total, "no other mail");
    // Dovecot's MOVE is a COPY then an EXPUNGE: a session killed between the two leaves
    // the message in both folders, and the daemon's retry moves it again, so the
    // destination may hold a second copy of the same message. Each message must be in
    // the right folder, none left in INBOX, none in the wrong folder.
    assert_eq!(env.count("INBOX").await, 0, "nothing left in INBOX");
    for (folder, want) in [
        ("onbehalf/done", VALID),
        ("onbehalf/needs-human", total - VALID),
    ] {
        let distinct: std::collections::BTreeSet<Vec<u8>> = env
            .dovecot
            .messages(folder)
            .await
            .iter()
            .map(|m| lf(m))
            .collect();
        assert_eq!(distinct.len(), want, "distinct messages in {folder}");
    }
    let done = env.dovecot.messages("onbehalf/done").await;
    let needs_human = env.dovecot.messages("onbehalf/needs-human").await;
    let holds = |folder: &[Vec<u8>], raw: &[u8]| folder.iter().any(|m| lf(m) == lf(raw));
    for raw in &originals[..VALID] {
        assert!(holds(&done, raw), "an invite handled is in done");
        assert!(
            !holds(&needs_human, raw),
            "an invite handled is not in needs-human"
        );
    }
    for raw in &originals[VALID..] {
        assert!(
            holds(&needs_human, raw),
            "a ticketed forward is in needs-human"
        );
        assert!(!holds(&done, raw), "a ticketed forward is not in done");
    }
    assert_eq!(filed(&env), total);
    assert_eq!(env.status_json()["unfinished_jobs"], serde_json::json!([]));
    env.fault_summary("imap-sessions-cut-every-100-300ms").await;
}
