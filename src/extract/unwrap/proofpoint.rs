//! Proofpoint URL Defense, versions 1, 2 and 3.
//!
//! In: a link on `urldefense.proofpoint.com` (v1, v2) or `urldefense.com` /
//! `urldefense.us` (v3). Out: the URL it protects, following Proofpoint's published
//! decoder (v3.0.1), or nothing when the link is malformed.

use std::sync::LazyLock;

use regex::Regex;

use super::link::{BASE64_URL, Link, amp_as_ampersand, base64_text, html_unescape, pct_decode};

/// Whether the link is a Proofpoint v1 link.
pub(super) fn is_v1(link: &Link<'_>) -> bool {
    link.host_is("urldefense.proofpoint.com") && link.path() == "/v1/url"
}

/// Whether the link is a Proofpoint v2 link.
pub(super) fn is_v2(link: &Link<'_>) -> bool {
    link.host_is("urldefense.proofpoint.com") && link.path() == "/v2/url"
}

/// Whether the link is a Proofpoint v3 link.
pub(super) fn is_v3(link: &Link<'_>) -> bool {
    (link.host_is("urldefense.com") || link.host_is("urldefense.us"))
        && link.rest.starts_with("/v3/__")
}

/// v1: the text between `u=` and `&k=`, percent-decoded, then HTML-unescaped.
pub(super) fn decode_v1(link: &Link<'_>) -> Option<String> {
    let query = amp_as_ampersand(link.query()?);
    let url = u_value(&query, &["&k="])?;
    Some(html_unescape(&pct_decode(url)?))
}

/// v2: the text between `u=` and the first `&d=` or `&c=`, with `-` standing for `%`
/// and `_` for `/`, percent-decoded, then HTML-unescaped.
pub(super) fn decode_v2(link: &Link<'_>) -> Option<String> {
    let query = amp_as_ampersand(link.query()?);
    let special = u_value(&query, &["&d=", "&c="])?;
    let escaped: String = special
        .chars()
        .map(|c| match c {
            '-' => '%',
            '_' => '/',
            other => other,
        })
        .collect();
    Some(html_unescape(&pct_decode(&escaped)?))
}

/// The text after the `u` parameter's `=` up to the earliest of `terminators` (the
/// reference decoder's `u=(.+?)&k=`), or to the end of the query when none follows.
fn u_value<'q>(query: &'q str, terminators: &[&str]) -> Option<&'q str> {
    let start = if query.starts_with("u=") {
        2
    } else {
        query.find("&u=")? + 3
    };
    let tail = &query[start..];
    let end = terminators
        .iter()
        .filter_map(|t| tail.find(t))
        .min()
        .unwrap_or(tail.len());
    Some(&tail[..end]).filter(|value| !value.is_empty())
}

static V3_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)] // a literal pattern, covered by the tests
    Regex::new(r"^/v3/__(?P<url>.+?)__;(?P<enc>[^!]*)!").expect("valid v3 pattern")
});

/// v3: the URL between `__` and `__;`, percent-decoded, with each `*` replaced by the
/// next character of the base64url table after `;`, and each `**X` by a run of them.
pub(super) fn decode_v3(link: &Link<'_>) -> Option<String> {
    let captures = V3_PATTERN.captures(link.rest)?;
    let template = pct_decode(captures.name("url")?.as_str())?;
    let table: Vec<char> = base64_text(&BASE64_URL, captures.name("enc")?.as_str())?
        .chars()
        .collect();
    fill_v3_template(&template, &table)
}

/// Substitutes the table's characters into the template's `*` and `**X` tokens. The
/// table counts characters, not bytes. Running out of table means a truncated link.
fn fill_v3_template(template: &str, table: &[char]) -> Option<String> {
    let mut out = String::with_capacity(template.len() + table.len());
    let mut used = 0;
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        if c != '*' {
            out.push(c);
            continue;
        }
        let mut ahead = chars.clone();
        let take = match (ahead.next(), ahead.next()) {
            (Some('*'), Some(length_code)) => {
                chars = ahead;
                run_length(length_code)?
            }
            _ => 1,
        };
        out.extend(table.get(used..used + take)?);
        used += take;
    }
    Some(out)
}

/// `**X` stands for a run of 2 (`A`) to 65 (`_`) characters.
fn run_length(code: char) -> Option<usize> {
    const CODES: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    CODES.find(code).map(|index| index + 2)
}
