//! Where the configured folders live on the server (RFC 2342 NAMESPACE).
//!
//! In: a logged-in session, or the text of a `* NAMESPACE` answer. Out: a [`Namespace`]
//! (the personal namespace's prefix and hierarchy separator, and the other namespaces'
//! prefixes) that turns a folder name as written in the config into the server's name.
//!
//! Config names separate levels with `/`. Cyrus and Courier keep personal folders under
//! `INBOX.` with `.` between levels; Dovecot, Exchange and Gmail use no prefix. So:
//! `INBOX` is never prefixed; `/` becomes the server's separator; a name that then starts
//! with a namespace prefix (`INBOX/Invites` on Courier, `Other Users/...`) is used as is;
//! every other name goes under the personal prefix (`onbehalf/done` becomes
//! `INBOX.onbehalf.done` on Courier and `onbehalf.done` on a stock Dovecot).
//!
//! async-imap 0.12 has no NAMESPACE command and its parser rejects the answer (which would
//! leave the session unusable), so the command is written to the stream under our own tag
//! and the answer is read here, line by line, up to and including the tagged status.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::Shared;
use super::connect::ImapStream;
use crate::mailbox::MailboxError;

/// Our tag for NAMESPACE; async-imap's tags are `A0001`… so the two never meet.
const TAG: &str = "onbns";
/// A NAMESPACE answer is a few hundred bytes; a server sending more is not answering it.
const MAX_ANSWER: usize = 64 * 1024;

/// The folder layout the server announced (or, without NAMESPACE, what LIST said).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Namespace {
    /// The personal namespace's prefix, e.g. `INBOX.`; empty for most servers.
    pub(crate) prefix: String,
    /// The hierarchy separator; `None` for a flat namespace.
    pub(crate) delimiter: Option<String>,
    /// The non-empty prefixes of the other namespaces (other users', shared).
    pub(crate) others: Vec<String>,
}

impl Namespace {
    /// A layout with no prefix, as a server without NAMESPACE is read.
    pub(crate) fn flat(delimiter: Option<String>) -> Self {
        Self {
            delimiter,
            ..Self::default()
        }
    }

    /// The server's name for a folder as written in the config (see the module docs).
    pub(crate) fn server_name(&self, folder: &str) -> String {
        if folder.eq_ignore_ascii_case("INBOX") {
            return folder.to_owned();
        }
        let name = match self.delimiter.as_deref() {
            Some(delimiter) if delimiter != "/" => folder.replace('/', delimiter),
            _ => folder.to_owned(),
        };
        let prefixed = |prefix: &str| {
            !prefix.is_empty()
                && name
                    .get(..prefix.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        };
        if self.prefix.is_empty()
            || prefixed(&self.prefix)
            || self.others.iter().any(|p| prefixed(p))
        {
            return name;
        }
        // `INBOX.` and `INBOX/` are the same prefix written with the config's separator.
        format!("{}{name}", self.prefix)
    }
}

/// Asks the server for its namespaces; `None` when it refuses or answers something this
/// cannot read (the caller then falls back to LIST).
pub(crate) async fn ask(
    shared: &Shared,
    stream: &mut ImapStream,
) -> Result<Option<Namespace>, MailboxError> {
    let transport = |source: std::io::Error| MailboxError::Command {
        address: shared.address.clone(),
        action: "ask for the folder namespaces".into(),
        source: async_imap::error::Error::Io(source).into(),
    };
    let exchange = async {
        stream
            .write_all(format!("{TAG} NAMESPACE\r\n").as_bytes())
            .await?;
        stream.flush().await?;
        let mut answer = None;
        let mut read = 0;
        loop {
            let line = read_line(stream, &mut read).await?;
            if let Some(status) = line.strip_prefix(&format!("{TAG} ")) {
                let ok = status
                    .get(..2)
                    .is_some_and(|s| s.eq_ignore_ascii_case("OK"));
                return Ok(answer.filter(|_| ok));
            }
            if let Some(rest) = strip_prefix_ci(&line, "* NAMESPACE ") {
                answer = parse(rest);
            }
        }
    };
    shared
        .within("ask for the folder namespaces", exchange)
        .await?
        .map_err(transport)
}

/// One response line without its CRLF; a line carrying literals (`{n}`) comes back with
/// each literal's bytes in place, so the stream stays in step (such a NAMESPACE answer
/// then fails to parse, which only means falling back to LIST).
async fn read_line(stream: &mut ImapStream, read: &mut usize) -> std::io::Result<String> {
    let mut line = Vec::new();
    loop {
        // Byte by byte: whatever follows the tagged answer belongs to async-imap.
        let byte = stream.read_u8().await?;
        *read += 1;
        if *read > MAX_ANSWER {
            return Err(std::io::Error::other("the NAMESPACE answer is too long"));
        }
        line.push(byte);
        if !line.ends_with(b"\r\n") {
            continue;
        }
        line.truncate(line.len() - 2);
        match literal_length(&line) {
            Some(length) if *read + length <= MAX_ANSWER => {
                let mut literal = vec![0; length];
                stream.read_exact(&mut literal).await?;
                *read += length;
                line.extend_from_slice(&literal);
            }
            Some(_) => return Err(std::io::Error::other("the NAMESPACE answer is too long")),
            None => return Ok(String::from_utf8_lossy(&line).into_owned()),
        }
    }
}

/// `n` when the line ends with a literal announcement `{n}` (or `{n+}`).
fn literal_length(line: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(line).ok()?;
    let open = text.strip_suffix('}')?.rfind('{')?;
    let digits = text.get(open + 1..text.len() - 1)?.trim_end_matches('+');
    digits.parse().ok()
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Reads `personal other shared` (each `NIL` or `(("prefix" "sep" ext…)…)`).
pub(crate) fn parse(text: &str) -> Option<Namespace> {
    let mut tokens = tokenize(text)?.into_iter().peekable();
    let mut groups = Vec::new();
    for _ in 0..3 {
        groups.push(group(&mut tokens)?);
    }
    let mut groups = groups.into_iter();
    let personal = groups.next()?;
    let (prefix, delimiter) = personal.first().cloned().unwrap_or_default();
    let others = groups
        .flatten()
        .map(|(prefix, _)| prefix)
        .filter(|prefix| !prefix.is_empty())
        .collect();
    Some(Namespace {
        prefix,
        delimiter,
        others,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    Nil,
    Text(String),
}

fn tokenize(text: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {}
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            '"' => {
                let mut value = String::new();
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => value.push(chars.next()?),
                        other => value.push(other),
                    }
                }
                tokens.push(Token::Text(value));
            }
            _ => {
                let mut atom = String::from(c);
                while let Some(&next) = chars.peek() {
                    if matches!(next, ' ' | '(' | ')' | '"') {
                        break;
                    }
                    atom.push(next);
                    chars.next();
                }
                tokens.push(if atom.eq_ignore_ascii_case("NIL") {
                    Token::Nil
                } else {
                    Token::Text(atom)
                });
            }
        }
    }
    Some(tokens)
}

/// One namespace group: `NIL`, or a list of `("prefix" "separator" extensions…)`.
fn group(
    tokens: &mut std::iter::Peekable<impl Iterator<Item = Token>>,
) -> Option<Vec<(String, Option<String>)>> {
    match tokens.next()? {
        Token::Nil => return Some(Vec::new()),
        Token::Open => {}
        _ => return None,
    }
    let mut entries = Vec::new();
    loop {
        match tokens.next()? {
            Token::Close => return Some(entries),
            Token::Open => {}
            _ => return None,
        }
        let Token::Text(prefix) = tokens.next()? else {
            return None;
        };
        let delimiter = match tokens.next()? {
            Token::Text(delimiter) => Some(delimiter),
            Token::Nil => None,
            _ => return None,
        };
        skip_to_close(tokens)?;
        entries.push((prefix, delimiter));
    }
}

/// Skips an entry's extensions up to the `)` that closes it.
fn skip_to_close(tokens: &mut impl Iterator<Item = Token>) -> Option<()> {
    let mut depth = 0usize;
    loop {
        match tokens.next()? {
            Token::Open => depth += 1,
            Token::Close if depth == 0 => return Some(()),
            Token::Close => depth -= 1,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn courier() -> Namespace {
        parse(r##"(("INBOX." ".")) NIL (("#shared." "."))"##).unwrap()
    }

    #[test]
    fn answers_of_real_servers_are_read() {
        // Dovecot (stock Maildir), Gmail/Exchange, Cyrus, Courier, one with extensions.
        assert_eq!(
            parse(r#"(("" ".")) NIL NIL"#),
            Some(Namespace::flat(Some(".".into())))
        );
        assert_eq!(
            parse(r#"(("" "/")) NIL NIL"#),
            Some(Namespace::flat(Some("/".into())))
        );
        let cyrus = parse(r#"(("INBOX." ".")) (("user." ".")) (("" "."))"#).unwrap();
        assert_eq!(cyrus.prefix, "INBOX.");
        assert_eq!(cyrus.delimiter.as_deref(), Some("."));
        assert_eq!(cyrus.others, ["user."]);
        assert_eq!(courier().others, ["#shared."]);
        let extended =
            parse(r#"(("" "/" "X-PARAM" ("FLAG1" "FLAG2"))) NIL (("Public/" "/"))"#).unwrap();
        assert_eq!(extended.prefix, "");
        assert_eq!(extended.others, ["Public/"]);
        let escaped = parse(r#"(("IN\"BOX" "\\")) NIL NIL"#).unwrap();
        assert_eq!(escaped.prefix, "IN\"BOX");
        assert_eq!(escaped.delimiter.as_deref(), Some("\\"));
        let flat = parse("((\"\" NIL)) NIL NIL").unwrap();
        assert_eq!(flat.delimiter, None);
        assert_eq!(parse("NIL NIL NIL"), Some(Namespace::default()));
    }

    #[test]
    fn garbage_is_not_a_namespace() {
        for text in [
            "",
            "(",
            "((\"INBOX.\"",
            "((\"INBOX.\" \".\")) NIL",
            "(\"x\" \".\") NIL NIL",
            "((( NIL NIL",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn folders_go_under_the_personal_prefix_once() {
        let ns = courier();
        assert_eq!(ns.server_name("onbehalf/done"), "INBOX.onbehalf.done");
        assert_eq!(ns.server_name("Invites"), "INBOX.Invites");
        assert_eq!(ns.server_name("INBOX"), "INBOX");
        assert_eq!(ns.server_name("inbox"), "inbox");
        assert_eq!(ns.server_name("INBOX/Invites"), "INBOX.Invites");
        assert_eq!(ns.server_name("INBOX.Invites"), "INBOX.Invites");
        assert_eq!(ns.server_name("inbox/a/b"), "inbox.a.b");
        assert_eq!(ns.server_name("#shared/team"), "#shared.team");
        // A name that merely starts like INBOX is still a personal folder.
        assert_eq!(ns.server_name("INBOXES"), "INBOX.INBOXES");
    }

    #[test]
    fn servers_without_a_prefix_only_change_the_separator() {
        let dovecot = Namespace::flat(Some(".".into()));
        assert_eq!(dovecot.server_name("onbehalf/done"), "onbehalf.done");
        assert_eq!(dovecot.server_name("INBOX"), "INBOX");
        let gmail = Namespace::flat(Some("/".into()));
        assert_eq!(gmail.server_name("onbehalf/done"), "onbehalf/done");
        let flat = Namespace::flat(None);
        assert_eq!(flat.server_name("onbehalf/done"), "onbehalf/done");
        let cyrus_unixhiersep = parse(r#"(("INBOX/" "/")) NIL NIL"#).unwrap();
        assert_eq!(
            cyrus_unixhiersep.server_name("onbehalf/done"),
            "INBOX/onbehalf/done"
        );
        assert_eq!(cyrus_unixhiersep.server_name("INBOX/x"), "INBOX/x");
    }

    #[test]
    fn literal_announcements_are_found() {
        assert_eq!(literal_length(b"* NAMESPACE (({5}"), Some(5));
        assert_eq!(literal_length(b"* NAMESPACE (({12+}"), Some(12));
        assert_eq!(literal_length(b"* NAMESPACE ((\"\" \".\")) NIL NIL"), None);
        assert_eq!(literal_length(b"{x}"), None);
    }
}
