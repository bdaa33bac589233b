"""Binary attachments and non-email files for the failure samples.

In: the text they carry. Out: real-format bytes: a TNEF stream (winmail.dat, MS-OXTNEF,
with the body as uncompressed "MELA" compressed-RTF), an Outlook .msg (a Compound File
Binary v3 with MS-OXMSG property streams), a PNG (zlib IDAT, CRC'd chunks) and a
one-page PDF with a correct xref table.
"""

import random
import struct
import zlib

# ---- TNEF (winmail.dat) ----

def _tnef_attr(level: int, attr_id: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attr_id, len(data)) + data + struct.pack("<H", checksum)


def _mapi_prop(prop_type: int, prop_id: int, value: bytes) -> bytes:
    head = struct.pack("<HH", prop_type, prop_id)
    if prop_type in (0x001E, 0x001F, 0x0102):  # string8, unicode, binary: counted and padded
        padded = value + b"\0" * (-len(value) % 4)
        return head + struct.pack("<II", 1, len(value)) + padded
    return head + value


def compressed_rtf_uncompressed(rtf: bytes) -> bytes:
    """PR_RTF_COMPRESSED in its uncompressed form (COMPTYPE "MELA", CRC 0)."""
    return struct.pack("<IIII", len(rtf) + 12, len(rtf), 0x414C454D, 0) + rtf


def tnef(subject: str, rtf: str, key: int = 0x5A3C) -> bytes:
    props = [
        _mapi_prop(0x001E, 0x0037, subject.encode("cp1252") + b"\0"),      # PR_SUBJECT
        _mapi_prop(0x000B, 0x0E1F, struct.pack("<I", 1)),                 # PR_RTF_IN_SYNC
        _mapi_prop(0x0003, 0x3FDE, struct.pack("<I", 1252)),              # PR_INTERNET_CPID
        _mapi_prop(0x0102, 0x1009, compressed_rtf_uncompressed(rtf.encode("cp1252"))),  # PR_RTF_COMPRESSED
    ]
    mapi = struct.pack("<I", len(props)) + b"".join(props)
    return (struct.pack("<IH", 0x223E9F78, key)
            + _tnef_attr(1, 0x00089006, struct.pack("<I", 0x00010000))            # attTnefVersion
            + _tnef_attr(1, 0x00069007, struct.pack("<II", 1252, 0))              # attOemCodepage
            + _tnef_attr(1, 0x00078008, b"IPM.Microsoft Mail.Note\0")            # attMessageClass
            + _tnef_attr(1, 0x00069003, mapi))                                     # attMAPIProps


# ---- Compound File Binary (Outlook .msg) ----

_FREE, _END, _FAT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_MSG_CLSID = bytes.fromhex("0B0D020000000000C000000000000046")


def _cfb_key(name: str):
    return (len(name), name.upper())


def cfb(tree: dict, clsid: bytes = _MSG_CLSID) -> bytes:
    """A CFB v3 file (512-byte sectors, 64-byte mini sectors below 4096 bytes) for a
    tree of {name: bytes | dict}. Sibling lists are balanced binary trees, all black."""
    entries = [{"name": "Root Entry", "type": 5, "children": tree, "clsid": clsid}]
    queue = [0]
    while queue:
        index = queue.pop(0)
        kids = entries[index]["children"]
        ids = []
        for name in sorted(kids, key=_cfb_key):
            node = {"name": name, "type": 1 if isinstance(kids[name], dict) else 2, "clsid": b"\0" * 16}
            if isinstance(kids[name], dict):
                node["children"] = kids[name]
            else:
                node["data"] = kids[name]
            entries.append(node)
            ids.append(len(entries) - 1)
            if node["type"] == 1:
                queue.append(len(entries) - 1)
        entries[index]["child"] = _balance(entries, ids)

    mini, mini_fat = b"", []
    big = []
    for e in entries:
        if e["type"] != 2:
            continue
        data = e["data"]
        if len(data) < 4096:
            e["start"] = len(mini) // 64 if data else _END
            count = (len(data) + 63) // 64
            mini_fat += [len(mini_fat) + i + 1 for i in range(count - 1)] + ([_END] if count else [])
            mini += data + b"\0" * (-len(data) % 64)
        else:
            big.append(e)
    dir_secs = (len(entries) + 3) // 4
    minifat_secs = (len(mini_fat) * 4 + 511) // 512
    ministream_secs = (len(mini) + 511) // 512
    big_secs = [(len(e["data"]) + 511) // 512 for e in big]
    payload = dir_secs + minifat_secs + ministream_secs + sum(big_secs)
    fat_secs = 1
    while fat_secs * 128 < fat_secs + payload:
        fat_secs += 1
    fat = [_FAT] * fat_secs
    sector_data = []

    def chain(blob: bytes, count: int) -> int:
        start = len(fat)
        fat.extend(start + i + 1 for i in range(count - 1))
        fat.append(_END)
        sector_data.append(blob + b"\0" * (count * 512 - len(blob)))
        return start

    entries[0]["start"], entries[0]["size"] = _END, len(mini)
    dir_start_placeholder = len(fat)
    fat.extend(dir_start_placeholder + i + 1 for i in range(dir_secs - 1))
    fat.append(_END)
    sector_data.append(None)  # directory, written last (it records the other chains)
    minifat_start = chain(b"".join(struct.pack("<I", v) for v in mini_fat), minifat_secs) if minifat_secs else _END
    if ministream_secs:
        entries[0]["start"] = chain(mini, ministream_secs)
    for e, count in zip(big, big_secs):
        e["start"] = chain(e["data"], count)
    directory = b"".join(_dir_entry(e, entries) for e in entries)
    directory += (b"\0" * 64 + struct.pack("<HBBIII", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM) + b"\0" * 48) * (-len(entries) % 4)
    sector_data[0] = directory
    fat += [_FREE] * (fat_secs * 128 - len(fat))
    difat = list(range(fat_secs)) + [_FREE] * (109 - fat_secs)
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
              + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, fat_secs, dir_start_placeholder, 0, 4096,
                            minifat_start, minifat_secs, _END, 0)
              + b"".join(struct.pack("<I", v) for v in difat))
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)
    return header + fat_bytes + b"".join(sector_data)


def _balance(entries: list, ids: list) -> int:
    if not ids:
        return _NOSTREAM
    mid = len(ids) // 2
    node = entries[ids[mid]]
    node["left"] = _balance(entries, ids[:mid])
    node["right"] = _balance(entries, ids[mid + 1:])
    return ids[mid]


def _dir_entry(e: dict, entries: list) -> bytes:
    name = e["name"].encode("utf-16-le") + b"\0\0"
    size = len(e["data"]) if e["type"] == 2 else e.get("size", 0)
    start = e.get("start", _END) if (e["type"] != 1) else 0
    filetime = 134066124530000000 if e["type"] != 2 else 0
    return (name + b"\0" * (64 - len(name))
            + struct.pack("<HBB", len(name), e["type"], 1)
            + struct.pack("<III", e.get("left", _NOSTREAM), e.get("right", _NOSTREAM), e.get("child", _NOSTREAM))
            + e["clsid"] + struct.pack("<I", 0) + struct.pack("<QQ", filetime, filetime)
            + struct.pack("<IQ", start, size))


def outlook_msg(subject: str, sender_name: str, sender_addr: str, body: str, html_body: str) -> bytes:
    """An Outlook item (.msg) with class IPM.Note, subject, sender, plain and HTML body."""
    strings = {0x001A: "IPM.Note", 0x0037: subject, 0x0C1A: sender_name, 0x0C1F: sender_addr,
               0x0E1D: subject, 0x1000: body}
    streams, props = {}, struct.pack("<8xIIII8x", 0, 0, 0, 0)
    for prop_id, text in strings.items():
        data = text.encode("utf-16-le")
        streams[f"__substg1.0_{prop_id:04X}001F"] = data
        props += struct.pack("<IIII", (prop_id << 16) | 0x001F, 6, len(data) + 2, 0)
    html_bytes = html_body.encode("utf-8")
    streams["__substg1.0_10130102"] = html_bytes
    props += struct.pack("<IIII", (0x1013 << 16) | 0x0102, 6, len(html_bytes), 0)
    props += struct.pack("<IIQ", (0x3FDE << 16) | 0x0003, 6, 65001)
    streams["__properties_version1.0"] = props
    streams["__nameid_version1.0"] = {"__substg1.0_00020102": b"", "__substg1.0_00030102": b"",
                                      "__substg1.0_00040102": b""}
    return cfb(streams)


# ---- PNG and PDF ----

def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, pixel, level: int = 9) -> bytes:
    """RGB PNG; `pixel(x, y)` gives (r, g, b)."""
    rows = b"".join(b"\0" + bytes(c for x in range(width) for c in pixel(x, y)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(rows, level)) + _chunk(b"IEND", b""))


def noise_png(width: int, height: int, seed: int) -> bytes:
    """A photo-like PNG that does not compress: width*height*3 bytes, about."""
    rng = random.Random(seed)
    raw = bytes(rng.getrandbits(8) for _ in range(width * height * 3))
    rows = b"".join(b"\0" + raw[y * width * 3:(y + 1) * width * 3] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b""))


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF 1.4 showing `lines` in Helvetica, with a correct xref table."""
    text = "BT /F1 14 Tf 72 720 Td 18 TL " + " ".join(f"({l}) '" for l in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Producer (macOS Version 15.1 \\(Build 24B83\\) Quartz PDFContext) /CreationDate (D:20261103094012Z00'00') >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out
