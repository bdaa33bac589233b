//! The values the journal takes and gives: job ids, states, message keys, job records.
//!
//! In: what the mailbox and the stages know about a message. Out: plain owned values the
//! daemon and `status` read; the invite URL (it carries a token) is a [`Secret`] so it
//! never shows in `Debug` output.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::extract::Invite;
use crate::secret::Secret;

/// The journal's number for one job (one forwarded email). Prints as `job-42`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub i64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job-{}", self.0)
    }
}

/// Text that names no job.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read {text:?} as a job id: write it as 42 or job-42")]
pub struct BadJobId {
    /// What was given.
    pub text: String,
}

impl FromStr for JobId {
    type Err = BadJobId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let digits = trimmed.strip_prefix("job-").unwrap_or(trimmed);
        match digits.parse::<i64>() {
            Ok(n) if n > 0 && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(Self(n)),
            _ => Err(BadJobId {
                text: text.to_owned(),
            }),
        }
    }
}

/// Where a job is in the state diagram (docs/ARCHITECTURE.md, "Job states").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobState {
    /// The message was seen in the mailbox; nothing else is known.
    Received,
    /// The invite link, invitee and requester were found.
    Extracted,
    /// The policy checks passed; the signup may start.
    Vetted,
    /// A password is sealed and the signup form is (about to be) submitted: the one state
    /// whose side effect may or may not have happened after a crash.
    SigningUp,
    /// The platform confirmed the account; the credentials mail is owed.
    SignedUp,
    /// The SMTP server accepted the credentials mail; the password is erased.
    Notified,
    /// Something a person must look at; a ticket is owed.
    NeedsHuman,
    /// The ticket step is over: the SMTP server accepted the ticket, or refused it for
    /// good (`ticket_refused` says why; `retry` sends it again), or none was owed (a mail
    /// with no invite link from an unauthenticated sender, see `notify.junk_tickets`).
    Ticketed,
    /// The message was moved to its final folder; the job is over.
    Filed,
}

impl JobState {
    /// Every state, in the order of the diagram.
    pub const ALL: [JobState; 9] = [
        Self::Received,
        Self::Extracted,
        Self::Vetted,
        Self::SigningUp,
        Self::SignedUp,
        Self::Notified,
        Self::NeedsHuman,
        Self::Ticketed,
        Self::Filed,
    ];

    /// The stable snake_case name stored in the journal and shown by `status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Extracted => "extracted",
            Self::Vetted => "vetted",
            Self::SigningUp => "signing_up",
            Self::SignedUp => "signed_up",
            Self::Notified => "notified",
            Self::NeedsHuman => "needs_human",
            Self::Ticketed => "ticketed",
            Self::Filed => "filed",
        }
    }

    /// True for the state nothing leaves on its own (only `retry` reopens a filed job).
    pub fn is_final(self) -> bool {
        self == Self::Filed
    }

    /// Whether the ordinary pipeline may go from `self` to `to`. `retry` reopens ended
    /// jobs outside this table.
    pub fn can_go_to(self, to: JobState) -> bool {
        use JobState::*;
        matches!(
            (self, to),
            (Received, Extracted)
                | (Extracted, Vetted)
                | (Vetted, SigningUp)
                | (SigningUp, SigningUp)
                | (SigningUp, SignedUp)
                | (SignedUp, Notified)
                | (Notified, Filed)
                | (
                    Received | Extracted | Vetted | SigningUp | SignedUp,
                    NeedsHuman
                )
                | (NeedsHuman, Ticketed)
                | (Ticketed, Filed)
        )
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that names no job state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot read {text:?} as a job state: expected one of received, extracted, vetted, signing_up, signed_up, notified, needs_human, ticketed, filed"
)]
pub struct BadJobState {
    /// What was given.
    pub text: String,
}

impl FromStr for JobState {
    type Err = BadJobState;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| BadJobState {
                text: text.to_owned(),
            })
    }
}

/// The SHA-256 of a message's bytes, with CRLF line ends read as LF so the same message
/// fetched over IMAP (CRLF) and read from a Maildir (LF) hashes the same.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    /// Hashes raw RFC 5322 bytes.
    pub fn of(raw: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        let mut rest = raw;
        while let Some(cr) = rest.windows(2).position(|pair| pair == b"\r\n") {
            hasher.update(&rest[..cr]);
            rest = &rest[cr + 1..];
        }
        hasher.update(rest);
        Self(hasher.finalize().into())
    }

    /// Lower-case hex, as stored in the journal.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({})", self.to_hex())
    }
}

/// One message as the mailbox sees it: where it is, and what identifies its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRef {
    /// The mailbox and folder, e.g. `imap:INBOX` or `maildir:/srv/mail/support`.
    pub source: String,
    /// The folder's UIDVALIDITY (IMAP only).
    pub uidvalidity: Option<u32>,
    /// The message's UID (IMAP only).
    pub uid: Option<u32>,
    /// What the mailbox needs to file the message: the UID as text, or the Maildir file
    /// name. With no UID, `(source, location)` is the message's key.
    pub location: String,
    /// The Message-ID header, if any (angle brackets and spaces are ignored).
    pub message_id: Option<String>,
    /// The content hash of the raw bytes ([`ContentHash::of`]).
    pub content_hash: ContentHash,
}

impl MessageRef {
    /// Builds a reference, hashing `raw` (the message's bytes exactly as fetched).
    pub fn new(
        source: impl Into<String>,
        uidvalidity: Option<u32>,
        uid: Option<u32>,
        location: impl Into<String>,
        message_id: Option<&str>,
        raw: &[u8],
    ) -> Self {
        Self {
            source: source.into(),
            uidvalidity,
            uid,
            location: location.into(),
            message_id: message_id.map(str::to_owned),
            content_hash: ContentHash::of(raw),
        }
    }
}

/// The outcome of [`Journal::receive`](super::Journal::receive).
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    /// A message never seen before: a new job in state `received`.
    New(JobId),
    /// The message, or a copy of it, already has a job. Its new location (if it is one) was
    /// recorded so it can be filed with the job: see
    /// [`Journal::unfiled_locations`](super::Journal::unfiled_locations).
    Known(Box<JobRecord>),
}

/// What extract found, as the journal keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct InviteRecord {
    /// The platform's configured name.
    pub platform: String,
    /// The invite link; it carries a token.
    pub invite_url: Secret,
    /// The address the original invite went to.
    pub invitee: Option<String>,
    /// The invitee's display name in the forwarded original (fills required name fields).
    pub invitee_name: Option<String>,
    /// Who forwarded it.
    pub requester: Option<String>,
    /// The forward's subject.
    pub subject: Option<String>,
    /// The forward's Message-ID (also used to recognise a re-delivered copy).
    pub message_id: Option<String>,
    /// The invite's key, how a later forward of the same invite finds this job.
    pub invite_key: InviteKey,
}

impl InviteRecord {
    /// What the journal keeps of `invite`, found again by `invite_key`.
    pub fn new(invite: &Invite, invite_key: InviteKey) -> Self {
        Self {
            platform: invite.platform.clone(),
            invite_url: Secret::new(invite.invite_url.clone()),
            invitee: invite.invitee.clone(),
            invitee_name: invite.invitee_name.clone(),
            requester: invite.requester.clone(),
            subject: invite.subject.clone(),
            message_id: invite.message_id.clone(),
            invite_key,
        }
    }
}

/// A digest of an invite in its normal form (the daemon's `same_invite`): equal for two
/// links of one invite, and without the token, which only the link itself carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteKey(String);

impl InviteKey {
    /// The key of an invite already in its normal form.
    pub fn of(normal_form: &str) -> Self {
        Self(hex(&Sha256::digest(normal_form.as_bytes())))
    }

    /// Lower-case hex, as stored in the journal.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// Everything the journal holds about one job except the sealed password itself.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// The job.
    pub id: JobId,
    /// Where it is now.
    pub state: JobState,
    /// Where the message was first seen (see [`Location`] for every copy).
    pub source: String,
    /// The first copy's UID or Maildir file name.
    pub location: String,
    /// The first copy's UIDVALIDITY.
    pub uidvalidity: Option<u32>,
    /// The first copy's UID.
    pub uid: Option<u32>,
    /// The Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// The platform, once extracted.
    pub platform: Option<String>,
    /// The invite link (a token: show it to operators only).
    pub invite_url: Option<Secret>,
    /// The address the invite went to.
    pub invitee: Option<String>,
    /// The invitee's display name in the forwarded original, when it had one.
    pub invitee_name: Option<String>,
    /// Who forwarded it.
    pub requester: Option<String>,
    /// The forward's subject.
    pub subject: Option<String>,
    /// The login the account was (to be) created with.
    pub login: Option<String>,
    /// Whether a password is sealed: the signup may have used it and no credentials
    /// mail has been accepted yet.
    pub has_password: bool,
    /// Whether the platform confirmed the account (the job reached `signed_up`). With
    /// `has_password`, it means a credentials mail is still owed.
    pub account_created: bool,
    /// Why it needs a human (a machine reason such as `link_expired`).
    pub reason: Option<String>,
    /// The plain-words explanation for the ticket.
    pub detail: Option<String>,
    /// When the job was created (RFC 3339 UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339 UTC).
    pub updated_at: String,
    /// Whether its message belongs in the needs-human folder rather than the done folder.
    pub needs_human_folder: bool,
    /// The mail server's answer when it refused the job's ticket for good; `retry` sends
    /// the ticket again.
    pub ticket_refused: Option<String>,
    /// When a password kept for a human's `retry` will be erased (RFC 3339 UTC), set when
    /// the job needed a human with its password kept (`journal.kept_password_days`).
    pub password_expires_at: Option<String>,
    /// When a kept password expired and was erased: the account may exist with a password
    /// nobody knows any more, so `retry` refuses and the invite stays taken.
    pub password_expired_at: Option<String>,
    /// When the original message was deleted by retention (`journal.keep_originals_days`).
    pub original_deleted_at: Option<String>,
}

/// One entry of a job's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The state before, `None` for the job's creation.
    pub from: Option<JobState>,
    /// The state after (equal to `from` for an event that changes no state, such as a
    /// password re-sealed or discarded).
    pub to: JobState,
    /// When (RFC 3339 UTC, milliseconds).
    pub at: String,
    /// Why, in a few words; never a secret.
    pub note: String,
}

/// One place a job's message (or a copy of it) was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The journal's number for this location, for [`Journal::mark_filed`](super::Journal::mark_filed).
    pub id: i64,
    /// The mailbox and folder.
    pub source: String,
    /// The folder's UIDVALIDITY when seen.
    pub uidvalidity: Option<u32>,
    /// The UID when seen.
    pub uid: Option<u32>,
    /// The UID as text or the Maildir file name.
    pub location: String,
    /// When it was first seen.
    pub seen_at: String,
    /// When it was filed (or found gone); `None` while the copy is still there.
    pub filed_at: Option<String>,
}

/// Strips the angle brackets and spaces around a Message-ID; `None` when nothing is left.
pub(super) fn normalize_message_id(text: Option<&str>) -> Option<String> {
    let id = text?
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty()).then(|| id.to_owned())
}
