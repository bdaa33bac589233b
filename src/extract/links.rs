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

/// Finds every http(s) URL in `text`, in one pass: the scheme is searched for only after
/// the previous URL, and line starts are remembered, so a 5 MB line with a million URLs
/// (or a million `>`) costs what its length costs.
pub(super) fn text_links(text: &str) -> Vec<TextLink> {
    let Some(scheme) = SCHEME.as_ref() else {
        return Vec::new();
    };
    let mut links = Vec::new();
    let mut lines = Lines::default();
    let mut resume = 0;
    while let Some(found) = scheme.find_at(text, resume) {
        let start = found.start();
        let bracketed = text[..start].ends_with('<');
        if !bracketed && bare_scheme(&text[found.end()..]) {
            // `http://` and nothing: no URL (a million of them must stay cheap).
            resume = found.end();
            continue;
        }
        let (raw, end) = if bracketed {
            bracketed_url(text, start, &mut lines)
        } else {
            bare_url(text, start, &mut lines)
        };
        resume = end.max(found.end());
        let url = tidy(&raw);
        if url.len() > found.len() {
            links.push(TextLink { url, at: start });
        }
    }
    links
}

/// Whether a scheme is followed by what ends a URL on the same line (a line break may
/// be a hard wrap, which [`bare_url`] joins).
fn bare_scheme(after: &str) -> bool {
    after
        .chars()
        .next()
        .is_none_or(|c| ends_url(c) && c != '\r' && c != '\n')
}

/// The line of the position last asked about. Positions only grow within one text, so
/// each byte is searched for a line break once, and each line's quote prefix is read
/// once, however many URLs the line holds.
#[derive(Debug, Default)]
struct Lines {
    /// Where the line containing `seen` starts.
    start: usize,
    /// How far the text has been searched for line breaks.
    seen: usize,
    /// The quote depth of the line at `start`, once read.
    depth: Option<usize>,
}

impl Lines {
    /// Where the line containing `pos` starts.
    fn start_of(&mut self, text: &str, pos: usize) -> usize {
        if pos < self.start {
            // Never happens (positions only grow); answer without the memory.
            return text[..pos].rfind('\n').map_or(0, |i| i + 1);
        }
        if pos > self.seen {
            if let Some(i) = text[self.seen..pos].rfind('\n') {
                self.start = self.seen + i + 1;
                self.depth = None;
            }
            self.seen = pos;
        }
        self.start
    }

    /// The quote prefix (`> > `) of the line containing `pos`, as a count of `>`, where
    /// `pos` is at or after the line's first character that is neither.
    fn quote_depth(&mut self, text: &str, pos: usize) -> usize {
        let start = self.start_of(text, pos);
        if start != self.start {
            return prefix_depth(&text[start..pos]);
        }
        *self
            .depth
            .get_or_insert_with(|| prefix_depth(&text[start..pos]))
    }
}

/// The count of `>` in the quote prefix at the start of `line`.
fn prefix_depth(line: &str) -> usize {
    line.chars()
        .take_while(|c| *c == '>' || c.is_whitespace())
        .filter(|c| *c == '>')
        .count()
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
fn bracketed_url(text: &str, start: usize, lines: &mut Lines) -> (String, usize) {
    let depth = lines.quote_depth(text, start);
    let mut url = String::new();
    let mut pos = start;
    while let Some(c) = text[pos..].chars().next() {
        if c == '>' || c == '<' || url.len() > MAX_URL_LEN {
            return (url, pos);
        }
        pos += c.len_utf8();
        if c == '\n' {
            pos = skip_quote(text, pos, depth);
        } else if !c.is_whitespace() && !c.is_control() {
            url.push(c);
        }
    }
    (url, pos)
}

/// Control characters (a NUL from a broken body) end a URL as whitespace does: they
/// are never part of a link a person could have clicked.
fn ends_url(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '<' | '>' | '"' | '`' | '{' | '}' | '|' | '\\' | '^')
}

/// A bare URL runs to whitespace; when it fills a hard-wrapped line, the URL-like start
/// of the next line (after the same quote prefix) continues it.
fn bare_url(text: &str, start: usize, lines: &mut Lines) -> (String, usize) {
    let depth = lines.quote_depth(text, start);
    let end = text[start..]
        .find(ends_url)
        .map_or(text.len(), |i| start + i);
    let mut url = text[start..end].to_owned();
    let mut pos = end;
    loop {
        let line_start = lines.start_of(text, pos);
        let at_line_end = text[pos..].starts_with('\n') || text[pos..].starts_with("\r\n");
        let short_line = text[line_start..pos].chars().take(WRAP_COLUMN).count() < WRAP_COLUMN;
        if !at_line_end || short_line {
            return (url, pos);
        }
        let next_line = pos + if text[pos..].starts_with('\r') { 2 } else { 1 };
        let token_start = skip_quote(text, next_line, depth);
        if prefix_depth(&text[next_line..token_start]) != depth {
            return (url, pos);
        }
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
    // Counted once: a URL followed by a million `)` is trimmed in linear time.
    let opening = url.matches('(').count();
    let mut closing = url.matches(')').count();
    while let Some(last) = url.chars().last() {
        let unbalanced_paren = last == ')' && opening < closing;
        if ".,;:]>\"'!?*".contains(last) || unbalanced_paren {
            url.pop();
            closing -= usize::from(last == ')');
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
    fn no_scheme_no_link() {
        assert!(urls("mailto:a@b.test tel:+1 www.a.test").is_empty());
        assert!(urls("https:// broken").is_empty());
    }

    #[test]
    fn many_urls_on_one_deeply_quoted_line() {
        let text = format!(
            "{} https://a.test/1 https://a.test/2\n> next https://b.test/x",
            ">".repeat(10_000)
        );
        assert_eq!(
            urls(&text),
            ["https://a.test/1", "https://a.test/2", "https://b.test/x"]
        );
    }

    #[test]
    fn run_together_schemes_are_one_url() {
        let text = format!("{} then https://a.test/y", "http://".repeat(1000));
        let found = urls(&text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1], "https://a.test/y");
    }

    #[test]
    fn a_flood_of_closing_parentheses_is_trimmed() {
        let text = format!("https://a.test/x{}", ")".repeat(100_000));
        assert_eq!(urls(&text), ["https://a.test/x"]);
    }

    #[test]
    fn control_characters_are_not_part_of_a_url() {
        assert_eq!(urls("https://a.test/x\0\x01tail"), ["https://a.test/x"]);
        assert_eq!(urls("<https://a.test/\0x>"), ["https://a.test/x"]);
    }
}
