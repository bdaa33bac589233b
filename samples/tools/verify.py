"""Checks each generated sample against its expected result, independently of the
Rust extractor.

In: the bytes of one sample and its expected.json entry. Out: a list of problems (empty
when the sample is right). The check parses the message with Python's `email` package
(transfer encodings and charsets undone), takes `a[href]` values from HTML with
html.parser (entities decoded; whitespace trimmed and tabs/newlines dropped as browsers
do) or URLs from plain text (`>` quoting removed, `<…>`-wrapped URLs rejoined, literal
`&amp;` undone), unwraps gateway links with wrappers.unwrap, and matches the platforms'
patterns from onbehalf.toml. It shares no code with the samples' builders except the
wrapper table, whose decoders are themselves checked against the reference vectors.
"""

import email
import email.policy
import re
from email.utils import parseaddr
import html as html_module
from html.parser import HTMLParser

from wrappers import unwrap

LIMIT = 524288
PLATFORMS = {
    "Engage": "https://engage.example.com/invitations/accept?*",
    "Acme Learn": "https://learn.acme.test/join/*",
}
UNSUPPORTED = {"application/ms-tnef", "application/vnd.ms-tnef", "application/vnd.ms-outlook"}


class _Hrefs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.hrefs.append(re.sub(r"[\t\n\r]", "", value).strip(" \x0c"))


def html_links(markup: str) -> list[str]:
    parser = _Hrefs()
    parser.feed(markup)
    return parser.hrefs


def text_links(text: str) -> list[str]:
    lines = [re.sub(r"^(?:> ?)+", "", line) for line in text.replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines)
    # RFC 3986 appendix C: whitespace inside <…> around a URL is not part of it
    text = re.sub(r"<(https?://[^<>]*)>", lambda m: "<" + re.sub(r"\s+", "", m.group(1)) + ">", text)
    found = []
    for match in re.finditer(r"https?://[^\s<>\"]+", text, re.I):
        found.append(match.group(0).rstrip(".,;:)]>\"'").replace("&amp;", "&"))
    return found


def _links(part) -> tuple[list[str], bool]:
    """(links, has an unreadable Outlook/TNEF part)."""
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        return _links(part.get_payload(0))
    if part.is_multipart():
        subs = part.get_payload()
        if ctype == "multipart/alternative":
            html = [s for s in subs if s.get_content_type() == "text/html"]
            return _links(html[-1] if html else subs[0])
        links, unsupported = [], False
        for sub in subs:
            more, flag = _links(sub)
            links += more
            unsupported |= flag
        return links, unsupported
    if ctype in UNSUPPORTED:
        return [], True
    if part.get_content_disposition() == "attachment" and not ctype.startswith("text/"):
        return [], False
    if ctype == "text/html":
        return html_links(part.get_content()), False
    if ctype == "text/plain":
        return text_links(part.get_content()), False
    return [], False


def classify(links: list[str]) -> tuple[set, bool]:
    invites, opaque = set(), False
    for link in links:
        url, stopped = unwrap(link)
        opaque |= stopped
        for name, pattern in PLATFORMS.items():
            origin = re.match(r"https?://[^/?#]+", pattern).group(0)
            rest = ".*".join(re.escape(piece) for piece in pattern[len(origin):].split("*"))
            if url[:len(origin)].lower() == origin.lower() and re.fullmatch(rest, url[len(origin):], re.S):
                invites.add((name, url))
    return invites, opaque


def visible_invites(msg) -> set:
    """Invite URLs anywhere in the text of any text part (HTML source and visible text
    included), for cases that must not contain one at all."""
    found = []
    for part in msg.walk():
        if part.get_content_maintype() == "text" and part.get_content_disposition() != "attachment":
            found += text_links(html_module.unescape(part.get_content()))
    return classify(found)[0]


def check(data: bytes, expected: dict) -> list[str]:
    problems = []
    msg = email.message_from_bytes(data, policy=email.policy.default)
    readable = bool(msg.keys()) and msg.get("From") is not None
    reason = expected.get("reason")
    if reason == "unreadable":
        return [] if not readable else ["parses as an email"]
    if not readable:
        return ["does not parse as an email"]
    if reason == "too_large":
        return [] if len(data) > LIMIT else [f"only {len(data)} bytes"]
    if len(data) > LIMIT:
        problems.append(f"{len(data)} bytes is over the limit")
    links, unsupported = _links(msg)
    invites, opaque = classify(links)
    if expected["outcome"] == "invite":
        want = {(expected["platform"], expected["invite_url"])}
        if invites != want:
            problems.append(f"invite links {sorted(invites)} != {sorted(want)}")
        requester = parseaddr(str(msg["From"]))[1].lower()
        if requester != expected["requester"]:
            problems.append(f"requester {requester} != {expected['requester']}")
    if reason == "ambiguous_invite_links":
        if len(invites) < 2:
            problems.append(f"only {sorted(invites)}")
    if reason in ("no_invite_link", "opaque_wrapped_link", "unsupported_format") and visible_invites(msg):
        problems.append(f"an invite URL is readable in the text: {sorted(visible_invites(msg))}")
    if reason == "no_invite_link":
        if invites or opaque or unsupported:
            problems.append(f"found {sorted(invites)} opaque={opaque} unsupported={unsupported}")
    elif reason == "opaque_wrapped_link":
        if invites or not opaque:
            problems.append(f"found {sorted(invites)} opaque={opaque}")
    elif reason == "unsupported_format":
        if invites or not unsupported:
            problems.append(f"found {sorted(invites)} unsupported={unsupported}")
    return problems
