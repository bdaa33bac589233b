//! Who the forwarded original was sent to: the `To` of the forwarded header block
//! before a link, recognised by its structure rather than by a closed list of lines.
//!
//! In: the text of one body (plain text, or HTML rendered to text) and the byte offset of
//! a link in it. Out: the first address of the `To` field of the closest header block
//! before the link, with the display name written before it (`Jane Doe <jane@…>`,
//! `"Doe, Jane" <…>`, Outlook's `Jane Doe [mailto:…]`), or `None` when unsure (never a
//! guess).
//!
//! A block starts at a forward marker (a line of dashes or underscores with or without
//! words, or a known marker such as "Begin forwarded message:") or at any run of
//! `Label: value` lines. Labels are looked up in [`super::labels`] (every language); a
//! label no client is known to write is skipped, not a stop. Fields run together on one
//! line (Yahoo's plain text puts the marker and every field on a single line) are split
//! before each known label. Full-width colons and a space before the colon are accepted.

use std::sync::LazyLock;

use regex::Regex;

use super::labels::{self, LONGEST_LABEL, Role};

/// `Label:` at the start of a line: a few words of letters (marks, dots, hyphens and
/// brackets inside: `Kopie (CC)`), then the colon, ASCII or full-width, perhaps after a
/// space. The value is sliced off after the match: capturing it with `(.*)$` made the
/// regex engine walk every long line with its slowest engine.
static FIELD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(\p{L}[\p{L}\p{M} .()\-]{0,29}?)[ \t\u{a0}]*[:：][ \t\u{a0}]*").ok()
});

/// A marker made of dashes or underscores around optional words, and what follows it on
/// the same line (Yahoo: the fields). Gmail, Outlook, Thunderbird, Yahoo, HubSpot,
/// Missive and IONOS all draw their marker so.
static DASHED_MARKER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[-_=]{2,}[ \t]*([^-_=]*?)[ \t]*[-_=]{2,}[ \t]*").ok());

static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+").ok()
});

/// Lines longer than this are not split on run-together labels: a header line of Yahoo
/// with a few dozen recipients fits, a hostile megabyte is not walked.
const MAX_RUN_TOGETHER_LINE: usize = 16 * 1024;

/// Longer text before a colon is no marker (the longest is under 80 bytes).
const MAX_MARKER_BYTES: usize = 160;

/// Colons looked at for run-together labels in one line: Yahoo's line has one per field
/// and a few in times and names.
const MAX_COLONS: usize = 64;

/// Unknown labels in a row a block may hold: headers have few fields a client adds
/// beyond the table (`Importance`, `Attachments`); prose has many lines with colons.
const MAX_UNKNOWN_RUN: usize = 3;

/// The original's recipient as its header block names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Recipient {
    /// The address.
    pub address: String,
    /// The display name written before it, when there is one and it is not an address.
    pub name: Option<String>,
}

/// Lines looked at for a name beside an address: the address stands in a header block
/// once or twice, and a hostile body may repeat it a million times.
const MAX_NAME_LOOKS: usize = 8;

/// The display name written with `address` on a `To:` line of `text` (any block), if
/// any: the same person, named where another body showed only the address.
pub(super) fn name_beside(text: &str, address: &str) -> Option<String> {
    text.match_indices(address)
        .take(MAX_NAME_LOOKS)
        .find_map(|(at, _)| {
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            if end - start > MAX_RUN_TOGETHER_LINE {
                return None;
            }
            let (_, line) = clean_lines(&text[start..end]).next()?;
            let fields = fields_of(&line)?;
            let to = fields.iter().find(|f| f.role == Some(Role::To))?;
            let recipient = first_recipient(&to.value)?;
            recipient.name.filter(|_| recipient.address == address)
        })
}

/// The first address in a `To` value and the display name before it.
fn first_recipient(text: &str) -> Option<Recipient> {
    let found = EMAIL.as_ref()?.find(text)?;
    let address = found.as_str().trim_matches('.').to_owned();
    let before = text[..found.start()].trim_end();
    let before = before
        .strip_suffix("mailto:")
        .unwrap_or(before)
        .trim_end_matches(['<', '[', '(', '"', '\'', ' ', '\t']);
    let name = before
        .trim_start_matches(['"', '\'', ' ', '\t'])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let name = Some(name).filter(|n| !n.is_empty() && !n.contains('@') && !n.contains(['<', '>']));
    Some(Recipient { address, name })
}

/// A header field of a block: its role (`None` for a label the table does not know).
struct Field {
    role: Option<Role>,
    value: String,
}

/// A run of header fields, and whether a forward marker opened it.
#[derive(Default)]
struct Block {
    fields: Vec<Field>,
    after_marker: bool,
    /// Unknown labels since the last known one.
    unknown_run: usize,
    /// A blank line was seen since the last field.
    gap: bool,
}

impl Block {
    fn known(&self) -> impl Iterator<Item = Role> + '_ {
        self.fields.iter().filter_map(|f| f.role)
    }

    /// A sender and another known field; after a marker, a recipient and another known
    /// field do too (a client whose sender label the table lacks).
    fn is_header(&self) -> bool {
        let count = self.known().count();
        let has = |role| self.known().any(|r| r == role);
        count >= 2 && (has(Role::From) || (self.after_marker && has(Role::To)))
    }

    /// The block's first recipient field decides: its first address, or none.
    fn recipient(&self) -> Option<Recipient> {
        self.fields
            .iter()
            .find(|f| f.role == Some(Role::To))
            .and_then(|f| first_recipient(&f.value))
    }

    /// Whether a line of `fields` continues this block: a known label always does; an
    /// unknown one not after a blank line, nor after too many unknown ones.
    fn accepts(&self, fields: &[Field]) -> bool {
        let unknown = fields.iter().all(|f| f.role.is_none());
        let gap = self.gap && !self.fields.is_empty();
        !(unknown && (gap || self.unknown_run >= MAX_UNKNOWN_RUN))
    }

    fn push(&mut self, fields: Vec<Field>) {
        let unknown = fields.iter().all(|f| f.role.is_none());
        self.unknown_run = if unknown { self.unknown_run + 1 } else { 0 };
        self.gap = false;
        self.fields.extend(fields);
    }
}

/// Lines as (byte offset, content without quote markers or bold asterisks).
fn clean_lines(text: &str) -> impl Iterator<Item = (usize, String)> + '_ {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let at = offset;
        offset += line.len();
        let content = line
            .trim_start_matches(|c: char| c == '>' || c.is_whitespace())
            .trim_end()
            .replace('*', "");
        (at, content)
    })
}

/// A forward marker at the start of `line`: what follows it on the line, if it is one.
fn after_marker(line: &str) -> Option<&str> {
    if line.starts_with(['-', '_', '='])
        && let Some(caps) = DASHED_MARKER.as_ref().and_then(|re| re.captures(line))
    {
        return caps.get(0).map(|whole| &line[whole.end()..]);
    }
    // Markers without dashes end in a colon ("Begin forwarded message:"); looking up
    // only those keeps the common line to one regex and no allocation.
    let words = line.strip_suffix([':', '：'])?;
    (words.len() <= MAX_MARKER_BYTES && labels::is_marker(words)).then_some("")
}

/// The fields of one line, or `None` when it does not start with `Label:`.
fn fields_of(line: &str) -> Option<Vec<Field>> {
    let caps = FIELD.as_ref()?.captures(line)?;
    let (label, whole) = (caps.get(1)?, caps.get(0)?);
    let role = labels::role_of(label.as_str());
    let rest = &line[whole.end()..];
    let mut fields = vec![];
    let mut current = Field {
        role,
        value: String::new(),
    };
    let mut start = 0;
    // Only a line that starts with a known label is split: prose is not.
    if role.is_some() && line.len() <= MAX_RUN_TOGETHER_LINE {
        for (label_at, value_at, role) in run_together(rest) {
            current.value = rest[start..label_at].trim().to_owned();
            fields.push(std::mem::replace(
                &mut current,
                Field {
                    role: Some(role),
                    value: String::new(),
                },
            ));
            start = value_at;
        }
    }
    current.value = rest[start..].trim().to_owned();
    fields.push(current);
    Some(fields)
}

/// Known labels glued to the previous value (`…<a@x>To: …`, `…GMT+1Subject: …`):
/// (label start, value start, role) for each.
fn run_together(text: &str) -> Vec<(usize, usize, Role)> {
    let mut found = Vec::new();
    let colons = text.char_indices().filter(|&(_, c)| c == ':' || c == '：');
    for (colon, c) in colons.take(MAX_COLONS) {
        let head = &text[..colon];
        let head = head.strip_suffix(' ').unwrap_or(head);
        if let Some((label_at, role)) = label_ending(head) {
            found.push((label_at, colon + c.len_utf8(), role));
        }
    }
    found
}

/// The longest known label that ends `head` and is glued to what precedes it.
fn label_ending(head: &str) -> Option<(usize, Role)> {
    let starts: Vec<usize> = head
        .char_indices()
        .rev()
        .take(*LONGEST_LABEL)
        .map(|(i, _)| i)
        .collect();
    starts.into_iter().rev().find_map(|at| {
        let label = &head[at..];
        if !label.starts_with(char::is_alphabetic) {
            return None;
        }
        let role = labels::role_of(label)?;
        glued(head[..at].chars().next_back(), label).then_some((at, role))
    })
}

/// Whether a label starting after `before` begins a new field. After what ends an
/// address or a quoted name it does (`<a@x>To:`, `"x"Cc:`); after a capital or a digit
/// only a capitalised word does (`CETEmne:`, `GMT+1Subject:`, not `MAILTO:`); after a
/// space, an opening bracket or a lower-case letter it does not (`mailto:`, a subject
/// that says "Welcome to: …" or "(A: agenda)").
fn glued(before: Option<char>, label: &str) -> bool {
    let Some(before) = before else { return false };
    if matches!(before, '>' | '"' | '\'' | ')' | ']' | '»' | ';' | ',') {
        return true;
    }
    if !before.is_alphanumeric() {
        return false;
    }
    let mut chars = label.chars();
    let (first, second) = (chars.next(), chars.next());
    let capitalised = match (first, second) {
        (Some(a), Some(b)) => a.is_uppercase() && b.is_lowercase(),
        _ => false,
    };
    let caseless = first.is_some_and(|a| !a.is_uppercase() && !a.is_lowercase());
    (before.is_uppercase() || before.is_ascii_digit()) && (capitalised || caseless)
}

/// The recipient (`To:`) of the forwarded header block closest before byte `before` in
/// `text`: the block of the message the link belongs to. `None` when that block names
/// no recipient address.
pub(super) fn forwarded_recipient(text: &str, before: usize) -> Option<Recipient> {
    let mut last: Option<Block> = None;
    let mut current = Block::default();
    let mut close = |block: &mut Block, after_marker: bool| {
        let done = std::mem::take(block);
        block.after_marker = after_marker;
        if done.is_header() {
            last = Some(done);
        }
    };
    for (at, line) in clean_lines(text) {
        if at > before {
            break;
        }
        if line.is_empty() {
            if current.gap && !current.fields.is_empty() {
                close(&mut current, false);
            }
            current.gap = true;
            continue;
        }
        if let Some(rest) = after_marker(&line) {
            close(&mut current, true);
            if let Some(fields) = fields_of(rest) {
                current.push(fields);
            }
            continue;
        }
        match fields_of(&line) {
            Some(fields) => {
                if !current.accepts(&fields) {
                    close(&mut current, false);
                }
                current.push(fields);
            }
            None => close(&mut current, false),
        }
    }
    close(&mut current, false);
    last.and_then(|block| block.recipient())
}

#[cfg(test)]
mod tests;
