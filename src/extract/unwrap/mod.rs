//! Security-gateway and tracker URL wrappers, decoded offline.
//!
//! In: one URL as found in a message. Out: the URL underneath every decodable wrapper
//! (at most five layers), each intermediate layer, and the opaque wrapper decoding
//! stopped at, if any. Never requests anything, never logs (wrappers carry recipients'
//! addresses), never panics: a malformed wrapper is left as it is.
//!
//! The rules follow `docs/url-wrappers.md`; one file per family:
//! `gateways` (Safe Links, Barracuda, Cisco, Google, Sophos, Trend Micro,
//! Symantec, FireEye), `proofpoint`, `trackers` (SES, Postmark, Mailgun, Mandrill) and
//! `opaque` (Mimecast, SendGrid, Mailchimp).

mod gateways;
mod link;
mod opaque;
mod proofpoint;
mod trackers;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_malformed;

use serde::Serialize;

use link::Link;

/// Wrappers nest (Proofpoint around Safe Links around Proofpoint), but never this deep
/// in real mail; the cap bounds the work a crafted link can cause.
pub const MAX_LAYERS: usize = 5;

/// The result of unwrapping one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unwrapped {
    /// The URL as given.
    pub input: String,
    /// The URL underneath every decodable wrapper.
    pub url: String,
    /// Each URL decoded on the way, outermost first, ending with `url`; empty when
    /// the input was not a decodable wrapper.
    pub layers: Vec<String>,
    /// The wrapper decoding stopped at because it cannot be decoded offline.
    pub opaque: Option<Opaque>,
    /// For an opaque Mimecast link, the target's host from its `domain` parameter
    /// (lower-case): enough to tell a user which link to send again.
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

impl Opaque {
    /// The name used in JSON output and notes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mimecast => "mimecast",
            Self::Sendgrid => "sendgrid",
            Self::Mailchimp => "mailchimp",
        }
    }

    /// The product name, for messages to people.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Mimecast => "Mimecast",
            Self::Sendgrid => "SendGrid",
            Self::Mailchimp => "Mailchimp",
        }
    }
}

impl std::fmt::Display for Opaque {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The wrappers decoded offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrapper {
    SafeLinks,
    ProofpointV1,
    ProofpointV2,
    ProofpointV3,
    Barracuda,
    CiscoSecureEmail,
    GoogleRedirect,
    Sophos,
    TrendMicro,
    Symantec,
    FireEye,
    AmazonSes,
    Postmark,
    MailgunLegacy,
    Mandrill,
}

impl Wrapper {
    const ALL: [Self; 15] = [
        Self::SafeLinks,
        Self::ProofpointV1,
        Self::ProofpointV2,
        Self::ProofpointV3,
        Self::Barracuda,
        Self::CiscoSecureEmail,
        Self::GoogleRedirect,
        Self::Sophos,
        Self::TrendMicro,
        Self::Symantec,
        Self::FireEye,
        Self::AmazonSes,
        Self::Postmark,
        Self::MailgunLegacy,
        Self::Mandrill,
    ];

    /// The wrapper the link is, if any (the rules' hosts do not overlap).
    fn recognise(link: &Link<'_>) -> Option<Self> {
        Self::ALL.into_iter().find(|wrapper| wrapper.matches(link))
    }

    fn matches(self, link: &Link<'_>) -> bool {
        match self {
            Self::SafeLinks => gateways::is_safe_links(link),
            Self::ProofpointV1 => proofpoint::is_v1(link),
            Self::ProofpointV2 => proofpoint::is_v2(link),
            Self::ProofpointV3 => proofpoint::is_v3(link),
            Self::Barracuda => gateways::is_barracuda(link),
            Self::CiscoSecureEmail => gateways::is_cisco(link),
            Self::GoogleRedirect => gateways::is_google_redirect(link),
            Self::Sophos => gateways::is_sophos(link),
            Self::TrendMicro => gateways::is_trend_micro(link),
            Self::Symantec => gateways::is_symantec(link),
            Self::FireEye => gateways::is_fireeye(link),
            Self::AmazonSes => trackers::is_amazon_ses(link),
            Self::Postmark => trackers::is_postmark(link),
            Self::MailgunLegacy => trackers::is_mailgun(link),
            Self::Mandrill => trackers::is_mandrill(link),
        }
    }

    /// One layer down, before checking that it is a URL.
    fn decode(self, link: &Link<'_>) -> Option<String> {
        match self {
            Self::SafeLinks => gateways::decode_safe_links(link),
            Self::ProofpointV1 => proofpoint::decode_v1(link),
            Self::ProofpointV2 => proofpoint::decode_v2(link),
            Self::ProofpointV3 => proofpoint::decode_v3(link),
            Self::Barracuda => gateways::decode_barracuda(link),
            Self::CiscoSecureEmail => gateways::decode_cisco(link),
            Self::GoogleRedirect => gateways::decode_google_redirect(link),
            Self::Sophos => gateways::decode_sophos(link),
            Self::TrendMicro => gateways::decode_trend_micro(link),
            Self::Symantec => gateways::decode_symantec(link),
            Self::FireEye => gateways::decode_fireeye(link),
            Self::AmazonSes => trackers::decode_amazon_ses(link),
            Self::Postmark => trackers::decode_postmark(link),
            Self::MailgunLegacy => trackers::decode_mailgun(link),
            Self::Mandrill => trackers::decode_mandrill(link),
        }
    }
}

/// What one step found at the current URL.
enum Step {
    /// A wrapper decoded into another absolute http(s) URL.
    Decoded(String),
    /// A wrapper that cannot be decoded offline.
    Opaque(Opaque, Option<String>),
    /// Not a wrapper, or a malformed one: the URL stays as it is.
    Stop,
}

fn step(url: &str) -> Step {
    let Some(link) = Link::parse(url) else {
        return Step::Stop;
    };
    if let Some(kind) = opaque::recognise(&link) {
        let hint = match kind {
            Opaque::Mimecast => opaque::mimecast_host_hint(&link),
            Opaque::Sendgrid | Opaque::Mailchimp => None,
        };
        return Step::Opaque(kind, hint);
    }
    Wrapper::recognise(&link)
        .and_then(|wrapper| wrapper.decode(&link))
        .filter(|decoded| Link::parse(decoded).is_some())
        .map_or(Step::Stop, Step::Decoded)
}

/// Decodes wrappers repeatedly (at most [`MAX_LAYERS`] layers).
pub fn unwrap(url: &str) -> Unwrapped {
    let mut result = Unwrapped {
        input: url.to_owned(),
        url: url.to_owned(),
        layers: Vec::new(),
        opaque: None,
        host_hint: None,
    };
    // One look past the cap, so an opaque wrapper found there is still reported.
    for _ in 0..=MAX_LAYERS {
        match step(&result.url) {
            Step::Decoded(next) if result.layers.len() < MAX_LAYERS => {
                result.layers.push(next.clone());
                result.url = next;
            }
            Step::Opaque(kind, hint) => {
                result.opaque = Some(kind);
                result.host_hint = hint;
                break;
            }
            Step::Decoded(_) | Step::Stop => break,
        }
    }
    result
}
