"""The samples that must yield an invite: one per client and language, encoding, and
gateway wrapper.

In: nothing. Out: `build()`, a list of Sample whose expected outcome is "invite".
"""

import html

import clients_other as other
import clients_outlook as outlook
import clients_web as web
import wrappers
from forward import Fwd
from mime import finish, finish_lf, q_word
from originals import Original, Person, acme_invite, engage_invite, engage_url, render_text
from samples_common import IDS, JANE, TOM, Sample, at, invite, set_header, soft_break_at

ids = IDS


def gmail_web_en() -> Sample:
    t = ids.token()
    url = engage_url(t)
    orig = engage_invite(ids, JANE, url, at(3, 9, 12, 33), decline_token=t)
    f = Fwd(ids, JANE, at(3, 10, 14, 52, 1), [
        "Hi support team,",
        "I received this invitation from Northwind Traders, but the Accept button only shows an error page. Could you set up my account?",
        "Thanks,\nJane"], [orig], relay=("mail-ej1-f54.google.com", "203.0.113.54"))
    sig = ('Jane Doe | Procurement<br>Partner Co. | <a href="tel:+442079460958">+44 20 7946 0958</a> | '
           '<a href="https://www.partner.test/">www.partner.test</a>',
           "Jane Doe | Procurement\nPartner Co. | +44 20 7946 0958 | https://www.partner.test/")
    return Sample("gmail-web-en.eml", finish(web.gmail(f, signature=sig)), invite(url, JANE.addr, JANE.addr),
                  "Gmail web, English: text+HTML alternative, `div.gmail_quote` > `div.gmail_attr`, original classes "
                  "renamed `m_<digits>…`; invite button and fallback link to the same URL, plus logo, decline, "
                  "unsubscribe/preferences/privacy, `mailto:`, `tel:` and a signature link.")


def gmail_web_de() -> Sample:
    t = ids.token()
    marie = Person("Marie Müller", "m.mueller@partner-gmbh.test")
    url = engage_url(t, (("lang", "de"), ("utm_source", "invite"), ("utm_medium", "email")))
    orig = engage_invite(ids, marie, url, at(3, 8, 2, 11), lang="de", inviter="Priya Raman")
    f = Fwd(ids, marie, at(3, 9, 45, 3, 1), [
        "Guten Tag,",
        "ich habe diese Einladung erhalten, aber der Link funktioniert bei mir nicht. Könnten Sie mein Konto anlegen?",
        "Viele Grüße\nMarie Müller"], [orig], relay=("mail-wm1-f41.google.com", "203.0.113.41"))
    msg = set_header(web.gmail(f, lang="de", b64_bodies=True), "From", f"{q_word('Marie Müller')} <{marie.addr}>")
    return Sample("gmail-web-de.eml", finish(msg), invite(url, marie.addr, marie.addr),
                  "Gmail web in German: `Von:` in the gmail_attr while the marker, `Date:`, `Subject:`, `To:` stay "
                  "English; German Engage template (`lang=de`); base64 bodies; RFC 2047 From name.")


def gmail_app_plain() -> Sample:
    t = ids.token()
    sam = Person("Samuel Okafor", "s.okafor@partner.test")
    url = engage_url(t, (("utm_source", "invite"),), token_at=1)
    orig = engage_invite(ids, sam, url, at(3, 7, 55, 40))
    f = Fwd(ids, sam, at(3, 8, 31, 9), ["Please help, the invite link below doesn’t open on my phone.", "Sam"], [orig],
            relay=("mail-pj1-f48.google.com", "203.0.113.48"))
    return Sample("gmail-app-plain.eml", finish(web.gmail_app_plain(f)), invite(url, sam.addr, sam.addr),
                  "Gmail Android app: a single text/plain part, links as `label <URL>`; token after another parameter.")


def gmail_fwd_fwd_colleague() -> Sample:
    t = ids.token()
    url = engage_url(t)
    orig = engage_invite(ids, JANE, url, at(2, 16, 40, 2))
    hop = {"note": ["Tom, could you pass this to the vendor's support? I'm travelling and can't get it to work."],
           "orig": Original(JANE, TOM, f"Fwd: {orig.subject}", at(3, 7, 20, 0, 1), ids.gmail_message_id(), [])}
    f = Fwd(ids, TOM, at(3, 9, 2, 44, 1), [
        "Hello,",
        "Forwarding on behalf of my colleague Jane Doe, who is travelling this week. The invitation below was sent to her.",
        "Best regards,\nTom Becker"], [orig], relay=("mail-ed1-f43.google.com", "203.0.113.43"), extra={"hops": [hop]})
    return Sample("gmail-fwd-fwd-colleague.eml", finish(web.gmail(f)), invite(url, JANE.addr, TOM.addr),
                  "Gmail forward of a Gmail forward (Jane → Tom → support): two nested Forwarded-message blocks, "
                  "inner classes renamed twice; requester Tom differs from invitee Jane.")


def owa_en() -> Sample:
    t = ids.token()
    oliver = Person("Oliver Grant", "o.grant@partner.test")
    url = engage_url(t)
    orig = engage_invite(ids, oliver, url, at(3, 9, 12, 33), decline_token=t)
    f = Fwd(ids, oliver, at(3, 9, 20, 41), [
        "Hi,", "The invite link below doesn't work for me, could you set up my account please?", "Thanks,", "Oliver"],
        [orig], relay=("mail-am6eur05on2071.outbound.protection.outlook.com", "198.51.100.71"),
        extra={"html_edit": lambda s: soft_break_at(s, "accept?token=", 12),
               "text_edit": lambda s: soft_break_at(s, t, 7)})
    return Sample("owa-en.eml", finish(web.owa(f, html_charset="iso-8859-1")), invite(url, oliver.addr, oliver.addr),
                  "Outlook on the web, English: 32 underscores + From/Sent/To/Subject, `div#divRplyFwdMsg` after an `hr`, "
                  "`x_` classes, the `aka.ms/LearnAboutSenderIdentification` banner; ISO-8859-1 quoted-printable with "
                  "a soft break just before `=3D` (HTML) and inside the token (text).",
                  [b"accept?token=\r\n=3D", f"{t[5:7]}=\r\n{t[7:9]}".encode()])


def owa_colleague_delegate() -> Sample:
    t = ids.token()
    url = engage_url(t, (("lang", "en"),))
    orig = engage_invite(ids, JANE, url, at(3, 11, 3, 7))
    f = Fwd(ids, TOM, at(3, 14, 27, 55), [
        "Hello,", "I look after Jane Doe's mailbox while she is on leave. Please create her Engage account; the invitation is below.",
        "Kind regards,", "Tom Becker"], [orig],
        relay=("mail-db8eur05on2052.outbound.protection.outlook.com", "198.51.100.52"))
    return Sample("owa-colleague-delegate.eml", finish(web.owa(f)), invite(url, JANE.addr, TOM.addr),
                  "Outlook on the web: a delegate (Tom) forwards the invite sent to Jane; requester differs from invitee.")


def new_outlook_fr_safelinks() -> Sample:
    t = ids.token()
    claire = Person("Claire Martin", "claire.martin@partenaire.test")
    url = engage_url(t, (("lang", "fr"), ("utm_source", "invite")))
    orig = engage_invite(ids, claire, url, at(4, 8, 30, 12), lang="fr", inviter="Priya Raman", decline_token=t)
    f = Fwd(ids, claire, at(4, 9, 5, 18, 1), [
        "Bonjour,", "Je n’arrive pas à ouvrir le lien d’invitation ci-dessous. Pourriez-vous créer mon compte ?",
        "Merci d’avance,", "Claire"], [orig],
        wrap=lambda u: wrappers.safelinks(u, ids, claire.addr, "eur01"),
        relay=("mail-pr3fra01on2090.outbound.protection.outlook.com", "198.51.100.90"),
        extra={"html_edit": lambda s: soft_break_at(s, "%2Finvitations%2Faccept", 2)})
    return Sample("new-outlook-fr-safelinks.eml", finish(web.owa(f, lang="fr")), invite(url, claire.addr, claire.addr),
                  "New Outlook in French (`De :`/`Envoyé :`/`À :`/`Objet :`), every link behind Safe Links (eur01); "
                  "UTF-8 quoted-printable with a soft break inside `%2F` of the wrapped invite; RFC 2047 Subject.",
                  [b"%2=\r\nFinvitations%2Faccept"])


def outlook_word_html() -> Sample:
    t = ids.token()
    dan = Person("Daniel Novak", "d.novak@partner.test")
    url = engage_url(t, (("lang", "en"), ("utm_source", "invite"), ("utm_campaign", "guest-onboarding")))
    orig = engage_invite(ids, dan, url, at(3, 13, 1, 50))
    f = Fwd(ids, dan, at(3, 13, 40, 2, -5), [
        "Hello,", "I can’t open the invitation below – could you create the account for me?", "Kind regards,", "Daniel Novak"],
        [orig], relay=("smtp.partner.test", "203.0.113.60"))
    return Sample("outlook-desktop-word-html.eml", finish(outlook.outlook_word(f, href_break=60)), invite(url, dan.addr, dan.addr),
                  "Outlook for Windows (HTML compose): Word HTML, `border-top:solid #E1E1E1 1.0pt`, `p.MsoNormal` with "
                  "`<b>From:</b> Engage [mailto:…]`; windows-1252 quoted-printable; Word broke the button's href with "
                  "a newline; text part writes `label<URL>`.",
                  [b"=96", b"=92"])


def outlook_plain() -> Sample:
    t = ids.token()
    rob = Person("Robert Fischer", "r.fischer@partner.test")
    url = engage_url(t)
    orig = engage_invite(ids, rob, url, at(3, 10, 0, 5))
    f = Fwd(ids, rob, at(3, 10, 22, 31), ["Hi,", "please see the invitation below, the link fails for me.", "Robert"],
            [orig], relay=("smtp.partner.test", "203.0.113.60"),
            extra={"text_edit": lambda s: soft_break_at(s, "token=", 6)})
    return Sample("outlook-desktop-plain.eml", finish(outlook.outlook_plain(f)), invite(url, rob.addr, rob.addr),
                  "Outlook for Windows, plain-text compose: `-----Original Message-----`, links as `label<URL>` with "
                  "no space; quoted-printable soft break right after `token=3D`.",
                  [b"token=3D=\r\n" + t[:5].encode()])


def outlook_plain_de() -> Sample:
    t = ids.token()
    joerg = Person("Jörg Schäfer", "j.schaefer@partner-gmbh.test")
    url = engage_url(t, (("lang", "de"), ("utm_source", "invite")))
    orig = engage_invite(ids, Person("Jörg Schäfer", joerg.addr), url, at(3, 7, 15, 0), lang="de")
    f = Fwd(ids, joerg, at(3, 8, 3, 40, 1), [
        "Hallo,", "anbei die Einladung. Der Link öffnet bei mir nur eine Fehlerseite. Können Sie das Konto für mich anlegen?",
        "Grüße", "Jörg Schäfer"], [orig], relay=("mail.partner-gmbh.test", "203.0.113.77"))
    msg = set_header(outlook.outlook_plain(f, lang="de", charset="iso-8859-1"), "From",
                     f"{q_word('Jörg Schäfer', 'iso-8859-1')} <{joerg.addr}>")
    return Sample("outlook-desktop-plain-de.eml", finish(msg), invite(url, joerg.addr, joerg.addr),
                  "Outlook for Windows in German, plain text: `-----Ursprüngliche Nachricht-----`, Von/Gesendet/An/"
                  "Betreff; ISO-8859-1 quoted-printable; RFC 2047 (ISO-8859-1) From name.",
                  [b"Urspr=FCngliche", b"=?iso-8859-1?Q?J=F6rg_Sch=E4fer?="])


def outlook_ja() -> Sample:
    t = ids.token()
    taro = Person("山田 太郎", "yamada.taro@partner-jp.test")
    url = engage_url(t, (("lang", "en"), ("utm_source", "invite")))
    orig = engage_invite(ids, Person(None, taro.addr), url, at(3, 9, 12, 0, 9))
    f = Fwd(ids, taro, at(3, 18, 12, 9, 9), [
        "サポートご担当者様", "お世話になっております。Engage の招待メールが届きましたが、リンクを開くとエラーになります。",
        "アカウントの登録をお願いできますでしょうか。", "山田"], [orig], relay=("mail.partner-jp.test", "203.0.113.81"))
    return Sample("outlook-desktop-ja-iso2022jp.eml", finish(outlook.outlook_ja(f)), invite(url, taro.addr, taro.addr),
                  "Japanese Outlook: ISO-2022-JP text (7bit) and HTML (base64), 差出人/送信日時/宛先 (To)/件名 labels, "
                  "RFC 2047 ISO-2022-JP From name and Subject.",
                  [b"=?ISO-2022-JP?B?", b"charset=\"iso-2022-jp\""])


def apple_macos() -> Sample:
    t = ids.token()
    url = engage_url(t, (("lang", "en"), ("utm_source", "invite")))
    orig = engage_invite(ids, JANE, url, at(3, 9, 12, 33), decline_token=t)
    f = Fwd(ids, JANE, at(3, 10, 31, 7, 1), ["Hi,", "Could you sign me up? The button just spins.", "Jane"], [orig],
            relay=("smtp.partner.test", "203.0.113.61"))
    return Sample("apple-mail-macos.eml", finish(other.apple_macos(f)), invite(url, JANE.addr, JANE.addr),
                  "Apple Mail on macOS: `Begin forwarded message:`, From/Subject/Date/To, original inside "
                  "`blockquote type=\"cite\"`.")


def apple_ios_es() -> Sample:
    t = ids.token()
    ana = Person("Ana García", "ana.garcia@socio.test")
    url = engage_url(t, (("lang", "es"), ("utm_source", "invite")))
    orig = engage_invite(ids, ana, url, at(3, 9, 12, 33))
    f = Fwd(ids, ana, at(3, 11, 2, 18, 1), ["Hola, no consigo abrir la invitación. ¿Podéis crear mi cuenta?"], [orig],
            relay=("smtp.socio.test", "203.0.113.90"), auth="fail",
            extra={"from_header": f"{q_word('Ana García', 'utf-8')} <{ana.addr}>"})
    return Sample("apple-mail-ios-es.eml", finish(other.apple_ios(f, "es")), invite(url, ana.addr, ana.addr),
                  "Apple Mail on iOS in Spanish: `Inicio del mensaje reenviado:`, De/Asunto/Fecha/Para, `> `-quoted "
                  "text; RFC 2047 From name. Authentication-Results: DKIM/SPF/DMARC fail.")


def apple_ios_nl() -> Sample:
    t = ids.token()
    sanne = Person("Sanne de Vries", "sanne.devries@partner-nl.test")
    url = engage_url(t, (("lang", "nl"), ("utm_source", "invite"), ("utm_medium", "email")))
    orig = engage_invite(ids, sanne, url, at(3, 9, 12, 33))
    f = Fwd(ids, sanne, at(3, 12, 40, 0, 1), ["Hallo, de link in deze uitnodiging werkt niet. Kunnen jullie mijn account aanmaken?",
                                             "Groeten, Sanne"], [orig], relay=("smtp.partner-nl.test", "203.0.113.92"))
    return Sample("apple-mail-ios-nl.eml", finish(other.apple_ios(f, "nl", base64_bodies=True)),
                  invite(url, sanne.addr, sanne.addr),
                  "Apple Mail on iOS in Dutch: `Begin doorgestuurd bericht:`, Van/Onderwerp/Datum/Aan; base64 bodies.")


def thunderbird_attachment() -> Sample:
    t = ids.token()
    url = engage_url(t)
    orig = engage_invite(ids, JANE, url, at(3, 9, 12, 33), decline_token=t)
    f = Fwd(ids, JANE, at(3, 10, 42, 19, 1), ["Hello,", "my invitation is attached; the link gives me an error. Could you create the account?",
                                             "Thanks, Jane"], [orig], relay=("smtp.partner.test", "203.0.113.61"))
    return Sample("thunderbird-attachment.eml", finish(other.thunderbird_attach(f)), invite(url, JANE.addr, JANE.addr),
                  "Thunderbird default forward: the invite as a message/rfc822 attachment named `<subject>.eml`, "
                  "with its own delivery headers.")


def thunderbird_inline() -> Sample:
    t = ids.token()
    lena = Person("Lena Park", "lena.park@partner.test")
    url = engage_url(t, (("lang", "en"), ("utm_source", "invite"), ("utm_medium", "email")))
    orig = engage_invite(ids, lena, url, at(3, 9, 12, 33))
    f = Fwd(ids, lena, at(3, 15, 5, 0, 1), ["Hi,", "forwarding the invitation as requested. The button does nothing for me."],
            [orig], relay=("smtp.partner.test", "203.0.113.61"))
    return Sample("thunderbird-inline.eml", finish(other.thunderbird_inline(f)), invite(url, lena.addr, lena.addr),
                  "Thunderbird Forward Inline: `-------- Forwarded Message --------`, `div.moz-forward-container` with "
                  "`table.moz-email-headers-table`; text part format=flowed.")


def thunderbird_inline_de() -> Sample:
    t = ids.token()
    katrin = Person("Katrin Vogel", "k.vogel@partner-gmbh.test")
    url = engage_url(t, (("lang", "de"), ("utm_source", "invite")))
    orig = engage_invite(ids, katrin, url, at(3, 9, 0, 0), lang="de")
    f = Fwd(ids, katrin, at(3, 9, 58, 21, 1), ["Hallo,", "die Einladung lässt sich bei mir nicht öffnen. Bitte legen Sie mein Konto an.",
                                              "Danke und Grüße\nKatrin Vogel"], [orig], relay=("mail.partner-gmbh.test", "203.0.113.77"))
    return Sample("thunderbird-inline-de.eml", finish(other.thunderbird_inline(f, "de")), invite(url, katrin.addr, katrin.addr),
                  "Thunderbird inline in German: `-------- Weitergeleitete Nachricht --------`, Betreff/Datum/Von/An; "
                  "8bit UTF-8 parts.")


def yahoo() -> Sample:
    t = ids.token()
    kim = Person("Kim Nguyen", "kim.nguyen@yahoo.test")
    url = engage_url(t)
    orig = engage_invite(ids, Person(None, kim.addr), url, at(3, 9, 12, 33))
    f = Fwd(ids, kim, at(3, 9, 48, 10), ["Hi, please create my account, the link in this invite fails.", "Kim"], [orig],
            relay=("sonic301-21.consmr.mail.ne1.yahoo.test", "198.51.100.21"))
    return Sample("yahoo.eml", finish(web.yahoo(f)), invite(url, kim.addr, kim.addr),
                  "Yahoo Mail web: `----- Forwarded Message -----` with From/To/Sent/Subject run together on one line "
                  "in text; `yahoo_quoted` and `yiv<digits>` classes in HTML.")


def neomutt_wrapped() -> Sample:
    t = ids.token(length=30)
    url = engage_url(t)
    orig = engage_invite(ids, JANE, url, at(3, 9, 12, 33))
    cut = url.index("utm_source")
    mid = url.index(t) + 11
    text = render_text(orig, "original").replace(
        f"Accept invitation: {url}", f"Accept invitation:\n<{url[:cut]}\n{url[cut:]}>").replace(
        f"browser:\n{url}", f"browser:\n<{url[:mid]}\n{url[mid:]}>")
    f = Fwd(ids, JANE, at(3, 11, 2, 44, 1), ["Hi,", "forwarding the invite below; the accept link gives me an error page."],
            [orig], auth=None, relay=("laptop.partner.test", "203.0.113.99"))
    return Sample("neomutt-quoted-wrapped.eml", finish_lf(other.neomutt(f, text)), invite(url, JANE.addr, JANE.addr),
                  "NeoMutt with forward_quote: the original `> `-quoted, the invite URL inside `<…>` hard-wrapped across "
                  "two quoted lines (once between parameters, once inside the token); LF line ends; no "
                  "Authentication-Results header.",
                  [f"> <{url[:mid]}\n> {url[mid:]}>".encode()])


def k9_amp() -> Sample:
    t = ids.token()
    mo = Person("Mohammed Al-Sayed", "m.alsayed@partner.test")
    url = engage_url(t, (("lang", "en"), ("utm_source", "invite"), ("utm_medium", "email")))
    orig = engage_invite(ids, mo, url, at(3, 9, 12, 33))
    f = Fwd(ids, mo, at(3, 19, 0, 12, 3), ["Hello, the invitation link does not work for me. Please register my account."],
            [orig], relay=("smtp.partner.test", "203.0.113.61"))
    return Sample("k9-plain-amp.eml", finish(other.k9(f)), invite(url, mo.addr, mo.addr),
                  "K-9 Mail for Android, plain text only: its HTML-to-text conversion left literal `&amp;` in the URLs.",
                  [b"&amp;lang=3Den&amp;utm_source"])


def roundcube_href_whitespace() -> Sample:
    t = ids.token()
    nora = Person("Nora Lindqvist", "nora.lindqvist@partner.test")
    url = engage_url(t)
    orig = engage_invite(ids, nora, url, at(3, 9, 12, 33))
    cut = url.index("&")
    orig.raw_href[url] = "\n\t\t\t" + html.escape(url[:cut]) + "\n\t\t\t" + html.escape(url[cut:]) + "\n\t\t"
    f = Fwd(ids, nora, at(3, 13, 13, 13, 1), ["Hello,", "please find my Engage invitation below. Clicking it gives an error."],
            [orig], relay=("webmail.partner.test", "203.0.113.70"))
    return Sample("roundcube-href-whitespace.eml", finish(web.roundcube(f)), invite(url, nora.addr, nora.addr),
                  "Roundcube inline forward (`-------- Original Message --------`) of a template whose href values hold "
                  "newlines and tabs (inside the query and around the URL), which browsers drop.",
                  [b'href=3D"\r\n\t\t\thttps://'])


def outlook_mac_acme() -> Sample:
    t = ids.token()
    url = f"https://learn.acme.test/join/{t}"
    orig = acme_invite(ids, JANE, url, at(3, 9, 30, 0))
    f = Fwd(ids, JANE, at(3, 10, 3, 27, 1), ["Hi,", "Northwind also sent me this Acme Learn invite, and the Join button fails. Can you register me?",
                                            "Jane"], [orig], relay=("smtp.partner.test", "203.0.113.61"))
    return Sample("outlook-mac-acme-learn.eml", finish(outlook.outlook_mac(f)), invite(url, JANE.addr, JANE.addr, "Acme Learn"),
                  "Outlook for Mac forwarding an Acme Learn invite (platform \"Acme Learn\"): "
                  "`#mail-editor-reference-message-container`, `border-top:solid #B5C4DF`.")


def owa_forward_as_attachment() -> Sample:
    t = ids.token()
    fatima = Person("Fatima Haddad", "f.haddad@partner.test")
    url = engage_url(t)
    orig = engage_invite(ids, fatima, url, at(3, 9, 12, 33))
    f = Fwd(ids, fatima, at(3, 16, 45, 8), ["Hello,", "I have attached the invitation email. Could you set up my Engage account?",
                                           "Best regards,", "Fatima Haddad"], [orig],
            relay=("mail-vi1eur05on2110.outbound.protection.outlook.com", "198.51.100.110"))
    return Sample("owa-forward-as-attachment.eml", finish(web.owa_attach_original(f)), invite(url, fatima.addr, fatima.addr),
                  "Outlook on the web \"Forward as attachment\": multipart/mixed with the note and the invite as "
                  "message/rfc822.")


def nested_rfc822() -> Sample:
    t = ids.token()
    url = engage_url(t)
    orig = engage_invite(ids, JANE, url, at(2, 18, 5, 0))
    desk = Person("Partner IT Service Desk", "it-servicedesk@partner.test")
    inner = Fwd(ids, desk, at(3, 8, 50, 10), [
        "Hi Jane,", "This message was held in quarantine. We have released it and attached it here; "
                    "please forward it to the vendor if the link still does not work.", "Partner IT Service Desk"],
        [orig], to_addr=JANE.addr, mx="mx.partner.test",
        relay=("mail-db9eur05on2090.outbound.protection.outlook.com", "198.51.100.90"))
    level1 = web.owa_attach_original(inner)
    subject = f"Fw: {orig.subject}"
    f = Fwd(ids, JANE, at(3, 9, 30, 0, 1), ["Hello support,", "IT sent me my invitation as an attachment (attached). "
                                            "The link still fails, could you create my account?", "Jane"], [orig],
            relay=("smtp.partner.test", "203.0.113.61"))
    return Sample("nested-rfc822-two-levels.eml", finish(other.apple_attach(f, level1, subject)), invite(url, JANE.addr, JANE.addr),
                  "A forward of a forward as nested message/rfc822, two levels: Apple Mail \"Forward as Attachment\" of "
                  "the service desk's Outlook-on-the-web forward-as-attachment of the invite.")


def build() -> list[Sample]:
    return [gmail_web_en(), gmail_web_de(), gmail_app_plain(), gmail_fwd_fwd_colleague(), owa_en(),
            owa_colleague_delegate(), new_outlook_fr_safelinks(), outlook_word_html(), outlook_plain(),
            outlook_plain_de(), outlook_ja(), apple_macos(), apple_ios_es(), apple_ios_nl(), thunderbird_attachment(),
            thunderbird_inline(), thunderbird_inline_de(), yahoo(), neomutt_wrapped(), k9_amp(),
            roundcube_href_whitespace(), outlook_mac_acme(), owa_forward_as_attachment(), nested_rfc822()]
