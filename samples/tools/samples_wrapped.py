"""Samples whose links went through security gateways or trackers, and samples where
the user pasted the link into a new message instead of forwarding.

In: nothing. Out: `build()`, a list of Sample.
"""

import base64
import html

import clients_other as other
import clients_outlook as outlook
import clients_web as web
import wrappers
from forward import Fwd, text_note
from mime import finish, qp
from originals import Person, engage_invite, engage_url
from samples_common import IDS, JANE, Sample, at, drop_header, invite, rejected

ids = IDS


def proofpoint_v2() -> Sample:
    t = ids.token(need="-_")
    greg = Person("Greg Howard", "greg.howard@partner.test")
    url = engage_url(t)
    orig = engage_invite(ids, greg, url, at(3, 9, 12, 33), decline_token=t)
    f = Fwd(ids, greg, at(3, 9, 51, 30, -5), ["Hi,", "See below. The link opens a page that says my invitation is invalid.",
                                             "Thanks,", "Greg"], [orig],
            wrap=lambda u: wrappers.proofpoint_v2(u, ids), relay=("mx0a-00123401.pphosted.test", "198.51.100.140"))
    return Sample("outlook-2013-proofpoint-v2.eml", finish(outlook.outlook_word(f, border="#B5C4DF")),
                  invite(url, greg.addr, greg.addr),
                  "Outlook 2013 Word HTML (older `border-top:solid #B5C4DF`), every link rewritten by Proofpoint URL "
                  "Defense v2 (`-`/`_` in the token escaped as `-2D`/`-5F`).")


def proofpoint_v3() -> Sample:
    t = ids.token()
    amelia = Person("Amelia Hughes", "amelia.hughes@partner.test")
    url = engage_url(t, (("lang", "en-GB"), ("utm_source", "invite"), ("utm_campaign", "q4+onboarding")))
    orig = engage_invite(ids, amelia, url, at(3, 9, 12, 33))
    f = Fwd(ids, amelia, at(3, 10, 2, 4), ["Hello,", "Please could you create my account? The invitation link below does not work.",
                                          "Many thanks,", "Amelia"], [orig],
            wrap=lambda u: wrappers.proofpoint_v3(u, ids), relay=("mx0b-00123401.pphosted.test", "198.51.100.141"))
    return Sample("outlook-desktop-proofpoint-v3.eml", finish(outlook.outlook_word(f, unit="cm", mailto=False)),
                  invite(url, amelia.addr, amelia.addr),
                  "Outlook for Windows (UK, `cm` units), links rewritten by Proofpoint URL Defense v3; the `+` in "
                  "`utm_campaign=q4+onboarding` is carried as `*` plus base64 `Kw`, while `&` and `=` stay literal.",
                  [b"q4*onboarding__;Kw!!"])


def barracuda() -> Sample:
    t = ids.token()
    raj = Person("Raj Patel", "raj.patel@partner.test")
    url = engage_url(t)
    orig = engage_invite(ids, raj, url, at(3, 9, 12, 33))
    f = Fwd(ids, raj, at(3, 11, 45, 0, 1), ["Hi,", "please help: the invitation link below does not work for me."], [orig],
            wrap=lambda u: wrappers.barracuda(u, ids), relay=("smtp.partner.test", "203.0.113.61"))
    return Sample("thunderbird-inline-barracuda.eml", finish(other.thunderbird_inline(f)), invite(url, raj.addr, raj.addr),
                  "Thunderbird inline forward, every link rewritten by Barracuda Link Protection (lower-case hex).",
                  [b"linkprotect.cudasvc.com/url?a=https%3a%2f%2fengage.example.com"])


def sophos() -> Sample:
    while True:
        t = ids.token()
        url = engage_url(t)
        encoded = base64.b64encode(url.encode()).decode()
        if encoded.endswith("="):  # padding inside a query value; `+`/`/` cannot occur for ASCII URLs
            break
    eva = Person("Eva Horvat", "eva.horvat@partner.test")
    orig = engage_invite(ids, eva, url, at(3, 9, 12, 33))
    f = Fwd(ids, eva, at(3, 12, 12, 12, 1), ["Dear support,", "I am unable to accept the invitation below. Could you help?", "Eva"],
            [orig], wrap=lambda u: wrappers.sophos(u, ids, "partner.test"), relay=("smtp.partner.test", "203.0.113.61"))
    return Sample("apple-mail-sophos.eml", finish(other.apple_macos(f)), invite(url, eva.addr, eva.addr),
                  "Apple Mail on macOS, every link rewritten by Sophos Email (standard base64 in `u=`, ending in "
                  "`=` padding inside the query).",
                  [encoded.encode()[:40]])


def google_redirect() -> Sample:
    t = ids.token()
    url = engage_url(t)
    wrapped = wrappers.google(url, ids)
    f = Fwd(ids, JANE, at(3, 10, 6, 0, 1), [
        "Hello,", "I was invited to Engage by Northwind Traders but the page says my link is invalid. This is the link from the email:",
        wrapped, "Could you create my account?", "Jane"], [engage_invite(ids, JANE, url, at(3, 9, 12, 33))],
        relay=("mail-ej1-f49.google.com", "203.0.113.49"))
    divs = "<div><br></div>".join(
        f'<div><a href="{html.escape(p)}">{html.escape(p)}</a></div>' if p == wrapped else f"<div>{html.escape(p)}</div>"
        for p in f.note)
    boundary = ids.gmail_boundary()
    headers = drop_header(drop_header("\n".join(web.gmail_headers(f, "Engage invitation link", boundary)), "References"),
                          "In-Reply-To")
    html_doc = f'<div dir="ltr">{divs}</div>\n'
    msg = (headers + "\n\n"
           f'--{boundary}\nContent-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n{qp(text_note(f))}\n'
           f'--{boundary}\nContent-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
           f'{qp(html_doc)}\n--{boundary}--\n')
    return Sample("gmail-new-mail-google-redirect.eml", finish(msg), invite(url, None, JANE.addr),
                  "A new Gmail message (not a forward) with the invite pasted as Gmail's `www.google.com/url?q=` "
                  "redirect (what \"Copy link address\" gives in Gmail); no forwarded header, so invitee null.")


def copy_paste() -> Sample:
    t = ids.token()
    url = engage_url(t, (("lang", "en"),))
    f = Fwd(ids, JANE, at(4, 8, 15, 0, 1), [
        "Hello,", "I can't find the invitation email any more, but I copied the link from it earlier:", url,
        "Could you set up my Engage account with it?", "Jane"], [engage_invite(ids, JANE, url, at(3, 9, 12, 33))],
        auth="fail", relay=("unknown-host.isp.test", "192.0.2.77"))
    headers = drop_header(drop_header("\n".join(other.apple_headers(
        f, "Engage account", 'text/plain;\n\tcharset=us-ascii', False)), "References"), "In-Reply-To")
    msg = headers + "\nContent-Transfer-Encoding: quoted-printable\n\n" + qp(text_note(f))
    return Sample("copy-paste-new-mail.eml", finish(msg), invite(url, None, JANE.addr),
                  "Apple Mail new plain-text message with the invite link pasted in (no forward, so invitee null). "
                  "Authentication-Results: DKIM/SPF/DMARC fail.")


def mimecast() -> Sample:
    t = ids.token()
    paul = Person("Paul Dubois", "paul.dubois@partner.test")
    url = engage_url(t)
    orig = engage_invite(ids, paul, url, at(3, 9, 12, 33), fallback_label="Open the invitation in your browser")
    f = Fwd(ids, paul, at(3, 10, 10, 10, 1), ["Hi,", "The invitation link below does not work. Can you set me up?", "Paul"], [orig],
            wrap=lambda u: wrappers.mimecast(u, ids), relay=("eu-smtp-delivery-1.mimecast.test", "198.51.100.151"))
    return Sample("outlook-desktop-mimecast.eml", finish(outlook.outlook_word(f)), rejected("opaque_wrapped_link"),
                  "Outlook for Windows, every link behind Mimecast URL Protect (`protect-eu.mimecast.com/s/…`), which "
                  "cannot be decoded offline; the template shows the URL nowhere but in hrefs.")


def safelinks_proofpoint() -> Sample:
    t = ids.token()
    chloe = Person("Chloe Evans", "chloe.evans@partner.test")
    url = engage_url(t, (("lang", "en"),)) + "#!/welcome"
    orig = engage_invite(ids, chloe, url, at(3, 9, 12, 33))
    f = Fwd(ids, chloe, at(3, 13, 31, 0), ["Hi team,", "My invitation is below, the link does not work for me. Could you create my account?",
                                          "Chloe"], [orig],
            wrap=lambda u: wrappers.safelinks(wrappers.proofpoint_v3(u, ids), ids, chloe.addr, "eur01"),
            relay=("mail-am0eur02on2104.outbound.protection.outlook.com", "198.51.100.104"))
    return Sample("owa-safelinks-proofpoint-v3.eml", finish(web.owa(f)), invite(url, chloe.addr, chloe.addr),
                  "Outlook on the web, links wrapped twice: Safe Links around Proofpoint v3; the invite ends in "
                  "`#!/welcome`, a run of two special characters (`**A` + base64 `IyE`).",
                  [b"**A%2Fwelcome__%3BIyE!!"])


def safelinks_and_bare() -> Sample:
    t = ids.token()
    hana = Person("Hana Kim", "hana.kim@partner.test")
    url = engage_url(t)
    orig = engage_invite(ids, hana, url, at(3, 9, 12, 33))
    bare = html.escape(url)
    f = Fwd(ids, hana, at(3, 14, 0, 30), ["Hi,", f"The invitation is below; this is the link itself: {url}",
                                         "It gives me an error. Could you create my account?", "Hana"], [orig],
            wrap=lambda u: wrappers.safelinks(u, ids, hana.addr, "eur01"),
            relay=("mail-he1eur04on2131.outbound.protection.outlook.com", "198.51.100.131"),
            extra={"html_edit": lambda s: s.replace(bare, f'<a href="{bare}" id="LPlnk294731">{bare}</a>', 1)})
    return Sample("owa-safelinks-and-bare.eml", finish(web.owa(f)), invite(url, hana.addr, hana.addr),
                  "Outlook on the web: the invite bare in the user's note and behind Safe Links in the forwarded body "
                  "(button and fallback): one link, not ambiguous.",
                  [b'id=3D"LPlnk294731"'])


def build() -> list[Sample]:
    return [proofpoint_v2(), proofpoint_v3(), barracuda(), sophos(), google_redirect(), copy_paste(), mimecast(),
            safelinks_proofpoint(), safelinks_and_bare()]
