//! Email service providers' click trackers that carry the target URL in the link:
//! Amazon SES, Postmark, Mailgun (legacy links) and Mandrill.
//!
//! In: a parsed link. Out: whether a rule applies, and the URL one layer down.
//! Mailgun's payload also holds the recipient's address (`r`): it is never read.

use std::io::Read;
use std::sync::LazyLock;

use flate2::read::ZlibDecoder;
use regex::Regex;

use super::link::{BASE64_URL, Link, pct_decode, raw_param};

/// More than any real link needs; stops a small payload inflating without bound.
const MAX_INFLATED_BYTES: u64 = 64 * 1024;

/// Whether the link is an Amazon SES click-tracking link.
pub(super) fn is_amazon_ses(link: &Link<'_>) -> bool {
    link.host_is_below("awstrack.me") && link.rest.starts_with("/L0/")
}

/// SES: the percent-encoded URL is the path segment after `/L0/`.
pub(super) fn decode_amazon_ses(link: &Link<'_>) -> Option<String> {
    static SES: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::expect_used)] // a literal pattern, covered by the tests
        Regex::new(r"^/L0/(http[^/?#]+)").expect("valid SES pattern")
    });
    pct_decode(SES.captures(link.rest)?.get(1)?.as_str())
}

/// Whether the link is a Postmark click-tracking link.
pub(super) fn is_postmark(link: &Link<'_>) -> bool {
    link.host_is("click.pstmrk.it")
}

/// Postmark: the segment after the version (`/2/`, `/3s/`, …) is the URL without its
/// scheme; Postmark only ever sends people on over https.
pub(super) fn decode_postmark(link: &Link<'_>) -> Option<String> {
    static POSTMARK: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::expect_used)] // a literal pattern, covered by the tests
        Regex::new(r"^/[23][mst]{0,2}/([^/?#]+)").expect("valid Postmark pattern")
    });
    let target = pct_decode(POSTMARK.captures(link.path())?.get(1)?.as_str())?;
    let has_scheme = ["https://", "http://"].iter().any(|scheme| {
        target
            .get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
    });
    Some(if has_scheme {
        target
    } else {
        format!("https://{target}")
    })
}

/// Whether the link has the shape of a legacy Mailgun link (`email.<domain>/c/<data>`);
/// only a payload that decodes makes it one.
pub(super) fn is_mailgun(link: &Link<'_>) -> bool {
    link.host
        .strip_prefix("email.")
        .is_some_and(|domain| domain.contains('.'))
        && link.rest.starts_with("/c/")
}

/// Mailgun: the segment after `/c/` is base64url of a zlib stream holding a query
/// string whose `l` parameter is the URL.
pub(super) fn decode_mailgun(link: &Link<'_>) -> Option<String> {
    let data = link.path().strip_prefix("/c/")?;
    let data = data.split('/').next()?;
    let compressed = base64::Engine::decode(&BASE64_URL, data).ok()?;
    let mut inflated = Vec::new();
    ZlibDecoder::new(compressed.as_slice())
        .take(MAX_INFLATED_BYTES + 1)
        .read_to_end(&mut inflated)
        .ok()?;
    if inflated.len() as u64 > MAX_INFLATED_BYTES {
        return None;
    }
    let payload = String::from_utf8(inflated).ok()?;
    // A bare query or a path with one; `l` itself is percent-encoded either way.
    let target = raw_param(&payload, "l").or_else(|| raw_param(payload.split_once('?')?.1, "l"))?;
    pct_decode(target)
}

/// Whether the link is a Mandrill click-tracking link.
pub(super) fn is_mandrill(link: &Link<'_>) -> bool {
    (link.host_is("mandrillapp.com") || link.host_is_below("mandrillapp.com"))
        && link.rest.starts_with("/track/click/")
}

/// Mandrill: `p` is base64url of JSON whose own `p` field is JSON (usually as a
/// string) with the `url`.
pub(super) fn decode_mandrill(link: &Link<'_>) -> Option<String> {
    let outer_bytes = base64::Engine::decode(&BASE64_URL, link.param("p")?).ok()?;
    let outer: serde_json::Value = serde_json::from_slice(&outer_bytes).ok()?;
    let inner = match outer.get("p")? {
        serde_json::Value::String(text) => serde_json::from_str(text).ok()?,
        object @ serde_json::Value::Object(_) => object.clone(),
        _ => return None,
    };
    inner.get("url")?.as_str().map(str::to_owned)
}
