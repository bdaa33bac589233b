//! A large forward for the extract benchmark, generated deterministically.
//!
//! In: the invite URL to hide inside and the size the HTML should reach. Out: the raw
//! bytes of a Gmail-style forward (multipart/alternative, both parts quoted-printable)
//! of an HTML newsletter full of tables, tracked links and images, with the invite in
//! the middle. Same bytes on every run, so figures compare across machines and commits.

/// The generated message and what the benchmark checks it against.
pub struct LargeForward {
    /// The whole message as the support mailbox would receive it.
    pub raw: Vec<u8>,
    /// Size of the forwarded newsletter's HTML before transfer encoding.
    pub html_bytes: usize,
}

/// A small deterministic generator (xorshift64*): no dependency, same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn words(&mut self, count: usize) -> String {
        const WORDS: &[&str] = &[
            "partner",
            "quarterly",
            "update",
            "community",
            "release",
            "roadmap",
            "workshop",
            "analytics",
            "customer",
            "success",
            "webinar",
            "security",
            "integration",
            "platform",
            "feature",
            "report",
            "insights",
            "growth",
            "team",
            "événement",
            "Überblick",
            "región",
            "data",
            "launch",
            "session",
            "the",
            "and",
            "for",
            "with",
            "our",
            "new",
            "you",
            "in",
            "of",
            "to",
        ];
        let mut out = String::new();
        for i in 0..count {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(WORDS[self.below(WORDS.len())]);
        }
        out
    }
}

/// Builds the forward; the newsletter HTML grows until it reaches `html_target` bytes.
pub fn gmail_forward(invite_url: &str, html_target: usize) -> LargeForward {
    let (html, text) = newsletter(invite_url, html_target);
    let boundary = "000000000000f1e2d3c4b5a69788";
    let mut raw = String::with_capacity(html.len() * 2);
    for header in [
        "MIME-Version: 1.0",
        "Date: Tue, 3 Nov 2026 09:12:44 +0100",
        "Message-ID: <CAF=large+newsletter@mail.gmail.com>",
        "Subject: Fwd: Partner Hub monthly: November highlights and your invitation",
        "From: Jane Doe <jane@partner.test>",
        "To: support@corp.example",
    ] {
        raw.push_str(header);
        raw.push_str("\r\n");
    }
    raw.push_str(&format!(
        "Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n"
    ));
    let gmail_text = format!("{}{text}", gmail_text_header());
    let gmail_html = format!("{}{html}</div></div>\n", gmail_html_header());
    for (subtype, body) in [("plain", &gmail_text), ("html", &gmail_html)] {
        raw.push_str(&format!(
            "--{boundary}\r\nContent-Type: text/{subtype}; charset=\"UTF-8\"\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ));
        raw.push_str(&quoted_printable(body));
        raw.push_str("\r\n");
    }
    raw.push_str(&format!("--{boundary}--\r\n"));
    LargeForward {
        raw: raw.into_bytes(),
        html_bytes: html.len(),
    }
}

fn gmail_text_header() -> &'static str {
    "Could you sign me up? The button in this newsletter says my link is invalid.\n\n\
     ---------- Forwarded message ---------\n\
     From: Partner Hub <news@hub.example.org>\n\
     Date: Mon, 2 Nov 2026 at 10:01\n\
     Subject: Partner Hub monthly: November highlights and your invitation\n\
     To: <jane@partner.test>\n\n\n"
}

fn gmail_html_header() -> &'static str {
    "<div dir=\"ltr\">Could you sign me up? The button in this newsletter says my link is \
     invalid.<br><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">\
     ---------- Forwarded message ---------<br>From: <strong class=\"gmail_sendername\" \
     dir=\"auto\">Partner Hub</strong> <span dir=\"auto\">&lt;<a href=\"mailto:news@hub.\
     example.org\">news@hub.example.org</a>&gt;</span><br>Date: Mon, 2 Nov 2026 at 10:01<br>\
     Subject: Partner Hub monthly: November highlights and your invitation<br>To: &lt;<a \
     href=\"mailto:jane@partner.test\">jane@partner.test</a>&gt;<br></div><br><br>\n"
}

/// The newsletter as HTML (the way Gmail quotes it: classes prefixed `m_<digits>`) and
/// the plain-text alternative Gmail writes for it (`text <url>` links).
fn newsletter(invite_url: &str, html_target: usize) -> (String, String) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut html = String::with_capacity(html_target + 64 * 1024);
    let mut text = String::with_capacity(html_target / 3);
    html.push_str(
        "<div class=\"m_8412730917gmail-wrapper\" style=\"background:#f4f4f4\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" \
         border=\"0\"><tr><td align=\"center\">\n<table class=\"m_8412730917container\" \
         width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         style=\"max-width:600px;background:#ffffff\">\n",
    );
    let mut article = 0usize;
    let mut invite_written = false;
    while html.len() < html_target {
        if !invite_written && html.len() >= html_target / 2 {
            invite_section(&mut html, &mut text, invite_url);
            invite_written = true;
        }
        article_section(&mut html, &mut text, &mut rng, article);
        article += 1;
    }
    footer(&mut html, &mut text);
    (html, text)
}

fn tracked(rng: &mut Rng, target: &str) -> String {
    // Every third link goes through the mailing tool's click tracker, as in real
    // newsletters; the rest carry UTM parameters.
    if rng.below(3) == 0 {
        format!(
            "https://hub.us14.list-manage.com/track/click?u=4f9c1b2a7d&amp;id={:010x}&amp;e={:08x}",
            rng.next() & 0xff_ffff_ffff,
            rng.next() & 0xffff_ffff
        )
    } else {
        format!("{target}?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=2026-11")
    }
}

fn article_section(html: &mut String, text: &mut String, rng: &mut Rng, n: usize) {
    let title = rng.words(6);
    let href = tracked(rng, &format!("https://hub.example.org/articles/{n}"));
    let img = format!("https://cdn.hub.example.org/img/{n:05}.jpg");
    html.push_str(&format!(
        "<tr><td class=\"m_8412730917article\" style=\"padding:24px 32px;font-family:Arial,\
         sans-serif\">\n<a href=\"{href}\" target=\"_blank\"><img src=\"{img}\" width=\"536\" \
         alt=\"\" style=\"display:block;border:0\"></a>\n<h2 style=\"margin:16px 0 8px\">\
         <a href=\"{href}\" style=\"color:#1a4dd6;text-decoration:none\">{title}</a></h2>\n"
    ));
    text.push_str(&format!("{title} <{}>\n\n", href.replace("&amp;", "&")));
    for _ in 0..3 {
        let length = 40 + rng.below(30);
        let para = rng.words(length);
        let topic = rng.below(500);
        let inline = tracked(rng, &format!("https://hub.example.org/topics/{topic}"));
        let anchor = rng.words(3);
        html.push_str(&format!(
            "<p style=\"margin:0 0 12px;line-height:1.5\">{para} <a href=\"{inline}\" \
             style=\"color:#1a4dd6\">{anchor}</a>.</p>\n"
        ));
        text.push_str(&format!(
            "{para} {anchor} <{}>.\n",
            inline.replace("&amp;", "&")
        ));
    }
    html.push_str(
        "<table class=\"m_8412730917stats\" width=\"100%\" cellpadding=\"4\" border=\"0\">\n",
    );
    for row in 0..4 {
        let (label, value) = (rng.words(2), rng.below(100_000));
        html.push_str(&format!(
            "<tr><td style=\"border-bottom:1px solid #eee\">{label}</td><td align=\"right\" \
             style=\"border-bottom:1px solid #eee\">{value}</td><td align=\"right\">{:+}%</td></tr>\n",
            rng.below(40) as i64 - 20 + row
        ));
        text.push_str(&format!("{label}    {value}\n"));
    }
    html.push_str("</table>\n</td></tr>\n");
    text.push('\n');
}

fn invite_section(html: &mut String, text: &mut String, invite_url: &str) {
    let escaped = invite_url.replace('&', "&amp;");
    html.push_str(&format!(
        "<tr><td class=\"m_8412730917invite\" align=\"center\" style=\"padding:32px\">\n\
         <h2>You&#39;re invited to the Partner Hub workspace</h2>\n<table role=\"presentation\" \
         cellpadding=\"0\" cellspacing=\"0\"><tr><td bgcolor=\"#1a4dd6\" style=\"border-radius:\
         4px\"><a href=\"{escaped}\" target=\"_blank\" style=\"color:#fff;padding:12px 24px;\
         display:inline-block\">Accept invitation</a></td></tr></table>\n<p style=\"font-size:\
         12px\">Or paste this link into your browser:<br><a href=\"{escaped}\">{escaped}</a></p>\n\
         </td></tr>\n"
    ));
    text.push_str(&format!(
        "You're invited to the Partner Hub workspace\nAccept invitation <{invite_url}>\n\
         Or paste this link into your browser:\n{invite_url}\n\n"
    ));
}

fn footer(html: &mut String, text: &mut String) {
    html.push_str(
        "<tr><td style=\"padding:24px;font-size:11px;color:#888\" align=\"center\">\n\
         <a href=\"https://hub.example.org/preferences?u=4f9c1b2a7d\">Preferences</a> &middot; \
         <a href=\"https://hub.us14.list-manage.com/unsubscribe?u=4f9c1b2a7d&amp;id=1\">\
         Unsubscribe</a> &middot; <a href=\"https://hub.example.org/privacy\">Privacy</a>\n\
         </td></tr>\n</table>\n</td></tr></table>\n</div>\n",
    );
    text.push_str(
        "Preferences <https://hub.example.org/preferences?u=4f9c1b2a7d>\n\
         Unsubscribe <https://hub.us14.list-manage.com/unsubscribe?u=4f9c1b2a7d&id=1>\n",
    );
}

/// Quoted-printable as Gmail writes it: CRLF hard breaks, soft breaks before column 76,
/// `=XX` never split, trailing whitespace encoded.
fn quoted_printable(body: &str) -> String {
    let mut out = String::with_capacity(body.len() * 11 / 10);
    for line in body.split('\n') {
        let bytes = line.as_bytes();
        let mut column = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let literal =
                ((b == b' ' || b == b'\t') && !last) || ((33..=126).contains(&b) && b != b'=');
            let width = if literal { 1 } else { 3 };
            if column + width > 75 {
                out.push_str("=\r\n");
                column = 0;
            }
            if literal {
                out.push(b as char);
            } else {
                out.push_str(&format!("={b:02X}"));
            }
            column += width;
        }
        out.push_str("\r\n");
    }
    out
}
