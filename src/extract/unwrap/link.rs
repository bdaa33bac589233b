//! The raw pieces of one candidate URL, and the decoders the wrapper rules share.
//!
//! In: a string that may be an absolute http(s) URL. Out: its host (lower-case, as a
//! browser would resolve it) and the raw text after the authority, untouched, so each
//! rule sees exactly what the gateway wrote; plus strict percent-decoding, query
//! parameters, HTML unescaping and lenient base64.

use std::borrow::Cow;

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Gateways pad inconsistently and the Proofpoint reference decoder accepts either.
const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);

/// base64url (`-`, `_`), padding optional.
pub(super) const BASE64_URL: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);
/// Standard base64 (`+`, `/`), padding optional.
pub(super) const BASE64_STANDARD: GeneralPurpose =
    GeneralPurpose::new(&alphabet::STANDARD, LENIENT);

/// An absolute http(s) URL split the way the rules need it.
#[derive(Debug)]
pub(super) struct Link<'a> {
    /// The host as the URL standard parses it (a look-alike userinfo or backslash trick
    /// cannot pose as a gateway), lower-case, without a trailing dot.
    pub host: String,
    /// Everything after the authority, exactly as written.
    pub rest: &'a str,
}

impl<'a> Link<'a> {
    /// Accepts only what looks like an absolute http(s) URL: the scheme spelled out, a
    /// host, and no whitespace or control characters (a decoded line break must never
    /// reach the output as a second line).
    pub fn parse(text: &'a str) -> Option<Self> {
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return None;
        }
        let after_scheme = strip_prefix_ignore_case(text, "https://")
            .or_else(|| strip_prefix_ignore_case(text, "http://"))?;
        let parsed = url::Url::parse(text).ok()?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return None;
        }
        let host = parsed.host_str().filter(|h| !h.is_empty())?;
        let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
        // A browser ends the authority at the first of these; '\' counts as '/'.
        let rest_start = after_scheme
            .find(['/', '\\', '?', '#'])
            .unwrap_or(after_scheme.len());
        Some(Self {
            host,
            rest: &after_scheme[rest_start..],
        })
    }

    /// The raw path (before `?` and `#`).
    pub fn path(&self) -> &'a str {
        let end = self.rest.find(['?', '#']).unwrap_or(self.rest.len());
        &self.rest[..end]
    }

    /// The raw query (after the first `?`, before `#`), if any.
    pub fn query(&self) -> Option<&'a str> {
        let before_fragment = &self.rest[..self.rest.find('#').unwrap_or(self.rest.len())];
        before_fragment
            .find('?')
            .map(|at| &before_fragment[at + 1..])
    }

    /// The raw value of the first query parameter called `name`, undecoded.
    pub fn raw_param(&self, name: &str) -> Option<&'a str> {
        raw_param(self.query()?, name)
    }

    /// The first query parameter called `name`, percent-decoded once.
    pub fn param(&self, name: &str) -> Option<String> {
        pct_decode(self.raw_param(name)?)
    }

    /// Whether the host is `domain` itself.
    pub fn host_is(&self, domain: &str) -> bool {
        self.host == domain
    }

    /// Whether the host is strictly below `domain` (`*.domain`).
    pub fn host_is_below(&self, domain: &str) -> bool {
        self.host
            .strip_suffix(domain)
            .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.'))
    }

    /// The single label in front of `domain`, when the host is `<label>.domain`.
    pub fn label_before(&self, domain: &str) -> Option<&str> {
        let label = self.host.strip_suffix(domain)?.strip_suffix('.')?;
        (!label.is_empty() && !label.contains('.')).then_some(label)
    }
}

/// The raw value of the first parameter `name` in a query. Gateways' links are often
/// copied out of HTML with `&amp;` left in, so `amp;` at the start of a pair is dropped.
pub(super) fn raw_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|pair| {
        let pair = pair.strip_prefix("amp;").unwrap_or(pair);
        let (key, value) = pair.split_once('=')?;
        (key == name).then_some(value)
    })
}

/// A query with every `&amp;` read as `&`, for rules that search the query as text.
pub(super) fn amp_as_ampersand(query: &str) -> Cow<'_, str> {
    if query.contains("&amp;") {
        Cow::Owned(query.replace("&amp;", "&"))
    } else {
        Cow::Borrowed(query)
    }
}

/// Percent-decodes once. `+` stays `+`. A `%` not followed by two hex digits, or bytes
/// that are not UTF-8, make the whole value malformed.
pub(super) fn pct_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(at, &b)| {
        b != b'%'
            || (bytes.get(at + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return None;
    }
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

/// Decodes base64 with `engine` and requires UTF-8.
pub(super) fn base64_text(engine: &GeneralPurpose, text: &str) -> Option<String> {
    String::from_utf8(engine.decode(text).ok()?).ok()
}

/// Undoes the HTML escaping Proofpoint v1/v2 leave in: the five XML entities and
/// numeric character references. Anything else stays as written.
pub(super) fn html_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match entity(rest) {
            Some((decoded, len)) => {
                out.push(decoded);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an entity at the start of `text` stands for, and the entity's length.
fn entity(text: &str) -> Option<(char, usize)> {
    // The longest entity this reads is `&#x10FFFF;`; a bounded look keeps the scan linear.
    let window = &text.as_bytes()[1..text.len().min(11)];
    let end = window.iter().position(|&b| b == b';')? + 1;
    let name = &text[1..end];
    let decoded = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) if hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()?
                }
                Some(_) => return None,
                None if number.bytes().all(|b| b.is_ascii_digit()) => number.parse().ok()?,
                None => return None,
            };
            char::from_u32(code)?
        }
    };
    Some((decoded, end + 1))
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}
