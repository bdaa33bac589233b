"""Webmail forwards: Gmail, Outlook on the web / new Outlook, Yahoo, Roundcube.

In: a `Fwd`. Out: the complete forwarded message as that client sends it (headers in
the client's order, its MIME structure, its forward header block in text and HTML).
"""

import datetime as dt

from forward import Fwd, delivery, dkim, esc, orig_to_html, rename_classes, text_note
from mime import b64, q_words, qp, rfc5322_date
from originals import Original, render_html, render_text, message

# ---- Gmail ----

_GMAIL_MONTHS_DE = ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."]
_GMAIL_DAYS_DE = ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."]


def gmail_date(when: dt.datetime, lang: str) -> str:
    if lang == "de":
        return (f"{_GMAIL_DAYS_DE[when.weekday()]}, {when.day}. {_GMAIL_MONTHS_DE[when.month - 1]} "
                f"{when.year} um {when:%H:%M} Uhr")
    hour = when.hour % 12 or 12
    return f"{when:%a}, {when:%b} {when.day}, {when.year} at {hour}:{when:%M} {'AM' if when.hour < 12 else 'PM'}"


def gmail_block(orig: Original, lang: str, inner_html: str, inner_text: str) -> tuple[str, str]:
    """One `---------- Forwarded message ---------` block: (html, text). Gmail keeps the
    marker and Date/Subject/To in English and translates only From."""
    label = {"de": "Von", "fr": "De", "es": "De", "nl": "Van", "tr": "Gönderen", "et": "Saatja", "hr": "Šalje",
             "ro": "De la"}.get(lang, "From")
    date = gmail_date(orig.date, lang)
    to_text = orig.to.mailbox() if orig.to.name else f"<{orig.to.addr}>"
    to_html = (f"{esc(orig.to.name)} &lt;" if orig.to.name else " &lt;") + \
        f'<a href="mailto:{orig.to.addr}">{orig.to.addr}</a>&gt;'
    html_part = (
        '<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">'
        f'---------- Forwarded message ---------<br>{label}: <strong class="gmail_sendername" dir="auto">'
        f'{esc(orig.sender.name)}</strong> <span dir="auto">&lt;<a href="mailto:{orig.sender.addr}">'
        f'{orig.sender.addr}</a>&gt;</span><br>Date: {date}<br>Subject: {esc(orig.subject).replace(chr(39), "&#39;")}'
        f'<br>To: {to_html}<br></div><br><br>{inner_html}</div>')
    text_part = (f"---------- Forwarded message ---------\n{label}: {orig.sender.mailbox()}\n"
                 f"Date: {date}\nSubject: {orig.subject}\nTo: {to_text}\n\n\n{inner_text}")
    return html_part, text_part


def gmail_quoted_body(f: Fwd, orig: Original) -> str:
    prefix = f"m_{'-' if f.ids.rng.random() < 0.5 else ''}{f.ids.digits(19)}"
    body = rename_classes(render_html(orig, wrap=f.wrap), prefix)
    return f'<div style="margin:0;background:#f3f4f6"><u></u>{body}</div>'


def gmail_note_html(f: Fwd, signature: str = "") -> str:
    divs = "<div><br></div>".join(f"<div>{esc(p)}</div>" for p in f.note)
    sig = f'<br clear="all"><div><br></div><span class="gmail_signature_prefix">-- </span><br>' \
          f'<div dir="ltr" class="gmail_signature">{signature}</div>' if signature else ""
    return f'<div dir="ltr">{divs}{sig}'


def gmail_headers(f: Fwd, subject: str, boundary: str, ctype: str = "multipart/alternative") -> list[str]:
    return delivery(f) + [
        dkim(f, "google", "to:subject:message-id:date:from:in-reply-to:references:mime-version:from:to:cc:subject:date:message-id:reply-to"),
        f"X-Google-Smtp-Source: AGHT+I{f.ids.b64(60)[:70]}",
        f"X-Received: by 2002:a05:6402:{f.ids.hex(4)} with SMTP id {f.ids.alnum(12)}-{f.ids.hex(6)}.{f.ids.digits(2)}.{f.ids.rng.randint(1, 9)};\n"
        f"        {rfc5322_date(f.when.astimezone(dt.timezone(dt.timedelta(hours=-8))), zone_comment='PST')}",
        "MIME-Version: 1.0",
        f"References: {f.orig.message_id}",
        f"In-Reply-To: {f.orig.message_id}",
        f"From: {f.requester.mailbox()}",
        f"Date: {rfc5322_date(f.when)}",
        f"X-Gm-Features: AQt7F2{f.ids.b64(48)[:60]}",
        f"Message-ID: {f.ids.gmail_message_id()}",
        f"Subject: {subject}",
        f"To: {f.to_addr}",
        f'Content-Type: {ctype}; boundary="{boundary}"',
    ]


def gmail(f: Fwd, lang: str = "en", signature: tuple[str, str] = ("", ""), b64_bodies: bool = False,
          from_header: str | None = None) -> str:
    """Gmail web: multipart/alternative, `div.gmail_quote` > `div.gmail_attr`, the
    original's classes renamed `m_<digits>…`. Forwards of forwards nest blocks."""
    html_inner, text_inner = gmail_quoted_body(f, f.orig), render_text(f.orig, "gmail", f.wrap)
    inner_orig = f.orig
    for hop in f.extra.get("hops", []):  # earlier forwards, innermost first
        block_html, block_text = gmail_block(inner_orig, lang, html_inner, text_inner)
        prefix = f"m_{f.ids.digits(19)}"
        html_inner = rename_classes(gmail_note_html_hop(hop) + block_html + "</div>", prefix)
        text_inner = "\n\n".join(hop["note"]) + "\n\n" + block_text
        inner_orig = hop["orig"]
    block_html, block_text = gmail_block(inner_orig, lang, html_inner, text_inner)
    sig_html, sig_text = signature
    html_doc = gmail_note_html(f, sig_html) + "</div><br>" + block_html + "\n"
    text = text_note(f) + (f"\n-- \n{sig_text}\n" if sig_text else "") + "\n" + block_text
    boundary = f.ids.gmail_boundary()
    headers = gmail_headers(f, f"Fwd: {inner_orig.subject}", boundary)
    if from_header:
        headers = [from_header if h.startswith("From: ") else h for h in headers]
    enc, cte = (lambda s: b64(s.encode()), "base64") if b64_bodies else (qp, "quoted-printable")
    return ("\n".join(headers) + "\n\n"
            f'--{boundary}\nContent-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: {cte}\n\n{enc(text)}\n'
            f'--{boundary}\nContent-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: {cte}\n\n{enc(html_doc)}\n'
            f"--{boundary}--\n")


def gmail_note_html_hop(hop: dict) -> str:
    return '<div dir="ltr">' + "<div><br></div>".join(f"<div>{esc(p)}</div>" for p in hop["note"]) + "<br>"


def gmail_app_plain(f: Fwd) -> str:
    """The Gmail Android app: one text/plain part."""
    _, block_text = gmail_block(f.orig, "en", "", render_text(f.orig, "gmail", f.wrap))
    headers = [h.replace("multipart/alternative", "text/plain") for h in
               gmail_headers(f, f"Fwd: {f.orig.subject}", "")]
    headers[-1] = 'Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable'
    return "\n".join(headers) + "\n\n" + qp(text_note(f) + "\n" + block_text)


# ---- Outlook on the web / new Outlook ----

OWA_LABELS = {
    "en": ("From:", "Sent:", "To:", "Subject:", "Fw:"),
    "fr": ("De :", "Envoyé :", "À :", "Objet :", "TR :"),
    "de": ("Von:", "Gesendet:", "An:", "Betreff:", "WG:"),
    "hu": ("Feladó:", "Dátum:", "Címzett:", "Tárgy:", "Fw:"),
    "fi": ("Lähettäjä:", "Päivämäärä:", "Vastaanottaja:", "Aihe:", "Fw:"),
}
_FR_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
              "octobre", "novembre", "décembre"]


def owa_date(when: dt.datetime, lang: str) -> str:
    if lang == "fr":
        return f"{_FR_DAYS[when.weekday()]} {when.day} {_FR_MONTHS[when.month - 1]} {when.year} {when:%H:%M}"
    if lang == "hu":
        return f"{when.year}. {when.month:02}. {when.day:02}. {when:%H:%M}"
    if lang == "fi":
        return f"{when.day}.{when.month}.{when.year} klo {when:%H.%M}"
    hour = when.hour % 12 or 12
    return f"{when:%A}, {when:%B} {when.day}, {when.year} {hour}:{when:%M} {'AM' if when.hour < 12 else 'PM'}"


BANNER_URL = "https://aka.ms/LearnAboutSenderIdentification"


def owa_banner(sender: str) -> tuple[str, str]:
    """Exchange Online's first-contact safety tip, as the recipient received it."""
    html_part = (
        '<table class="x_MsoNormalTable" border="0" cellspacing="0" cellpadding="0" align="left" width="100%" style="width:100.0%">'
        '<tbody><tr><td style="background:#A6A6A6;padding:5.25pt 1.5pt 5.25pt 1.5pt"></td>'
        '<td width="100%" style="width:100.0%;background:#EAEAEA;padding:5.25pt 3.75pt 5.25pt 11.25pt">'
        '<div><p class="x_MsoNormal" style="mso-line-height-rule:exactly;line-height:12.0pt">'
        f'<span style="font-size:9.0pt;font-family:&quot;Segoe UI&quot;,sans-serif;color:#212121">'
        f'You don\'t often get email from {sender}. <a href="{BANNER_URL}">'
        'Learn why this is important</a></span></p></div></td></tr></tbody></table>')
    text_part = f"You don't often get email from {sender}. Learn why this is important<{BANNER_URL}>\n"
    return html_part, text_part


def owa_parts(f: Fwd, lang: str, banner: bool, orig: Original | None = None) -> tuple[str, str]:
    orig = orig or f.orig
    frm, sent, to, subj, _ = OWA_LABELS[lang]
    style = ('style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, '
             'sans-serif; font-size: 12pt; color: rgb(0, 0, 0);"')
    note = "\n".join(f'<div class="elementToProof" {style}>\n{esc(p)}</div>' for p in f.note)
    bhtml, btext = owa_banner(orig.sender.addr) if banner else ("", "")
    body = render_html(orig, wrap=f.wrap)
    html_doc = (
        f'<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset={f.extra.get("charset", "utf-8")}">\n'
        '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\n'
        f'</head>\n<body dir="ltr">\n{note}\n<div id="appendonsend"></div>\n'
        '<hr style="display:inline-block;width:98%" tabindex="-1">\n'
        '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
        f'<b>{frm}</b> {orig_to_html(orig.sender)}<br>\n<b>{sent}</b> {owa_date(orig.date, lang)}<br>\n'
        f'<b>{to}</b> {orig_to_html(orig.to)}<br>\n<b>{subj}</b> {esc(orig.subject)}</font>\n<div>&nbsp;</div>\n</div>\n'
        f'<div>\n{bhtml}\n{rename_classes(body, "x_")}\n</div>\n</body>\n</html>\n')
    text = (text_note(f) + "\n" + "_" * 32 + f"\n{frm} {orig.sender.mailbox()}\n{sent} {owa_date(orig.date, lang)}\n"
            f"{to} {orig.to.mailbox()}\n{subj} {orig.subject}\n\n{btext}" + render_text(orig, "outlook", f.wrap))
    return html_doc, text


def owa_boundary_key(f: Fwd) -> str:
    """Exchange derives MIME boundaries from the Message-ID: its characters minus
    punctuation, cut to 70."""
    server = f.extra.setdefault("server", f"AM9PR08MB{f.ids.digits(4)}")
    message_id = f.extra.setdefault("message_id", f.ids.outlook_com_message_id(server))
    return "".join(c for c in message_id if c.isalnum())[:62]


def owa_headers(f: Fwd, subject: str, topic: str, ctype: str, lang: str, has_attach: bool) -> list[str]:
    server = f.extra.setdefault("server", f"AM9PR08MB{f.ids.digits(4)}")
    message_id = f.extra.setdefault("message_id", f.ids.outlook_com_message_id(server))
    language = {"en": "en-GB", "fr": "fr-FR", "de": "de-DE", "hu": "hu-HU", "fi": "fi-FI"}[lang]
    return delivery(f) + [
        dkim(f, "selector1", "From:Date:Subject:Message-ID:Content-Type:MIME-Version:X-MS-Exchange-SenderADCheck"),
        f"Received: from {server}.eurprd08.prod.outlook.com ([fe80::{f.ids.hex(4)}:{f.ids.hex(4)}:{f.ids.hex(4)}:{f.ids.hex(4)}])\n"
        f" by {server}.eurprd08.prod.outlook.com ([fe80::{f.ids.hex(4)}:{f.ids.hex(4)}:{f.ids.hex(4)}:{f.ids.hex(4)}%6]) with mapi id 15.20.9298.010;\n"
        f" {rfc5322_date(f.when.astimezone(dt.timezone.utc))}",
        f"From: {f.requester.mailbox()}",
        f'To: "{f.to_addr}" <{f.to_addr}>',
        f"Subject: {subject}",
        f"Thread-Topic: {topic}",
        f"Thread-Index: AQHc{f.ids.b64(18)}",
        f"Date: {rfc5322_date(f.when.astimezone(dt.timezone.utc))}",
        f"Message-ID: {message_id}",
        f"References: {f.orig.message_id}",
        f"In-Reply-To: {f.orig.message_id}",
        f"Accept-Language: {language}, en-US",
        f"Content-Language: {language}",
        f"X-MS-Has-Attach: {'yes' if has_attach else ''}".rstrip(),
        "X-MS-TNEF-Correlator:",
        "msip_labels:",
        f"Content-Type: {ctype}",
        "MIME-Version: 1.0",
    ]


def owa(f: Fwd, lang: str = "en", banner: bool = True, html_charset: str = "utf-8") -> str:
    """Outlook on the web and new Outlook: 32 underscores in text, `div#divRplyFwdMsg`
    after an `hr` in HTML, the original's classes prefixed `x_`."""
    f.extra.setdefault("charset", html_charset)
    html_doc, text = owa_parts(f, lang, banner)
    text = f.extra.get("text_edit", lambda s: s)(text)
    html_doc = f.extra.get("html_edit", lambda s: s)(html_doc)
    boundary = f"_000_{owa_boundary_key(f)}_"
    subject, topic = f"{OWA_LABELS[lang][4]} {f.orig.subject}", f.orig.subject
    if not subject.isascii():
        subject, topic = q_words(subject, "utf-8"), q_words(topic, "utf-8")
    ctype = f'multipart/alternative;\n\tboundary="{boundary}"'
    charset = html_charset
    return ("\n".join(owa_headers(f, subject, topic, ctype, lang, False)) + "\n\n"
            f'--{boundary}\nContent-Type: text/plain; charset="{charset}"\nContent-Transfer-Encoding: quoted-printable\n\n'
            f"{qp(text, charset)}\n"
            f'--{boundary}\nContent-Type: text/html; charset="{charset}"\nContent-Transfer-Encoding: quoted-printable\n\n'
            f"{qp(html_doc, charset)}\n--{boundary}--\n")


def owa_attach(f: Fwd, attached: str, subject: str, lang: str = "en") -> str:
    """Outlook on the web "Forward as attachment": the item as message/rfc822, named
    after its subject."""
    style = 'style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);"'
    note_html = ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n</head>\n<body dir="ltr">\n'
                 + "\n".join(f'<div class="elementToProof" {style}>\n{esc(p)}</div>' for p in f.note) + "\n</body>\n</html>\n")
    mixed, alt = f"_004_{owa_boundary_key(f)}_", f"_000_{owa_boundary_key(f)}_"
    name = f"{subject}.eml"
    headers = owa_headers(f, f"{OWA_LABELS[lang][4]} {subject}", subject,
                          f'multipart/mixed;\n\tboundary="{mixed}"', lang, True)
    return ("\n".join(headers) + "\n\n"
            f'--{mixed}\nContent-Type: multipart/alternative;\n\tboundary="{alt}"\n\n'
            f'--{alt}\nContent-Type: text/plain; charset="us-ascii"\nContent-Transfer-Encoding: quoted-printable\n\n{qp(text_note(f))}\n'
            f'--{alt}\nContent-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n{qp(note_html)}\n'
            f"--{alt}--\n\n"
            f'--{mixed}\nContent-Type: message/rfc822\nContent-Disposition: attachment;\n\tcreation-date="{rfc5322_date(f.when)}";\n'
            f'\tmodification-date="{rfc5322_date(f.when)}"\n\n{attached}\n--{mixed}--\n')


def owa_attach_original(f: Fwd) -> str:
    return owa_attach(f, message(f.ids, f.orig), f.orig.subject)


# ---- Yahoo ----

YAHOO = {
    # marker, From, To, Sent, Subject
    "en": ("Forwarded Message", "From", "To", "Sent", "Subject"),
    "fi": ("Edelleenlähetetty viesti", "Lähettäjä", "Vastaanottaja", "Lähetetty", "Aihe"),
    "cs": ("Přeposlaná zpráva", "Od", "Komu", "Datum", "Předmět"),
}


def yahoo_date(when: dt.datetime, lang: str) -> str:
    if lang == "fi":
        return f"{when.day}.{when.month}.{when.year} klo {when:%H.%M.%S} UTC+1"
    if lang == "cs":
        return f"{when.day}. {when.month}. {when.year} {when:%H:%M:%S} SEČ"
    return f"{when:%A}, {when:%B} {when.day}, {when.year} at {when:%I:%M:%S} {'AM' if when.hour < 12 else 'PM'} GMT"


def yahoo(f: Fwd, lang: str = "en") -> str:
    """Yahoo Mail web: `----- Forwarded Message -----` with the header lines run
    together in the text part (in every UI language, each label glued to the previous
    value); `yahoo_quoted` and `yiv<digits>` classes in HTML."""
    o = f.orig
    marker, frm, to_label, sent_label, subj = YAHOO[lang]
    sent = yahoo_date(o.date, lang)
    to = f'"{o.to.addr}" <{o.to.addr}>'
    text = ("\n".join(f.note) + f"\n\n   ----- {marker} ----- "
            f"{frm}: {o.sender.mailbox()}{to_label}: {to}{sent_label}: {sent}{subj}: {o.subject}\n "
            + render_text(o, "gmail", f.wrap).replace("\n", "\n ") + "\n")
    qid = f.ids.digits(7)
    yiv = f"yiv{f.ids.digits(10)}"
    wrap_id = f"ydp{f.ids.hex(8)}"
    html_doc = (
        f'<html><head></head><body><div class="{wrap_id}yahoo-style-wrap" style="font-family:Helvetica Neue, Helvetica, Arial, sans-serif;font-size:16px;">'
        + "".join(f'<div dir="ltr" data-setdir="false">{esc(p)}</div><div dir="ltr" data-setdir="false"><br></div>' for p in f.note)
        + f'<div><br></div>\n<div id="{wrap_id}yahoo_quoted_{qid}" class="{wrap_id}yahoo_quoted">\n'
        '<div style="font-family:\'Helvetica Neue\', Helvetica, Arial, sans-serif;font-size:13px;color:#26282a;">\n'
        f'<div>----- {marker} -----</div>\n<div><b>{frm}:</b> {orig_to_html(o.sender)}</div>\n'
        f'<div><b>{to_label}:</b> &quot;{o.to.addr}&quot; &lt;{o.to.addr}&gt;</div>\n<div><b>{sent_label}:</b> {sent}</div>\n'
        f'<div><b>{subj}:</b> {esc(o.subject)}</div>\n<div><br></div><div><br></div>\n'
        f'<div><div id="{yiv}">{rename_classes(render_html(o, wrap=f.wrap), yiv)}</div></div>\n</div>\n</div></div></body></html>\n')
    boundary = f"----=_Part_{qid}_{f.ids.digits(10)}.{int(f.when.timestamp())}{f.ids.digits(3)}"
    headers = delivery(f) + [
        dkim(f, "s2048", "date:from:to:subject:references:from:subject:reply-to"),
        f"Date: {rfc5322_date(f.when.astimezone(dt.timezone.utc), zone_comment='UTC')}",
        f"From: {f.requester.mailbox()}",
        f'To: "{f.to_addr}" <{f.to_addr}>',
        f"Message-ID: <{f.ids.digits(10)}.{qid}.{int(f.when.timestamp())}{f.ids.digits(3)}@mail.yahoo.com>",
        f"In-Reply-To: {o.message_id}",
        f"References: {o.message_id}",
        f"Subject: Fwd: {o.subject}",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; \n\tboundary="{boundary}"',
        "X-Mailer: WebService/1.1.24652 YMailNorrin",
    ]
    return ("\n".join(headers) + "\n\n"
            f"--{boundary}\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n{qp(text)}\n"
            f"--{boundary}\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n{qp(html_doc)}\n"
            f"--{boundary}--\n")


# ---- Roundcube ----

def roundcube(f: Fwd) -> str:
    """Roundcube Webmail inline forward (`-------- Original Message --------` and a
    header table); the original's markup kept as the platform wrote it."""
    o = f.orig
    date = f"{o.date:%Y-%m-%d %H:%M}"
    rows = "".join(f'<tr><th align="right" valign="baseline" nowrap="nowrap">{k}</th><td>{v}</td></tr>' for k, v in [
        ("Subject:", esc(o.subject)), ("Date:", date),
        ("From:", f'{esc(o.sender.name)} &lt;<a href="mailto:{o.sender.addr}">{o.sender.addr}</a>&gt;'),
        ("To:", f'<a href="mailto:{o.to.addr}">{o.to.addr}</a>')])
    html_doc = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /></head>'
                '<body style=\'font-size: 10pt; font-family: Verdana,Geneva,sans-serif\'>\n'
                + "".join(f"<p>{esc(p)}</p>\n" for p in f.note)
                + '<p><br /></p>\n<p>-------- Original Message --------</p>\n'
                f'<table border="0" cellspacing="0" cellpadding="0"><tbody>{rows}</tbody></table>\n'
                f'<div class="pre">\n{render_html(o, wrap=f.wrap)}\n</div>\n</body></html>\n')
    text = (text_note(f) + "\n-------- Original Message --------\n"
            f"Subject: {o.subject}\nDate: {date}\nFrom: {o.sender.mailbox()}\nTo: {o.to.addr}\n\n"
            + render_text(o, "gmail", f.wrap))
    boundary = f"=_{f.ids.hex(32)}"
    headers = delivery(f) + [
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative;\n boundary="{boundary}"',
        f"Date: {rfc5322_date(f.when)}",
        f"From: {f.requester.mailbox()}",
        f"To: {f.to_addr}",
        f"Subject: Fwd: {o.subject}",
        f"Message-ID: <{f.ids.hex(32)}@{f.domain}>",
        "X-Sender: " + f.requester.addr,
        "User-Agent: Roundcube Webmail/1.6.9",
    ]
    return ("\n".join(headers) + "\n\n"
            f"--{boundary}\nContent-Transfer-Encoding: 7bit\nContent-Type: text/plain; charset=US-ASCII;\n format=flowed\n\n{text}\n"
            f"--{boundary}\nContent-Transfer-Encoding: quoted-printable\nContent-Type: text/html; charset=UTF-8\n\n{qp(html_doc)}\n"
            f"--{boundary}--\n")
