"""What the sample definitions share: the Sample record, the people, dates, expected
results and small edits to built messages.

In: nothing. Out: helpers used by samples_invites.py and samples_failures.py.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from mime import SOFT_BREAK, Ids, tz
from originals import Person

IDS = Ids(20261103)


@dataclass
class Sample:
    file: str
    data: bytes
    expected: dict
    about: str
    # byte strings the raw file must contain (where a QP soft break falls, a charset byte…)
    raw_checks: list = field(default_factory=list)


JANE = Person("Jane Doe", "jane.doe@partner.test")
TOM = Person("Tom Becker", "tom.becker@partner.test")


def at(day: int, hour: int, minute: int, second: int = 0, offset: float = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=tz(offset))


def invite(url: str, invitee: str | None, requester: str, platform: str = "Engage") -> dict:
    return {"outcome": "invite", "platform": platform, "invite_url": url,
            "invitee": invitee, "requester": requester}


def rejected(reason: str) -> dict:
    return {"outcome": "rejected", "reason": reason}


def set_header(message: str, name: str, value: str) -> str:
    """Replace the first `name:` header (with its continuation lines) in the header block."""
    head, sep, body = message.partition("\n\n")
    pattern = re.compile(rf"^{re.escape(name)}: .*(?:\n[ \t].*)*", re.M)
    assert pattern.search(head), name
    return pattern.sub(lambda _: f"{name}: {value}", head, count=1) + sep + body


def drop_header(message: str, name: str) -> str:
    """Remove every `name:` header (with continuation lines) from the header block."""
    head, sep, body = message.partition("\n\n")
    head = re.sub(rf"^{re.escape(name)}: .*(?:\n[ \t].*)*\n?", "", head, flags=re.M)
    return head.rstrip("\n") + sep + body


def soft_break_at(text: str, marker: str, offset: int, occurrence: int = 0) -> str:
    """Force a quoted-printable soft break `offset` characters into the n-th `marker`."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(marker, index + 1)
    cut = index + offset
    return text[:cut] + SOFT_BREAK + text[cut:]


def with_attachments(message: str, parts: list[str], boundary: str) -> str:
    """Turn a message into multipart/mixed: its old body first, then `parts` (each a
    MIME part: headers, blank line, body)."""
    head, _, body = message.partition("\n\n")
    ctype = re.search(r"^Content-Type: .*(?:\n[ \t].*)*", head, re.M | re.I).group(0)
    cte = re.search(r"^Content-Transfer-Encoding: .*\n?", head, re.M | re.I)
    inner_head = ctype + ("\n" + cte.group(0).strip() if cte else "")
    head = head.replace(ctype, f'Content-Type: multipart/mixed; boundary="{boundary}"')
    if cte:
        head = head.replace(cte.group(0), "")
    return (head.rstrip("\n") + "\n\n" + f"--{boundary}\n{inner_head}\n\n{body.rstrip()}\n"
            + "".join(f"\n--{boundary}\n{p.rstrip()}\n" for p in parts) + f"\n--{boundary}--\n")
