//! Message builders for the hostile cases: a forward as the support mailbox receives it
//! (headers from our trusted MX, a Gmail-style forwarded header block), with the hostile
//! part spliced in. In: the pieces. Out: raw message bytes, the same on every run.

/// The invite token every genuine invite carries; it must never show in a detail.
pub const TOKEN: &str = "Hx7Qp2Lm9Zr4Tk8Wv3Ny";
/// The invitee of the forwarded original.
pub const INVITEE: &str = "jane.doe@partner.test";

/// The genuine invite link.
pub fn invite_url() -> String {
    format!("https://engage.example.com/invitations/accept?token={TOKEN}&lang=en")
}

/// An Engage invite link with another token (`n` makes it different).
pub fn other_invite_url(n: usize) -> String {
    format!("https://engage.example.com/invitations/accept?token=other{n:06}")
}

/// The forward's own header fields, up to (not including) `Content-Type`. The
/// `Authentication-Results` is our trusted MX saying the sender passed DMARC.
pub fn outer_headers() -> String {
    "Return-Path: <jane.doe@partner.test>\r\n\
     Delivered-To: support@corp.example\r\n\
     Authentication-Results: mx.corp.example;\r\n\
     \tdkim=pass header.d=partner.test header.s=s1;\r\n\
     \tdmarc=pass (p=QUARANTINE) header.from=partner.test\r\n\
     From: Jane Doe <jane.doe@partner.test>\r\n\
     To: support@corp.example\r\n\
     Subject: Fwd: You're invited to join Northwind Traders on Engage\r\n\
     Date: Tue, 3 Nov 2026 10:14:52 +0100\r\n\
     Message-ID: <hostile.1@partner.test>\r\n\
     MIME-Version: 1.0\r\n"
        .to_owned()
}

/// A Gmail-style forwarded header block, followed by `link` in a sentence.
pub fn forwarded_text(link: &str) -> String {
    format!(
        "Hi support, the button does not work for me.\r\n\r\n\
         ---------- Forwarded message ---------\r\n\
         From: Engage <invites@engage.example.com>\r\n\
         Date: Tue, Nov 3, 2026 at 9:12 AM\r\n\
         Subject: You're invited to join Northwind Traders on Engage\r\n\
         To: Jane Doe <{INVITEE}>\r\n\r\n\
         Accept the invitation: {link}\r\n\r\nThanks\r\n"
    )
}

/// The same in HTML, the link as an anchor.
pub fn forwarded_html(link: &str) -> String {
    format!(
        "<html><body><div>Hi support, the button does not work for me.</div>\
         <div class=\"gmail_quote\">---------- Forwarded message ---------<br>\
         From: Engage &lt;invites@engage.example.com&gt;<br>\
         Date: Tue, Nov 3, 2026 at 9:12 AM<br>\
         Subject: You're invited<br>To: Jane Doe &lt;{INVITEE}&gt;<br><br>\
         <p><a href=\"{link}\">Accept invitation</a></p></div></body></html>"
    )
}

/// A whole message: the outer headers, `extra` header lines, then `content_type` and
/// the body as given.
pub fn message(extra_headers: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = outer_headers().into_bytes();
    raw.extend_from_slice(extra_headers.as_bytes());
    raw.extend_from_slice(format!("Content-Type: {content_type}\r\n\r\n").as_bytes());
    raw.extend_from_slice(body);
    raw
}

/// A plain-text forward of `link`.
pub fn text_forward(link: &str) -> Vec<u8> {
    message(
        "",
        "text/plain; charset=\"UTF-8\"",
        forwarded_text(link).as_bytes(),
    )
}

/// An HTML-only forward of `body` (a whole HTML document).
pub fn html_message(html: &str) -> Vec<u8> {
    message("", "text/html; charset=\"UTF-8\"", html.as_bytes())
}

/// A plain-text message with `body` as its only part (no forwarded header block).
pub fn text_message(body: &[u8]) -> Vec<u8> {
    message("", "text/plain; charset=\"UTF-8\"", body)
}

/// A multipart/alternative forward of `link`, text then HTML, closed properly.
pub fn alternative_forward(link: &str, boundary: &str) -> String {
    format!(
        "--{boundary}\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n{}\r\n--{boundary}--\r\n",
        forwarded_text(link),
        forwarded_html(link)
    )
}

/// An original invitation email from Engage to `to`, as an attached message's bytes.
pub fn original_invitation(to: &str, link: &str) -> String {
    format!(
        "From: Engage <invites@engage.example.com>\r\nTo: {to}\r\n\
         Subject: You're invited to join Northwind Traders on Engage\r\n\
         Date: Tue, 3 Nov 2026 09:12:00 +0000\r\nMessage-ID: <invite.1@engage.example.com>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n\
         Hi, you are invited. Accept: {link}\r\n"
    )
}
