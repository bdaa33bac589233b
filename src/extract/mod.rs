//! The extract stage: find the invite link in a forwarded email.
//!
//! In: the raw bytes of one message from the support mailbox, and the config (platform
//! patterns, size limit). Out: an [`Invite`] (platform, invite URL as the platform wrote
//! it, the invitee the original went to, the requester who forwarded it) or a
//! [`Rejection`] with a reason a support agent can read. Pure: it never fetches anything,
//! never writes anything, and never panics whatever the bytes.

mod forward;
mod header_block;
mod html;
mod labels;
mod links;
pub mod unwrap;

use std::collections::HashMap;

use mail_parser::{Message, MessageParser};
use serde::Serialize;

use crate::config::{Config, Platform};
use crate::reason::Reason;
use forward::{Bodies, BodyKind};
use unwrap::unwrap;

/// A forwarded invite, found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invite {
    /// The platform whose invite pattern the link matched.
    pub platform: String,
    /// The invite link exactly as the platform wrote it (wrappers removed, entities
    /// decoded, nothing else normalised). It carries a token: show it to operators only.
    pub invite_url: String,
    /// The address the forwarded original was sent to, when the forward shows it.
    pub invitee: Option<String>,
    /// The display name written with that address (`"Doe, Jane" <jane@…>`), when there
    /// is one and it is not an address: it fills required name fields on signup forms.
    pub invitee_name: Option<String>,
    /// The address of whoever sent the forward to the support mailbox.
    pub requester: Option<String>,
    /// The subject of the forward as the support mailbox received it.
    pub subject: Option<String>,
    /// The forward's Message-ID, to thread replies to it.
    pub message_id: Option<String>,
}

/// A message the extract stage will not act on, with a sentence for a support agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The machine reason.
    pub reason: Reason,
    /// What happened and what to do, in plain words. Never contains wrapper parameters
    /// or tokens beyond what the agent needs.
    pub detail: String,
    /// Who sent the forward, when the message was readable enough to tell.
    pub requester: Option<String>,
}

/// How much of a too-large message is read to name its sender.
const HEADER_PEEK: usize = 256 * 1024;

/// Runs the extract stage over one raw message.
///
/// A panic inside the MIME parser (mail-parser has had several on hostile input) becomes
/// an `unreadable` rejection for this one message instead of a job that fails on every
/// retry.
pub fn extract(raw: &[u8], config: &Config) -> Result<Invite, Rejection> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        extract_message(raw, config)
    }))
    .unwrap_or_else(|_| {
        Err(Rejection {
            reason: Reason::Unreadable,
            detail: "The mail parser failed on this message, so it could not be read. \
                         Ask the user to forward the invitation email again."
                .to_owned(),
            requester: None,
        })
    })
}

fn extract_message(raw: &[u8], config: &Config) -> Result<Invite, Rejection> {
    if raw.len() > config.limits.max_message_bytes {
        // Only the start is read for the sender: the header block itself can be the
        // whole 50 MB.
        let head = &raw[..raw.len().min(HEADER_PEEK)];
        let requester = MessageParser::new()
            .parse_headers(head)
            .and_then(|m| sender(&m));
        return Err(Rejection {
            reason: Reason::TooLarge,
            detail: format!(
                "The email is {}, above the limit of {} (limits.max_message_bytes), so it was \
                 not read. Ask the user to forward only the invitation, without attachments.",
                human_size(raw.len()),
                human_size(config.limits.max_message_bytes)
            ),
            requester,
        });
    }
    let message = match MessageParser::default().parse(raw) {
        Some(message) if looks_like_email(raw, &message) => message,
        other => {
            other.map(forward::dismantle);
            return Err(Rejection {
                reason: Reason::Unreadable,
                detail: "This is not a readable email: no mail headers were found. Ask the \
                         user to forward the invitation email again."
                    .to_owned(),
                requester: None,
            });
        }
    };
    let outcome = read(&message, config);
    forward::dismantle(message);
    outcome
}

/// Finds the invite in a parsed message.
fn read(message: &Message<'_>, config: &Config) -> Result<Invite, Rejection> {
    let requester = sender(message);
    let bodies = forward::collect_bodies(message);
    let documents = Documents::from_bodies(&bodies);
    match find_invites(&documents, &config.platforms) {
        Found::One(hit) => {
            let recipient = documents.recipient_for(&hit);
            Ok(Invite {
                platform: hit.platform.name.clone(),
                invitee: recipient.as_ref().map(|r| r.address.clone()),
                invitee_name: recipient.and_then(|r| r.name),
                invite_url: hit.url,
                requester,
                subject: message.subject().map(str::to_owned),
                message_id: message.message_id().map(str::to_owned),
            })
        }
        Found::Several(hits) => Err(ambiguous(&hits, requester)),
        Found::None { opaque } => Err(nothing_found(&bodies, opaque, requester)),
    }
}

/// mail-parser accepts almost anything; an email has at least one real header field and
/// no binary noise where its headers are.
fn looks_like_email(raw: &[u8], message: &Message<'_>) -> bool {
    let head = &raw[..raw.len().min(1024)];
    let header_end = head
        .windows(2)
        .position(|w| w == b"\n\n" || w == b"\r\n")
        .unwrap_or(head.len());
    let binary = head[..header_end]
        .iter()
        .any(|&b| b == 0 || (b < 0x09) || (0x0e..0x20).contains(&b) && b != 0x1b);
    let known = message.from().is_some()
        || message.to().is_some()
        || message.subject().is_some()
        || message.date().is_some()
        || message.message_id().is_some();
    known && !binary
}

fn sender(message: &Message<'_>) -> Option<String> {
    message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_owned)
}

fn human_size(bytes: usize) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1.0 {
        format!("{mb:.1} MB")
    } else {
        format!("{:.0} KB", bytes as f64 / 1024.0)
    }
}

/// A readable document: an HTML body rendered to text, or a plain-text body.
struct Document<'m> {
    text: std::borrow::Cow<'m, str>,
    anchors: Vec<html::Anchor>,
    kind: BodyKind,
    attached_to: Option<header_block::Recipient>,
}

struct Documents<'m> {
    docs: Vec<Document<'m>>,
}

/// Where a candidate link was seen.
#[derive(Debug, Clone, Copy)]
struct Place {
    doc: usize,
    at: usize,
}

/// Places of one link looked at for its recipient. Each look reads the text before the
/// place, so without a cap a link repeated 100,000 times made it quadratic; real mail
/// shows a link a few times (a button, its fallback text, the user's note).
const MAX_PLACES: usize = 16;

/// Different invite links named in an ambiguous_invite_links detail.
const MAX_LISTED: usize = 5;

/// A link that is, once unwrapped, an invite of `platform`.
#[derive(Debug, Clone)]
struct Hit<'c> {
    platform: &'c Platform,
    url: String,
    /// Where the link stands (a button and its fallback text, the user's note), the
    /// first [`MAX_PLACES`] of them.
    places: Vec<Place>,
}

enum Found<'c> {
    One(Hit<'c>),
    Several(Vec<Hit<'c>>),
    None { opaque: Option<unwrap::Opaque> },
}

impl<'m> Documents<'m> {
    fn from_bodies(bodies: &Bodies<'m>) -> Self {
        let mut docs = Vec::new();
        for body in bodies.html.iter().chain(&bodies.text) {
            let (text, anchors) = match body.kind {
                BodyKind::Html => {
                    let rendered = html::render(body.content);
                    (rendered.text.into(), rendered.anchors)
                }
                BodyKind::Text => (body.content.into(), Vec::new()),
            };
            docs.push(Document {
                text,
                anchors,
                kind: body.kind,
                attached_to: body.attached_to.clone(),
            });
        }
        Self { docs }
    }

    /// Candidate links in order of trust: HTML anchors, then URLs in HTML text, then
    /// URLs in plain-text bodies (HTML is preferred when both exist).
    fn tiers(&self) -> [Vec<(String, Place)>; 3] {
        let mut tiers: [Vec<(String, Place)>; 3] = Default::default();
        for (doc, d) in self.docs.iter().enumerate() {
            let tier = if d.kind == BodyKind::Html { 1 } else { 2 };
            for a in &d.anchors {
                tiers[0].push((a.href.clone(), Place { doc, at: a.at }));
            }
            for l in links::text_links(&d.text) {
                tiers[tier].push((l.url, Place { doc, at: l.at }));
            }
        }
        tiers
    }

    /// The original's recipient: the forwarded header block before the link, else the
    /// `To:` of the attached message the link is in. Where the link stands several times
    /// (the user pasted it above the forward too), the place inside a forward wins.
    /// Its display name may come from another body naming the same address: an HTML
    /// part may show the bare address where the plain-text part has the name, and a
    /// name written with the invitee's address is the invitee's.
    fn recipient_for(&self, hit: &Hit<'_>) -> Option<header_block::Recipient> {
        let mut first = hit.places.iter().find_map(|place| {
            let doc = self.docs.get(place.doc)?;
            header_block::forwarded_recipient(&doc.text, place.at)
                .or_else(|| doc.attached_to.clone())
        })?;
        if first.name.is_none() {
            first.name = self
                .docs
                .iter()
                .find_map(|d| header_block::name_beside(&d.text, &first.address));
        }
        Some(first)
    }
}

fn find_invites<'c>(documents: &Documents<'_>, platforms: &'c [Platform]) -> Found<'c> {
    let mut opaque = None;
    for tier in documents.tiers() {
        let mut hits: Vec<Hit<'c>> = Vec::new();
        // Hostile mail repeats a link 100,000 times, or holds 100,000 different ones.
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (raw, place) in tier {
            let unwrapped = unwrap(&raw);
            if let Some(platform) = platforms.iter().find(|p| p.is_invite_link(&unwrapped.url)) {
                match seen.get(&unwrapped.url).and_then(|&i| hits.get_mut(i)) {
                    Some(hit) if hit.places.len() < MAX_PLACES => hit.places.push(place),
                    Some(_) => {}
                    None => {
                        seen.insert(unwrapped.url.clone(), hits.len());
                        hits.push(Hit {
                            platform,
                            url: unwrapped.url,
                            places: vec![place],
                        });
                    }
                }
            } else if opaque.is_none() && could_hide_invite(&unwrapped, platforms) {
                opaque = unwrapped.opaque;
            }
        }
        match hits.len() {
            0 => continue,
            1 => return hits.pop().map_or(Found::None { opaque }, Found::One),
            _ => return Found::Several(hits),
        }
    }
    Found::None { opaque }
}

/// An opaque wrapper could hide an invite unless its host hint names another host.
fn could_hide_invite(unwrapped: &unwrap::Unwrapped, platforms: &[Platform]) -> bool {
    unwrapped.opaque.is_some()
        && unwrapped.host_hint.as_deref().is_none_or(|hint| {
            platforms.iter().any(|p| {
                p.allowed_hosts
                    .iter()
                    .any(|h| hint == h.host || hint.ends_with(&format!(".{}", h.host)))
            })
        })
}

/// Scheme and host of a URL: the path and query can carry the token.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url, |end| &url[..after_scheme + end])
}

fn ambiguous(hits: &[Hit<'_>], requester: Option<String>) -> Rejection {
    let mut listed: Vec<String> = hits
        .iter()
        .take(MAX_LISTED)
        .map(|h| format!("{} ({})", h.platform.name, origin(&h.url)))
        .collect();
    if hits.len() > MAX_LISTED {
        listed.push(format!("and {} more", hits.len() - MAX_LISTED));
    }
    Rejection {
        reason: Reason::AmbiguousInviteLinks,
        detail: format!(
            "This email contains {} different invite links: {}. onbehalf does not guess which \
             one is meant; ask the user which invitation they need, or sign them up by hand.",
            hits.len(),
            listed.join(", ")
        ),
        requester,
    }
}

fn nothing_found(
    bodies: &Bodies<'_>,
    opaque: Option<unwrap::Opaque>,
    requester: Option<String>,
) -> Rejection {
    let (reason, detail) = if let Some(name) = &bodies.unreadable_original {
        (
            Reason::UnsupportedFormat,
            format!(
                "The forwarded original is attached as {name:?}, an Outlook-only format \
                 (TNEF winmail.dat or .msg) that onbehalf cannot read. Ask the user to forward \
                 the invitation again as a normal email, not as an Outlook item."
            ),
        )
    } else if let Some(wrapper) = opaque {
        (
            Reason::OpaqueWrappedLink,
            format!(
                "A link in this email was rewritten by {} link protection, which cannot be \
                 decoded without visiting it (and visiting could use up the invite). Ask the \
                 user to copy the invite link's text, or to forward the invitation from a \
                 mailbox without link protection.",
                wrapper.display_name()
            ),
        )
    } else if bodies.too_deep {
        (
            Reason::NoInviteLink,
            "No invite link was found, and the email holds forwarded messages nested more \
             than 32 levels deep, which onbehalf does not read. Ask the user to forward the \
             original invitation email itself."
                .to_owned(),
        )
    } else {
        (
            Reason::NoInviteLink,
            "No link in this email is an invite link of a configured platform. Ask the user \
             to forward the original invitation email (not a reply, screenshot or \
             reminder)."
                .to_owned(),
        )
    };
    Rejection {
        reason,
        detail,
        requester,
    }
}
