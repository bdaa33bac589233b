"""MIME building blocks for the sample generator.

In: text, bytes and dates. Out: header values and body encodings written the way mail
clients write them (quoted-printable with 76-column lines, base64 in 76-column lines,
RFC 2047 encoded words), plus deterministic identifiers, so that rerunning the generator
gives byte-identical samples.
"""

import base64
import datetime as dt
import random

# Put this character into text given to qp() to force a soft line break at that exact
# spot (used to place a break inside a URL, before "=3D" or inside "%2F").
SOFT_BREAK = "\x1f"

_QP_MAX = 76
_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def qp(text: str, charset: str = "utf-8") -> str:
    """Quoted-printable per RFC 2045: lines of at most 76 characters, soft breaks
    (`=` at the end of a line) wherever a line would be too long, never inside an
    `=XX` escape; trailing blanks encoded. SOFT_BREAK forces a soft break."""
    out = []
    for line in text.split("\n"):
        units = []
        for index, piece in enumerate(line.split(SOFT_BREAK)):
            if index:
                units.append(SOFT_BREAK)
            for byte in piece.encode(charset):
                char = chr(byte)
                if (33 <= byte <= 126 and char != "=") or char in " \t":
                    units.append(char)
                else:
                    units.append(f"={byte:02X}")
        real = [i for i, u in enumerate(units) if u != SOFT_BREAK]
        if real and units[real[-1]] in (" ", "\t"):
            units[real[-1]] = f"={ord(units[real[-1]]):02X}"
        current = ""
        for unit in units:
            if unit == SOFT_BREAK:
                out.append(current + "=")
                current = ""
                continue
            if len(current) + len(unit) > _QP_MAX - 1:
                out.append(current + "=")
                current = ""
            current += unit
        out.append(current)
    return "\n".join(out)


def b64(data: bytes) -> str:
    """Base64 in 76-character lines, ending with a newline."""
    return base64.encodebytes(data).decode("ascii")


def q_word(text: str, charset: str = "UTF-8") -> str:
    """One RFC 2047 Q-encoded word (callers keep the text short)."""
    encoded = ""
    for byte in text.encode(charset):
        char = chr(byte)
        if char.isascii() and (char.isalnum() or char in "!*+-/"):
            encoded += char
        elif char == " ":
            encoded += "_"
        else:
            encoded += f"={byte:02X}"
    return f"=?{charset}?Q?{encoded}?="


def q_words(text: str, charset: str = "UTF-8", fold: str = "\n ") -> str:
    """RFC 2047 Q-encoded words of at most 75 characters each, folded with `fold`."""
    words, chunk = [], ""
    for char in text:
        if chunk and len(q_word(chunk + char, charset)) > 75:
            words.append(chunk)
            chunk = char
        else:
            chunk += char
    words.append(chunk)
    return fold.join(q_word(w, charset) for w in words)


def b_words(text: str, charset: str, fold: str = "\n ") -> str:
    """RFC 2047 B-encoded words of at most 75 characters, split between characters so
    that stateful charsets (ISO-2022-JP) stay valid in each word; folded with `fold`."""
    words, chunk = [], ""
    prefix = f"=?{charset}?B?"
    for char in text:
        candidate = chunk + char
        size = len(prefix) + len(base64.b64encode(candidate.encode(charset))) + 2
        if size > 75 and chunk:
            words.append(chunk)
            chunk = char
        else:
            chunk = candidate
    if chunk:
        words.append(chunk)
    return fold.join(
        f"{prefix}{base64.b64encode(w.encode(charset)).decode('ascii')}?=" for w in words
    )


def tz(hours: float) -> dt.timezone:
    """A fixed UTC offset."""
    return dt.timezone(dt.timedelta(hours=hours))


def rfc5322_date(when: dt.datetime, pad_day: bool = False, zone_comment: str = "") -> str:
    """`Tue, 3 Nov 2026 09:12:33 +0000` (the day zero-padded when asked)."""
    offset = when.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    day = f"{when.day:02d}" if pad_day else str(when.day)
    text = (
        f"{_WEEKDAYS[when.weekday()]}, {day} {_MONTHS[when.month - 1]} {when.year} "
        f"{when:%H:%M:%S} {sign}{minutes // 60:02d}{minutes % 60:02d}"
    )
    return text + (f" ({zone_comment})" if zone_comment else "")


def finish(message: str) -> bytes:
    """The message with CRLF line ends, as clients save .eml files, in UTF-8 (only 8bit
    parts contain anything but ASCII)."""
    return message.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def finish_lf(message: str) -> bytes:
    """The message with bare LF line ends, as a Maildir on Linux stores it."""
    return message.replace("\r\n", "\n").encode("utf-8")


class Ids:
    """Deterministic random identifiers (Message-IDs, boundaries, tokens, signatures)."""

    ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    URLSAFE = ALNUM + "-_"

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.tokens: set[str] = set()

    def choice(self, alphabet: str, length: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def hex(self, length: int, upper: bool = False) -> str:
        text = self.choice("0123456789abcdef", length)
        return text.upper() if upper else text

    def alnum(self, length: int) -> str:
        return self.choice(self.ALNUM, length)

    def digits(self, length: int) -> str:
        return str(self.rng.randint(1, 9)) + self.choice("0123456789", length - 1)

    def b64(self, nbytes: int, urlsafe: bool = False, pad: bool = True) -> str:
        raw = bytes(self.rng.getrandbits(8) for _ in range(nbytes))
        text = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()
        return text if pad else text.rstrip("=")

    def uuid(self, upper: bool = False) -> str:
        h = self.hex(32)
        text = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[self.rng.randint(0, 3)]}{h[17:20]}-{h[20:]}"
        return text.upper() if upper else text

    def token(self, need: str = "", length: int = 0) -> str:
        """A fresh invite token of 20 to 40 URL-safe characters, unique in the corpus,
        containing every character in `need` (for wrappers that must escape them)."""
        while True:
            size = length or self.rng.randint(22, 36)
            text = self.choice(self.URLSAFE, size)
            if text[0] in "-_" or text[-1] in "-_":
                continue
            if all(c in text for c in need) and text not in self.tokens:
                self.tokens.add(text)
                return text

    def gmail_boundary(self) -> str:
        return "000000000000" + self.hex(16)

    def gmail_message_id(self) -> str:
        return f"<CA{self.choice(self.ALNUM + '+_-=', 54)}@mail.gmail.com>"

    def outlook_com_message_id(self, server: str) -> str:
        return f"<{server}{self.hex(32, upper=True)}@{server}.eurprd08.prod.outlook.com>"

    def outlook_desktop_message_id(self, domain: str) -> str:
        return f"<00{self.hex(2)}01dd{self.hex(4)}${self.hex(8)}${self.hex(8)}$@{domain}>"

    def ses_message_id(self) -> str:
        return (
            f"<0102019a{self.hex(8)}-{self.uuid()}-000000@eu-west-1.amazonses.com>"
        )

    def apple_uuid(self) -> str:
        return self.uuid(upper=True)

    def thunderbird_boundary(self) -> str:
        return "------------" + self.alnum(24)

    def postfix_queue_id(self) -> str:
        return "4d" + self.choice("BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789", 12)
