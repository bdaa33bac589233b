//! Mail security gateways and redirectors that carry the target URL in the link itself:
//! Microsoft Safe Links (Outlook, GCC High, Teams), Barracuda, Cisco Secure Email,
//! Google's redirect, Sophos, Trend Micro, Symantec and FireEye.
//!
//! In: a parsed link. Out: whether a rule applies, and the URL one layer down.
//! Safe Links' `data` parameter holds the recipient's address: it is never read.

use super::link::{BASE64_STANDARD, Link, base64_text, pct_decode};

/// Outlook and GCC High Safe Links hosts (`nam11.`, `eur01.`, … in front).
const SAFE_LINKS_DOMAINS: [&str; 2] = [
    "safelinks.protection.outlook.com",
    "safelinks.protection.office365.us",
];

/// Whether the link is a Microsoft Safe Links link (mail or Teams).
pub(super) fn is_safe_links(link: &Link<'_>) -> bool {
    SAFE_LINKS_DOMAINS
        .iter()
        .any(|domain| link.host_is_below(domain))
        || is_teams_safe_links(link)
}

/// Teams serves Safe Links from a static page on `statics*.teams.cdn.office.net`.
fn is_teams_safe_links(link: &Link<'_>) -> bool {
    link.label_before("teams.cdn.office.net")
        .is_some_and(|label| label.starts_with("statics"))
        && link.path() == "/evergreen-assets/safelinks/1/atp-safelinks.html"
}

/// Safe Links: the `url` parameter.
pub(super) fn decode_safe_links(link: &Link<'_>) -> Option<String> {
    link.param("url")
}

/// Whether the link is a Barracuda Link Protection link.
pub(super) fn is_barracuda(link: &Link<'_>) -> bool {
    link.host_is("linkprotect.cudasvc.com") && link.path() == "/url"
}

/// Barracuda: the `a` parameter (its escapes may be lower-case hex).
pub(super) fn decode_barracuda(link: &Link<'_>) -> Option<String> {
    link.param("a")
}

/// Whether the link is a Cisco Secure Email (secure-web) link.
pub(super) fn is_cisco(link: &Link<'_>) -> bool {
    link.host_is("secure-web.cisco.com") && link.rest.starts_with('/')
}

/// Cisco: everything after the first path segment (a token) is the encoded URL.
pub(super) fn decode_cisco(link: &Link<'_>) -> Option<String> {
    let (_token, encoded) = link.rest.strip_prefix('/')?.split_once('/')?;
    pct_decode(encoded)
}

/// Whether the link is Google's redirect.
pub(super) fn is_google_redirect(link: &Link<'_>) -> bool {
    link.host_is("www.google.com") && link.path() == "/url"
}

/// Google: the `q` parameter, or `url` when there is no `q`.
pub(super) fn decode_google_redirect(link: &Link<'_>) -> Option<String> {
    pct_decode(link.raw_param("q").or_else(|| link.raw_param("url"))?)
}

/// Whether the link is a Sophos Email time-of-click link.
pub(super) fn is_sophos(link: &Link<'_>) -> bool {
    link.host_is_below("protection.sophos.com") && link.path() == "/"
}

/// Sophos: the `u` parameter holds the URL in standard base64.
pub(super) fn decode_sophos(link: &Link<'_>) -> Option<String> {
    base64_text(&BASE64_STANDARD, &link.param("u")?)
}

/// Whether the link is a Trend Micro (IMSVA) time-of-click link.
pub(super) fn is_trend_micro(link: &Link<'_>) -> bool {
    link.host_is_below("trendmicro.com") && link.path() == "/wis/clicktime/v1/query"
}

/// Trend Micro: the `url` parameter.
pub(super) fn decode_trend_micro(link: &Link<'_>) -> Option<String> {
    link.param("url")
}

/// Whether the link is a Symantec click-time link.
pub(super) fn is_symantec(link: &Link<'_>) -> bool {
    link.host_is("clicktime.symantec.com")
}

/// Symantec: the `u` parameter.
pub(super) fn decode_symantec(link: &Link<'_>) -> Option<String> {
    link.param("u")
}

/// Whether the link is a FireEye Email Security link.
pub(super) fn is_fireeye(link: &Link<'_>) -> bool {
    link.host_is("protect2.fireeye.com") && link.path() == "/v1/url"
}

/// FireEye: the `u` parameter.
pub(super) fn decode_fireeye(link: &Link<'_>) -> Option<String> {
    link.param("u")
}
