//! Links in plain text, as mail clients leave them.
//!
//! In: a decoded text/plain body (or the visible text of an HTML body). Out: every
//! http(s) URL with its byte offset. Handles `<URL>` (Outlook writes `text<URL>` with no
//! space) wrapped across `> `-quoted lines, hard-wrapped bare URLs, trailing punctuation,
//! and the literal `&amp;` an HTML-to-text conversion leaves behind.

use std::sync::LazyLock;

use regex::Regex;

/// A URL found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TextLink {
    pub url: String,
    pub at: usize,
}

/// Longest URL we reassemble; beyond this a `<` is not a URL bracket.
const MAX_URL_LEN: usize = 4096;
/// Hard-wrapping clients break lines near 72–78 columns.
const WRAP_COLUMN: usize = 60;

static SCHEME: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?i)\bhttps?://").ok());

/// Finds every http(s) URL in `text`.
pub(super) fn text_links(text: &str) -> Vec<TextLink> {
    let Some(scheme) = SCHEME.as_ref() else {
        return Vec::new();
    };
    let mut links = Vec::new();
    let mut resume = 0;
    // The line holding the current match, found by scanning forward only: searching
    // back from every match is quadratic on a long line of URLs.
    let mut line = Line::at(text, 0);
    let mut scanned = 0;
    for found in scheme.find_iter(text) {
        let start = found.start();
        if start < resume {
            continue;
        }
        if let Some(i) = text[scanned..start].rfind('\n') {
            line = Line::at(text, scanned + i + 1);
        }
        scanned = start;
        let bracketed = text[..start].ends_with('<');
        let (raw, end) = if bracketed {
            bracketed_url(text, start, line.depth)
        } else {
            bare_url(text, start, line)
        };
        resume = end;
        let url = tidy(&raw);
        if url.len() > found.len() {
            links.push(TextLink { url, at: start });
        }
    }
    links
}

/// A line of text: where it starts, and its quote prefix (`> > `) as a count of `>`.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    depth: usize,
}

impl Line {
    fn at(text: &str, start: usize) -> Self {
        let depth = text[start..]
            .chars()
            .take_while(|c| *c != '\n' && (*c == '>' || c.is_whitespace()))
            .filter(|c| *c == '>')
            .count();
        Self { start, depth }
    }
}

/// Skips a line's quote prefix of `depth` levels; returns the offset after it.
fn skip_quote(text: &str, mut pos: usize, depth: usize) -> usize {
    let mut seen = 0;
    while let Some(c) = text[pos..].chars().next() {
        if c == '>' && seen < depth {
            seen += 1;
        } else if c != ' ' && c != '\t' {
            break;
        }
        pos += c.len_utf8();
    }
    pos
}

/// `<https://…>`, possibly broken across lines (and quote prefixes) before the `>`.
fn bracketed_url(text: &str, start: usize, depth: usize) -> (String, usize) {
    let mut url = String::new();
    let mut pos = start;
    while let Some(c) = text[pos..].chars().next() {
        if c == '>' || c == '<' || url.len() > MAX_URL_LEN {
            return (url, pos);
        }
        pos += c.len_utf8();
        if c == '\n' {
            pos = skip_quote(text, pos, depth);
        } else if !c.is_whitespace() {
            url.push(c);
        }
    }
    (url, pos)
}

fn ends_url(c: char) -> bool {
    c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | '{' | '}' | '|' | '\\' | '^')
}

/// A bare URL runs to whitespace; when it fills a hard-wrapped line, the URL-like start
/// of the next line (after the same quote prefix) continues it.
fn bare_url(text: &str, start: usize, mut line: Line) -> (String, usize) {
    let depth = line.depth;
    let end = text[start..]
        .find(ends_url)
        .map_or(text.len(), |i| start + i);
    let mut url = text[start..end].to_owned();
    let mut pos = end;
    loop {
        let at_line_end = text[pos..].starts_with('\n') || text[pos..].starts_with("\r\n");
        if !at_line_end || text[line.start..pos].chars().count() < WRAP_COLUMN {
            return (url, pos);
        }
        let next_line = pos + if text[pos..].starts_with('\r') { 2 } else { 1 };
        line = Line::at(text, next_line);
        if line.depth != depth {
            return (url, pos);
        }
        let token_start = skip_quote(text, next_line, depth);
        let token_end = text[token_start..]
            .find(ends_url)
            .map_or(text.len(), |i| token_start + i);
        let token = &text[token_start..token_end];
        if !continues_url(token) || url.len() + token.len() > MAX_URL_LEN {
            return (url, pos);
        }
        url.push_str(token);
        pos = token_end;
    }
}

/// A next-line fragment that can only be the rest of a URL, not the start of prose.
fn continues_url(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    !token.is_empty()
        && !lower.starts_with("http")
        && token.chars().all(|c| c.is_ascii_graphic())
        && token.contains(|c: char| "=&%/?#_~".contains(c) || c.is_ascii_digit())
}

/// Trailing sentence punctuation is not part of a URL; `&amp;` in text is a leftover.
fn tidy(raw: &str) -> String {
    let mut url = raw.replace("&amp;", "&");
    while let Some(last) = url.chars().last() {
        let unbalanced_paren = last == ')' && url.matches('(').count() < url.matches(')').count();
        if ".,;:]>\"'!?*".contains(last) || unbalanced_paren {
            url.pop();
        } else {
            break;
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<String> {
        text_links(text).into_iter().map(|l| l.url).collect()
    }

    #[test]
    fn trailing_punctuation_and_amp() {
        assert_eq!(
            urls("Go to https://a.test/x?token=1&amp;lang=en. Thanks!"),
            ["https://a.test/x?token=1&lang=en"]
        );
        assert_eq!(
            urls("(see https://a.test/wiki/X_(y))"),
            ["https://a.test/wiki/X_(y)"]
        );
        assert_eq!(urls("at https://a.test/p)."), ["https://a.test/p"]);
    }

    #[test]
    fn outlook_text_bracket_without_space() {
        assert_eq!(
            urls("Accept invitation<https://a.test/i?token=abc>\nnext"),
            ["https://a.test/i?token=abc"]
        );
    }

    #[test]
    fn bracketed_url_wrapped_over_quoted_lines() {
        let text = "> > Accept: <https://engage.example.com/invitations/accept?token=Zx81\n\
                    > > Qm2&lang=en>\n> > Thanks";
        assert_eq!(
            urls(text),
            ["https://engage.example.com/invitations/accept?token=Zx81Qm2&lang=en"]
        );
    }

    #[test]
    fn hard_wrapped_bare_url() {
        let text = "> Paste this link: https://engage.example.com/invitations/accept?token=\n\
                    > Zx81Qm2&lang=en\n> If the button does not work, write to us.";
        assert_eq!(
            urls(text),
            ["https://engage.example.com/invitations/accept?token=Zx81Qm2&lang=en"]
        );
    }

    #[test]
    fn short_line_is_not_joined_with_prose() {
        let text = "Link: https://a.test/x\nThanks, Jane";
        assert_eq!(urls(text), ["https://a.test/x"]);
    }

    #[test]
    fn long_quoted_line_of_urls_is_read_in_one_pass() {
        // Each URL's line start and quote prefix used to be searched from the URL back:
        // quadratic on one long line (1 MB of "http://a " took 11 s).
        let text = format!(
            "{}{}",
            "> ".repeat(5_000),
            "https://a.test/x ".repeat(50_000)
        );
        let found = text_links(&text);
        assert_eq!(found.len(), 50_000);
        assert!(found.iter().all(|l| l.url == "https://a.test/x"));
    }

    #[test]
    fn no_scheme_no_link() {
        assert!(urls("mailto:a@b.test tel:+1 www.a.test").is_empty());
        assert!(urls("https:// broken").is_empty());
    }
}
