//! Where the forwarded original is: the message's readable bodies, level by level.
//!
//! In: a parsed message. Out: its [`Body`] documents (HTML preferred over plain text for
//! each message), including those of every attached `message/rfc822` (a forward as
//! attachment, nested up to 32 levels), each with the `To:` of the message it belongs to;
//! and whether an original sits in a format that cannot be read (TNEF, Outlook `.msg`).
//! Attached messages are followed [`MAX_DEPTH`] levels deep; a parsed message is
//! dropped level by level ([`dismantle`]), never by recursion. The recipient named in an
//! inline forward's header block is found by [`super::header_block`].

use super::header_block::Recipient;
use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

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
    pub attached_to: Option<Recipient>,
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
            .then(|| msg.to().and_then(|a| a.first()))
            .flatten()
            .and_then(|a| {
                Some(Recipient {
                    address: a.address()?.to_owned(),
                    name: a
                        .name()
                        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
                        .filter(|n| !n.is_empty() && !n.contains('@')),
                })
            });
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

#[cfg(test)]
mod tests {
    use super::*;

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
