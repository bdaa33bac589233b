//! Forwarded invites as a support mailbox receives them from Gmail.
//!
//! In: the invitee (who also forwards it) and the invite link. Out: the raw bytes of a
//! Gmail-web forward — text and HTML alternatives with `gmail_quote`/`gmail_attr` markup,
//! `Received` and `Authentication-Results: mx.corp.example; … dmarc=pass` headers —
//! about 4 KB, CRLF line ends. Adapted from the daemon test suite's fixture.

use std::sync::atomic::{AtomicU32, Ordering};

fn unique() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The forward `invitee` sends of the invitation to `url` they received.
pub fn gmail_forward(invitee: &str, url: &str) -> Vec<u8> {
    let n = unique();
    let domain = invitee.rsplit('@').next().unwrap_or_default();
    let boundary = format!("000000000000{n:08x}0617a2f9");
    let href = url.replace('&', "&amp;");
    let note = "Hi, the link in this invitation does not work for me. Could you help?";
    let text = format!(
        "{note}\r\n\r\n---------- Forwarded message ---------\r\nFrom: Engage \
         <invites@engage.example.com>\r\nDate: Mon, 3 Mar 2025 at 09:12\r\nSubject: You're \
         invited to join Engage\r\nTo: <{invitee}>\r\n\r\n\r\nHi,\r\n\r\nYou have been \
         invited to join the Partner Workspace on Engage. Accept your invitation:\r\n\r\n\
         {url}\r\n\r\nThis invitation expires in 7 days.\r\n\r\nThe Engage team\r\n"
    );
    let html = format!(
        "<div dir=\"ltr\"><div>{note}</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" \
         class=\"gmail_attr\">---------- Forwarded message ---------<br>From: <strong \
         class=\"gmail_sendername\" dir=\"auto\">Engage</strong> <span dir=\"auto\">&lt;<a \
         href=\"mailto:invites@engage.example.com\">invites@engage.example.com</a>&gt;\
         </span><br>Date: Mon, 3 Mar 2025 at 09:12<br>Subject: You're invited to join \
         Engage<br>To: &lt;<a href=\"mailto:{invitee}\">{invitee}</a>&gt;<br></div><br><br>\r\n\
         <div class=\"m_-4127756120185527716body\"><p>Hi,</p>\r\n<p>You have been invited \
         to join the Partner Workspace on Engage.</p>\r\n<p><a href=\"{href}\" \
         style=\"background:#1a73e8;color:#fff\">Accept invitation</a></p>\r\n<p>Or paste \
         this link into your browser:<br>{href}</p>\r\n<p>This invitation expires in 7 \
         days.</p></div></div></div>\r\n"
    );
    format!(
        "Delivered-To: support@corp.example\r\n\
         Received: from mail-wm1-f41.google.com (mail-wm1-f41.google.com [209.85.128.41])\r\n\
         \tby mx.corp.example (Postfix) with ESMTPS id 4Q2x7k1Zb9z9sRk\r\n\
         \tfor <support@corp.example>; Mon,  3 Mar 2025 10:02:11 +0000 (UTC)\r\n\
         Authentication-Results: mx.corp.example;\r\n\tdkim=pass header.i=@{domain} \
         header.s=20230601 header.b=Zx3kQ1aB;\r\n\tspf=pass (mx.corp.example: domain of \
         {invitee} designates 209.85.128.41 as permitted sender) smtp.mailfrom={invitee};\r\n\t\
         dmarc=pass (p=NONE sp=NONE dis=NONE) header.from={domain}\r\n\
         From: {invitee}\r\n\
         Date: Mon, 3 Mar 2025 11:02:03 +0100\r\n\
         Message-ID: <CAJ{n}x{pid}+fwd@mail.gmail.com>\r\n\
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
        pid = std::process::id(),
    )
    .into_bytes()
}
