"""Apple Mail (macOS, iOS), Thunderbird (inline and as attachment), NeoMutt, K-9 Mail.

In: a `Fwd`. Out: the complete message as that client sends it.
"""

import datetime as dt

from forward import Fwd, delivery, dkim, esc, text_note
from mime import b64, qp, rfc5322_date
from originals import Original, message, quote_lines, render_html, render_text

# ---- Apple Mail ----

APPLE = {
    "en": ("Begin forwarded message:", "From", "Subject", "Date", "To", "Fwd:", "Sent from my iPhone"),
    "es": ("Inicio del mensaje reenviado:", "De", "Asunto", "Fecha", "Para", "Fwd:", "Enviado desde mi iPhone"),
    "nl": ("Begin doorgestuurd bericht:", "Van", "Onderwerp", "Datum", "Aan", "Fwd:", "Verstuurd vanaf mijn iPhone"),
    "ru": ("Начало переадресованного сообщения:", "Отправитель", "Тема", "Дата", "Кому", "Fwd:", "Отправлено с iPhone"),
    "uk": ("Початок листа, що пересилається:", "Від кого", "Тема", "Дата", "Кому", "Fwd:", "Надіслано з iPhone"),
    "tr": ("İleti başlangıcı:", "Kimden", "Konu", "Tarih", "Kime", "Fwd:", "iPhone'umdan gönderildi"),
}
_ES_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"]
_NL_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"]


def apple_date(when: dt.datetime, lang: str) -> str:
    if lang == "es":
        return f"{when.day} de {_ES_MONTHS[when.month - 1]} de {when.year}, {when:%H:%M:%S} CET"
    if lang == "nl":
        return f"{when.day} {_NL_MONTHS[when.month - 1]} {when.year} om {when:%H:%M:%S} CET"
    if lang in ("ru", "uk", "tr"):
        return f"{when.day:02}.{when.month:02}.{when.year} {when:%H:%M:%S} GMT+3"
    return f"{when.day} {when:%B} {when.year} at {when:%H:%M:%S} CET"


def apple_fields(o: Original, lang: str) -> list[tuple[str, str, str]]:
    """(label, text value, html value) in Apple's order: From, Subject, Date, To."""
    _, frm, subj, date, to, _, _ = APPLE[lang]
    return [
        (frm, o.sender.mailbox(), f'{esc(o.sender.name)} &lt;<a href="mailto:{o.sender.addr}">{o.sender.addr}</a>&gt;'),
        (subj, o.subject, f"<b>{esc(o.subject)}</b>"),
        (date, apple_date(o.date, lang), apple_date(o.date, lang)),
        (to, o.to.mailbox(), (f"{esc(o.to.name)} &lt;" if o.to.name else "") + f'<a href="mailto:{o.to.addr}">{o.to.addr}</a>' + ("&gt;" if o.to.name else "")),
    ]


def apple_macos_block(f: Fwd, o: Original, lang: str) -> tuple[str, str]:
    font = "font-family: -webkit-system-font, Helvetica Neue, Helvetica, sans-serif;"
    lines = "".join(
        f'<div style="margin-top: 0px; margin-right: 0px; margin-bottom: 0px; margin-left: 0px;">'
        f'<span style="{font} color:rgba(0, 0, 0, 1.0);"><b>{label}: </b></span>'
        f'<span style="{font}">{value}<br></span></div>\n' for label, _, value in apple_fields(o, lang))
    html_part = (f'<div><br><blockquote type="cite"><div>{APPLE[lang][0]}</div><br class="Apple-interchange-newline">\n'
                 f'{lines}<br><div>{render_html(o, wrap=f.wrap)}</div></blockquote></div><br>')
    text_part = (f"{APPLE[lang][0]}\n\n" + "\n".join(f"{label}: {value}" for label, value, _ in apple_fields(o, lang))
                 + "\n\n" + render_text(o, "apple", f.wrap) + "\n")
    return html_part, text_part


def apple_headers(f: Fwd, subject: str, ctype: str, ios: bool) -> list[str]:
    refs = " ".join(o.message_id for o in f.origs)
    if ios:
        return delivery(f) + [
            f"Content-Type: {ctype}", "Content-Transfer-Encoding: 7bit",
            f"From: {f.extra.get('from_header', f.requester.mailbox())}", "Mime-Version: 1.0 (1.0)",
            f"Date: {rfc5322_date(f.when)}", f"Subject: {subject}",
            f"Message-Id: <{f.ids.apple_uuid()}@{f.domain}>", f"References: {refs}", f"In-Reply-To: {f.orig.message_id}",
            f"To: {f.to_addr}", "X-Mailer: iPhone Mail (22B83)",
        ]
    return delivery(f) + [
        f"From: {f.extra.get('from_header', f.requester.mailbox())}",
        f"Content-Type: {ctype}",
        "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.700.81\\))",
        f"Subject: {subject}",
        f"X-Universally-Unique-Identifier: {f.ids.apple_uuid()}",
        f"Date: {rfc5322_date(f.when)}",
        f"References: {refs}",
        f"To: {f.to_addr}",
        f"In-Reply-To: {f.orig.message_id}",
        f"Message-Id: <{f.ids.apple_uuid()}@{f.domain}>",
        "X-Mailer: Apple Mail (2.3826.700.81)",
    ]


def apple_macos(f: Fwd, lang: str = "en") -> str:
    """Apple Mail on macOS: `Begin forwarded message:` then `blockquote[type=cite]` with
    `<b>From: </b>` lines. Several selected messages are forwarded one after another."""
    blocks = [apple_macos_block(f, o, lang) for o in f.origs]
    note_html = "".join(f"<div>{esc(p)}</div><div><br></div>" for p in f.note)
    html_doc = ('<html aria-label="message body"><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
                '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">'
                f'{note_html}<div><br id="lineBreakAtBeginningOfMessage">' + "".join(b[0] for b in blocks) + "</div></body></html>\n")
    text = text_note(f) + "\n\n" + "\n".join(b[1] for b in blocks)
    boundary = f"Apple-Mail=_{f.ids.apple_uuid()}"
    subject = f"{APPLE[lang][5]} {f.orig.subject}"
    headers = apple_headers(f, subject, f'multipart/alternative;\n\tboundary="{boundary}"', False)
    return ("\n".join(headers) + "\n\n\n"
            f"--{boundary}\nContent-Transfer-Encoding: quoted-printable\nContent-Type: text/plain;\n\tcharset=utf-8\n\n{qp(text)}\n"
            f"--{boundary}\nContent-Transfer-Encoding: quoted-printable\nContent-Type: text/html;\n\tcharset=utf-8\n\n{qp(html_doc)}\n"
            f"--{boundary}--\n")


def apple_ios(f: Fwd, lang: str, base64_bodies: bool = False) -> str:
    """Apple Mail on iOS: the forwarded header and body `> `-quoted in text, `<b>De:</b>`
    lines in `blockquote type="cite"` in HTML."""
    o = f.orig
    marker, sig = APPLE[lang][0], APPLE[lang][6]
    fields = apple_fields(o, lang)
    quoted = quote_lines("\n".join(f"{label}: {value}" for label, value, _ in fields) + "\n\n" + render_text(o, "apple", f.wrap))
    text = text_note(f) + f"\n{sig}\n\n{marker}\n\n" + quoted
    head = "".join(f"<b>{label}:</b> {value}<br>" for label, _, value in fields)
    html_doc = ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">'
                + "".join(f'<div dir="ltr">{esc(p)}</div><div dir="ltr"><br></div>' for p in f.note)
                + f'<div dir="ltr">{sig}</div><div dir="ltr"><br><blockquote type="cite">{marker}<br><br></blockquote></div>'
                f'<blockquote type="cite"><div dir="ltr">{head}<br></div></blockquote>'
                f'<blockquote type="cite"><div dir="ltr">{render_html(o, wrap=f.wrap)}</div></blockquote></body></html>\n')
    boundary = f"Apple-Mail-{f.ids.apple_uuid()}"
    enc, cte = ((lambda s: b64(s.encode())), "base64") if base64_bodies else (qp, "quoted-printable")
    subject = f"{APPLE[lang][5]} {o.subject}"
    headers = apple_headers(f, subject, f"multipart/alternative; boundary={boundary}", True)
    return ("\n".join(headers) + "\n\n\n"
            f"--{boundary}\nContent-Type: text/plain;\n\tcharset=utf-8\nContent-Transfer-Encoding: {cte}\n\n{enc(text)}\n"
            f"--{boundary}\nContent-Type: text/html;\n\tcharset=utf-8\nContent-Transfer-Encoding: {cte}\n\n{enc(html_doc)}\n"
            f"--{boundary}--\n")


def apple_attach(f: Fwd, attached: str, subject: str) -> str:
    """Apple Mail "Forward as Attachment": the message as message/rfc822."""
    boundary = f"Apple-Mail=_{f.ids.apple_uuid()}"
    headers = apple_headers(f, f"Fwd: {subject}", f'multipart/mixed;\n\tboundary="{boundary}"', False)
    return ("\n".join(headers) + "\n\n\n"
            f"--{boundary}\nContent-Transfer-Encoding: 7bit\nContent-Type: text/plain;\n\tcharset=us-ascii\n\n{text_note(f)}\n"
            f'--{boundary}\nContent-Disposition: attachment;\n\tfilename="{subject}.eml"\nContent-Type: message/rfc822;\n\tname="{subject}.eml"\n'
            f"Content-Transfer-Encoding: 7bit\n\n{attached}\n--{boundary}--\n")


# ---- Thunderbird ----

THUNDERBIRD = {
    "en": ("-------- Forwarded Message --------", "Subject:", "Date:", "From:", "To:", "Fwd:"),
    "de": ("-------- Weitergeleitete Nachricht --------", "Betreff:", "Datum:", "Von:", "An:", "WG:"),
    "fr": ("-------- Message transféré --------", "Sujet :", "Date :", "De :", "Pour :", "Fwd:"),
    "pl": ("--- Treść przekazanej wiadomości ---", "Temat:", "Data:", "Nadawca:", "Adresat:", "Fwd:"),
    "ro": ("-------- Mesaj redirecționat --------", "Subiect:", "Dată:", "de la:", "Către:", "Fwd:"),
}
CONTENT_LANGUAGE = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "pl": "pl-PL", "ro": "ro-RO"}


def thunderbird_headers(f: Fwd, subject: str, ctype: str, lang: str = "en") -> list[str]:
    return delivery(f) + [
        f"Message-ID: <{f.ids.uuid()}@{f.domain}>",
        f"Date: {rfc5322_date(f.when)}",
        "MIME-Version: 1.0",
        "User-Agent: Mozilla Thunderbird",
        f"Content-Language: {CONTENT_LANGUAGE[lang]}",
        f"To: {f.to_addr}",
        f"From: {f.extra.get('from_header', f.requester.mailbox())}",
        f"Subject: {subject}",
        f"Content-Type: {ctype}",
    ]


def thunderbird_inline(f: Fwd, lang: str = "en") -> str:
    """Thunderbird "Forward Inline": `div.moz-forward-container` with
    `table.moz-email-headers-table`; text part format=flowed, 8bit when not ASCII."""
    o = f.orig
    marker, subj, date, frm, to, prefix = THUNDERBIRD[lang]
    th = 'valign="BASELINE" nowrap="nowrap" align="RIGHT"'
    rows = [(subj, esc(o.subject)), (date, rfc5322_date(o.date)),
            (frm, f'{esc(o.sender.name)} <a class="moz-txt-link-rfc2396E" href="mailto:{o.sender.addr}">&lt;{o.sender.addr}&gt;</a>'),
            (to, f'<a class="moz-txt-link-abbreviated" href="mailto:{o.to.addr}">{o.to.addr}</a>')]
    table = "\n".join(f"          <tr>\n            <th {th}>{k} </th>\n            <td>{v}</td>\n          </tr>" for k, v in rows)
    html_doc = ('<!DOCTYPE html>\n<html>\n  <head>\n\n    <meta http-equiv="content-type" content="text/html; charset=UTF-8">\n  </head>\n  <body>\n'
                + "".join(f"    <p>{esc(p)}</p>\n" for p in f.note)
                + f'    <div class="moz-forward-container"><br>\n      <br>\n      {marker}\n'
                '      <table class="moz-email-headers-table" cellspacing="0"\n        cellpadding="0" border="0">\n        <tbody>\n'
                f"{table}\n        </tbody>\n      </table>\n      <br>\n      <br>\n{render_html(o, wrap=f.wrap)}\n    </div>\n  </body>\n</html>\n")
    text = (text_note(f) + f"\n{marker}\n{subj} \t{o.subject}\n{date} \t{rfc5322_date(o.date)}\n"
            f"{frm} \t{o.sender.mailbox()}\n{to} \t{o.to.addr}\n\n\n\n" + render_text(o, "thunderbird", f.wrap))
    boundary = f.ids.thunderbird_boundary()
    cte = "7bit" if (text + html_doc).isascii() else "8bit"
    subject = f"{prefix} {o.subject}"
    headers = thunderbird_headers(f, subject, f'multipart/alternative;\n boundary="{boundary}"', lang)
    return ("\n".join(headers) + "\n\nThis is a multi-part message in MIME format.\n"
            f"--{boundary}\nContent-Type: text/plain; charset=UTF-8; format=flowed\nContent-Transfer-Encoding: {cte}\n\n{text}\n"
            f"--{boundary}\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: {cte}\n\n{html_doc}\n"
            f"--{boundary}--\n")


def thunderbird_attach(f: Fwd, attached: list[tuple[str, str]] | None = None) -> str:
    """Thunderbird's default "Forward": each selected message as a message/rfc822
    attachment named `<subject>.eml`."""
    attached = attached or [(o.subject, message(f.ids, o)) for o in f.origs]
    boundary = f.ids.thunderbird_boundary()
    subject = f"Fwd: {attached[0][0]}"
    parts = "".join(
        f'--{boundary}\nContent-Type: message/rfc822; charset=UTF-8;\n name="{name}.eml"\n'
        f'Content-Disposition: attachment;\n filename="{name}.eml"\n\n{raw}\n' for name, raw in attached)
    headers = thunderbird_headers(f, subject, f'multipart/mixed; boundary="{boundary}"')
    return ("\n".join(headers) + "\n\nThis is a multi-part message in MIME format.\n"
            f"--{boundary}\nContent-Type: text/plain; charset=UTF-8; format=flowed\nContent-Transfer-Encoding: 7bit\n\n{text_note(f)}\n"
            f"{parts}--{boundary}--\n")


# ---- NeoMutt and K-9 ----

def neomutt(f: Fwd, quoted_text: str) -> str:
    """NeoMutt with forward_quote=yes: the original's header and body `> `-quoted
    between `----- Forwarded message from … -----` lines; plain us-ascii, no gateway."""
    o = f.orig
    body = (text_note(f) + f"\n----- Forwarded message from {o.sender.mailbox()} -----\n\n"
            + quote_lines(f"Date: {rfc5322_date(o.date)}\nFrom: {o.sender.mailbox()}\nTo: {o.to.addr}\n"
                          f"Subject: {o.subject}\n\n{quoted_text}")
            + "\n----- End forwarded message -----\n\n-- \n" + f"{f.requester.name}\n")
    headers = delivery(f) + [
        f"Date: {rfc5322_date(f.when)}",
        f"From: {f.requester.mailbox()}",
        f"To: {f.to_addr}",
        f"Subject: [{o.sender.addr}: {o.subject}]",
        f"Message-ID: <{f.ids.alnum(16)}@laptop.{f.domain}>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "Content-Disposition: inline",
        "User-Agent: NeoMutt/20241002",
    ]
    return "\n".join(headers) + "\n\n" + body


def k9(f: Fwd) -> str:
    """K-9 Mail for Android, plain-text compose: its HTML-to-text conversion of the
    original left `&amp;` in the URLs."""
    o = f.orig
    text = (text_note(f) + "\n-------- Original Message --------\n"
            f"From: {o.sender.mailbox()}\nSent: {o.date.day} {o.date:%B} {o.date.year} {o.date:%H:%M:%S} UTC\n"
            f"To: {o.to.addr}\nSubject: {o.subject}\n\n" + render_text(o, "amp", f.wrap))
    headers = delivery(f) + [
        dkim(f),
        "MIME-Version: 1.0",
        f"Date: {rfc5322_date(f.when)}",
        f"Message-ID: <{f.ids.uuid()}@{f.domain}>",
        "User-Agent: K-9 Mail for Android",
        f"Subject: Fwd: {o.subject}",
        f"From: {f.requester.mailbox()}",
        f"To: {f.to_addr}",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: quoted-printable",
    ]
    return "\n".join(headers) + "\n\n" + qp(text) + "\n"
