//! What the commander's IMAP commands cost when the folder holds a backlog.
//!
//! In: a backlog size and how many messages to time. Out: an [`ImapCosts`] report, from a
//! raw client on Dovecot's plain port timing, per message, the six commands onbehalf's
//! commander sends today (intake: `SELECT`, `UID FETCH`; filing: `SELECT`,
//! `UID SEARCH`, `LIST`, `UID MOVE` — see `src/mailbox/imap/commands.rs`) and the two a
//! leaner client needs once the folder is selected (`UID FETCH`, `UID MOVE`), so the
//! drain's Dovecot figures can be read per command.

use serde_json::{Value, json};

use crate::imap::Appender;
use crate::servers::Servers;
use crate::stats::{Summary, duration};

/// Per-command latencies and the per-message totals of both patterns.
pub struct ImapCosts {
    /// Messages in INBOX when the timing started.
    pub backlog: usize,
    /// (command, latency) in the order onbehalf sends them.
    pub commands: Vec<(String, Summary)>,
    /// Mean seconds per message, onbehalf's six commands.
    pub per_message_commander: f64,
    /// Mean seconds per message, `UID FETCH` + `UID MOVE` on a selected folder.
    pub per_message_lean: f64,
}

impl ImapCosts {
    /// Prints the figures.
    pub fn print(&self) {
        println!(
            "  {} messages in INBOX, one raw IMAP session on loopback:",
            self.backlog
        );
        for (command, summary) in &self.commands {
            println!(
                "    {command:<34} p50 {:>9}  mean {:>9}",
                duration(summary.p50),
                duration(summary.mean)
            );
        }
        println!(
            "    per message: onbehalf's 6 commands {} — SELECT once, then UID FETCH + UID MOVE {}",
            duration(self.per_message_commander),
            duration(self.per_message_lean)
        );
    }

    /// The figures as JSON.
    pub fn json(&self) -> Value {
        json!({
            "backlog": self.backlog,
            "commands": self.commands.iter().map(|(c, s)| (c.clone(), s.json())).collect::<serde_json::Map<_, _>>(),
            "per_message_commander_s": self.per_message_commander,
            "per_message_lean_s": self.per_message_lean,
        })
    }
}

/// Times both command patterns on `sample` messages each of a `backlog` in INBOX.
pub fn run(runtime: &tokio::runtime::Runtime, backlog: usize, sample: usize) -> ImapCosts {
    let servers = Servers::start(runtime);
    let forwards = servers.forwards("cost", backlog);
    let dovecot = &servers.dovecot;
    let mut client = Appender::connect(dovecot.imap_port(), dovecot.username(), dovecot.password());
    client.append_all(&forwards);
    client.timed("CREATE \"onbehalf.done\"");
    crate::procstat::wait_for_quiet_machine();
    let commander = [
        "SELECT \"INBOX\"",
        "UID FETCH {uid} (UID BODY.PEEK[])",
        "SELECT \"INBOX\"",
        "UID SEARCH UID {uid} UNDELETED",
        "LIST \"\" \"onbehalf.done\"",
        "UID MOVE {uid} \"onbehalf.done\"",
    ];
    let mut samples = vec![Vec::new(); commander.len()];
    for uid in 1..=sample {
        for (n, command) in commander.iter().enumerate() {
            samples[n].push(client.timed(&command.replace("{uid}", &uid.to_string())));
        }
    }
    let lean = [
        "UID FETCH {uid} (UID BODY.PEEK[])",
        "UID MOVE {uid} \"onbehalf.done\"",
    ];
    client.timed("SELECT \"INBOX\"");
    let mut lean_total = 0.0;
    for uid in sample + 1..=2 * sample {
        for command in lean {
            lean_total += client.timed(&command.replace("{uid}", &uid.to_string()));
        }
    }
    let labels = [
        "intake: SELECT",
        "intake: UID FETCH BODY.PEEK[]",
        "filing: SELECT",
        "filing: UID SEARCH UID n UNDELETED",
        "filing: LIST (folder exists?)",
        "filing: UID MOVE",
    ];
    let commands: Vec<(String, Summary)> = labels
        .iter()
        .zip(&samples)
        .map(|(label, s)| ((*label).to_owned(), Summary::of(s)))
        .collect();
    ImapCosts {
        backlog,
        per_message_commander: commands.iter().map(|(_, s)| s.mean).sum(),
        per_message_lean: lean_total / sample as f64,
        commands,
    }
}
