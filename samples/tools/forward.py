"""What every forward shares: who forwards what, and the headers the support mailbox's
server adds on delivery.

In: a `Fwd` (requester, date, the user's note, the original(s), the recipient
gateway's link wrapper, the sender-authentication result). Out: delivery headers
(Return-Path, Received, Authentication-Results) and small helpers the client modules
use to write their own markup.
"""

import datetime as dt
import html
import re
from dataclasses import dataclass, field

from mime import Ids, rfc5322_date
from originals import Original, Person, Wrap, same

SUPPORT = "support@corp.example"


@dataclass
class Fwd:
    ids: Ids
    requester: Person
    when: dt.datetime
    note: list[str]
    origs: list[Original]
    wrap: Wrap = same
    # "pass", "fail", or None (no Authentication-Results header at all)
    auth: str | None = "pass"
    # (host, ip) of the server that handed the forward to mx.corp.example
    relay: tuple[str, str] = ("mail.partner.test", "203.0.113.25")
    extra: dict = field(default_factory=dict)
    # Where this forward went: the support mailbox, or (for a forward that is itself
    # forwarded later) someone else's mailbox behind another server.
    to_addr: str = SUPPORT
    mx: str = "mx.corp.example"

    @property
    def orig(self) -> Original:
        return self.origs[0]

    @property
    def domain(self) -> str:
        return self.requester.addr.split("@")[1]


def auth_results(f: Fwd) -> str:
    dom, addr, ip = f.domain, f.requester.addr, f.relay[1]
    sel = f.ids.alnum(8)
    if f.auth == "pass":
        return (f"Authentication-Results: {f.mx};\n"
                f"\tdkim=pass header.d={dom} header.s=s1 header.b={sel};\n"
                f"\tspf=pass ({f.mx}: domain of {addr} designates {ip} as permitted sender) smtp.mailfrom={addr};\n"
                f"\tdmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from={dom}")
    return (f"Authentication-Results: {f.mx};\n"
            f"\tdkim=fail (signature did not verify) header.d={dom} header.s=s1 header.b={sel};\n"
            f"\tspf=softfail ({f.mx}: domain of transitioning {addr} does not designate {ip} as permitted sender) smtp.mailfrom={addr};\n"
            f"\tdmarc=fail (p=QUARANTINE sp=QUARANTINE dis=QUARANTINE) header.from={dom}")


def delivery(f: Fwd) -> list[str]:
    """Headers the receiving server (mx.corp.example for the support mailbox) prepends
    when it accepts the forward."""
    arrived = f.when + dt.timedelta(seconds=f.ids.rng.randint(2, 40))
    host, ip = f.relay
    lines = [
        f"Return-Path: <{f.requester.addr}>",
        f"Delivered-To: {f.to_addr}",
        f"Received: from {host} ({host} [{ip}])\n\tby {f.mx} (Postfix) with ESMTPS id {f.ids.postfix_queue_id()}\n"
        f"\tfor <{f.to_addr}>; {rfc5322_date(arrived.astimezone(dt.timezone.utc), zone_comment='UTC')}",
    ]
    if f.auth:
        lines.append(auth_results(f))
    return lines


def dkim(f: Fwd, selector: str = "s1", signed: str = "from:to:subject:date:message-id:mime-version:content-type") -> str:
    return (f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={f.domain}; s={selector};\n"
            f"\tt={int(f.when.timestamp())}; h={signed};\n\tbh={f.ids.b64(32)};\n"
            f"\tb={f.ids.b64(96)[:72]}\n\t {f.ids.b64(96)[:56]}")


def rename_classes(markup: str, prefix: str) -> str:
    """Prefix every class name and id, as Gmail (`m_<digits>`), Outlook on the web
    (`x_`) and Yahoo (`yiv<digits>`) do to a message they quote."""
    def classes(m: re.Match) -> str:
        return f'{m.group(1)}="' + " ".join(prefix + c for c in m.group(2).split()) + '"'
    markup = re.sub(r'\b(class)="([^"]*)"', classes, markup)
    return re.sub(r'\b(id)="([^"]*)"', classes, markup)


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def text_note(f: Fwd) -> str:
    return "\n\n".join(f.note) + "\n"


def orig_to_html(person: Person) -> str:
    """`Jane Doe &lt;jane@x&gt;` as most clients print a mailbox in HTML."""
    if person.name:
        return f"{esc(person.name)} &lt;{person.addr}&gt;"
    return person.addr
