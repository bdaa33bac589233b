"""Samples that must be rejected: no invite, ambiguous invites, unreadable formats,
too large, not an email, look-alike hosts, plain http.

In: nothing. Out: `build()`, a list of Sample.
"""

import clients_other as other
import clients_outlook as outlook
import clients_web as web
from binary import noise_png, outlook_msg, pdf, png, tnef
from forward import Fwd, esc, text_note
from mime import b64, finish, qp
from originals import Person, acme_invite, engage_invite, engage_newsletter, engage_url, render_text
from samples_common import IDS, JANE, Sample, at, rejected, with_attachments

ids = IDS


def newsletter() -> Sample:
    f = Fwd(ids, JANE, at(3, 10, 0, 0, 1), ["Hi,", "Is this the invitation? I can't find any other email from Engage.", "Jane"],
            [engage_newsletter(ids, JANE, at(2, 15, 0, 0))], relay=("mail-ej1-f54.google.com", "203.0.113.54"))
    return Sample("newsletter.eml", finish(web.gmail(f)), rejected("no_invite_link"),
                  "Gmail forward of an Engage newsletter (release notes, webinar, unsubscribe): no invite link.")


def two_invites() -> Sample:
    first, second = ids.token(), ids.token()
    orig1 = engage_invite(ids, JANE, engage_url(first), at(1, 9, 12, 33))
    orig2 = engage_invite(ids, JANE, engage_url(second), at(3, 9, 12, 33), inviter="Marco Rossi")
    orig2.subject = "Reminder: " + orig2.subject
    f = Fwd(ids, JANE, at(3, 10, 20, 0, 1), ["Hello,", "I got two invitations (attached), neither link works. Please create my account."],
            [orig1, orig2], relay=("smtp.partner.test", "203.0.113.61"))
    return Sample("thunderbird-two-invites.eml", finish(other.thunderbird_attach(f)), rejected("ambiguous_invite_links"),
                  "Thunderbird forwarding two selected messages as attachments: two Engage invites with different "
                  "tokens.")


def engage_and_acme() -> Sample:
    t1, t2 = ids.token(), ids.token()
    orig1 = engage_invite(ids, JANE, engage_url(t1), at(3, 9, 12, 33))
    orig2 = acme_invite(ids, JANE, f"https://learn.acme.test/join/{t2}", at(3, 9, 30, 0))
    f = Fwd(ids, JANE, at(3, 11, 11, 11, 1), ["Hi,", "I received these two invitations; neither link works. Can you sign me up?", "Jane"],
            [orig1, orig2], relay=("smtp.partner.test", "203.0.113.61"))
    return Sample("apple-mail-engage-and-acme.eml", finish(other.apple_macos(f)), rejected("ambiguous_invite_links"),
                  "Apple Mail forwarding two selected messages at once: an Engage invite and an Acme Learn invite.")


RTF = r"""{{\rtf1\ansi\ansicpg1252\deff0\nouicompat\deflang1033{{\fonttbl{{\f0\fswiss\fcharset0 Calibri;}}}}
{{\colortbl ;\red0\green0\blue255;}}
\viewkind4\uc1\pard\sa200\sl276\slmult1\f0\fs22 Hello,\par
please create my Engage account, the invitation is below.\par
Robert\par
\par
\b From:\b0  Engage <invites@engage.example.com>\par
\b Sent:\b0  Tuesday, November 3, 2026 9:12 AM\par
\b To:\b0  {to}\par
\b Subject:\b0  {subject}\par
\par
{{\field{{\*\fldinst{{HYPERLINK "{url}"}}}}{{\fldrslt{{\ul\cf1 Accept invitation}}}}}}\f0\fs22\par
}}
"""


def winmail_dat() -> Sample:
    t = ids.token()
    rob = Person("Robert Fischer", "r.fischer@partner.test")
    url = engage_url(t)
    orig = engage_invite(ids, rob, url, at(3, 9, 12, 33))
    f = Fwd(ids, rob, at(3, 10, 50, 0), [], [orig], relay=("exch.partner.test", "203.0.113.62"))
    data = tnef(f"FW: {orig.subject}", RTF.format(to=rob.addr, subject=orig.subject, url=url))
    boundary = f"----=_NextPart_000_{ids.hex(4, True)}_01DD{ids.hex(4, True)}.{ids.hex(8, True)}"
    headers = outlook.desktop_headers(f, f"FW: {orig.subject}", f'multipart/mixed;\n\tboundary="{boundary}"', "en",
                                      "Microsoft Outlook 16.0")
    msg = ("\n".join(headers) + "\n\nThis is a multipart message in MIME format.\n\n"
           f'--{boundary}\nContent-Type: text/plain;\n\tcharset="us-ascii"\nContent-Transfer-Encoding: 7bit\n\n\n'
           f'--{boundary}\nContent-Type: application/ms-tnef;\n\tname="winmail.dat"\nContent-Transfer-Encoding: base64\n'
           f'Content-Disposition: attachment;\n\tfilename="winmail.dat"\n\n{b64(data)}\n--{boundary}--\n')
    return Sample("outlook-winmail-dat.eml", finish(msg), rejected("unsupported_format"),
                  "Outlook in Rich Text mode: the whole forward is in a TNEF `winmail.dat` (application/ms-tnef, RTF "
                  "body) and the text part is empty.")


def msg_attachment() -> Sample:
    t = ids.token()
    lucy = Person("Lucy Brennan", "lucy.brennan@partner.test")
    url = engage_url(t)
    orig = engage_invite(ids, lucy, url, at(3, 9, 12, 33))
    f = Fwd(ids, lucy, at(3, 12, 30, 0), ["Hello,", "Please see the attached invitation, the link does not work for me.",
                                         "Kind regards,", "Lucy Brennan"], [orig], relay=("smtp.partner.test", "203.0.113.60"))
    sig_text = "Lucy Brennan | Partner Co.\n+353 1 555 0199 | https://www.partner.test/"
    sig_html = ('<p class=MsoNormal>Lucy Brennan | Partner Co.<br><a href="tel:+35315550199">+353 1 555 0199</a> | '
                '<a href="https://www.partner.test/">www.partner.test</a> | <a href="mailto:lucy.brennan@partner.test">'
                'lucy.brennan@partner.test</a><o:p></o:p></p>')
    text = text_note(f) + "\n" + sig_text + "\n"
    html_doc = (outlook.WORD_HEAD.format(charset="us-ascii", unit="in", lang="EN-US") + "\n"
                + "\n".join(f"<p class=MsoNormal>{esc(p)}<o:p></o:p></p>" for p in f.note) + "\n" + sig_html
                + "\n</div></body></html>\n")
    body = render_text(orig, "original")
    item = outlook_msg(orig.subject, "Engage", orig.sender.addr, body, "<html><body>" + esc(body) + "</body></html>")
    mixed = f"----=_NextPart_000_{ids.hex(4, True)}_01DD{ids.hex(4, True)}.{ids.hex(8, True)}"
    alt = f"----=_NextPart_001_{ids.hex(4, True)}_01DD{ids.hex(4, True)}.{ids.hex(8, True)}"
    headers = outlook.desktop_headers(f, f"FW: {orig.subject}", f'multipart/mixed;\n\tboundary="{mixed}"', "en")
    name = f"{orig.subject}.msg"
    msg = ("\n".join(headers) + "\n\nThis is a multipart message in MIME format.\n\n"
           f'--{mixed}\nContent-Type: multipart/alternative;\n\tboundary="{alt}"\n\n\n'
           f'--{alt}\nContent-Type: text/plain;\n\tcharset="us-ascii"\nContent-Transfer-Encoding: 7bit\n\n{text}\n'
           f'--{alt}\nContent-Type: text/html;\n\tcharset="us-ascii"\nContent-Transfer-Encoding: quoted-printable\n\n{qp(html_doc)}\n'
           f"--{alt}--\n\n"
           f'--{mixed}\nContent-Type: application/vnd.ms-outlook;\n\tname="{name}"\nContent-Transfer-Encoding: base64\n'
           f'Content-Disposition: attachment;\n\tfilename="{name}"\n\n{b64(item)}\n--{mixed}--\n')
    return Sample("outlook-msg-attachment.eml", finish(msg), rejected("unsupported_format"),
                  "Outlook for Windows with the invite attached as an Outlook item (.msg, application/vnd.ms-outlook, "
                  "a Compound File); the body has only a signature (website, `tel:`, `mailto:`).")


def too_large() -> Sample:
    t = ids.token()
    url = engage_url(t)
    orig = engage_invite(ids, JANE, url, at(3, 9, 12, 33))
    f = Fwd(ids, JANE, at(3, 10, 5, 0, 1), ["Hi,", "The invite is below and a screenshot of the error I get is attached.", "Jane"],
            [orig], relay=("mail-ej1-f54.google.com", "203.0.113.54"))
    image = noise_png(400, 400, seed=7)
    name = "Screenshot 2026-11-03 at 10.02.11.png"
    att = (f'Content-Type: image/png; name="{name}"\nContent-Disposition: attachment; filename="{name}"\n'
           f"Content-Transfer-Encoding: base64\nContent-ID: <f_mh2k3l9a0>\nX-Attachment-Id: f_mh2k3l9a0\n\n{b64(image)}")
    msg = with_attachments(web.gmail(f), [att], ids.gmail_boundary())
    return Sample("too-large.eml", finish(msg), rejected("too_large"),
                  "Gmail forward of a valid invite with a ~650 kB screenshot attached: over max_message_bytes (524288).")


def lookalike() -> Sample:
    t = ids.token()
    evil = "https://engage.example.com.evil.test"
    url = engage_url(t, host="engage.example.com.evil.test")
    orig = engage_invite(ids, JANE, url, at(3, 6, 40, 0), base=evil)
    orig.sender = Person("Engage", "invites@engage-example.com.evil.test")
    userinfo = engage_url(t, host="engage.example.com@evil.test")
    local = engage_url(t, scheme="http", host="localhost:8080")
    meta = "https://169.254.169.254/latest/meta-data/iam/security-credentials/"
    orig.blocks.insert(6, ("p", f'Alternative link: <a href="{esc(userinfo)}">{esc(userinfo)}</a><br>'
                                f'Using the desktop app? <a href="{esc(local)}">Open it there</a>. '
                                f'<a href="{meta}">Check your invitation status</a>.',
                           f"Alternative link: {userinfo}\nUsing the desktop app? Open it there: {local}\n"
                           f"Check your invitation status: {meta}"))
    f = Fwd(ids, JANE, at(3, 9, 15, 0), ["Hi,", "Is this invitation genuine? The link looks odd to me. If it's real, please create my account.",
                                        "Jane"], [orig], relay=("mail-am6eur05on2071.outbound.protection.outlook.com", "198.51.100.71"))
    return Sample("lookalike-hosts.eml", finish(web.owa(f)), rejected("no_invite_link"),
                  "Outlook on the web forward of a fake invite: links to `engage.example.com.evil.test`, "
                  "`engage.example.com@evil.test`, `http://localhost:8080/…` and `https://169.254.169.254/…`; no real invite.")


def http_invite() -> Sample:
    t = ids.token()
    url = engage_url(t, scheme="http")
    orig = engage_invite(ids, JANE, url, at(3, 9, 12, 33), base="http://engage.example.com")
    f = Fwd(ids, JANE, at(3, 9, 40, 0, 1), ["Hi,", "The invite link below doesn't open. Could you help?", "Jane"], [orig],
            relay=("mail-ej1-f54.google.com", "203.0.113.54"))
    return Sample("http-invite.eml", finish(web.gmail(f)), rejected("no_invite_link"),
                  "Gmail forward of an invite whose links are `http://` while the pattern requires https.")


def not_an_email_pdf() -> Sample:
    data = pdf(["Engage - Invitation", "Northwind Traders has invited you to join Engage.",
                "Printed from Mail on 3 November 2026"])
    return Sample("not-an-email-pdf.eml", data, rejected("unreadable"),
                  "A PDF (a printed invite) saved with a .eml name: not an email.")


def not_an_email_png() -> Sample:
    data = png(160, 48, lambda x, y: (79, 70, 229) if 12 <= y < 36 and 16 <= x < 144 else (243, 244, 246))
    return Sample("not-an-email-png.eml", data, rejected("unreadable"),
                  "A PNG screenshot of the invite button saved with a .eml name: not an email.")


def build() -> list[Sample]:
    return [newsletter(), two_invites(), engage_and_acme(), winmail_dat(), msg_attachment(), too_large(), lookalike(),
            http_invite(), not_an_email_pdf(), not_an_email_png()]
