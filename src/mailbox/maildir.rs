//! A local Maildir as a mailbox, for setups where the MTA delivers locally, and the demo.
//!
//! In: a [`MaildirConfig`]. Out: a [`MaildirMailbox`] that lists the messages in `new/` and
//! `cur/` by their unique name, reads one, and files it by renaming it into a Maildir++
//! subfolder (`onbehalf/done` → `<path>/.onbehalf.done/`, with its own `cur/ new/ tmp/` and
//! a `maildirfolder` marker, as Dovecot lays it out, so the same tree can be served over
//! IMAP); and a [`MaildirWatcher`] that scans every `poll_interval` and signals when the
//! set of messages changed.
//!
//! A message is named by its unique name: the file name without the `:2,flags` suffix,
//! which a mail client changes when it moves the file to `cur/` or sets a flag. Flags are
//! never touched here, so reading a message never marks it seen.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::health::{Health, Part};
use super::{CheckReport, Destination, Fetched, Filed, Listing, MailboxError, MessageLocation};
use crate::config::MaildirConfig;

/// The most read of an oversized message's header section.
pub const HEADER_CAP: u64 = 256 * 1024;

/// The bytes up to and including the first empty line (all of them if there is none).
fn header_section(mut head: Vec<u8>) -> Vec<u8> {
    let lf = head.windows(2).position(|w| w == b"\n\n").map(|at| at + 2);
    let crlf = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4);
    if let Some(end) = lf.into_iter().chain(crlf).min() {
        head.truncate(end);
    }
    head
}

/// A Maildir the daemon reads from and files into.
#[derive(Debug)]
pub struct MaildirMailbox {
    config: MaildirConfig,
    health: Arc<Health>,
}

/// One message file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// The name without the `:2,flags` info.
    unique: String,
    /// `new` or `cur`.
    subdir: &'static str,
    /// The whole file name.
    file_name: String,
}

impl MaildirMailbox {
    /// Prepares the Maildir; nothing is read until the first call.
    pub fn new(config: MaildirConfig) -> Self {
        Self {
            config,
            health: Arc::default(),
        }
    }

    /// `maildir:/path`.
    pub fn source_name(&self) -> String {
        format!("maildir:{}", self.config.path.display())
    }

    /// Every message in `new/` and `cur/`, by unique name.
    pub async fn list(&mut self) -> Result<Listing, MailboxError> {
        let entries = self.recorded(Part::Commander, scan(&self.config.path).await)?;
        Ok(Listing {
            uidvalidity: None,
            messages: entries
                .into_iter()
                .map(|entry| MessageLocation::maildir(entry.unique))
                .collect(),
        })
    }

    /// The message's bytes.
    pub async fn fetch(&mut self, msg: &MessageLocation) -> Result<Vec<u8>, MailboxError> {
        let gone = || MailboxError::Gone {
            source_name: self.source_name(),
            location: msg.to_string(),
        };
        let entry = self.find(msg).await?.ok_or_else(gone)?;
        let path = self.config.path.join(entry.subdir).join(&entry.file_name);
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(gone()),
            Err(source) => Err(io_error("read", &path, source)),
        }
    }

    /// The message's bytes if the file is at most `limit` bytes, else its size and the
    /// header section (read up to the first empty line, at most [`HEADER_CAP`] bytes).
    pub async fn fetch_within(
        &mut self,
        msg: &MessageLocation,
        limit: usize,
    ) -> Result<Fetched, MailboxError> {
        use tokio::io::AsyncReadExt;
        let gone = || MailboxError::Gone {
            source_name: self.source_name(),
            location: msg.to_string(),
        };
        let entry = self.find(msg).await?.ok_or_else(gone)?;
        let path = self.config.path.join(entry.subdir).join(&entry.file_name);
        let opened = match tokio::fs::File::open(&path).await {
            Ok(file) => file.metadata().await.map(|meta| (file, meta.len())),
            Err(e) => Err(e),
        };
        let (file, size) = match opened {
            Ok(opened) => opened,
            Err(e) if e.kind() == ErrorKind::NotFound => return Err(gone()),
            Err(source) => return Err(io_error("read", &path, source)),
        };
        let whole = usize::try_from(size).is_ok_and(|size| size <= limit);
        let mut bytes = Vec::new();
        file.take(if whole { size } else { HEADER_CAP })
            .read_to_end(&mut bytes)
            .await
            .map_err(|source| io_error("read", &path, source))?;
        Ok(if whole {
            Fetched::Whole(bytes)
        } else {
            Fetched::TooLarge {
                size,
                header: header_section(bytes),
            }
        })
    }

    /// Renames the message into the destination subfolder (created if missing), keeping
    /// its file name and whether it was in `new/` or `cur/`.
    pub async fn file(
        &mut self,
        msg: &MessageLocation,
        to: Destination,
    ) -> Result<Filed, MailboxError> {
        let Some(entry) = self.find(msg).await? else {
            tracing::warn!(%msg, "message already gone from the Maildir; nothing to file");
            return Ok(Filed::AlreadyGone);
        };
        let folder = match to {
            Destination::Done => &self.config.done_folder,
            Destination::NeedsHuman => &self.config.needs_human_folder,
        };
        let destination = self.config.folder_path(folder);
        ensure_maildir(&destination).await?;
        let from = self.config.path.join(entry.subdir).join(&entry.file_name);
        let into = destination.join(entry.subdir).join(&entry.file_name);
        match tokio::fs::rename(&from, &into).await {
            Ok(()) => Ok(Filed::Moved),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(Filed::AlreadyGone),
            Err(source) => Err(io_error(
                &format!("move {} to", from.display()),
                &into,
                source,
            )),
        }
    }

    /// Checks the Maildir is one, and that the filing folders exist or can be made.
    pub async fn check(&mut self) -> Result<CheckReport, MailboxError> {
        let root = &self.config.path;
        if !root.join("tmp").is_dir() {
            return Err(MailboxError::NotAMaildir {
                path: root.clone(),
                problem: "it has no tmp/ directory".into(),
            });
        }
        let entries = self.recorded(Part::Commander, scan(root).await)?;
        let mut report = CheckReport {
            source: self.source_name(),
            ..CheckReport::default()
        };
        report.passed.push(format!(
            "Maildir {} holds {} message(s)",
            root.display(),
            entries.len()
        ));
        for folder in [&self.config.done_folder, &self.config.needs_human_folder] {
            let path = self.config.folder_path(folder);
            let existed = path.join("cur").is_dir();
            ensure_maildir(&path).await?;
            report.passed.push(if existed {
                format!("folder {folder:?} exists at {}", path.display())
            } else {
                format!(
                    "folder {folder:?} was missing and has been created at {}",
                    path.display()
                )
            });
        }
        report.warnings.push(format!(
            "a Maildir is scanned for new mail every poll_interval ({:?})",
            self.config.poll_interval
        ));
        Ok(report)
    }

    /// A watcher that scans this Maildir.
    pub fn watcher(&self) -> MaildirWatcher {
        MaildirWatcher {
            path: self.config.path.clone(),
            poll_interval: self.config.poll_interval,
            health: Arc::clone(&self.health),
        }
    }

    /// The health record shared with the watcher.
    pub fn health(&self) -> Arc<Health> {
        Arc::clone(&self.health)
    }

    /// How often the watcher scans.
    pub fn poll_interval(&self) -> Duration {
        self.config.poll_interval
    }

    async fn find(&self, msg: &MessageLocation) -> Result<Option<Entry>, MailboxError> {
        let name = msg.name.as_str();
        if name.is_empty() || name.starts_with('.') || name.contains(['/', ':', '\0']) {
            return Err(MailboxError::ForeignLocation {
                source_name: self.source_name(),
                location: msg.to_string(),
            });
        }
        let entries = self.recorded(Part::Commander, scan(&self.config.path).await)?;
        Ok(entries.into_iter().find(|entry| entry.unique == name))
    }

    fn recorded<T>(&self, part: Part, result: Result<T, MailboxError>) -> Result<T, MailboxError> {
        match &result {
            Ok(_) => self.health.checked(part),
            Err(error) => self.health.failed(part, error),
        }
        result
    }
}

/// Scans a Maildir every `poll_interval`; spawn [`MaildirWatcher::run`].
#[derive(Debug)]
pub struct MaildirWatcher {
    path: PathBuf,
    poll_interval: Duration,
    health: Arc<Health>,
}

impl MaildirWatcher {
    /// Scans until `shutdown` is cancelled; notifies `changed` after the first scan and
    /// whenever the set of messages differs from the previous scan.
    pub async fn run(self, changed: Arc<Notify>, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(self.poll_interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut previous: Option<Vec<Entry>> = None;
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticks.tick() => {}
            }
            match scan(&self.path).await {
                Ok(entries) => {
                    self.health.checked(Part::Watcher);
                    self.health.set_watching(true);
                    if previous.as_ref() != Some(&entries) {
                        changed.notify_one();
                        previous = Some(entries);
                    }
                }
                Err(error) => {
                    self.health.failed(Part::Watcher, &error);
                    tracing::warn!(error = %crate::report::chain(&error), "cannot scan the Maildir");
                    previous = None;
                }
            }
        }
        self.health.watcher_stopped();
    }
}

/// Lists `new/` then `cur/`, sorted by unique name (which starts with the delivery time).
async fn scan(root: &Path) -> Result<Vec<Entry>, MailboxError> {
    let mut entries = Vec::new();
    for subdir in ["new", "cur"] {
        let dir = root.join(subdir);
        let mut reader = match tokio::fs::read_dir(&dir).await {
            Ok(reader) => reader,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(MailboxError::NotAMaildir {
                    path: root.to_owned(),
                    problem: format!("it has no {subdir}/ directory"),
                });
            }
            Err(source) => return Err(io_error("read the directory", &dir, source)),
        };
        while let Some(item) = reader
            .next_entry()
            .await
            .map_err(|source| io_error("read the directory", &dir, source))?
        {
            let Ok(file_name) = item.file_name().into_string() else {
                tracing::warn!(dir = %dir.display(), "skipping a file whose name is not UTF-8");
                continue;
            };
            if file_name.starts_with('.') {
                continue;
            }
            let unique = file_name.split(':').next().unwrap_or_default().to_owned();
            entries.push(Entry {
                unique,
                subdir,
                file_name,
            });
        }
    }
    entries.sort_by(|a, b| a.unique.cmp(&b.unique));
    Ok(entries)
}

/// Creates a Maildir++ subfolder (its `cur/ new/ tmp/` and `maildirfolder` marker).
async fn ensure_maildir(path: &Path) -> Result<(), MailboxError> {
    for subdir in ["cur", "new", "tmp"] {
        let dir = path.join(subdir);
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|source| io_error("create", &dir, source))?;
    }
    let marker = path.join("maildirfolder");
    if !marker.exists() {
        tokio::fs::write(&marker, b"")
            .await
            .map_err(|source| io_error("create", &marker, source))?;
    }
    Ok(())
}

fn io_error(action: &str, path: &Path, source: std::io::Error) -> MailboxError {
    MailboxError::Maildir {
        action: action.to_owned(),
        path: path.to_owned(),
        source,
    }
}
