//! Forwarded invites as the support mailbox receives them.
//!
//! In: who forwards, who was invited, the invite link (and whether the receiving server
//! authenticated the sender). Out: the raw bytes of a Gmail-web forward — text and HTML
//! alternatives, `gmail_quote`/`gmail_attr` markup, `Authentication-Results` from
//! `mx.corp.example` — or a file from `samples/` with its invite host pointed at the
//! simulator, plus what `samples/expected.json` says about it.

use std::sync::atomic::{AtomicU32, Ordering};

use onbehalf_sim::{Behaviour, InviteSpec, Simulator};

/// What the receiving server says about the forward's sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// `dmarc=pass` for the sender's domain.
    Pass,
    /// `dmarc=fail`, DKIM and SPF failing too (a spoofed sender).
    Fail,
}

/// One forward to build.
#[derive(Debug, Clone)]
pub(crate) struct Forward {
    pub requester: String,
    pub invitee: String,
    pub urls: Vec<String>,
    pub auth: Auth,
    pub message_id: String,
    pub note: String,
}

fn unique() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Forward {
    /// The invitee forwards their own invite.
    pub fn by_invitee(invitee: &str, url: &str) -> Self {
        Self::by(invitee, invitee, url)
    }

    /// `requester` forwards the invite `invitee` received.
    pub fn by(requester: &str, invitee: &str, url: &str) -> Self {
        Self {
            requester: requester.to_owned(),
            invitee: invitee.to_owned(),
            urls: vec![url.to_owned()],
            auth: Auth::Pass,
            message_id: format!(
                "<CAJ{}x{}+fwd@mail.gmail.com>",
                unique(),
                std::process::id()
            ),
            note: "Hi, the link in this invitation does not work for me. Could you help?".into(),
        }
    }

    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// The Message-ID without angle brackets, as mail_parser reports it.
    pub fn message_id_bare(&self) -> &str {
        self.message_id.trim_matches(['<', '>'])
    }

    fn authentication_results(&self) -> String {
        let domain = self.requester.rsplit('@').next().unwrap_or_default();
        match self.auth {
            Auth::Pass => format!(
                "Authentication-Results: mx.corp.example;\r\n\tdkim=pass header.i=@{domain} \
                 header.s=20230601 header.b=Zx3kQ1aB;\r\n\tspf=pass (mx.corp.example: domain of \
                 {0} designates 209.85.128.41 as permitted sender) smtp.mailfrom={0};\r\n\t\
                 dmarc=pass (p=NONE sp=NONE dis=NONE) header.from={domain}\r\n",
                self.requester
            ),
            Auth::Fail => format!(
                "Authentication-Results: mx.corp.example;\r\n\tdkim=none;\r\n\tspf=fail \
                 smtp.mailfrom={0};\r\n\tdmarc=fail (p=REJECT sp=REJECT dis=NONE) \
                 header.from={domain}\r\n",
                self.requester
            ),
        }
    }

    /// The forward as received by the support mailbox, CRLF line ends.
    pub fn build(&self) -> Vec<u8> {
        let n = unique();
        let boundary = format!("000000000000{n:08x}0617a2f9");
        let links_text: String = self.urls.iter().map(|u| format!("{u}\r\n\r\n")).collect();
        let links_html: String = self
            .urls
            .iter()
            .map(|u| {
                let href = u.replace('&', "&amp;");
                format!(
                    "<p><a href=\"{href}\" style=\"background:#1a73e8;color:#fff\">Accept \
                     invitation</a></p>\r\n<p>Or paste this link into your browser:<br>{href}</p>\r\n"
                )
            })
            .collect();
        let text = format!(
            "{note}\r\n\r\n---------- Forwarded message ---------\r\nFrom: Engage \
             <invites@engage.example.com>\r\nDate: Mon, 3 Mar 2025 at 09:12\r\nSubject: You're \
             invited to join Engage\r\nTo: <{invitee}>\r\n\r\n\r\nHi,\r\n\r\nYou have been \
             invited to join the Partner Workspace on Engage. Accept your invitation:\r\n\r\n\
             {links_text}This invitation expires in 7 days.\r\n\r\nThe Engage team\r\n",
            note = self.note,
            invitee = self.invitee,
        );
        let html = format!(
            "<div dir=\"ltr\"><div>{note}</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" \
             class=\"gmail_attr\">---------- Forwarded message ---------<br>From: <strong \
             class=\"gmail_sendername\" dir=\"auto\">Engage</strong> <span dir=\"auto\">&lt;<a \
             href=\"mailto:invites@engage.example.com\">invites@engage.example.com</a>&gt;\
             </span><br>Date: Mon, 3 Mar 2025 at 09:12<br>Subject: You're invited to join \
             Engage<br>To: &lt;<a href=\"mailto:{invitee}\">{invitee}</a>&gt;<br></div><br><br>\r\n\
             <div class=\"m_-4127756120185527716body\"><p>Hi,</p>\r\n<p>You have been invited \
             to join the Partner Workspace on Engage.</p>\r\n{links_html}<p>This invitation \
             expires in 7 days.</p></div></div></div>\r\n",
            note = self.note,
            invitee = self.invitee,
        );
        format!(
            "Delivered-To: support@corp.example\r\n\
             Received: from mail-wm1-f41.google.com (mail-wm1-f41.google.com [209.85.128.41])\r\n\
             \tby mx.corp.example (Postfix) with ESMTPS id 4Q2x7k1Zb9z9sRk\r\n\
             \tfor <support@corp.example>; Mon,  3 Mar 2025 10:02:11 +0000 (UTC)\r\n\
             {auth}\
             From: {requester}\r\n\
             Date: Mon, 3 Mar 2025 11:02:03 +0100\r\n\
             Message-ID: {message_id}\r\n\
             Subject: Fwd: You're invited to join Engage\r\n\
             To: support@corp.example\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\
             \r\n\
             --{boundary}\r\n\
             Content-Type: text/plain; charset=\"UTF-8\"\r\n\
             \r\n\
             {text}\r\n\
             --{boundary}\r\n\
             Content-Type: text/html; charset=\"UTF-8\"\r\n\
             \r\n\
             {html}\r\n\
             --{boundary}--\r\n",
            auth = self.authentication_results(),
            requester = self.requester,
            message_id = self.message_id,
        )
        .into_bytes()
    }
}

/// Issues a normal invite for `email` on the simulator; returns its link.
pub(crate) fn invite(sim: &Simulator, email: &str) -> String {
    invite_with(sim, email, Behaviour::Normal)
}

/// Issues an invite with a behaviour; returns its link.
pub(crate) fn invite_with(sim: &Simulator, email: &str, behaviour: Behaviour) -> String {
    let (first, last) = names(email);
    sim.issue_invite(InviteSpec::new(email, first, last).behaviour(behaviour))
}

fn names(email: &str) -> (String, String) {
    let local = email.split('@').next().unwrap_or("user");
    let mut parts = local.split(['.', '_']);
    let cap = |s: Option<&str>| {
        let s = s.unwrap_or("X");
        let mut chars = s.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    };
    let first: String = cap(parts.next());
    let last: String = cap(parts.next().or(Some("Partner")));
    (first, last)
}

/// The invite token of a link.
pub(crate) fn token_of(url: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

/// What `samples/expected.json` says about one sample.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    pub file: String,
    pub outcome: String,
    pub invite_url: Option<String>,
    pub invitee: Option<String>,
    pub requester: Option<String>,
}

impl Expected {
    /// The account's login: the invitee, else (a pasted link) the requester.
    pub fn login(&self) -> &str {
        self.invitee
            .as_deref()
            .or(self.requester.as_deref())
            .unwrap()
    }
}

pub(crate) fn expected(file: &str) -> Expected {
    let text = std::fs::read_to_string(super::sample_path("expected.json")).unwrap();
    let all: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let entry = all.iter().find(|e| e["file"] == file).unwrap();
    let text = |key: &str| entry[key].as_str().map(str::to_owned);
    Expected {
        file: file.to_owned(),
        outcome: text("outcome").unwrap(),
        invite_url: text("invite_url"),
        invitee: text("invitee"),
        requester: text("requester"),
    }
}

/// A sample with every `engage.example.com` link (plain or percent-encoded inside a
/// link-protection wrapper) pointed at `authority`. Sender addresses at
/// `engage.example.com` are left alone.
pub(crate) fn sample(name: &str, authority: &str) -> Vec<u8> {
    let raw = std::fs::read(super::sample_path(name)).unwrap();
    let encoded = authority.replace(':', "%3A");
    let mut out = replace(
        &raw,
        b"engage.example.com/",
        format!("{authority}/").as_bytes(),
    );
    out = replace(
        &out,
        b"engage.example.com%2F",
        format!("{encoded}%2F").as_bytes(),
    );
    replace(
        &out,
        b"engage.example.com%2f",
        format!("{encoded}%2f").as_bytes(),
    )
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Issues the invite a sample carries (its own token, its invitee) on the simulator.
pub(crate) fn issue_sample_invite(sim: &Simulator, expected: &Expected, behaviour: Behaviour) {
    let url = expected.invite_url.as_deref().unwrap();
    let email = expected.login();
    let (first, last) = names(email);
    sim.issue_invite(
        InviteSpec::new(email, first, last)
            .token(token_of(url))
            .behaviour(behaviour),
    );
}
