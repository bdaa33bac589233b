//! Where the forwarded original is: the message's readable bodies, level by level.
//!
//! In: a parsed message. Out: its [`Body`] documents (HTML preferred over plain text for
//! each message), including those of every attached `message/rfc822` (a forward as
//! attachment, nested up to 32 levels), each with the `To:` of the message it belongs to;
//! and whether an original sits in a format that cannot be read (TNEF, Outlook `.msg`).
//! Attached messages are followed [`MAX_DEPTH`] levels deep; a parsed message is
//! dropped level by level ([`dismantle`]), never by recursion.
//! Also finds the recipient in an inline-forward header block ("From: … To: …").

use std::sync::LazyLock;

use mail_parser::{Message, MessagePart, MimeHeaders, PartType};
use regex::Regex;

/// Deeper nesting than this is not followed (hostile messages nest hundreds of levels).
const MAX_DEPTH: usize = 32;

/// Whether a body was HTML or plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyKind {
    Html,
    Text,
}

/// One readable body of the message or of a message attached to it.
#[derive(Debug)]
pub(super) struct Body<'m> {
    pub kind: BodyKind,
    pub content: &'m str,
    /// The first `To:` address of the message this body belongs to, when it is an
    /// attached original (depth > 0). The outer message's `To:` is the support mailbox.
    pub attached_to: Option<String>,
}

/// Everything readable in a message.
#[derive(Debug, Default)]
pub(super) struct Bodies<'m> {
    pub html: Vec<Body<'m>>,
    pub text: Vec<Body<'m>>,
    /// Name of an attachment holding an original in a format we cannot read.
    pub unreadable_original: Option<String>,
    /// Whether attached messages nest deeper than [`MAX_DEPTH`] (the deeper ones were
    /// not read).
    pub too_deep: bool,
}

/// Collects the bodies of `message` and of every message attached to it.
pub(super) fn collect_bodies<'m>(message: &'m Message<'m>) -> Bodies<'m> {
    let mut bodies = Bodies::default();
    let mut stack = vec![(message, 0usize)];
    while let Some((msg, depth)) = stack.pop() {
        let attached_to = (depth > 0)
            .then(|| msg.to().and_then(|a| a.first()).and_then(|a| a.address()))
            .flatten()
            .map(str::to_owned);
        let html = msg.html_bodies().filter_map(html_content);
        let text = msg.text_bodies().filter_map(text_content);
        for (content, kind) in html
            .map(|c| (c, BodyKind::Html))
            .chain(text.map(|c| (c, BodyKind::Text)))
        {
            let list = match kind {
                BodyKind::Html => &mut bodies.html,
                BodyKind::Text => &mut bodies.text,
            };
            list.push(Body {
                kind,
                content,
                attached_to: attached_to.clone(),
            });
        }
        for part in msg.attachments() {
            if let PartType::Message(inner) = &part.body {
                if depth < MAX_DEPTH {
                    stack.push((inner, depth + 1));
                } else {
                    bodies.too_deep = true;
                }
            } else if bodies.unreadable_original.is_none() && is_unreadable_original(part) {
                bodies.unreadable_original = Some(
                    part.attachment_name()
                        .unwrap_or("an Outlook attachment")
                        .to_owned(),
                );
            }
        }
    }
    bodies
}

/// Drops a parsed message level by level. The derived drop recurses once per attached
/// message, and hostile mail nests them thousands deep in a few hundred KB: that
/// overflowed the stack, a crash the daemon would repeat on the same message after
/// every restart.
pub(super) fn dismantle(message: Message<'_>) {
    let mut pending = vec![message];
    while let Some(mut message) = pending.pop() {
        for part in &mut message.parts {
            if let PartType::Message(inner) = std::mem::take(&mut part.body) {
                pending.push(inner);
            }
        }
    }
}

fn html_content<'m>(part: &'m MessagePart<'m>) -> Option<&'m str> {
    match &part.body {
        PartType::Html(html) => Some(html.as_ref()),
        _ => None,
    }
}

fn text_content<'m>(part: &'m MessagePart<'m>) -> Option<&'m str> {
    match &part.body {
        PartType::Text(text) => Some(text.as_ref()),
        _ => None,
    }
}

/// TNEF (`winmail.dat`) and Outlook `.msg` need a proprietary parser: recognise, don't guess.
fn is_unreadable_original(part: &MessagePart<'_>) -> bool {
    let name = part
        .attachment_name()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let by_type = part.content_type().is_some_and(|ct| {
        let sub = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        ct.ctype().eq_ignore_ascii_case("application")
            && matches!(sub.as_str(), "ms-tnef" | "vnd.ms-tnef" | "vnd.ms-outlook")
    });
    by_type || name == "winmail.dat" || name.ends_with(".msg")
}

/// The role a header label plays in a forwarded header block, in any client language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    From,
    To,
    Other,
}

/// Labels clients write in forwarded header blocks (English and the translations of
/// Gmail, Outlook, Apple Mail and Thunderbird). Matched case-insensitively.
const FROM_LABELS: &[&str] = &[
    "from",
    "von",
    "de",
    "van",
    "da",
    "från",
    "fra",
    "od",
    "от",
    "від",
    "feladó",
    "lähettäjä",
    "kimden",
    "afzender",
    "remitente",
    "mittente",
    "差出人",
    "发件人",
    "寄件者",
    "보낸 사람",
    "보낸사람",
];
const TO_LABELS: &[&str] = &[
    "to",
    "an",
    "à",
    "a",
    "para",
    "aan",
    "til",
    "till",
    "komu",
    "do",
    "címzett",
    "vastaanottaja",
    "kime",
    "кому",
    "destinatario",
    "destinataire",
    "adresat",
    "per",
    "宛先",
    "收件人",
    "收件者",
    "받는 사람",
    "받는사람",
];
const OTHER_LABELS: &[&str] = &[
    "date",
    "sent",
    "subject",
    "cc",
    "bcc",
    "reply-to",
    "datum",
    "gesendet",
    "betreff",
    "kopie",
    "envoyé",
    "envoyé le",
    "objet",
    "enviado",
    "enviado el",
    "fecha",
    "asunto",
    "verzonden",
    "onderwerp",
    "inviato",
    "data",
    "oggetto",
    "assunto",
    "skickat",
    "ämne",
    "sendt",
    "emne",
    "wysłano",
    "temat",
    "отправлено",
    "дата",
    "тема",
    "日付",
    "送信日時",
    "件名",
    "日期",
    "发送时间",
    "主题",
    "主旨",
    "寄件日期",
    "날짜",
    "보낸 날짜",
    "제목",
];

fn role_of(label: &str) -> Option<Role> {
    let label = label.trim().to_lowercase();
    let is = |list: &[&str]| list.contains(&label.as_str());
    if is(FROM_LABELS) {
        Some(Role::From)
    } else if is(TO_LABELS) {
        Some(Role::To)
    } else if is(OTHER_LABELS) {
        Some(Role::Other)
    } else {
        None
    }
}

/// `Label: ` at the start of a line; the label is a few words at most. The value is the
/// rest of the line, sliced off after the match: capturing it with `(.*)$` made the
/// regex engine walk every long line with its slowest engine (a 5 MB line took 8 s in
/// debug).
static FIELD: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([\p{L}][\p{L} .\-]{0,24}?)\s*[:：]\s*").ok());

/// Labels that Yahoo and some web clients run together on one line
/// ("From: A <a@x>To: B <b@y>Sent: …"); single letters are too ambiguous to split on.
static RUN_TOGETHER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:[>)\]]|\s)(To|Cc|Sent|Date|Subject|An|Gesendet|Betreff|Datum)\s?:").ok()
});

static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+").ok()
});

/// The first email address in `text`.
pub(super) fn first_address(text: &str) -> Option<String> {
    let email = EMAIL.as_ref()?;
    email
        .find(text)
        .map(|m| m.as_str().trim_matches('.').to_owned())
}

/// A header field found in a forwarded header block.
struct Field {
    role: Role,
    value: String,
    /// Byte offset of the line in the text.
    at: usize,
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

fn fields_in_line(at: usize, line: &str, out: &mut Vec<Field>) {
    let Some(field) = FIELD.as_ref() else { return };
    let mut pieces = vec![line.to_owned()];
    if let Some(splitter) = RUN_TOGETHER.as_ref()
        && field
            .captures(line)
            .and_then(|c| c.get(1))
            .and_then(|l| role_of(l.as_str()))
            .is_some()
    {
        let mut cuts: Vec<usize> = splitter
            .find_iter(line)
            .map(|m| m.start() + m.as_str().find(char::is_alphabetic).unwrap_or(0))
            .filter(|&i| i > 0)
            .collect();
        cuts.insert(0, 0);
        cuts.push(line.len());
        pieces = cuts
            .windows(2)
            .map(|w| line[w[0]..w[1]].to_owned())
            .collect();
    }
    for piece in pieces {
        let piece = piece.trim();
        if let Some(caps) = field.captures(piece) {
            let (Some(label), Some(whole)) = (caps.get(1), caps.get(0)) else {
                continue;
            };
            let value = &piece[whole.end()..];
            if let Some(role) = role_of(label.as_str()) {
                out.push(Field {
                    role,
                    value: value.to_owned(),
                    at,
                });
            }
        }
    }
}

/// The recipient (`To:`) of the forwarded header block closest before byte `before` in
/// `text` — the block of the message the link belongs to. A block is a run of header
/// lines, at most one blank line apart, with a sender and at least one other field.
pub(super) fn forwarded_recipient(text: &str, before: usize) -> Option<String> {
    let mut blocks: Vec<Vec<Field>> = Vec::new();
    let mut current: Vec<Field> = Vec::new();
    let mut blank_run = 0;
    for (at, line) in clean_lines(text) {
        if at > before {
            break;
        }
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 && !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            continue;
        }
        blank_run = 0;
        let count = current.len();
        fields_in_line(at, &line, &mut current);
        if current.len() == count && !current.is_empty() {
            blocks.push(std::mem::take(&mut current));
        }
    }
    blocks.push(current);
    blocks
        .iter()
        .rev()
        .filter(|block| is_header_block(block))
        .find_map(|block| {
            block
                .iter()
                .filter(|f| f.role == Role::To && f.at <= before)
                .find_map(|f| first_address(&f.value))
        })
}

fn is_header_block(block: &[Field]) -> bool {
    block.iter().any(|f| f.role == Role::From) && block.len() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_block() {
        let text = "Hi, please help\n\n---------- Forwarded message ---------\nFrom: Engage \
                    <invites@engage.example.com>\nDate: Mon, 2 Nov 2026 at 10:01\nSubject: \
                    You're invited\nTo: <jane@partner.test>\n\nClick https://x.test/a\n";
        assert_eq!(
            forwarded_recipient(text, text.len()).as_deref(),
            Some("jane@partner.test")
        );
    }

    #[test]
    fn quoted_localized_outlook_block() {
        let text = "> *De :* Engage <invites@engage.example.com>\n> *Envoyé :* lundi\n> \
                    *À :* Jane Doe <Jane.Doe@partner.test>\n> *Objet :* Invitation\n>\n> link\n";
        assert_eq!(
            forwarded_recipient(text, text.len()).as_deref(),
            Some("Jane.Doe@partner.test")
        );
    }

    #[test]
    fn yahoo_run_together() {
        let text = "----- Forwarded Message -----\nFrom: Engage <invites@engage.example.com>To: \
                    Jane <jane@partner.test>Sent: Monday, November 2, 2026, 10:01:00 AM \
                    GMTSubject: Invite\n\nbody\n";
        assert_eq!(
            forwarded_recipient(text, text.len()).as_deref(),
            Some("jane@partner.test")
        );
    }

    #[test]
    fn picks_the_block_closest_before_the_link() {
        let text = "From: Bob <bob@corp.example>\nSent: x\nTo: help@corp.example\nSubject: \
                    fw\n\nsee below\n\nFrom: Engage <i@engage.example.com>\nSent: y\nTo: \
                    jane@partner.test\nSubject: invite\n\nLINK\n";
        let link = text.find("LINK").unwrap();
        assert_eq!(
            forwarded_recipient(text, link).as_deref(),
            Some("jane@partner.test")
        );
        let early = text.find("see below").unwrap();
        assert_eq!(
            forwarded_recipient(text, early).as_deref(),
            Some("help@corp.example")
        );
    }

    #[test]
    fn prose_with_colons_is_not_a_block() {
        let text = "Note: to: whom it may concern\nTo: jane@partner.test\n";
        assert_eq!(forwarded_recipient(text, text.len()), None);
    }

    #[test]
    fn ten_thousand_attached_levels_are_dropped_without_recursion() {
        let mut raw = "From: a@x.test\r\nTo: b@x.test\r\nSubject: s\r\n\r\nbody\r\n".to_owned();
        for level in 0..10_000 {
            raw = format!(
                "From: a@x.test\r\nSubject: {level}\r\nContent-Type: message/rfc822\r\n\r\n{raw}"
            );
        }
        let message = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap();
        let bodies = collect_bodies(&message);
        assert!(bodies.too_deep);
        drop(bodies);
        dismantle(message);
    }
}
