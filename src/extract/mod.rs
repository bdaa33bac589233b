//! The extract stage: find the invite link in a forwarded email.
//!
//! In: the raw bytes of one message from the support mailbox, and the config (platform
//! patterns, size limit). Out: an [`Invite`] (platform, invite URL as the platform wrote
//! it, the invitee the original went to, the requester who forwarded it) or a
//! [`Rejection`] with a reason a support agent can read. Pure: it never fetches anything,
//! never writes anything, and never panics whatever the bytes.

pub mod unwrap;

use serde::Serialize;

/// A forwarded invite, found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invite {
    /// The platform whose invite pattern the link matched.
    pub platform: String,
    /// The invite link exactly as the platform wrote it (wrappers removed, entities
    /// decoded, nothing else normalised). It carries a token: show it to operators only.
    pub invite_url: String,
    /// The address the forwarded original was sent to, when the forward shows it.
    pub invitee: Option<String>,
    /// The address of whoever sent the forward to the support mailbox.
    pub requester: Option<String>,
    /// The subject of the forward as the support mailbox received it.
    pub subject: Option<String>,
    /// The forward's Message-ID, to thread replies to it.
    pub message_id: Option<String>,
}

/// Why a message was not turned into an invite. The `as_str` names are part of the
/// CLI's JSON output and of tickets: never rename them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No link matched any platform's invite pattern.
    NoInviteLink,
    /// Two or more different invite links.
    AmbiguousInviteLinks,
    /// No invite link, but a link behind a gateway that cannot be decoded offline.
    OpaqueWrappedLink,
    /// The original is only in a TNEF `winmail.dat` or an Outlook `.msg`.
    UnsupportedFormat,
    /// The message exceeds `limits.max_message_bytes`.
    TooLarge,
    /// Not an email at all.
    Unreadable,
}

impl Reason {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoInviteLink => "no_invite_link",
            Self::AmbiguousInviteLinks => "ambiguous_invite_links",
            Self::OpaqueWrappedLink => "opaque_wrapped_link",
            Self::UnsupportedFormat => "unsupported_format",
            Self::TooLarge => "too_large",
            Self::Unreadable => "unreadable",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message the extract stage will not act on, with a sentence for a support agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The machine reason.
    pub reason: Reason,
    /// What happened and what to do, in plain words. Never contains wrapper parameters
    /// or tokens beyond what the agent needs.
    pub detail: String,
    /// Who sent the forward, when the message was readable enough to tell.
    pub requester: Option<String>,
}
