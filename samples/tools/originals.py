"""The emails the platforms send: Engage invites, Acme Learn invites, a newsletter.

In: who is invited, the invite URL, the language. Out: an `Original` (the message's
headers and its content as blocks) that renders to the platform's own HTML and text,
to HTML as a forwarding client rewrites it (renamed classes, wrapped links), to the
plain text each client derives from that HTML, and to a complete RFC 5322 message for
forward-as-attachment samples.
"""

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import Callable

from mime import Ids, qp, rfc5322_date

Wrap = Callable[[str], str]


def same(url: str) -> str:
    return url


@dataclass
class Person:
    name: str | None
    addr: str

    def mailbox(self) -> str:
        return f"{self.name} <{self.addr}>" if self.name else self.addr

    def first(self) -> str:
        """How a platform greets the person: the first name, or "there"."""
        return self.name.split()[0] if self.name else "there"


@dataclass
class Original:
    """One platform email. `blocks` is its content, rendered by the functions below."""
    sender: Person
    to: Person
    subject: str
    date: dt.datetime
    message_id: str
    blocks: list
    brand: str = "Engage"
    # Raw href text per URL, to reproduce templates that put whitespace in href values.
    raw_href: dict = field(default_factory=dict)


ENGAGE_TEXT = {
    "en": dict(
        subject="You're invited to join {ws} on Engage", h1="You're invited!",
        hi="Hi {first},",
        body="{inviter} has invited you to join {ws} on Engage, the workspace your team uses to plan and share work.",
        button="Accept invitation",
        fallback="If the button doesn't work, copy and paste this link into your browser:",
        expires="This invitation expires in 7 days. If you weren't expecting it, you can safely ignore this email.",
        decline_intro="Not interested?", decline="Decline this invitation",
        unsubscribe="Unsubscribe", prefs="Email preferences", privacy="Privacy policy",
        help="Questions? Write to", call="or call"),
    "de": dict(
        subject="Sie wurden eingeladen, {ws} auf Engage beizutreten", h1="Sie sind eingeladen!",
        hi="Hallo {first},",
        body="{inviter} hat Sie eingeladen, {ws} auf Engage beizutreten, dem Arbeitsbereich, in dem Ihr Team Arbeit plant und teilt.",
        button="Einladung annehmen",
        fallback="Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:",
        expires="Diese Einladung ist 7 Tage gültig. Wenn Sie sie nicht erwartet haben, können Sie diese E-Mail ignorieren.",
        decline_intro="Kein Interesse?", decline="Einladung ablehnen",
        unsubscribe="Abmelden", prefs="E-Mail-Einstellungen", privacy="Datenschutz",
        help="Fragen? Schreiben Sie an", call="oder rufen Sie an:"),
    "fr": dict(
        subject="Vous êtes invité(e) à rejoindre {ws} sur Engage", h1="Vous êtes invité(e) !",
        hi="Bonjour {first},",
        body="{inviter} vous invite à rejoindre {ws} sur Engage, l’espace où votre équipe planifie et partage son travail.",
        button="Accepter l’invitation",
        fallback="Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :",
        expires="Cette invitation expire dans 7 jours. Si vous ne l’attendiez pas, ignorez simplement cet e-mail.",
        decline_intro="Pas intéressé(e) ?", decline="Refuser l’invitation",
        unsubscribe="Se désabonner", prefs="Préférences e-mail", privacy="Politique de confidentialité",
        help="Des questions ? Écrivez à", call="ou appelez le"),
}

ENGAGE_SENDER = Person("Engage", "invites@engage.example.com")


def engage_url(token: str, params=(("lang", "en"), ("utm_source", "invite")),
               token_at: int = 0, scheme: str = "https", host: str = "engage.example.com") -> str:
    pairs = list(params)
    pairs.insert(token_at, ("token", token))
    query = "&".join(f"{k}={v}" for k, v in pairs)
    return f"{scheme}://{host}/invitations/accept?{query}"


def engage_invite(ids: Ids, to: Person, url: str, when: dt.datetime, lang: str = "en",
                  inviter: str = "Priya Raman", ws: str = "Northwind Traders",
                  decline_token: str | None = None, base: str = "https://engage.example.com",
                  fallback_label: str | None = None) -> Original:
    """An Engage invite. The fallback link shows the URL itself unless `fallback_label`
    is given (then the URL is visible nowhere but in the href)."""
    t = ENGAGE_TEXT[lang]
    blocks = [
        ("logo", f"{base}/?utm_source=invite&utm_medium=email", f"{base}/static/email/logo@2x.png", "Engage"),
        ("h1", t["h1"]),
        ("p", html.escape(t["hi"].format(first=to.first())), t["hi"].format(first=to.first())),
        ("p", t["body"].format(inviter=f"<strong>{inviter}</strong>", ws=f"<strong>{ws}</strong>"),
         t["body"].format(inviter=inviter, ws=ws)),
        ("button", t["button"], url),
        ("fallback", t["fallback"], url, fallback_label),
        ("small", html.escape(t["expires"]), t["expires"]),
    ]
    if decline_token:
        blocks.append(("decline", t["decline_intro"], t["decline"],
                       f"{base}/invitations/decline?token={decline_token}"))
    blocks.append(("footer", "Engage Labs Ltd, 100 Example Street, Springfield", [
        (t["unsubscribe"], f"{base}/email/unsubscribe?u={ids.hex(24)}&list=invitations"),
        (t["prefs"], f"{base}/settings/notifications"),
        (t["privacy"], f"{base}/legal/privacy"),
    ], t["help"], "support@engage.example.com", t["call"], "+1 800 555 0142"))
    return Original(ENGAGE_SENDER, to, t["subject"].format(ws=ws), when, ids.ses_message_id(), blocks)


def acme_invite(ids: Ids, to: Person, url: str, when: dt.datetime) -> Original:
    blocks = [
        ("logo", "https://www.acme.test/?src=learn-mail", "https://learn.acme.test/assets/mail/acme-learn.png", "Acme Learn"),
        ("h1", "Welcome to Acme Learn"),
        ("p", f"Hello {html.escape(to.first())},", f"Hello {to.first()},"),
        ("p", "Northwind Traders has enrolled you in the course <em>Safety Onboarding 2026</em>. "
              "Create your learner account to get started.",
         "Northwind Traders has enrolled you in the course \"Safety Onboarding 2026\". "
         "Create your learner account to get started."),
        ("button", "Join the course", url),
        ("fallback", "Button not working? Open this address:", url, None),
        ("footer", "Acme Learning Inc., 42 Sample Road, Shelbyville", [
            ("Manage notifications", "https://learn.acme.test/account/notifications"),
            ("Privacy", "https://www.acme.test/privacy"),
        ], "Need help?", "help@learn.acme.test", "", ""),
    ]
    return Original(Person("Acme Learn", "no-reply@learn.acme.test"), to,
                    "You've been invited to Acme Learn: Safety Onboarding 2026", when,
                    f"<{ids.uuid()}@learn.acme.test>", blocks, brand="Acme Learn")


def engage_newsletter(ids: Ids, to: Person, when: dt.datetime) -> Original:
    base = "https://engage.example.com"
    blocks = [
        ("logo", f"{base}/?utm_source=newsletter", f"{base}/static/email/logo@2x.png", "Engage"),
        ("h1", "What's new in Engage: November"),
        ("p", f"Hi {html.escape(to.first())},", f"Hi {to.first()},"),
        ("p", "Boards now support swimlanes, and guests can comment without an account.",
         "Boards now support swimlanes, and guests can comment without an account."),
        ("button", "Read the release notes", f"{base}/blog/2026/november-release?utm_source=newsletter&utm_medium=email"),
        ("fallback", "Join our live walkthrough on 19 November:",
         f"{base}/events/webinar-november?utm_source=newsletter&utm_medium=email", None),
        ("footer", "Engage Labs Ltd, 100 Example Street, Springfield", [
            ("Unsubscribe", f"{base}/email/unsubscribe?u={ids.hex(24)}&list=newsletter"),
            ("Email preferences", f"{base}/settings/notifications"),
            ("Privacy policy", f"{base}/legal/privacy"),
        ], "Questions? Write to", "support@engage.example.com", "", ""),
    ]
    return Original(Person("Engage", "news@engage.example.com"), to,
                    "What's new in Engage: November", when, ids.ses_message_id(), blocks)


# ---- HTML ----

def _href(orig: Original, url: str, wrap: Wrap) -> str:
    return orig.raw_href.get(url) or html.escape(wrap(url), quote=True)


def render_html(orig: Original, cls: Callable[[str], str] = same, wrap: Wrap = same) -> str:
    """The platform's body markup (a table layout), with class names passed through
    `cls` (a forwarding client renames them) and every web link through `wrap`."""
    out = [f'<table role="presentation" class="{cls("wrapper")}" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">',
           f'<table role="presentation" class="{cls("container")}" width="560" cellpadding="0" cellspacing="0">']
    for block in orig.blocks:
        kind = block[0]
        if kind == "logo":
            out.append(f'<tr><td class="{cls("header")}"><a href="{_href(orig, block[1], wrap)}" target="_blank">'
                       f'<img src="{block[2]}" width="120" height="32" alt="{block[3]}" style="display:block;border:0"></a></td></tr>')
        elif kind == "h1":
            out.append(f'<tr><td class="{cls("content")}"><h1 class="{cls("title")}">{html.escape(block[1])}</h1>')
        elif kind == "p":
            out.append(f'<p class="{cls("text")}">{block[1]}</p>')
        elif kind == "button":
            out.append(f'<table role="presentation" class="{cls("button-wrap")}" cellpadding="0" cellspacing="0"><tr><td align="center" bgcolor="#4f46e5" style="border-radius:6px">'
                       f'<a href="{_href(orig, block[2], wrap)}" class="{cls("button")}" target="_blank" style="display:inline-block;padding:12px 28px;color:#ffffff;text-decoration:none;font-weight:600">{html.escape(block[1])}</a></td></tr></table>')
        elif kind == "fallback":
            shown = html.escape(block[3] or block[2])
            out.append(f'<p class="{cls("fallback")}">{html.escape(block[1])}<br><a href="{_href(orig, block[2], wrap)}" class="{cls("fallback-link")}" target="_blank">{shown}</a></p>')
        elif kind == "small":
            out.append(f'<p class="{cls("muted")}">{block[1]}</p>')
        elif kind == "decline":
            out.append(f'<p class="{cls("muted")}">{html.escape(block[1])} <a href="{_href(orig, block[3], wrap)}" target="_blank">{html.escape(block[2])}</a>.</p>')
        elif kind == "footer":
            out.append("</td></tr>")
            address, links, help_text, mail, call, phone = block[1:]
            joined = " &middot; ".join(f'<a href="{_href(orig, u, wrap)}" target="_blank">{html.escape(l)}</a>' for l, u in links)
            contact = f'{html.escape(help_text)} <a href="mailto:{mail}">{mail}</a>'
            if phone:
                contact += f' {html.escape(call)} <a href="tel:{phone.replace(" ", "")}">{phone}</a>'
            out.append(f'<tr><td class="{cls("footer")}"><p>{contact}.</p><p>{joined}</p><p>{html.escape(address)}</p></td></tr>')
    out.append("</table></td></tr></table>")
    return "\n".join(out)


def html_document(orig: Original) -> str:
    """The complete HTML part as the platform sends it."""
    style = (".button{background:#4f46e5;color:#fff}.muted{color:#6b7280;font-size:13px}"
             ".footer{color:#9ca3af;font-size:12px}.fallback-link{word-break:break-all}")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{html.escape(orig.subject)}</title>\n<style>{style}</style>\n</head>\n'
            f'<body class="body" style="margin:0;background:#f3f4f6">\n{render_html(orig)}\n</body>\n</html>\n')


# ---- text ----

def render_text(orig: Original, style: str = "original", wrap: Wrap = same) -> str:
    """Plain text of the original: as the platform wrote it (`original`), or as a
    client converts the HTML: `gmail`/`apple`/`thunderbird` write `label <url>`,
    `outlook` writes `label<url>` with no space, `amp` leaves `&amp;` in URLs. A
    gateway rewrites hrefs but not visible text, so a link whose text is its URL shows
    as `URL <wrapped URL>` after `wrap`."""
    def link(label: str, url: str) -> str:
        url = wrap(url)
        if style == "amp":
            url = url.replace("&", "&amp;")
        if style == "original" or style == "amp":
            return f"{label}: {url}" if label else url
        if style == "outlook":
            return f"{label}<{url}>"
        return f"{label} <{url}>" if label and label != url else url

    lines = []
    for block in orig.blocks:
        kind = block[0]
        if kind == "logo" and style not in ("original", "amp"):
            label = f"[image: {block[3]}]" if style == "gmail" else f"[{block[3]}]"
            lines += [link(label, block[1]), ""]
        elif kind == "h1":
            lines += [block[1], ""]
        elif kind in ("p", "small"):
            lines += [block[2], ""]
        elif kind == "button":
            lines += [link(block[1], block[2]), ""]
        elif kind == "fallback":
            url, label = block[2], block[3] or block[2]
            if style in ("original", "amp"):
                shown = link("", url)
            else:  # a client writes the visible text, then the (possibly rewritten) href
                shown = link(label, url) if label != wrap(url) else label
            lines += [block[1], shown, ""]
        elif kind == "decline":
            lines += [f"{block[1]} {link(block[2], block[3])}", ""]
        elif kind == "footer":
            address, links, help_text, mail, call, phone = block[1:]
            lines.append("--" if style in ("original", "amp") else "")
            contact = f"{help_text} {mail}" + (f" {call} {phone}" if phone else "") + "."
            lines.append(contact)
            lines += [link(l, u) for l, u in links]
            lines.append(address)
    return "\n".join(lines).rstrip("\n") + "\n"


def quote_lines(text: str, prefix: str = "> ") -> str:
    return "\n".join((prefix + line).rstrip() if line else prefix.rstrip() for line in text.rstrip("\n").split("\n")) + "\n"


# ---- the whole message, for forward-as-attachment ----

def message(ids: Ids, orig: Original, received_by: str = "mx.partner.test") -> str:
    """The original as the recipient's server stored it: SES delivery headers, DKIM,
    List-Unsubscribe, multipart/alternative in quoted-printable."""
    boundary = f"----=_Part_{ids.digits(7)}_{ids.digits(9)}.{ids.digits(13)}"
    sender_domain = orig.sender.addr.split("@")[1]
    unsubscribe = next((u for b in orig.blocks if b[0] == "footer" for l, u in b[2] if "unsubscribe" in u), None)
    headers = [
        f"Return-Path: <0102019a{ids.hex(8)}-{ids.uuid()}-000000@amazonses.{sender_domain}>",
        f"Received: from a8-31.smtp-out.amazonses.com (a8-31.smtp-out.amazonses.com [198.51.100.31])\n"
        f"\tby {received_by} (Postfix) with ESMTPS id {ids.postfix_queue_id()}\n"
        f"\tfor <{orig.to.addr}>; {rfc5322_date(orig.date + dt.timedelta(seconds=2))}",
        f"Authentication-Results: {received_by};\n\tdkim=pass header.d={sender_domain} header.s=eng2026 header.b={ids.b64(6)[:8]};\n"
        f"\tspf=pass smtp.mailfrom=amazonses.{sender_domain};\n\tdmarc=pass (p=REJECT) header.from={sender_domain}",
        f"DKIM-Signature: v=1; a=rsa-sha256; q=dns/txt; c=relaxed/simple; s=eng2026;\n"
        f"\td={sender_domain}; t={int(orig.date.timestamp())};\n"
        f"\th=From:To:Subject:MIME-Version:Content-Type:Message-ID:Date:List-Unsubscribe:List-Unsubscribe-Post;\n"
        f"\tbh={ids.b64(32)};\n\tb={ids.b64(96)[:76]}\n\t {ids.b64(96)[:52]}",
        f"From: {orig.sender.mailbox()}",
        f"To: {orig.to.mailbox()}",
        f"Subject: {orig.subject}",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; \n\tboundary="{boundary}"',
        f"Message-ID: {orig.message_id}",
        f"Date: {rfc5322_date(orig.date)}",
    ]
    if unsubscribe:
        headers += [f"List-Unsubscribe: <{unsubscribe}>,\n <mailto:unsubscribe@{sender_domain}?subject=unsubscribe>",
                    "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]
    headers += [f"Feedback-ID: ::1.eu-west-1.{ids.b64(30)[:43]}=:AmazonSES",
                f"X-SES-Outgoing: {orig.date:%Y.%m.%d}-198.51.100.31"]
    body = (f"--{boundary}\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n"
            f"{qp(render_text(orig))}\n--{boundary}\nContent-Type: text/html; charset=UTF-8\n"
            f"Content-Transfer-Encoding: quoted-printable\n\n{qp(html_document(orig))}\n--{boundary}--\n")
    return "\n".join(headers) + "\n\n" + body
