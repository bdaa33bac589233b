//! What the commander's IMAP commands cost when the folder holds a backlog.
//!
//! In: a backlog size and how many messages to time. Out: an [`ImapCosts`] report, from a
//! raw client on Dovecot's plain port timing three ways to read and file messages: the
//! six commands per message the commander first sent (intake: `SELECT`, `UID FETCH`;
//! filing: `SELECT`, `UID SEARCH`, `LIST`, `UID MOVE`), the two a client needs per message
//! once the folder is selected, and the batches the commander sends now (see
//! `src/mailbox/imap/commands.rs`: sizes and bodies of [`BATCH`] messages per `UID
//! FETCH`, one `UID SEARCH` and one `UID MOVE` per batch), so the drain's Dovecot figures
//! can be read per command.

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
    /// Mean seconds per message, the batched commands.
    pub per_message_batched: f64,
}

/// Messages per batch, as the daemon's intake asks for them.
const BATCH: usize = 50;

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
            "    per message: 6 commands {} — SELECT once, then UID FETCH + UID MOVE {} — \
             batches of {BATCH} (what onbehalf sends) {}",
            duration(self.per_message_commander),
            duration(self.per_message_lean),
            duration(self.per_message_batched)
        );
    }

    /// The figures as JSON.
    pub fn json(&self) -> Value {
        json!({
            "backlog": self.backlog,
            "commands": self.commands.iter().map(|(c, s)| (c.clone(), s.json())).collect::<serde_json::Map<_, _>>(),
            "per_message_commander_s": self.per_message_commander,
            "per_message_lean_s": self.per_message_lean,
            "per_message_batched_s": self.per_message_batched,
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
    let batched = [
        "UID FETCH {set} (UID RFC822.SIZE)",
        "UID FETCH {set} (UID BODY.PEEK[])",
        "UID SEARCH UID {set} UNDELETED",
        "UID MOVE {set} \"onbehalf.done\"",
    ];
    let mut batched_total = 0.0;
    let mut batched_messages = 0;
    let mut first = 2 * sample + 1;
    while first + BATCH - 1 <= backlog.min(2 * sample + 4 * BATCH) {
        let set = format!("{first}:{}", first + BATCH - 1);
        for command in batched {
            batched_total += client.timed(&command.replace("{set}", &set));
        }
        batched_messages += BATCH;
        first += BATCH;
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
        per_message_batched: batched_total / batched_messages.max(1) as f64,
        commands,
    }
}
