"""Outlook desktop forwards: Word HTML (Windows), plain text, Japanese, Outlook for Mac.

In: a `Fwd`. Out: the complete message as classic Outlook sends it: Word-generated HTML
with `p.MsoNormal` and the `border-top:solid #E1E1E1 1.0pt` separator (or `#B5C4DF` in
older versions), `-----Original Message-----` in plain text, translated labels.
"""

import datetime as dt
import html

from forward import Fwd, delivery, esc, text_note
from mime import b64, b_words, qp, rfc5322_date
from originals import Original, render_text

LABELS = {
    "en": ("From:", "Sent:", "To:", "Subject:", "-----Original Message-----", "FW:"),
    "de": ("Von:", "Gesendet:", "An:", "Betreff:", "-----Ursprüngliche Nachricht-----", "WG:"),
    "ja": ("差出人:", "送信日時:", "宛先:", "件名:", "-----Original Message-----", "FW:"),
}
_DE_DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
_DE_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
              "Oktober", "November", "Dezember"]


def sent_date(when: dt.datetime, lang: str) -> str:
    if lang == "de":
        return f"{_DE_DAYS[when.weekday()]}, {when.day}. {_DE_MONTHS[when.month - 1]} {when.year} {when:%H:%M}"
    if lang == "ja":
        return f"{when.year}年{when.month}月{when.day}日 {when.hour}:{when:%M}"
    hour = when.hour % 12 or 12
    return f"{when:%A}, {when:%B} {when.day}, {when.year} {hour}:{when:%M} {'AM' if when.hour < 12 else 'PM'}"


def render_word(orig: Original, wrap, href_break: int | None = None) -> str:
    """The original as Word re-renders it when Outlook forwards: MsoNormal paragraphs.
    Word hard-wraps long source lines, even inside an attribute value: `href_break`
    puts that newline into the first invite button's href at this offset."""
    out = []
    first_button = True

    def href(url: str, breakable: bool = False) -> str:
        value = html.escape(wrap(url), quote=True)
        if breakable and href_break:
            value = value[:href_break] + "\n" + value[href_break:]
        return value

    for block in orig.blocks:
        kind = block[0]
        if kind == "logo":
            out.append(f'<p class=MsoNormal><a href="{href(block[1])}" target="_blank"><span style=\'text-decoration:none\'>'
                       f'<img border=0 width=120 height=32 style=\'width:1.25in;height:.3333in\' src="{block[2]}" alt="{block[3]}"></span></a><o:p></o:p></p>')
        elif kind == "h1":
            out.append(f'<h1><span style=\'font-family:"Segoe UI",sans-serif\'>{esc(block[1])}<o:p></o:p></span></h1>')
        elif kind in ("p", "small"):
            out.append(f"<p class=MsoNormal>{block[1]}<o:p></o:p></p>")
        elif kind == "button":
            out.append(f'<p class=MsoNormal align=center style=\'text-align:center;background:#4F46E5\'><a href="{href(block[2], first_button)}" target="_blank">'
                       f"<b><span style='color:white;text-decoration:none'>{esc(block[1])}</span></b></a><o:p></o:p></p>")
            first_button = False
        elif kind == "fallback":
            out.append(f'<p class=MsoNormal>{esc(block[1])}<br><a href="{href(block[2])}" target="_blank">{esc(block[3] or block[2])}</a><o:p></o:p></p>')
        elif kind == "decline":
            out.append(f'<p class=MsoNormal>{esc(block[1])} <a href="{href(block[3])}" target="_blank">{esc(block[2])}</a>.<o:p></o:p></p>')
        elif kind == "footer":
            address, links, help_text, mail, call, phone = block[1:]
            contact = f'{esc(help_text)} <a href="mailto:{mail}">{mail}</a>'
            if phone:
                contact += f' {esc(call)} <a href="tel:{phone.replace(" ", "")}">{phone}</a>'
            joined = " &middot; ".join(f'<a href="{href(u)}" target="_blank">{esc(l)}</a>' for l, u in links)
            out.append(f"<p class=MsoNormal><span style='font-size:9.0pt;color:#9CA3AF'>{contact}.<br>{joined}<br>{esc(address)}<o:p></o:p></span></p>")
    return "\n".join(out)


WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv=Content-Type content="text/html; charset={charset}"><meta name=Generator content="Microsoft Word 15 (filtered medium)"><style><!--
/* Font Definitions */
@font-face
	{{font-family:"Cambria Math";
	panose-1:2 4 5 3 5 4 6 3 2 4;}}
@font-face
	{{font-family:Calibri;
	panose-1:2 15 5 2 2 2 4 3 2 4;}}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{{margin:0{unit};
	font-size:11.0pt;
	font-family:"Calibri",sans-serif;}}
a:link, span.MsoHyperlink
	{{mso-style-priority:99;
	color:blue;
	text-decoration:underline;}}
span.EmailStyle18
	{{mso-style-type:personal-reply;
	font-family:"Calibri",sans-serif;
	color:windowtext;}}
.MsoChpDefault
	{{mso-style-type:export-only;
	font-size:10.0pt;}}
@page WordSection1
	{{size:612.0pt 792.0pt;
	margin:72.0pt 72.0pt 72.0pt 72.0pt;}}
div.WordSection1
	{{page:WordSection1;}}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--><!--[if gte mso 9]><xml>
<o:shapelayout v:ext="edit">
<o:idmap v:ext="edit" data="1" />
</o:shapelayout></xml><![endif]--></head><body lang={lang} link=blue vlink=purple style='word-wrap:break-word'><div class=WordSection1>"""


def word_html(f: Fwd, lang: str, charset: str, border: str, unit: str, mailto: bool, href_break: int | None) -> str:
    o = f.orig
    frm, sent, to, subj, _, _ = LABELS[lang]
    sender = f"{esc(o.sender.name)} [mailto:{o.sender.addr}]" if mailto else f"{esc(o.sender.name)} &lt;{o.sender.addr}&gt;"
    note = "\n".join(f"<p class=MsoNormal>{esc(p)}<o:p></o:p></p>\n<p class=MsoNormal><o:p>&nbsp;</o:p></p>" for p in f.note)
    head = WORD_HEAD.format(charset=charset, unit=unit, lang={"en": "EN-US", "de": "DE", "ja": "JA"}[lang])
    return (f"{head}\n{note}\n<div><div style='border:none;border-top:solid {border} 1.0pt;padding:3.0pt 0{unit} 0{unit} 0{unit}'>"
            f"<p class=MsoNormal><b>{frm}</b> {sender} <br><b>{sent}</b> {sent_date(o.date, lang)}<br><b>{to}</b> {o.to.addr}<br>"
            f"<b>{subj}</b> {esc(o.subject)}<o:p></o:p></p></div></div>\n<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
            f"{render_word(o, f.wrap, href_break)}\n</div></body></html>\n")


def desktop_headers(f: Fwd, subject: str, ctype: str, lang: str, mailer: str = "Microsoft Outlook 16.0") -> list[str]:
    return delivery(f) + [
        f"From: {f.requester.mailbox()}",
        f"To: <{f.to_addr}>",
        f"References: {f.orig.message_id}",
        f"In-Reply-To: {f.orig.message_id}",
        f"Subject: {subject}",
        f"Date: {rfc5322_date(f.when)}",
        f"Message-ID: {f.ids.outlook_desktop_message_id(f.domain)}",
        "MIME-Version: 1.0",
        f"Content-Type: {ctype}",
        f"X-Mailer: {mailer}",
        f"Thread-Index: AQ{f.ids.b64(30)[:38]}",
        f"Content-Language: {'en-us' if lang == 'en' else lang}",
    ]


def word_text(f: Fwd, lang: str, mailto: bool, separator: bool) -> str:
    o = f.orig
    frm, sent, to, subj, sep, _ = LABELS[lang]
    sender = f"{o.sender.name} [mailto:{o.sender.addr}]" if mailto else o.sender.mailbox()
    return (text_note(f) + "\n" + (sep + "\n" if separator else "")
            + f"{frm} {sender} \n{sent} {sent_date(o.date, lang)}\n{to} {o.to.addr}\n{subj} {o.subject}\n\n"
            + render_text(o, "outlook", f.wrap))


def outlook_word(f: Fwd, charset: str = "windows-1252", border: str = "#E1E1E1", unit: str = "in",
                 mailto: bool = True, href_break: int | None = None, subject_prefix: str = "FW:") -> str:
    """Outlook for Windows, HTML compose: multipart/alternative of Word's text and HTML."""
    lang = "en"
    boundary = f"----=_NextPart_000_{f.ids.hex(4, True)}_01DD{f.ids.hex(4, True)}.{f.ids.hex(8, True)}"
    text = f.extra.get("text_edit", lambda s: s)(word_text(f, lang, mailto, False))
    html_doc = word_html(f, lang, charset, border, unit, mailto, href_break)
    headers = desktop_headers(f, f"{subject_prefix} {f.orig.subject}", f'multipart/alternative;\n\tboundary="{boundary}"', lang)
    return ("\n".join(headers) + "\n\nThis is a multipart message in MIME format.\n\n"
            f'--{boundary}\nContent-Type: text/plain;\n\tcharset="{charset}"\nContent-Transfer-Encoding: quoted-printable\n\n{qp(text, charset)}\n'
            f'--{boundary}\nContent-Type: text/html;\n\tcharset="{charset}"\nContent-Transfer-Encoding: quoted-printable\n\n{qp(html_doc, charset)}\n'
            f"--{boundary}--\n")


def outlook_plain(f: Fwd, lang: str = "en", charset: str = "us-ascii") -> str:
    """Outlook for Windows, plain-text compose: `-----Original Message-----` (translated)
    and links converted to `label<URL>` with no space."""
    text = f.extra.get("text_edit", lambda s: s)(word_text(f, lang, False, True))
    subject = f"{LABELS[lang][5]} {f.orig.subject}"
    if not subject.isascii():
        subject = b_words(subject, charset)
    headers = desktop_headers(f, subject, f'text/plain;\n\tcharset="{charset}"', lang)
    return "\n".join(headers) + "\nContent-Transfer-Encoding: quoted-printable\n\n" + qp(text, charset) + "\n"


def outlook_ja(f: Fwd) -> str:
    """Japanese Outlook: ISO-2022-JP text (7bit) and HTML (base64), Japanese labels
    (差出人 / 送信日時 / 宛先 / 件名), RFC 2047 encoded From name and Subject."""
    charset = "iso-2022-jp"
    text = word_text(f, "ja", False, False).encode(charset).decode("ascii")
    html_doc = word_html(f, "ja", charset, "#E1E1E1", "mm", False, None).encode(charset)
    boundary = f"----=_NextPart_000_{f.ids.hex(4, True)}_01DD{f.ids.hex(4, True)}.{f.ids.hex(8, True)}"
    subject = b_words(f"FW: {f.orig.subject}（登録のお願い）", "ISO-2022-JP")
    name = b_words(f.requester.name, "ISO-2022-JP")
    headers = desktop_headers(f, subject, f'multipart/alternative;\n\tboundary="{boundary}"', "ja")
    headers = [f"From: {name} <{f.requester.addr}>" if h.startswith("From: ") else h for h in headers]
    return ("\n".join(headers) + "\n\nThis is a multipart message in MIME format.\n\n"
            f'--{boundary}\nContent-Type: text/plain;\n\tcharset="{charset}"\nContent-Transfer-Encoding: 7bit\n\n{text}\n'
            f'--{boundary}\nContent-Type: text/html;\n\tcharset="{charset}"\nContent-Transfer-Encoding: base64\n\n{b64(html_doc)}\n'
            f"--{boundary}--\n")


def outlook_mac(f: Fwd) -> str:
    """Outlook for Mac: `div#mail-editor-reference-message-container`, a border-top
    separator and `<b>From: </b>` lines; text part with `From:`/`Date:`/`To:`/`Subject:`."""
    from originals import render_html
    o = f.orig
    date = f"{o.date:%A}, {o.date.day} {o.date:%B} {o.date.year} at {o.date:%H:%M}"
    note = "".join(f'<div class="elementToProof"><span style="font-size: 12pt;">{esc(p)}</span></div><div><br></div>' for p in f.note)
    html_doc = (
        '<html><head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n</head>\n<body>\n'
        f'{note}\n<div id="mail-editor-reference-message-container"><div class="ms-outlook-mobile-reference-message skipProofing">'
        '<div style="border:none;border-top:solid #B5C4DF 1.0pt;padding:3.0pt 0in 0in 0in">'
        f'<p class="MsoNormal" style="margin-bottom:12.0pt"><b><span style="color:black">From: </span></b>'
        f'<span style="color:black">{esc(o.sender.name)} &lt;{o.sender.addr}&gt;<br><b>Date: </b>{date}<br>'
        f'<b>To: </b>{esc(o.to.name or "")} &lt;{o.to.addr}&gt;<br><b>Subject: </b>{esc(o.subject)}</span></p></div>'
        f'{render_html(o, wrap=f.wrap)}</div></div>\n</body>\n</html>\n')
    text = (text_note(f) + f"\nFrom: {o.sender.mailbox()}\nDate: {date}\nTo: {o.to.mailbox()}\nSubject: {o.subject}\n\n"
            + render_text(o, "gmail", f.wrap))
    boundary = f"B_{f.ids.digits(10)}_{f.ids.digits(10)}"
    headers = delivery(f) + [
        f"User-Agent: Microsoft-MacOutlook/16.90.24111020",
        f"Date: {rfc5322_date(f.when)}",
        f"Subject: FW: {o.subject}",
        f"From: {f.requester.mailbox()}",
        f"To: <{f.to_addr}>",
        f"Message-ID: <{f.ids.uuid(upper=True)}@{f.domain}>",
        f"Thread-Topic: {o.subject}",
        f"References: {o.message_id}",
        f"In-Reply-To: {o.message_id}",
        "Mime-version: 1.0",
        f'Content-type: multipart/alternative;\n\tboundary="{boundary}"',
    ]
    return ("\n".join(headers) + "\n\n> This message is in MIME format. Since your mail reader does not understand\n"
            "this format, some or all of this message may not be legible.\n\n"
            f'--{boundary}\nContent-type: text/plain;\n\tcharset="UTF-8"\nContent-transfer-encoding: quoted-printable\n\n{qp(text)}\n'
            f'--{boundary}\nContent-type: text/html;\n\tcharset="UTF-8"\nContent-transfer-encoding: quoted-printable\n\n{qp(html_doc)}\n'
            f"--{boundary}--\n")
