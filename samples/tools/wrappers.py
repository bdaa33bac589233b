"""Security-gateway link wrappers: how gateways rewrite a link, and how to undo it.

In: a URL. Out: the URL as Safe Links, Proofpoint v2/v3, Barracuda, Sophos, Google or
Mimecast rewrites it for a recipient; and, independently written from
/work/shared/reference/url-wrappers.md, `unwrap()` that decodes them again. The generator
checks every wrapped link it writes round-trips through `unwrap()` to the exact URL, so
the expected invite_url in expected.json is right by construction.
"""

import base64
import html
import re
from urllib.parse import quote, unquote

from mime import Ids

# Characters Proofpoint v3 takes out of the URL into the base64 side string. `&` and
# `=` stay literal; `*` must go (it is the placeholder), so must `!` and `$` (the
# delimiters), `%` (the decoder percent-decodes the URL part) and `+`/`#`.
_V3_SPECIAL = set("*!$%+#")
_V3_RUN = {i + 2: c for i, c in enumerate(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}


def safelinks(url: str, ids: Ids, recipient: str, region: str = "eur01") -> str:
    """Microsoft Defender Safe Links; `data` names the recipient, as the real one does."""
    data = "%7C".join([
        "05", "02", quote(recipient, safe=""), ids.hex(32), ids.hex(32), "0", "0",
        ids.digits(18), "Unknown",
        "TWFpbGZsb3d8eyJFbXB0eU1hcGkiOnRydWUsIlYiOiIwLjAuMDAwMCIsIlAiOiJXaW4zMiIsIkFOIjoiTWFpbCIsIldUIjoyfQ%3D%3D",
        "0", "", "", "",
    ])
    sdata = quote(ids.b64(32), safe="")
    target = quote(url, safe="!*'()")  # what encodeURIComponent leaves alone
    return (
        f"https://{region}.safelinks.protection.outlook.com/?url={target}"
        f"&data={data}&sdata={sdata}&reserved=0"
    )


def proofpoint_v2(url: str, ids: Ids) -> str:
    encoded = ""
    for char in url:
        if char.isascii() and (char.isalnum() or char == "."):
            encoded += char
        elif char == "/":
            encoded += "_"
        else:
            encoded += "".join(f"-{b:02X}" for b in char.encode())
    return (
        f"https://urldefense.proofpoint.com/v2/url?u={encoded}&d=DwMFaQ"
        f"&c={ids.b64(32, urlsafe=True, pad=False)}&r={ids.b64(32, urlsafe=True, pad=False)}"
        f"&m={ids.b64(32, urlsafe=True, pad=False)}&s={ids.b64(32, urlsafe=True, pad=False)}&e="
    )


def proofpoint_v3(url: str, ids: Ids) -> str:
    text, taken, i = "", "", 0
    while i < len(url):
        if url[i] not in _V3_SPECIAL:
            text += url[i]
            i += 1
            continue
        j = i
        while j < len(url) and url[j] in _V3_SPECIAL and j - i < 65:
            j += 1
        run = url[i:j]
        taken += run
        text += "*" if len(run) == 1 else "**" + _V3_RUN[len(run)]
        i = j
    enc = base64.urlsafe_b64encode(taken.encode()).decode().rstrip("=")
    return (
        f"https://urldefense.com/v3/__{text}__;{enc}!!{ids.b64(9, urlsafe=True, pad=False)}"
        f"!{ids.b64(45, urlsafe=True, pad=False)}$"
    )


def barracuda(url: str, ids: Ids) -> str:
    encoded = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(url, safe=""))
    return (
        f"https://linkprotect.cudasvc.com/url?a={encoded}"
        f"&c=E,1,{ids.b64(72, urlsafe=True, pad=False)},&typo=1"
    )


def sophos(url: str, ids: Ids, domain: str) -> str:
    return (
        f"https://eu-west-1.protection.sophos.com/?d={domain}"
        f"&u={base64.b64encode(url.encode()).decode()}&i={ids.b64(18)}&t={ids.b64(33)}"
        f"&h={ids.hex(32)}&s=AVNPUEhUT0NFTkNSWVBUSVa{ids.b64(33, urlsafe=True, pad=False)}"
    )


def google(url: str, ids: Ids) -> str:
    """Gmail's redirect, as "Copy link address" in Gmail web gives it."""
    return (
        f"https://www.google.com/url?q={quote(url, safe=':/?')}&source=gmail"
        f"&ust=17935{ids.digits(11)}&usg=AOvVaw{ids.b64(18, urlsafe=True, pad=False)}"
    )


def mimecast(url: str, ids: Ids) -> str:
    host = re.match(r"https?://([^/?#:]+)", url).group(1)
    return f"https://protect-eu.mimecast.com/s/{ids.alnum(21)}?domain={host}"


# ---- decoding, written from the reference table, used to check what was written ----

def _param(url: str, name: str) -> str | None:
    query = url.split("?", 1)[1] if "?" in url else ""
    for pair in query.split("&"):
        if pair.startswith(name + "="):
            return pair[len(name) + 1:]
    return None


def _v3(url: str) -> str:
    match = re.search(r"v3/__(?P<url>.+?)__;(?P<enc>.*?)!", url)
    body = unquote(match.group("url"))
    chars = base64.urlsafe_b64decode(match.group("enc") + "==").decode()
    inv = {c: n for n, c in _V3_RUN.items()}
    out, pos, i = "", 0, 0
    while i < len(body):
        if body.startswith("**", i) and i + 2 < len(body):
            n = inv[body[i + 2]]
            out += chars[pos:pos + n]
            pos += n
            i += 3
        elif body[i] == "*":
            out += chars[pos]
            pos += 1
            i += 1
        else:
            out += body[i]
            i += 1
    return out


def unwrap_once(url: str) -> tuple[str | None, bool]:
    """(decoded, opaque): one layer decoded, or (None, True) for an opaque wrapper, or
    (None, False) when `url` is not a wrapper."""
    host = re.match(r"https?://([^/?#:]+)", url, re.I)
    host = host.group(1).lower() if host else ""
    if host.endswith(".safelinks.protection.outlook.com"):
        return unquote(_param(url, "url")), False
    if host == "urldefense.proofpoint.com" and "/v2/url?" in url:
        encoded = re.search(r"u=(.+?)&[dc]=", url).group(1)
        return html.unescape(unquote(encoded.replace("-", "%").replace("_", "/"))), False
    if host in ("urldefense.com", "urldefense.us") and "/v3/__" in url:
        return _v3(url), False
    if host == "linkprotect.cudasvc.com":
        return unquote(_param(url, "a")), False
    if host.endswith(".protection.sophos.com"):
        return base64.b64decode(_param(url, "u")).decode(), False
    if host == "www.google.com" and url.split("?")[0].endswith("/url"):
        return unquote(_param(url, "q") or _param(url, "url")), False
    if host.endswith(".mimecast.com") or host.endswith(".mimecastprotect.com"):
        return None, True
    return None, False


def unwrap(url: str) -> tuple[str, bool]:
    """(innermost URL, stopped at an opaque wrapper)."""
    for _ in range(5):
        decoded, opaque = unwrap_once(url)
        if opaque:
            return url, True
        if decoded is None:
            return url, False
        url = decoded
    return url, False
