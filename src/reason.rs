//! Why a human is needed: the one list of reasons every stage and the daemon use.
//!
//! In: a reason chosen by a stage (extract, vet, signup) or by the daemon, or the stable
//! name stored in the journal. Out: that stable name (`no_invite_link`, …, what the
//! journal, metrics, JSON output and tickets carry), and the headline and next step a
//! help-desk agent reads. Every match below is exhaustive, so a new reason does not
//! compile until it has its words; README's reason table is held to this list by a test.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Declares [`Reason`], its `ALL` list and its stable names from one list, so a reason
/// cannot be missing from `ALL` (parsing and the README test walk it).
macro_rules! reasons {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)+) => {
        /// Why a job needs a human. The `as_str` names are stored in journals and shown
        /// in tickets, metrics and JSON output: never rename them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Reason {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)+
        }

        impl Reason {
            /// Every reason, in declaration order.
            pub const ALL: &'static [Reason] = &[$(Self::$variant),+];

            /// The stable machine name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }
        }
    };
}

reasons! {
    // Extract: the message itself.
    /// No link matched any platform's invite pattern.
    NoInviteLink => "no_invite_link",
    /// Two or more different invite links.
    AmbiguousInviteLinks => "ambiguous_invite_links",
    /// No invite link, but a link behind a gateway that cannot be decoded offline.
    OpaqueWrappedLink => "opaque_wrapped_link",
    /// The original is only in a TNEF `winmail.dat` or an Outlook `.msg`.
    UnsupportedFormat => "unsupported_format",
    /// The message exceeds `limits.max_message_bytes`.
    TooLarge => "too_large",
    /// Not an email at all.
    Unreadable => "unreadable",
    // Vet: who sent it.
    /// No trusted server says the sender's domain passed DMARC or aligned DKIM.
    UnauthenticatedSender => "unauthenticated_sender",
    /// The sender's domain is not in `allowed_sender_domains`.
    SenderNotAllowed => "sender_not_allowed",
    /// The forward has no usable From address.
    UnknownSender => "unknown_sender",
    /// The same invite was already handled by another job.
    DuplicateForward => "duplicate_forward",
    // Signup: what the platform said.
    /// The invite link has expired or was already used.
    LinkExpired => "link_expired",
    /// The invitee already has an account.
    AlreadyRegistered => "already_registered",
    /// The platform refused the password (after two fresh tries), or the page's password
    /// rules cannot be met under the profile's policy.
    PasswordRejected => "password_rejected",
    /// The platform asked to slow down (HTTP 429).
    RateLimited => "rate_limited",
    /// The platform failed (HTTP 5xx).
    ServerError => "server_error",
    /// No signup form on the page (including pages that build it with JavaScript).
    FormNotFound => "form_not_found",
    /// A redirect or an address outside what the profile allows was refused.
    BlockedRedirect => "blocked_redirect",
    /// A page the stage cannot interpret, or a form it must not submit.
    UnexpectedPage => "unexpected_page",
    /// The signup form requires a field nothing can fill (neither the platform nor the
    /// invitee's name in the forwarded original): a phone number, a one-time code…
    RequiredFieldEmpty => "required_field_empty",
    /// Connection, TLS or timeout trouble.
    Network => "network",
    /// The signup form would create the account for another address than the invitee
    /// (a hidden field, or an email pre-filled from the link's query).
    LoginMismatch => "login_mismatch",
    // After a submission: the account may exist.
    /// A submission's outcome is unknown and the invite still opens the form.
    UncertainAccountState => "uncertain_account_state",
    /// An account was created but nobody can be told its login.
    NoLoginAddress => "no_login_address",
    /// The mail server refused the credentials mail for good (the account exists).
    CredentialsRefused => "credentials_refused",
}

impl Reason {
    /// Whether trying again later may succeed (the platform's trouble, not the invite's).
    pub fn retryable(self) -> bool {
        matches!(self, Self::RateLimited | Self::ServerError | Self::Network)
    }

    /// What happened, in plain words: a ticket's first line.
    pub fn headline(self) -> &'static str {
        match self {
            Self::NoInviteLink => "no invite link was found in the forwarded email",
            Self::AmbiguousInviteLinks => "the email contains several different invite links",
            Self::OpaqueWrappedLink => "the invite link is hidden behind link protection",
            Self::UnsupportedFormat => "the invitation was forwarded in an Outlook-only format",
            Self::TooLarge => "the email is too large to process",
            Self::Unreadable => "the message is not a readable email",
            Self::UnauthenticatedSender => "the sender of the forward could not be verified",
            Self::SenderNotAllowed => "the sender's domain is not served",
            Self::UnknownSender => "the forward has no sender address",
            Self::DuplicateForward => "this invite was already handled by another job",
            Self::LinkExpired => "the invite link has expired or was already used",
            Self::AlreadyRegistered => "the user already has an account",
            Self::PasswordRejected => "the platform refused every generated password",
            Self::RateLimited => "the platform kept refusing requests (rate limit)",
            Self::ServerError => "the platform kept failing with server errors",
            Self::FormNotFound => "the signup page has no usable form",
            Self::BlockedRedirect => "the invite link redirected to a host that is not allowed",
            Self::UnexpectedPage => "the platform answered with an unexpected page",
            Self::RequiredFieldEmpty => "the signup form requires a field onbehalf cannot fill in",
            Self::Network => "the platform could not be reached",
            Self::LoginMismatch => {
                "the signup page would create the account for a different address than the invitee"
            }
            Self::UncertainAccountState => "it is not certain whether the account was created",
            Self::NoLoginAddress => "an account was created but its login address is unknown",
            Self::CredentialsRefused => {
                "an account was created but its credentials mail was refused"
            }
        }
    }

    /// What the agent should do next; `JOB` stands for the job's id.
    pub fn next_step(self) -> &'static str {
        match self {
            Self::NoInviteLink | Self::Unreadable => {
                "Ask the user to forward the original invitation email (not a reply or a screenshot)."
            }
            Self::AmbiguousInviteLinks => {
                "Ask the user which invitation they need, then sign them up by hand."
            }
            Self::OpaqueWrappedLink => {
                "Ask the user to copy the invite link's text, or to forward from a mailbox without link protection."
            }
            Self::UnsupportedFormat => {
                "Ask the user to forward the invitation again as a normal email."
            }
            Self::TooLarge => "Ask the user to forward only the invitation, without attachments.",
            Self::UnauthenticatedSender | Self::SenderNotAllowed | Self::UnknownSender => {
                "Confirm the request with the user through another channel before acting on it."
            }
            Self::DuplicateForward => {
                "Nothing to do: the earlier job named above handled this invitation."
            }
            Self::LinkExpired => {
                "Ask the platform's administrator to send the user a new invitation."
            }
            Self::AlreadyRegistered => {
                "Tell the user to log in or reset their password on the platform."
            }
            Self::PasswordRejected
            | Self::FormNotFound
            | Self::UnexpectedPage
            | Self::BlockedRedirect => {
                "Sign the user up by hand, and tell the operators: the platform profile may need updating."
            }
            Self::RequiredFieldEmpty => {
                "Sign the user up by hand, filling in the field the ticket names (ask the user \
                 for it if needed); nothing was submitted."
            }
            Self::LoginMismatch => {
                "Check which address the invitation is really for (the ticket names both); nothing \
                 was submitted. If the page's address is right, run `onbehalf retry JOB --login \
                 ADDRESS`; otherwise sign the user up by hand."
            }
            Self::RateLimited | Self::ServerError | Self::Network => {
                "Try again later with `onbehalf retry JOB`, or sign the user up by hand."
            }
            Self::UncertainAccountState => {
                "Check on the platform whether the account exists; once it does, run `onbehalf retry JOB` to mail the kept credentials (if it never appears, sign the user up by hand)."
            }
            Self::NoLoginAddress => {
                "Find the account on the platform and send the user a password reset."
            }
            Self::CredentialsRefused => {
                "Check the user's address and the mail server's answer; once fixed, run \
                 `onbehalf retry JOB` to send the kept credentials (the account already exists)."
            }
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored reason this version does not know (a journal written by another version).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read the reason {0:?}: it is not one this version of onbehalf knows")]
pub struct UnknownReason(pub String);

impl FromStr for Reason {
    type Err = UnknownReason;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|reason| reason.as_str() == name)
            .ok_or_else(|| UnknownReason(name.to_owned()))
    }
}

#[cfg(test)]
mod tests;
