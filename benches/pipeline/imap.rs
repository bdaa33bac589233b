//! Delivering forwards into the test Dovecot as fast as the server takes them.
//!
//! In: Dovecot's plain IMAP port, the user and password, and messages. Out: the messages
//! in INBOX. [`Appender::append_all`] pipelines every `APPEND` on one session with
//! non-synchronizing literals (`{n+}`, LITERAL+, which Dovecot offers), so a backlog of
//! thousands is in place within seconds; [`Appender::append`] delivers one and returns
//! when the server has confirmed it (the moment a message "arrives"). [`IdleProbe`]
//! measures how soon Dovecot tells an IDLE client about a new message.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One logged-in IMAP session used only to APPEND to INBOX.
pub struct Appender {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    next_tag: u64,
}

impl Appender {
    /// Connects to `127.0.0.1:port` and logs in.
    pub fn connect(port: u16, user: &str, password: &str) -> Appender {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("cannot connect to Dovecot");
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .expect("cannot set a read timeout");
        stream.set_nodelay(true).expect("cannot set TCP_NODELAY");
        let reader = BufReader::new(stream.try_clone().expect("cannot clone the socket"));
        let mut appender = Appender {
            writer: stream,
            reader,
            next_tag: 1,
        };
        let greeting = appender.line();
        assert!(greeting.starts_with("* OK"), "Dovecot greeted {greeting:?}");
        let tag = appender.tag();
        let login = format!("{tag} LOGIN \"{user}\" \"{password}\"\r\n");
        appender.writer.write_all(login.as_bytes()).expect("write");
        appender.expect_ok(&tag);
        appender
    }

    /// Appends every message to INBOX in one pipelined burst; returns once all are stored.
    pub fn append_all(&mut self, messages: &[Vec<u8>]) {
        let first = self.next_tag;
        let mut burst = Vec::with_capacity(messages.iter().map(|m| m.len() + 40).sum());
        for message in messages {
            let tag = self.tag();
            burst.extend_from_slice(
                format!("{tag} APPEND INBOX {{{}+}}\r\n", message.len()).as_bytes(),
            );
            burst.extend_from_slice(message);
            burst.extend_from_slice(b"\r\n");
        }
        // Dovecot answers while we write; a thread writes so that neither side blocks.
        let mut writer = self.writer.try_clone().expect("cannot clone the socket");
        let sender = std::thread::spawn(move || writer.write_all(&burst));
        for n in first..self.next_tag {
            self.expect_ok(&format!("A{n}"));
        }
        sender
            .join()
            .expect("the writer thread panicked")
            .expect("cannot send the APPENDs");
    }

    /// Appends one message to INBOX; returns when the server has answered OK.
    pub fn append(&mut self, message: &[u8]) {
        let tag = self.tag();
        let mut command = format!("{tag} APPEND INBOX {{{}+}}\r\n", message.len()).into_bytes();
        command.extend_from_slice(message);
        command.extend_from_slice(b"\r\n");
        self.writer.write_all(&command).expect("cannot send APPEND");
        self.expect_ok(&tag);
    }

    fn tag(&mut self) -> String {
        let tag = format!("A{}", self.next_tag);
        self.next_tag += 1;
        tag
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        let read = self
            .reader
            .read_line(&mut line)
            .expect("cannot read from Dovecot");
        assert!(read > 0, "Dovecot closed the connection");
        line
    }

    /// Sends one command (without tag) and returns how long the server took to answer
    /// OK, in seconds.
    pub fn timed(&mut self, command: &str) -> f64 {
        let tag = self.tag();
        let started = std::time::Instant::now();
        self.writer
            .write_all(format!("{tag} {command}\r\n").as_bytes())
            .expect("cannot send a command");
        self.expect_ok(&tag);
        started.elapsed().as_secs_f64()
    }

    /// Reads the answer up to the tagged line for `tag`, which must be OK; literals
    /// (`{n}` at the end of a line, as in a FETCH of a body) are read as bytes.
    fn expect_ok(&mut self, tag: &str) {
        loop {
            let line = self.line();
            if let Some(rest) = line.strip_prefix(tag).and_then(|r| r.strip_prefix(' ')) {
                assert!(rest.starts_with("OK"), "{tag}: Dovecot answered {line:?}");
                return;
            }
            let literal = line
                .trim_end()
                .strip_suffix('}')
                .and_then(|head| head.rsplit_once('{'))
                .and_then(|(_, n)| n.parse::<usize>().ok());
            if let Some(length) = literal {
                let mut bytes = vec![0u8; length];
                std::io::Read::read_exact(&mut self.reader, &mut bytes).expect("a literal");
            }
        }
    }
}

/// A plain IMAP client that only IDLEs on INBOX and notes when the server announces new
/// mail (`* n EXISTS`): how long Dovecot itself takes to tell an IDLE client.
pub struct IdleProbe {
    announced: std::sync::Arc<std::sync::Mutex<Vec<std::time::Instant>>>,
}

impl IdleProbe {
    /// Logs in, selects INBOX and IDLEs; a thread records each EXISTS until the process
    /// ends (the connection is dropped with it).
    pub fn start(port: u16, user: &str, password: &str) -> IdleProbe {
        let mut client = Appender::connect(port, user, password);
        let announced = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let tag = client.tag();
        let select = format!("{tag} SELECT INBOX\r\n");
        client.writer.write_all(select.as_bytes()).expect("write");
        client.expect_ok(&tag);
        let tag = client.tag();
        client
            .writer
            .write_all(format!("{tag} IDLE\r\n").as_bytes())
            .expect("write");
        let ready = client.line();
        assert!(ready.starts_with('+'), "Dovecot refused IDLE: {ready:?}");
        // Idling is waiting: no read timeout from here on.
        client
            .writer
            .set_read_timeout(None)
            .expect("cannot clear the read timeout");
        let seen = std::sync::Arc::clone(&announced);
        std::thread::spawn(move || {
            let mut line = String::new();
            while client.reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                if line.trim_end().ends_with("EXISTS") {
                    seen.lock()
                        .expect("probe lock")
                        .push(std::time::Instant::now());
                }
                line.clear();
            }
        });
        IdleProbe { announced }
    }

    /// When the first announcement after `since` came, if one did.
    pub fn first_after(&self, since: std::time::Instant) -> Option<std::time::Instant> {
        let announced = self.announced.lock().expect("probe lock");
        announced.iter().copied().find(|&at| at >= since)
    }
}
