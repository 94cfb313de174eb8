#!/usr/bin/env python3
"""make-examples.py - write the shipped example messages of intake.

    python3 examples/make-examples.py

Writes examples/NN-*.eml (county mail as county clerks really send it, in the
styles of Foxmail, Outlook, QQ Mail, Coremail/163, Thunderbird, NetEase Mail
Master and an old raw-8-bit client), examples/received.tsv (the IMAP
INTERNALDATE of each, in ingestion order) and examples/expected.json (what a
correct intake concludes for each).

Deterministic: fixed dates, boundaries, Message-IDs and archive timestamps;
no randomness.  Running it twice gives byte-identical files (the .7z of
example 05 is made by the 7z command line tool and is byte-identical for one
7-Zip version).  Python 3 standard library only; 7z is the one external tool.

Everything inside the dossiers is a real, minimal file of its type (PDF,
OOXML .docx/.xlsx, baseline JPEG, PNG, PE executable, OLE2 Thumbs.db,
AppleDouble ._ files) so that a type sniffer sees the truth.  All names,
addresses and units are invented; domains are reserved .example domains;
IP addresses are from the documentation ranges.
"""

import base64
import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TZ = datetime.timezone(datetime.timedelta(hours=8))
BUREAU = "sme-intake@hengyang-gxj.example"
MX = "mx.hengyang-gxj.example"
CRLF = "\r\n"

# --------------------------------------------------------------------------
# small deterministic helpers

def h(seed, n):
    """n lowercase hex digits derived from seed."""
    out = ""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(("%s/%d" % (seed, i)).encode()).hexdigest()
        i += 1
    return out[:n]


def hb(seed, n):
    return bytes.fromhex(h(seed, 2 * n))


def T(s):
    """'2023-05-10 09:40:51' -> aware datetime at +08:00."""
    return datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=TZ)


DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]


def rfc5322(dt, cst=False, pad=False):
    day = ("%02d" % dt.day) if pad else str(dt.day)
    s = "%s, %s %s %d %s +0800" % (DAYS[dt.weekday()], day, MONTHS[dt.month - 1],
                                   dt.year, dt.strftime("%H:%M:%S"))
    return s + " (CST)" if cst else s


def rfc3339(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def codec_of(label):
    l = label.lower()
    if l in ("gb2312", "gbk", "cp936"):
        return "gbk"          # what Windows clients really put under "gb2312"
    if l == "gb18030":
        return "gb18030"
    return "utf-8"


def ew(text, label):
    """One RFC 2047 B word, whatever its length (as Outlook/Foxmail/QQ do
    inside quoted filename= and name= parameters)."""
    return "=?%s?B?%s?=" % (label, base64.b64encode(text.encode(codec_of(label))).decode())


def ew_split(text, label, limit=75):
    """RFC 2047 B words of at most `limit` characters, split between
    characters (never inside a multibyte character)."""
    words, cur = [], ""
    for ch in text:
        cand = cur + ch
        n = len(cand.encode(codec_of(label)))
        if len(label) + 7 + (n + 2) // 3 * 4 > limit and cur:
            words.append(ew(cur, label))
            cur = ch
        else:
            cur = cand
    if cur:
        words.append(ew(cur, label))
    return words


def folded(name, words, sep="\r\n\t"):
    return name + ": " + sep.join(words)


def b64body(data, width=76):
    s = base64.b64encode(data).decode()
    return "".join(s[i:i + width] + CRLF for i in range(0, len(s), width)).encode()


def pct(data):
    return "".join(("%%%02X" % b) if not (chr(b).isalnum() and b < 128) and chr(b) not in "-._~" else chr(b)
                   for b in data)


def rfc2231_segments(text, charset, seglen):
    """Split the %-encoded value into segments of about seglen characters,
    never inside a %XX triplet (but freely inside a multibyte character, as
    Thunderbird and QQ Mail do)."""
    enc = pct(text.encode(codec_of(charset)))
    toks, i = [], 0
    while i < len(enc):
        if enc[i] == "%":
            toks.append(enc[i:i + 3])
            i += 3
        else:
            toks.append(enc[i])
            i += 1
    segs, cur = [], ""
    for t in toks:
        if len(cur) + len(t) > seglen and cur:
            segs.append(cur)
            cur = ""
        cur += t
    if cur:
        segs.append(cur)
    return segs


def rfc2231_params(param, text, charset, seglen, indent):
    segs = rfc2231_segments(text, charset, seglen)
    if len(segs) == 1:
        return ["%s*=%s''%s" % (param, charset, segs[0])]
    out = []
    for i, s in enumerate(segs):
        pre = "%s''" % charset if i == 0 else ""
        out.append("%s*%d*=%s%s" % (param, i, pre, s))
    return out


def hdrs(lines):
    """Header lines (str, or bytes for raw 8-bit) to CRLF bytes."""
    out = b""
    for l in lines:
        out += (l if isinstance(l, bytes) else l.encode("ascii")) + b"\r\n"
    return out


def part(headers, body):
    return hdrs(headers) + b"\r\n" + body


def multipart(boundary, parts, preamble=None, blank_first=False):
    out = b""
    if preamble is not None:
        out += preamble.encode("ascii") + b"\r\n"
    if blank_first or preamble is not None:
        out += b"\r\n"
    for p in parts:
        out += b"--" + boundary.encode("ascii") + b"\r\n" + p
        if not p.endswith(b"\r\n"):
            out += b"\r\n"
        out += b"\r\n"
    out += b"--" + boundary.encode("ascii") + b"--\r\n"
    return out


def received_lines(helo, ip, dt, seed, via="ESMTPS"):
    qid = h(seed + "qid", 10).upper()
    return [
        "Received: from %s (%s [%s])" % (helo, helo, ip),
        "\tby %s (Postfix) with %s id %s" % (MX, via, qid),
        "\tfor <%s>; %s" % (BUREAU, rfc5322(dt, cst=True)),
    ]


def envelope(ret_path, helo, ip, received, seed, extra_hops=()):
    out = ["Return-Path: <%s>" % ret_path, "Delivered-To: %s" % BUREAU]
    out += received_lines(helo, ip, received, seed)
    for hop in extra_hops:
        out += hop
    return out


# --------------------------------------------------------------------------
# files: real minimal files of their types

def pdf(lines, producer="Microsoft: Print To PDF", when="20230509101500"):
    def esc(s):
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    text = "BT\n/F1 12 Tf\n72 770 Td\n16 TL\n"
    for l in lines:
        text += "(%s) Tj T*\n" % esc(l)
    text += "ET\n"
    stream = text.encode("ascii")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        ("<< /Producer (%s) /CreationDate (D:%s+08'00') /ModDate (D:%s+08'00') >>"
         % (producer, when, when)).encode("ascii"),
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    fid = h("pdf" + "|".join(lines), 32).upper().encode()
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R /ID [<%s><%s>] >>\n"
            % (len(objs) + 1, len(objs), fid, fid))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return out


def xml_esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


OOXML_DT = (1980, 1, 1, 0, 0, 0)    # what Word and Excel write into their zips


def docx(paragraphs):
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '</Relationships>')
    body = "".join('<w:p><w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:t>%s</w:t></w:r></w:p>'
                   % xml_esc(p) for p in paragraphs)
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body>%s<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>' % body)
    z = ZipW()
    for name, data in (("[Content_Types].xml", ct), ("_rels/.rels", rels),
                       ("word/document.xml", doc)):
        z.add(name, data.encode("utf-8"), dt=OOXML_DT, made=(0, 45), need=20)
    return z.build()


def col(i):
    return "ABCDEFGHIJ"[i]


def xlsx(rows):
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
              '</Relationships>')
    data = ""
    for r, row in enumerate(rows, 1):
        data += '<row r="%d">' % r
        for c, v in enumerate(row):
            data += '<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (col(c), r, xml_esc(str(v)))
        data += "</row>"
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData>%s</sheetData></worksheet>' % data)
    z = ZipW()
    for name, d in (("[Content_Types].xml", ct), ("_rels/.rels", rels),
                    ("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", wbrels),
                    ("xl/worksheets/sheet1.xml", sheet)):
        z.add(name, d.encode("utf-8"), dt=OOXML_DT, made=(0, 45), need=20)
    return z.build()


def jpeg(blocks_w, blocks_h, seed, comment=None):
    """A real baseline greyscale JPEG of (8*blocks_w) x (8*blocks_h) pixels,
    each 8x8 block one flat grey level (so only DC coefficients)."""
    levels = [40 + (b % 176) for b in hb(seed, blocks_w * blocks_h)]
    out = b"\xff\xd8"
    out += b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x01\x00\x48\x00\x48\x00\x00"
    if comment:
        c = comment.encode("ascii")
        out += b"\xff\xfe" + struct.pack(">H", len(c) + 2) + c
    out += b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + b"\x01" * 64
    out += b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 8 * blocks_h, 8 * blocks_w, 1) + b"\x01\x11\x00"
    dc_bits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    dc_vals = list(range(12))
    out += b"\xff\xc4" + struct.pack(">H", 2 + 1 + 16 + 12) + b"\x00" + bytes(dc_bits) + bytes(dc_vals)
    ac_bits = [0, 2] + [0] * 14          # two codes of length 2: EOB=00, 0x01=01
    out += b"\xff\xc4" + struct.pack(">H", 2 + 1 + 16 + 2) + b"\x10" + bytes(ac_bits) + b"\x00\x01"
    out += b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00" + b"\x00\x3f\x00"
    # standard DC luminance codes
    codes, code, k = {}, 0, 0
    for length, n in enumerate(dc_bits, 1):
        for _ in range(n):
            codes[dc_vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    bits = []

    def put(v, n):
        for i in range(n - 1, -1, -1):
            bits.append((v >> i) & 1)
    pred = 0
    for lv in levels:
        dc = 8 * (lv - 128)
        diff = dc - pred
        pred = dc
        cat = abs(diff).bit_length()
        c, l = codes[cat]
        put(c, l)
        if cat:
            put(diff if diff > 0 else (diff - 1) & ((1 << cat) - 1), cat)
        put(0, 2)                         # EOB
    while len(bits) % 8:
        bits.append(1)
    ent = bytearray()
    for i in range(0, len(bits), 8):
        b = int("".join(map(str, bits[i:i + 8])), 2)
        ent.append(b)
        if b == 0xFF:
            ent.append(0)
    return out + bytes(ent) + b"\xff\xd9"


def png(w, h_, seed):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    pal = hb(seed, 6)
    raw = b""
    for y in range(h_):
        row = b""
        for x in range(w):
            row += pal[0:3] if (x // 4 + y // 4) % 2 else pal[3:6]
        raw += b"\x00" + row
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h_, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def pe_exe():
    """A minimal but well-formed PE32 GUI executable (one .text section
    holding a RET)."""
    dos = bytearray(0x80)
    struct.pack_into("<2sHHHHHHHHHHHHH", dos, 0, b"MZ", 0x90, 3, 0, 4, 0, 0xFFFF, 0,
                     0xB8, 0, 0, 0, 0x40, 0)
    struct.pack_into("<I", dos, 0x3C, 0x80)
    stub = (b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
            b"This program cannot be run in DOS mode.\r\r\n$")
    dos[0x40:0x40 + len(stub)] = stub
    coff = struct.pack("<4sHHIIIHH", b"PE\0\0", 0x014C, 1, 0x645A1B2C, 0, 0, 0xE0, 0x0102)
    opt = struct.pack("<HBB" + "I" * 9 + "H" * 6 + "I" * 4 + "HH" + "I" * 6,
                      0x10B, 14, 0, 0x200, 0, 0, 0x1000, 0x1000, 0x2000, 0x400000,
                      0x1000, 0x200, 6, 0, 0, 0, 6, 0, 0, 0x2000, 0x200, 0, 2, 0x8140,
                      0x100000, 0x1000, 0x100000, 0x1000, 0, 16) + b"\0" * 128
    sect = struct.pack("<8sIIIIIIHHI", b".text\0\0\0", 0x10, 0x1000, 0x200, 0x200,
                       0, 0, 0, 0, 0x60000020)
    head = bytes(dos) + coff + opt + sect
    head += b"\0" * (0x200 - len(head))
    return head + b"\xc3" + b"\0" * 0x1FF


def thumbs_db():
    """An empty but valid OLE2 compound file, as Windows leaves Thumbs.db."""
    hdr = bytearray(512)
    struct.pack_into("<8s16sHHHHH6sIIIIIIIIII", hdr, 0, bytes.fromhex("D0CF11E0A1B11AE1"),
                     b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 0x1000,
                     0xFFFFFFFE, 0, 0xFFFFFFFE, 0, 0)
    for i in range(1, 109):
        struct.pack_into("<I", hdr, 76 + 4 * i, 0xFFFFFFFF)
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * 504
    root = bytearray(128)
    nm = "Root Entry".encode("utf-16-le") + b"\0\0"
    root[0:len(nm)] = nm
    struct.pack_into("<HBBIII", root, 64, len(nm), 5, 1, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    struct.pack_into("<IQ", root, 116, 0xFFFFFFFE, 0)
    empty = bytearray(128)
    struct.pack_into("<III", empty, 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    return bytes(hdr) + fat + bytes(root) + bytes(empty) * 3


def ds_store():
    d = bytearray(512)
    struct.pack_into(">I4sIII", d, 0, 1, b"Bud1", 0x800, 0x800, 0x800)
    return bytes(d)


def apple_double(seed):
    fi = b"PDF CARO" + b"\0" * 24     # Finder info: type/creator
    hdr = struct.pack(">II16sH", 0x00051607, 0x00020000, b"Mac OS X        ", 2)
    off = len(hdr) + 2 * 12
    ents = struct.pack(">III", 9, off, len(fi)) + struct.pack(">III", 2, off + len(fi), 0)
    return hdr + ents + fi


# --------------------------------------------------------------------------
# zip writer (local headers, central directory, flags as the tool would set)

CRCTAB = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0xEDB88320 if _c & 1 else _c >> 1
    CRCTAB.append(_c)


def zipcrypto(data, password, crc, seed):
    keys = [0x12345678, 0x23456789, 0x34567890]

    def crc1(c, b):
        return (c >> 8) ^ CRCTAB[(c ^ b) & 0xFF]

    def upd(p):
        keys[0] = crc1(keys[0], p)
        keys[1] = (keys[1] + (keys[0] & 0xFF)) & 0xFFFFFFFF
        keys[1] = (keys[1] * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc1(keys[2], (keys[1] >> 24) & 0xFF)

    for ch in password.encode("ascii"):
        upd(ch)
    head = hb(seed, 11) + bytes([(crc >> 24) & 0xFF])
    out = bytearray()
    for p in head + data:
        t = (keys[2] | 2) & 0xFFFF
        out.append(p ^ (((t * (t ^ 1)) >> 8) & 0xFF))
        upd(p)
    return bytes(out)


def dos_datetime(dt):
    y, mo, d, hh, mi, s = dt
    return (hh << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def filetime(dt):
    epoch = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)
    t = datetime.datetime(*dt, tzinfo=TZ)
    return int((t - epoch).total_seconds()) * 10000000


class ZipW:
    def __init__(self):
        self.ents = []

    def add(self, name, data=b"", *, enc="utf-8", utf8flag=None, dt=(2023, 5, 9, 16, 20, 30),
            method=8, made=(0, 20), need=20, attr=None, unix_mode=None,
            upath=False, ntfs=False, password=None, is_dir=None):
        if is_dir is None:
            is_dir = name.endswith("/") or name.endswith("\\")
        nameb = name.encode(enc) if isinstance(name, str) else name
        if utf8flag is None:
            utf8flag = enc == "utf-8" and any(b > 127 for b in nameb)
        self.ents.append(dict(nameb=nameb, name=name, data=data, utf8=utf8flag, dt=dt,
                              method=0 if is_dir else method, made=made, need=need,
                              attr=attr, unix_mode=unix_mode, upath=upath, ntfs=ntfs,
                              password=password, is_dir=is_dir))

    def build(self):
        out = bytearray()
        central = bytearray()
        for e in self.ents:
            data = e["data"]
            crc = zlib.crc32(data) & 0xFFFFFFFF
            if e["method"] == 8:
                co = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
                comp = co.compress(data) + co.flush()
            else:
                comp = data
            flags = 0x800 if e["utf8"] else 0
            if e["method"] == 8:
                flags |= 0x2                      # maximum compression (-9)
            if e["password"] is not None:
                flags |= 0x1
                comp = zipcrypto(comp, e["password"], crc, "zc" + repr(e["nameb"]))
            t, d = dos_datetime(e["dt"])
            extra = b""
            if e["ntfs"]:
                ft = filetime(e["dt"])
                extra += struct.pack("<HHIHHQQQ", 0x000A, 32, 0, 1, 24, ft, ft, ft)
            if e["upath"]:
                u = e["name"].encode("utf-8")
                extra += struct.pack("<HHBI", 0x7075, 5 + len(u), 1,
                                     zlib.crc32(e["nameb"]) & 0xFFFFFFFF) + u
            if e["attr"] is not None:
                attr = e["attr"]
            elif e["made"][0] == 3:
                mode = e["unix_mode"] or (0o40755 if e["is_dir"] else 0o100644)
                attr = (mode << 16) | (0x10 if e["is_dir"] else 0)
            else:
                attr = 0x10 if e["is_dir"] else 0x20
            off = len(out)
            out += struct.pack("<IHHHHHIIIHH", 0x04034B50, e["need"], flags, e["method"], t, d,
                               crc, len(comp), len(data), len(e["nameb"]), len(extra))
            out += e["nameb"] + extra + comp
            made = (e["made"][0] << 8) | e["made"][1]
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, made, e["need"], flags,
                                   e["method"], t, d, crc, len(comp), len(data),
                                   len(e["nameb"]), len(extra), 0, 0, 0, attr, off)
            central += e["nameb"] + extra
        cd_off = len(out)
        out += central
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(self.ents), len(self.ents),
                           len(central), cd_off, 0)
        return bytes(out)


def tar_gz(entries, mtime):
    """entries: (name, data or None for a directory).  PAX tar with UTF-8
    names, fixed owner and times, gzip header without name or time."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = mtime
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            if data is None:
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                t.addfile(ti)
            else:
                ti.mode = 0o644
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    gz = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=gz, mtime=0, compresslevel=9) as g:
        g.write(raw.getvalue())
    return gz.getvalue()


def seven_zip(files, mtime):
    """files: (name, data).  Made with the 7z tool from a scratch directory
    whose files carry fixed times and modes."""
    if not shutil.which("7z"):
        sys.exit("make-examples: the 7z tool (p7zip-full or 7zip) is needed for example 05")
    tmp = tempfile.mkdtemp(prefix="mkex7z.")
    try:
        src = os.path.join(tmp, "src")
        os.mkdir(src)
        for name, data in files:
            p = os.path.join(src, name)
            with open(p, "wb") as f:
                f.write(data)
            os.chmod(p, 0o644)
            os.utime(p, (mtime, mtime))
        out = os.path.join(tmp, "out.7z")
        subprocess.run(["7z", "a", "-t7z", "-mx=9", "-mmt=1", "-mtm=on", "-mtc=off", "-mta=off",
                        "-bd", "-bso0", "-bsp0", out] + [n for n, _ in files],
                       cwd=src, check=True, env=dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC"))
        with open(out, "rb") as f:
            return f.read()
    finally:
        shutil.rmtree(tmp)


# --------------------------------------------------------------------------
# dossier contents

# English descriptions inside files (file content never names a catalogue
# number; it is the name that a clerk gives that a human reads).
DESC = {
    "B01": "Application form, SME innovation and entrepreneurship base",
    "B02": "Application report: operator, history, construction, services, goals",
    "B03": "List of managers and entrepreneurship service staff",
    "B04": "List of resident SMEs with basic data",
    "B05": "2022 audited financial statements and audit report",
    "B06": "Business licence (duplicate copy)",
    "B07": "Land use right and building ownership certificates / lease",
    "B08": "Proof of self-held factory floor area",
    "B09": "Site layout plan and construction scheme",
    "B10": "Services provided in recent years",
    "B11": "Participation in public service campaigns",
    "B12": "Other supporting documents",
    "B13": "Declaration of truthfulness (sealed)",
    "B14": "Social insurance records of service staff",
    "S01": "Application form, SME core service institution",
    "S02": "Application report: profile, history, capacity, record",
    "S03": "Approval document or registration licence",
    "S04": "Real estate certificate or lease contract",
    "S05": "Service management rules, procedures and commitments",
    "S06": "2022 table of service recipients",
    "S07": "2022 audited financial statements and audit report",
    "S08": "Key staff table with titles and professional certificates",
    "S09": "Services provided in recent years",
    "S10": "Participation in public service campaigns",
    "S11": "Other supporting documents",
    "S12": "Declaration of truthfulness (sealed)",
    "S13": "Social insurance records of service staff",
    "C01": "Recommendation report of the county industry bureau",
    "C02": "Recommendation summary table",
}

# Catalogue titles as clerks shorten them in file names.
BASE_T = {
    "B01": "衡阳市中小微企业创业创新基地申请表",
    "B02": "衡阳市中小微企业创业创新基地申请报告",
    "B03": "主要管理人员和创业服务人员名单",
    "B04": "入驻中小微企业名单及基本情况汇总表",
    "B05": "2022年度审计报告及会计报表",
    "B06": "营业执照副本",
    "B07": "土地使用权证和房屋所有权证",
    "B08": "自持厂房面积证明材料",
    "B09": "基地规划布局图和建设方案",
    "B10": "近年开展相关服务情况",
    "B11": "深度参与公共服务活动情况",
    "B12": "其他证明材料",
    "B13": "申报材料真实性声明",
    "B14": "社保证明",
}
INST_T = {
    "S01": "衡阳市中小微企业核心服务机构申请表",
    "S02": "申请报告",
    "S03": "营业执照副本",
    "S04": "房屋租赁合同",
    "S05": "服务管理制度、规范程序及服务承诺",
    "S06": "2022年服务对象情况表",
    "S07": "2022年度审计报告及会计报表",
    "S08": "主要人员基本情况表及职称、执业资格证书",
    "S09": "近年开展相关服务情况",
    "S10": "深度参与公共服务活动情况",
    "S11": "其他证明材料",
    "S12": "申报材料真实性声明",
    "S13": "社保证明",
}
EXT = {
    "B01": "docx", "B02": "docx", "B03": "xlsx", "B04": "xlsx", "B05": "pdf", "B06": "pdf",
    "B07": "pdf", "B08": "pdf", "B09": "pdf", "B10": "docx", "B11": "docx", "B12": "pdf",
    "B13": "pdf", "B14": "pdf",
    "S01": "docx", "S02": "docx", "S03": "pdf", "S04": "pdf", "S05": "pdf", "S06": "xlsx",
    "S07": "pdf", "S08": "pdf", "S09": "docx", "S10": "docx", "S11": "pdf", "S12": "pdf",
    "S13": "pdf",
}
BASE_ALL = ["B%02d" % i for i in range(1, 15)]
INST_ALL = ["S%02d" % i for i in range(1, 14)]
BASE_REQ = [i for i in BASE_ALL if i != "B12"]
INST_REQ = [i for i in INST_ALL if i != "S11"]


def content(item, ext, unit_tag, title):
    """Bytes of a real file of type ext standing for `item` of one unit."""
    seed = "%s|%s|%s|%s" % (item, ext, unit_tag, title)
    desc = DESC.get(item, title)
    if ext == "pdf":
        return pdf(["Hengyang SME programme 2023", desc, "Unit: " + unit_tag,
                    "Ref " + h(seed, 8).upper()])
    if ext == "docx":
        return docx([title, "（%s）" % unit_tag, desc, "编号 " + h(seed, 8).upper()])
    if ext == "xlsx":
        return xlsx([[title], ["序号", "名称", "备注"], ["1", unit_tag, desc],
                     ["2", h(seed, 6).upper(), ""]])
    if ext == "jpg":
        return jpeg(6, 8, seed, comment="Unit " + unit_tag)
    if ext == "png":
        return png(24, 32, seed)
    raise ValueError(ext)


def numbered(style, item, title):
    n = int(item[1:])
    if style == "dot":
        return "%d.%s" % (n, title)
    if style == "dun":
        return "%d、%s" % (n, title)
    if style == "dash2":
        return "%02d-%s" % (n, title)
    if style == "plain":
        return title
    raise ValueError(style)


def unit_files(items, unit_tag, style, titles=None, ext=None, overrides=None, nonum=()):
    """[(name, bytes)] for the given items of one unit.  overrides:
    item -> full file name (with extension)."""
    out = []
    for it in items:
        base_t = (BASE_T if it[0] == "B" else INST_T)[it]
        if titles and it in titles:
            base_t = titles[it]
        e = (ext or {}).get(it, EXT[it])
        if overrides and it in overrides:
            name = overrides[it]
            e = name.rsplit(".", 1)[1]
        elif it in nonum:
            name = "%s.%s" % (base_t, e)
        else:
            name = "%s.%s" % (numbered(style, it, base_t), e)
        out.append((it, name, content(it, e, unit_tag, name)))
    return out


def county_files(county_name, program_keys, tag, report_name=None, summary_names=None):
    """C01 report and C02 summary table(s) of one county."""
    progs = "中小微企业创新创业基地和核心服务机构" if len(program_keys) > 1 else (
        "中小微企业创新创业基地" if program_keys[0] == "base" else "中小微企业核心服务机构")
    rn = report_name or "%s关于推荐2023年衡阳市%s的报告.pdf" % (county_name, progs)
    out = [("C01", rn, content("C01", "pdf", tag, rn))]
    for i, p in enumerate(program_keys):
        if summary_names:
            sn = summary_names[i]
        elif p == "base":
            sn = "附件2：衡阳市中小微企业创新创业基地推荐汇总表.xlsx"
        else:
            sn = "附件4：衡阳市中小微企业核心服务机构推荐汇总表.xlsx"
        out.append(("C02", sn, content("C02", "xlsx", tag + "/" + p, sn)))
    return out


def strip_ids(lst):
    return [(n, d) for _, n, d in lst]


# --------------------------------------------------------------------------
# mail clients

def ctype(name, style):
    ext = name.rsplit(".", 1)[-1].lower()
    if style == "qq":
        return "application/octet-stream"
    t = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "jpg": "image/jpeg",
        "png": "image/png",
        "7z": "application/x-7z-compressed",
        "gz": "application/x-gzip",
        "eml": "message/rfc822",
    }.get(ext)
    if ext == "zip":
        t = "application/zip" if style in ("thunderbird", "mailmaster") else "application/x-zip-compressed"
    return t or "application/octet-stream"


def text_part(text, label, ctype_="text/plain", style="tab", cte="base64"):
    data = text.replace("\n", "\r\n").encode(codec_of(label))
    if style == "space":
        hd = ["Content-Type: %s; charset=%s" % (ctype_, label)]
    else:
        hd = ["Content-Type: %s;" % ctype_, '\tcharset="%s"' % label]
    hd.append("Content-Transfer-Encoding: %s" % cte)
    body = b64body(data) if cte == "base64" else data + (b"" if data.endswith(b"\r\n") else b"\r\n")
    return part(hd, body)


def html_of(text, label, head_extra=""):
    paras = "".join("<div>%s</div>" % (xml_esc(l) if l else "<br>") for l in text.split("\n"))
    return ('<html><head><meta http-equiv="content-type" content="text/html; charset=%s">%s</head>'
            '<body>%s</body></html>' % (label, head_extra, paras))


def attach_foxmail(name, data, label="gb2312"):
    w = ew(name, label)
    return part(["Content-Type: %s;" % ctype(name, "foxmail"), '\tname="%s"' % w,
                 "Content-Transfer-Encoding: base64",
                 "Content-Disposition: attachment;", '\tfilename="%s"' % w], b64body(data))


def attach_outlook(name, data):
    w = ew(name, "gb2312")
    return part(["Content-Type: %s;" % ctype(name, "outlook"), '\tname="%s"' % w,
                 "Content-Transfer-Encoding: base64",
                 "Content-Disposition: attachment;", '\tfilename="%s"' % w], b64body(data))


def attach_qq(name, data, mode):
    """QQ Mail web.  mode 'cont': RFC 2231 UTF-8 continuations;
    mode 'gb18030': filename*=gb18030''..."""
    w = ew(name, "gb18030")
    hd = ["Content-Type: application/octet-stream;", '\tcharset="gb18030";', '\tname="%s"' % w]
    if mode == "cont":
        ps = rfc2231_params("filename", name, "utf-8", 40, "\t")
        hd.append("Content-Disposition: attachment;")
        for i, p in enumerate(ps):
            hd.append("\t" + p + (";" if i < len(ps) - 1 else ""))
    else:
        ps = rfc2231_params("filename", name, "gb18030", 10 ** 6, "")
        hd.append("Content-Disposition: attachment; " + ps[0])
    hd.append("Content-Transfer-Encoding: base64")
    return part(hd, b64body(data))


def attach_coremail(name, data, label, style="coremail"):
    w = ew(name, label)
    return part(["Content-Type: %s; name=\"%s\"" % (ctype(name, style), w),
                 "Content-Transfer-Encoding: base64",
                 "Content-Disposition: attachment; filename=\"%s\"" % w], b64body(data))


def attach_thunderbird(name, data):
    ct = ["Content-Type: %s;" % ctype(name, "thunderbird")]
    ps = rfc2231_params("name", name, "UTF-8", 62, " ")
    ct += [" " + p + (";" if i < len(ps) - 1 else "") for i, p in enumerate(ps)]
    cd = ["Content-Disposition: attachment;"]
    ps = rfc2231_params("filename", name, "UTF-8", 58, " ")
    cd += [" " + p + (";" if i < len(ps) - 1 else "") for i, p in enumerate(ps)]
    return part(ct + cd + ["Content-Transfer-Encoding: base64"], b64body(data, 72))


def attach_raw_gbk(name, data):
    nb = name.encode("gbk")
    return part([b"Content-Type: application/octet-stream; name=\"" + nb + b"\"",
                 b"Content-Transfer-Encoding: base64",
                 b"Content-Disposition: attachment; filename=\"" + nb + b"\""], b64body(data))


def foxmail_msg(*, seed, received, date, from_name, from_addr, subject, body, atts,
                helo="mail.hengyang.gov.example", ip="198.51.100.20", extra_headers=(),
                label="gb2312"):
    n = str(int(h(seed + "b", 12), 16))[:12]
    b1 = "----=_001_NextPart%s_=----" % n
    b2 = "----=_002_NextPart%s_=----" % n
    sig = "\n\n\n%s\n" % from_addr
    html = html_of(body + sig, label, head_extra="<style>body { line-height: 1.5; }</style>")
    alt = multipart(b2, [text_part(body + sig, label), text_part(html, label, "text/html")],
                    preamble=None, blank_first=True)
    parts = [part(["Content-Type: multipart/alternative;", '\tboundary="%s"' % b2], alt)]
    parts += [attach_foxmail(nm, d, label) for nm, d in atts]
    mid = "%s%s@hengyang.gov.example" % (date.strftime("%Y%m%d%H%M%S"), str(int(h(seed + "m", 8), 16))[:7])
    head = envelope(from_addr, helo, ip, received, seed)
    head += ["Date: " + rfc5322(date),
             'From: "%s" <%s>' % (ew(from_name, label), from_addr),
             "To: sme-intake <%s>" % BUREAU,
             folded("Subject", ew_split(subject, label)),
             "X-Priority: 3",
             "X-GUID: %s" % h(seed + "g", 8).upper() + "-" + h(seed + "g2", 4).upper() + "-" +
             h(seed + "g3", 4).upper() + "-" + h(seed + "g4", 4).upper() + "-" + h(seed + "g5", 12).upper(),
             "X-Has-Attach: %s" % ("yes" if atts else "no"),
             "X-Mailer: Foxmail 7.2.25.228[cn]"]
    head += list(extra_headers)
    head += ["Mime-Version: 1.0",
             "Message-ID: <%s>" % mid,
             "Content-Type: multipart/mixed;",
             '\tboundary="%s"' % b1]
    return part(head, multipart(b1, parts, preamble="This is a multi-part message in MIME format."))


def outlook_msg(*, seed, received, date, from_name, from_addr, subject, body, atts,
                version="16.0", logo=True, helo="mail.hengyang.gov.example", ip="198.51.100.20"):
    stamp = h(seed + "st", 12).upper()
    b_mixed = "----=_NextPart_000_%s_01D9%s.%s" % (h(seed + "n", 4).upper(), stamp[:4], stamp[4:])
    b_rel = b_mixed.replace("_000_", "_001_")
    b_alt = b_mixed.replace("_000_", "_002_")
    sig = "\n\n%s\n%s\n" % (from_name, from_addr)
    cid = "image001.png@01D9%s.%s" % (stamp[:4], stamp[4:])
    html = ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">'
            '<head><meta http-equiv=Content-Type content="text/html; charset=gb2312">'
            '<meta name=Generator content="Microsoft Word 15 (filtered medium)"></head>'
            '<body lang=ZH-CN link="#0563C1" vlink="#954F72" style=\'text-justify-trim:punctuation\'>'
            '<div class=WordSection1>')
    for l in (body + sig).split("\n"):
        html += "<p class=MsoNormal>%s<o:p></o:p></p>" % (xml_esc(l) if l else "<o:p>&nbsp;</o:p>")
    if logo:
        html += '<p class=MsoNormal><img width=24 height=32 id="_x56fe__x7247__x0020_1" src="cid:%s"></p>' % cid
    html += "</div></body></html>"
    alt = multipart(b_alt, [text_part(body + sig, "gb2312"), text_part(html, "gb2312", "text/html")],
                    blank_first=True)
    alt_part = part(["Content-Type: multipart/alternative;", '\tboundary="%s"' % b_alt], alt)
    if logo:
        img = part(["Content-Type: image/png;", '\tname="image001.png"',
                    "Content-Transfer-Encoding: base64",
                    "Content-ID: <%s>" % cid], b64body(png(24, 32, seed + "logo")))
        rel = multipart(b_rel, [alt_part, img], blank_first=True)
        first = part(["Content-Type: multipart/related;", '\tboundary="%s"' % b_rel], rel)
    else:
        first = alt_part
    parts = [first] + [attach_outlook(nm, d) for nm, d in atts]
    ti = base64.b64encode(b"\x01\xd9" + hb(seed + "ti", 20)).decode()
    mid = "%s$%s$%s$@hengyang.gov.example" % ("%04x01d9%s" % (int(h(seed + "a", 2), 16) % 16, h(seed + "b", 4)),
                                               h(seed + "c", 8), h(seed + "d", 8))
    head = envelope(from_addr, helo, ip, received, seed)
    head += ["From: %s <%s>" % (ew(from_name, "gb2312"), from_addr),
             "To: <%s>" % BUREAU,
             folded("Subject", ew_split(subject, "gb2312")),
             "Date: " + rfc5322(date),
             "Message-ID: <%s>" % mid,
             "MIME-Version: 1.0",
             "Content-Type: multipart/mixed;",
             '\tboundary="%s"' % b_mixed,
             "X-Mailer: Microsoft Outlook %s" % version,
             "Thread-Index: %s" % ti,
             "Content-Language: zh-cn",
             "X-MS-Has-Attach: %s" % ("yes" if atts else ""),
             "X-MS-TNEF-Correlator: "]
    return part(head, multipart(b_mixed, parts, preamble="This is a multipart message in MIME format."))


def qq_msg(*, seed, received, date, from_name, from_addr, subject, body, atts, mode,
           html_body=None, text_body=None, helo="smtpbg.qq.example", ip="203.0.113.36"):
    base = "----=_NextPart_%s_%s_" % (h(seed + "x", 8).upper(), h(seed + "y", 8).upper())
    b1 = base + h(seed + "z", 8).upper()
    b2 = base + h(seed + "w", 8).upper()
    text = text_body if text_body is not None else body
    html = html_body if html_body is not None else (
        '<meta http-equiv="Content-Type" content="text/html; charset=GB18030">'
        + "".join("<div>%s</div>" % (xml_esc(l) if l else "<br>") for l in body.split("\n")))
    alt = multipart(b2, [text_part(text, "gb18030"), text_part(html, "gb18030", "text/html")],
                    blank_first=True)
    parts = [part(["Content-Type: multipart/alternative;", '\tboundary="%s";' % b2], alt)]
    parts += [attach_qq(nm, d, mode) for nm, d in atts]
    stamp = int(date.timestamp())
    head = envelope(from_addr, helo, ip, received, seed)
    head += ["X-QQ-mid: xmsv3t%dt%s" % (stamp, h(seed + "mid", 6)),
             "X-QQ-XMAILINFO: %s" % base64.b64encode(hb(seed + "xmi", 48)).decode(),
             "X-QQ-XMRINFO: %s" % base64.b64encode(hb(seed + "xmr", 24)).decode(),
             'From: "%s" <%s>' % (ew(from_name, "gb18030"), from_addr),
             'To: "%s" <%s>' % (ew("市工信局中小企业科", "gb18030"), BUREAU),
             folded("Subject", ew_split(subject, "gb18030")),
             "Mime-Version: 1.0",
             "Content-Type: multipart/mixed;",
             '\tboundary="%s"' % b1,
             "Content-Transfer-Encoding: 8Bit",
             "Date: " + rfc5322(date),
             "X-Priority: 3",
             "Message-ID: <tencent_%s@qq.example>" % h(seed + "tm", 40).upper(),
             "X-QQ-MIME: TCMime 1.0 by Tencent",
             "X-Mailer: QQMail 2.x",
             "X-QQ-Mailer: QQMail 2.x"]
    return part(head, multipart(b1, parts, preamble="This is a multi-part message in MIME format."))


def coremail_msg(*, seed, received, date, from_name, from_addr, subject, body, atts,
                 label="GBK", to=None, xmailer=None, helo="mail.hengyang.gov.example",
                 ip="198.51.100.20", extra_parts=(), domain="hengyang.gov.example",
                 quoted_from=False, envelope_=True, extra_headers=(), copyright_="hengyang.gov"):
    ms = int(date.timestamp()) * 1000 + int(h(seed + "ms", 3), 16) % 1000
    b1 = "----=_Part_%d_%d.%d" % (int(h(seed + "p", 5), 16), int(h(seed + "q", 8), 16) % 2000000000, ms)
    b2 = "----=_Part_%d_%d.%d" % (int(h(seed + "p2", 5), 16), int(h(seed + "q2", 8), 16) % 2000000000, ms)
    html = html_of(body, label)
    alt = multipart(b2, [text_part(body, label), text_part(html, label, "text/html")])
    parts = [part(["Content-Type: multipart/alternative; ", '\tboundary="%s"' % b2], alt)]
    parts += [attach_coremail(nm, d, label) for nm, d in atts]
    parts += list(extra_parts)
    local = from_addr.split("@")[0]
    mid = "%s.%s.%s.Coremail.%s@%s" % (h(seed + "m1", 8), h(seed + "m2", 4), h(seed + "m3", 11),
                                       local, domain)
    fn = ew(from_name, label)
    head = envelope(from_addr, helo, ip, received, seed) if envelope_ else []
    head += ["Date: " + rfc5322(date, cst=True),
             ('From: "%s" <%s>' if quoted_from else "From: %s <%s>") % (fn, from_addr),
             "To: %s" % (to or BUREAU),
             folded("Subject", ew_split(subject, label)),
             "X-Priority: 3",
             "X-Mailer: " + (xmailer or "Coremail Webmail Server Version XT5.0.13 build 20210104(e0d5e1f1)")]
    if copyright_:
        head.append(" Copyright (c) 2002-2023 www.mailtech.cn " + copyright_)
    head += list(extra_headers)
    head += ["Content-Type: multipart/mixed; ",
             '\tboundary="%s"' % b1,
             "MIME-Version: 1.0",
             "Message-ID: <%s>" % mid,
             "X-Coremail-Locale: zh_CN",
             "X-CM-TRANSID:%s" % base64.b64encode(hb(seed + "tr", 27)).decode().replace("+", "_").replace("/", "-"),
             "X-Originating-IP: [%s]" % ("192.0.2." + str(10 + int(h(seed + "ip", 2), 16) % 200))]
    return part(head, multipart(b1, parts))


def thunderbird_msg(*, seed, received, date, from_name, from_addr, subject, body, atts,
                    helo="mail.hengyang.gov.example", ip="198.51.100.20"):
    b = "------------" + base64.b64encode(hb(seed + "b", 18)).decode().replace("+", "x").replace("/", "Y")
    uuid = "%s-%s-4%s-a%s-%s" % (h(seed + "u", 8), h(seed + "u", 12)[8:12], h(seed + "u2", 3),
                                 h(seed + "u3", 3), h(seed + "u4", 12))
    tb = body.replace("\n", "\r\n").encode("utf-8") + b"\r\n"
    parts = [part(["Content-Type: text/plain; charset=UTF-8; format=flowed",
                   "Content-Transfer-Encoding: 8bit"], tb)]
    parts += [attach_thunderbird(nm, d) for nm, d in atts]
    head = envelope(from_addr, helo, ip, received, seed)
    head += ["Content-Type: multipart/mixed; boundary=\"%s\"" % b,
             "Message-ID: <%s@hengyang.gov.example>" % uuid,
             "Date: " + rfc5322(date),
             "MIME-Version: 1.0",
             "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101",
             " Thunderbird/102.10.1",
             "Content-Language: zh-CN",
             "To: %s" % BUREAU,
             "From: %s <%s>" % (ew(from_name, "UTF-8"), from_addr),
             folded("Subject", ew_split(subject, "UTF-8"), sep="\r\n ")]
    return part(head, multipart(b, parts, preamble="This is a multi-part message in MIME format."))


# --------------------------------------------------------------------------
# the examples

EXAMPLES = []     # (file, received datetime, bytes, expected dict), in ingestion order


def add(file, received, data, county, status, dossiers, county_missing, problems):
    reply = {"accepted": "receipt", "incomplete": "missing-items", "late": "late-notice",
             "rejected": "error-notice", "ignored": None}[status]
    EXAMPLES.append((file, received, data, {
        "file": file, "received": rfc3339(received), "county": county, "status": status,
        "reply": reply, "dossiers": dossiers, "county_missing": county_missing,
        "problems": problems}))


def dossier(program, applicant, present, required):
    present = sorted(set(present))
    return {"program": program, "applicant": applicant, "present": present,
            "missing": [i for i in required if i not in present]}


def ex01():
    unit = "衡阳市珠晖区湘江科创孵化园有限公司"
    items = [i for i in BASE_ALL if i != "B12"]
    files = unit_files(items, "ZH-XJKC", "dot", nonum=("B14",),
                       overrides={"B06": "6.营业执照副本（盖章）.jpg"},
                       ext={"B06": "jpg"})
    z = ZipW()
    dt = (2023, 5, 9, 17, 26, 14)
    z.add(unit + "/", dt=dt, made=(0, 63), ntfs=True)
    for _, n, d in files:
        z.add(unit + "/" + n, d, dt=dt, made=(0, 63), ntfs=True)
    county = county_files("珠晖区工业和信息化局", ["base"], "zhuhui",
                          summary_names=["附件2：衡阳市中小微企业创新创业基地推荐汇总表（珠晖区）.xlsx"])
    atts = [(unit + ".zip", z.build())] + strip_ids(county)
    rec = T("2023-05-10 09:41:22")
    body = ("市工信局中小企业科：\n"
            "    现将珠晖区2023年衡阳市中小微企业创新创业基地申报材料报送给你们，"
            "申报单位为衡阳市珠晖区湘江科创孵化园有限公司，推荐报告和推荐汇总表一并附上，纸质材料随后送达。\n"
            "    请查收。\n\n珠晖区工信局 中小企业股")
    data = foxmail_msg(seed="ex01", received=rec, date=T("2023-05-10 09:40:51"),
                       from_name="珠晖区工信局", from_addr="zhuhui-gxj@hengyang.gov.example",
                       subject="珠晖区2023年市级中小微企业创新创业基地申报材料（衡阳市珠晖区湘江科创孵化园有限公司）",
                       body=body, atts=atts)
    add("01-zhuhui-foxmail-base-complete.eml", rec, data, "zhuhui", "accepted",
        [dossier("base", unit, items, BASE_REQ)], [], [])


def ex02():
    unit = "衡阳市雁峰区昇华中小企业服务中心"      # 昇: in GBK, not in GB2312
    items = [i for i in INST_ALL if i not in ("S08", "S13")]
    files = unit_files(items, "YF-SHENGHUA", "dun")
    z = ZipW()
    dt = (2023, 5, 10, 15, 2, 40)
    z.add(unit + "/", enc="gbk", dt=dt)
    for _, n, d in files:
        z.add(unit + "/" + n, d, enc="gbk", dt=dt)
    county = county_files("雁峰区工业和信息化局", ["institution"], "yanfeng")
    atts = [(unit + ".zip", z.build())] + strip_ids(county)
    rec = T("2023-05-11 10:05:37")
    body = ("市中小企业科：\n"
            "  附件为雁峰区推荐的衡阳市中小微企业核心服务机构申报材料（衡阳市雁峰区昇华中小企业服务中心），"
            "以及推荐报告、推荐汇总表，请审核。\n\n谢谢！")
    data = outlook_msg(seed="ex02", received=rec, date=T("2023-05-11 10:05:12"),
                       from_name="雁峰区工信局", from_addr="yanfeng-gxj@hengyang.gov.example",
                       subject="雁峰区2023年衡阳市中小微企业核心服务机构申报材料", body=body, atts=atts)
    add("02-yanfeng-outlook-gbk-zip-institution.eml", rec, data, "yanfeng", "incomplete",
        [dossier("institution", unit, items, INST_REQ)], [], [])


def ex03():
    unit = "衡阳祁东归阳创业孵化园有限公司"
    items = ["B01", "B02", "B04", "B05", "B06", "B07", "B13"]
    files = unit_files(items, "QD-GUIYANG", "dot",
                       titles={"B01": "归阳孵化园申请表", "B02": "归阳孵化园申请报告", "B04": "入驻企业名单及基本情况汇总表",
                               "B05": "2022年审计报告", "B07": "房屋租赁合同", "B13": "真实性声明"},
                       ext={"B06": "jpg"})
    rec = T("2023-05-11 15:30:08")
    body = ("市工信局中小企业科：\n"
            "您好！附件是祁东县衡阳祁东归阳创业孵化园有限公司申报市级中小微企业创新创业基地的材料，"
            "单位邮箱这两天登不上，先用我个人邮箱发送。其余材料还在整理，整理好后补报。\n\n"
            "祁东县工信局 王敏")
    data = qq_msg(seed="ex03", received=rec, date=T("2023-05-11 15:29:46"),
                  from_name="祁东县工信局 王敏", from_addr="1356627781@qq.example",
                  subject="祁东县-衡阳祁东归阳创业孵化园有限公司-创新创业基地申报材料",
                  body=body, atts=strip_ids(files), mode="cont")
    add("03-qidong-qq-personal-address.eml", rec, data, "qidong", "incomplete",
        [dossier("base", unit, items, BASE_REQ)], ["C01", "C02"], [])


def ex04():
    unit = "衡南县联众企业管理咨询有限公司"
    items = [i for i in INST_ALL if i != "S11"]
    files = unit_files(items, "HN-LIANZHONG", "plain",
                       titles={"S01": "核心服务机构申请表", "S03": "营业执照",
                               "S06": "服务对象情况表"})
    county = county_files("衡南县工信局", ["institution"], "hengnan",
                          report_name="衡南县工信局推荐报告.pdf",
                          summary_names=["核心服务机构推荐汇总表.xlsx"])
    atts = strip_ids(files) + strip_ids(county)
    rec = T("2023-05-12 08:52:44")
    date = T("2023-05-12 08:52:10")
    b1 = "----=_NextPart_%s_%s" % (date.strftime("%Y%m%d%H%M%S"), h("ex04b", 6).upper())
    body = ("市工信局中小企业科：\n"
            "    附件为我县推荐的衡阳市中小微企业核心服务机构衡南县联众企业管理咨询有限公司的全部申报材料、"
            "推荐报告及推荐汇总表，纸质版已寄出。\n\n衡南县工信局\n2023年5月12日\n")
    parts = [part([b'Content-Type: text/plain; charset="GBK"', b"Content-Transfer-Encoding: 8bit"],
                  body.replace("\n", "\r\n").encode("gbk"))]
    parts += [attach_raw_gbk(n, d) for n, d in atts]
    head = envelope("2875310442@qq.example", "smtp.qq.example", "203.0.113.37", rec, "ex04")
    head += ["Date: " + rfc5322(date),
             b'From: "' + "衡南县工信局".encode("gbk") + b'" <2875310442@qq.example>',
             "To: <%s>" % BUREAU,
             b"Subject: " + "衡南县推荐衡南县联众企业管理咨询有限公司申报核心服务机构材料".encode("gbk"),
             "Message-ID: <%s.%s@qq.example>" % (date.strftime("%Y%m%d%H%M%S"), h("ex04m", 6).upper()),
             "X-Mailer: WPS Mail 11.1.0.14309",
             "MIME-Version: 1.0",
             "Content-Type: multipart/mixed;",
             '\tboundary="%s"' % b1]
    data = part(head, multipart(b1, parts, preamble="This is a multi-part message in MIME format."))
    add("04-hengnan-wps-raw-gbk-headers.eml", rec, data, "hengnan", "accepted",
        [dossier("institution", unit, items, INST_REQ)], [], [])


def ex05():
    u1 = "耒阳市蔡伦科技企业孵化器有限公司"
    u2 = "耒阳市融信中小企业融资服务有限公司"
    i1 = [i for i in BASE_ALL if i != "B12"]
    i2 = INST_ALL[:]
    f1 = unit_files(i1, "LY-CAILUN", "dash2", nonum=("B14",))
    f2 = unit_files(i2, "LY-RONGXIN", "dash2")
    zips = []
    for unit, files, dt in ((u1, f1, (2023, 5, 11, 9, 15, 2)), (u2, f2, (2023, 5, 11, 10, 3, 48))):
        z = ZipW()
        for _, n, d in files:
            z.add(unit + "/" + n, d, dt=dt, made=(0, 63), ntfs=True)
        zips.append((unit + ".zip", z.build()))
    mtime = int(T("2023-05-12 15:58:00").timestamp())
    arch = seven_zip(zips, mtime)
    county = county_files("耒阳市工业和信息化局", ["base", "institution"], "leiyang")
    atts = [("耒阳市2023年中小微企业创新创业基地和核心服务机构申报材料.7z", arch)] + strip_ids(county)
    rec = T("2023-05-12 16:20:15")
    body = ("市工信局中小企业科：\n\n"
            "附件为耒阳市2023年中小微企业创新创业基地（耒阳市蔡伦科技企业孵化器有限公司）和"
            "核心服务机构（耒阳市融信中小企业融资服务有限公司）申报材料，两家单位各一个压缩包，"
            "打包在一个7z文件中；推荐报告和两张推荐汇总表另附。\n\n"
            "耒阳市工信局中小企业股")
    data = thunderbird_msg(seed="ex05", received=rec, date=T("2023-05-12 16:19:58"),
                           from_name="耒阳市工信局", from_addr="leiyang-gxj@hengyang.gov.example",
                           subject="耒阳市2023年中小微企业创新创业基地和核心服务机构申报材料",
                           body=body, atts=atts)
    add("05-leiyang-thunderbird-7z-nested-zips.eml", rec, data, "leiyang", "accepted",
        [dossier("base", u1, i1, BASE_REQ), dossier("institution", u2, i2, INST_REQ)], [], [])


def ex06():
    unit = "常宁市宜潭众创空间运营有限公司"
    items = [i for i in BASE_ALL if i not in ("B12",)]
    files = unit_files(items, "CN-YITAN", "dot")
    z = ZipW()
    dt = (2023, 5, 12, 18, 40, 6)
    for it, n, d in files:
        if it == "B13":
            continue
        z.add(unit + "/" + n, d, enc="gbk", dt=dt, password="cn0512")
    decl = [x for x in files if x[0] == "B13"][0]
    atts = [(unit + "申报材料.zip", z.build()), ("13.真实性声明.pdf", decl[2])]
    rec = T("2023-05-15 09:03:11")
    body = ("市工信局中小企业科：\n"
            "    附件是常宁市宜潭众创空间运营有限公司申报衡阳市中小微企业创新创业基地的材料，"
            "压缩包已加密，解压密码稍后电话告知。真实性声明单独附上。\n\n常宁市工信局")
    data = coremail_msg(seed="ex06", received=rec, date=T("2023-05-15 09:02:47"),
                        from_name="常宁市工信局", from_addr="changning-gxj@hengyang.gov.example",
                        subject="常宁市宜潭众创空间运营有限公司创新创业基地申报材料",
                        body=body, atts=atts, label="GBK")
    add("06-changning-encrypted-zip.eml", rec, data, "changning", "incomplete",
        [dossier("base", unit, ["B13"], BASE_REQ)], ["C01", "C02"], ["archive-encrypted"])


def ex07():
    unit = "衡阳市石鼓区合江套企业服务中心"
    items = [i for i in INST_ALL if i not in ("S08", "S11")]
    files = unit_files(items, "SG-HEJIANGTAO", "dun")
    z = ZipW()
    dt = (2023, 5, 14, 21, 7, 52)
    U = (3, 30)
    z.add(unit + "/", dt=dt, made=U)
    for _, n, d in files[:4]:
        z.add(unit + "/" + n, d, dt=dt, made=U)
    z.add("../../etc/evil.txt", b"owned by intake example 07\n", dt=dt, made=U)
    for _, n, d in files[4:8]:
        z.add(unit + "/" + n, d, dt=dt, made=U)
    z.add("/abs/path.txt", b"absolute path entry, intake example 07\n", dt=dt, made=U)
    z.add("..\\..\\win.txt", b"windows traversal entry, intake example 07\r\n", dt=dt, made=(0, 20))
    z.add(unit + "/8、主要人员基本情况表及职称证书.pdf", b"/etc/passwd", dt=dt, made=U,
          unix_mode=0o120777, method=0)
    for _, n, d in files[8:]:
        z.add(unit + "/" + n, d, dt=dt, made=U)
    county = county_files("石鼓区工信局", ["institution"], "shigu")[:1]
    atts = [(unit + ".zip", z.build())] + strip_ids(county)
    rec = T("2023-05-15 10:47:50")
    body = ("市工信局：\n    附件为石鼓区推荐的核心服务机构衡阳市石鼓区合江套企业服务中心申报材料及推荐报告，"
            "推荐汇总表盖章后另行报送。\n\n石鼓区工信局")
    data = foxmail_msg(seed="ex07", received=rec, date=T("2023-05-15 10:47:21"),
                       from_name="石鼓区工信局", from_addr="shigu-gxj@hengyang.gov.example",
                       subject="石鼓区核心服务机构申报材料（衡阳市石鼓区合江套企业服务中心）",
                       body=body, atts=atts)
    add("07-shigu-hostile-zip-entries.eml", rec, data, "shigu", "incomplete",
        [dossier("institution", unit, items, INST_REQ)], ["C02"], ["path-refused", "link-refused"])


def ex08():
    unit = "衡阳市蒸湘区华新创客产业园有限公司"
    items = [i for i in BASE_ALL if i not in ("B05", "B12")]
    files = unit_files(items, "ZX-HUAXIN", "dash2", nonum=("B14",))
    z = ZipW()
    dt = (2023, 5, 12, 11, 30, 0)
    for _, n, d in files:
        z.add(unit + "/" + n, d, dt=dt, made=(0, 63))
    # last entry: 60 MiB of zeros, ratio about 1000:1
    z.add(unit + "/05-审计报告.pdf", b"\0" * (60 << 20), dt=dt, made=(0, 63))
    county = county_files("蒸湘区工信局", ["base"], "zhengxiang")
    atts = [(unit + ".zip", z.build())] + strip_ids(county)
    rec = T("2023-05-15 14:22:03")
    body = ("中小企业科：\n附件为蒸湘区推荐的衡阳市蒸湘区华新创客产业园有限公司创新创业基地申报材料、"
            "推荐报告和汇总表，请查收。\n蒸湘区工信局")
    data = coremail_msg(seed="ex08", received=rec, date=T("2023-05-15 14:21:39"),
                        from_name="蒸湘区工信局", from_addr="zhengxiang-gxj@hengyang.gov.example",
                        subject="蒸湘区创新创业基地申报材料-衡阳市蒸湘区华新创客产业园有限公司",
                        body=body, atts=atts, label="UTF-8")
    add("08-zhengxiang-zip-bomb.eml", rec, data, "zhengxiang", "incomplete",
        [dossier("base", unit, items, BASE_REQ)], [], ["archive-bomb"])


def ex09():
    unit = "衡阳南岳衡山文创孵化基地有限公司"
    items = [i for i in BASE_ALL if i not in ("B06", "B12")]
    files = unit_files(items, "NY-WENCHUANG", "dot", nonum=("B14",))
    z = ZipW()
    dt = (2023, 5, 15, 15, 12, 9)
    for _, n, d in files[:5]:
        z.add(unit + "/" + n, d, dt=dt, made=(0, 63))
    z.add(unit + "/6.营业执照副本.pdf", pe_exe(), dt=dt, made=(0, 63))
    for _, n, d in files[5:]:
        z.add(unit + "/" + n, d, dt=dt, made=(0, 63))
    county = county_files("南岳区工信局", ["base"], "nanyue")
    atts = [(unit + ".zip", z.build())] + strip_ids(county)
    rec = T("2023-05-15 16:05:12")
    body = ("市工信局中小企业科：\n    附件为南岳区推荐的衡阳南岳衡山文创孵化基地有限公司创新创业基地申报材料，"
            "以及推荐报告、推荐汇总表，请查收。\n南岳区工信局")
    data = coremail_msg(seed="ex09", received=rec, date=T("2023-05-15 16:04:50"),
                        from_name="南岳区工信局", from_addr="nanyue-gxj@hengyang.gov.example",
                        subject="南岳区2023年市级中小微企业创新创业基地申报材料（衡阳南岳衡山文创孵化基地有限公司）",
                        body=body, atts=atts, label="GBK")
    add("09-nanyue-executable-named-pdf.eml", rec, data, "nanyue", "incomplete",
        [dossier("base", unit, items, BASE_REQ)], [], ["executable"])


def ex13():
    rec = T("2023-05-15 16:06:05")
    date = T("2023-05-15 16:06:01")
    orig_subj = "南岳区2023年市级中小微企业创新创业基地申报材料（衡阳南岳衡山文创孵化基地有限公司）"
    subj = "自动回复：回复：" + orig_subj
    body = ("您好！我于5月15日至5月19日在省里参加培训，期间不能及时查看邮件，"
            "回来后会尽快处理您的来信。急事请联系股室其他同志。\n\n南岳区工信局")
    in_reply = "<intake.%s@hengyang-gxj.example>" % h("bureau-reply-ex09", 16)
    hd = envelope("nanyue-gxj@hengyang.gov.example", "mail.hengyang.gov.example", "198.51.100.20",
                  rec, "ex13")
    hd += ["Date: " + rfc5322(date, cst=True),
           "From: %s <nanyue-gxj@hengyang.gov.example>" % ew("南岳区工信局", "GBK"),
           "To: %s" % BUREAU,
           folded("Subject", ew_split(subj, "UTF-8")),
           "In-Reply-To: %s" % in_reply,
           "References: %s" % in_reply,
           "Auto-Submitted: auto-replied",
           "X-Auto-Response-Suppress: All",
           "Precedence: auto_reply",
           "X-Mailer: Coremail Webmail Server Version XT5.0.13 build 20210104(e0d5e1f1)",
           "MIME-Version: 1.0",
           "Message-ID: <%s.%s.Coremail.autoreply@hengyang.gov.example>" % (h("ex13a", 8), h("ex13b", 11)),
           "Content-Type: text/plain; charset=UTF-8",
           "Content-Transfer-Encoding: base64"]
    data = part(hd, b64body(body.replace("\n", "\r\n").encode("utf-8")))
    add("13-autoreply-out-of-office.eml", rec, data, None, "ignored", [], [], [])


def ex10a():
    unit = "衡阳市珠晖区茶山坳创业园管理有限公司"
    items = [i for i in BASE_ALL if i not in ("B05", "B12", "B14")]
    files = unit_files(items, "ZH-CHASHANAO", "dot")
    z = ZipW()
    dt = (2023, 5, 15, 16, 50, 33)
    z.add(unit + "/", dt=dt, made=(0, 63), ntfs=True)
    for _, n, d in files:
        z.add(unit + "/" + n, d, dt=dt, made=(0, 63), ntfs=True)
    rec = T("2023-05-15 17:31:26")
    body = ("市工信局中小企业科：\n"
            "    现报送珠晖区第二家创新创业基地申报单位衡阳市珠晖区茶山坳创业园管理有限公司的申报材料。"
            "该单位2022年度审计报告和社保证明正在办理，办好后补交。推荐报告和汇总表已于5月10日一并报送。\n"
            "    请查收。\n\n珠晖区工信局 中小企业股")
    data = foxmail_msg(seed="ex10a", received=rec, date=T("2023-05-15 17:30:58"),
                       from_name="珠晖区工信局", from_addr="zhuhui-gxj@hengyang.gov.example",
                       subject="珠晖区创新创业基地申报材料（衡阳市珠晖区茶山坳创业园管理有限公司）",
                       body=body, atts=[(unit + ".zip", z.build())])
    add("10a-zhuhui-second-unit-first-part.eml", rec, data, "zhuhui", "incomplete",
        [dossier("base", unit, items, BASE_REQ)], [], [])


def ex12():
    unit = "衡山县开云创业孵化基地有限公司"
    form = unit_files(["B01"], "HS-KAIYUN", "plain",
                      overrides={"B01": unit + "申请表.docx"})
    link = ("https://wx.mail.qq.com/ftn/download?func=3&k=%s&key=%s"
            % (h("ex12k", 48), h("ex12key", 48)))
    big = "衡山县开云创业孵化基地申报材料.zip"
    size = "186.35M"
    exp = "2023年06月16日 09:20"
    text = ("市工信局中小企业科：\n您好！衡山县开云创业孵化基地有限公司的申报材料较大，用超大附件发送，"
            "申请表单独附上。请及时下载。\n衡山县工信局\n\n\n"
            "从QQ邮箱发来的超大附件\n\n%s (%s, %s 到期)\n进入下载页面：%s\n" % (big, size, exp, link))
    la = link.replace("&", "&amp;")
    html = ('<meta http-equiv="Content-Type" content="text/html; charset=GB18030">'
            '<div>市工信局中小企业科：</div><div>您好！衡山县开云创业孵化基地有限公司的申报材料较大，'
            '用超大附件发送，申请表单独附上。请及时下载。</div><div>衡山县工信局</div><div><br></div>'
            '<div id="QQMailBigAttach" style="padding:2px;margin-bottom:15px;background-color:#e8f2ff;'
            'font-size:12px;"><div style="padding:6px 10px 10px 8px;">'
            '<div style="padding:0 0 6px 0;font-size:14px;"><b>从QQ邮箱发来的超大附件</b></div>'
            '<div style="background:#fff;padding:4px;border:1px solid #c8cfda;">'
            '<div style="float:left;width:36px;height:36px;"><a href="%s" target="_blank">'
            '<img src="https://rescdn.qqmail.com/zh_CN/htmledition/images/xdisk/ico_mid/fu_zip.gif" border="0"></a></div>'
            '<div style="padding:0 0 0 40px;"><div><a style="color:#000;text-decoration:none;" href="%s" '
            'target="_blank">%s</a><span style="color:#a0a0a0;"> (%s, %s 到期)</span></div>'
            '<div><a href="%s" target="_blank" style="color:#1d63a1;">进入下载页面</a>：%s</div>'
            '</div><div style="clear:both;"></div></div></div></div>' % (la, la, big, size, exp, la, la))
    rec = T("2023-05-16 09:20:33")
    data = qq_msg(seed="ex12", received=rec, date=T("2023-05-16 09:20:05"),
                  from_name="衡山县工信局", from_addr="hengshan-gxj@hengyang.gov.example",
                  subject="衡山县开云创业孵化基地有限公司创新创业基地申报材料（超大附件）",
                  body=None, text_body=text, html_body=html, atts=strip_ids(form), mode="gb18030",
                  helo="smtpbg.qq.example", ip="203.0.113.36")
    add("12-hengshan-qq-big-attachment-link.eml", rec, data, "hengshan", "incomplete",
        [dossier("base", unit, ["B01"], BASE_REQ)], ["C01", "C02"], ["big-attachment-link"])


def ex14():
    unit = "衡阳高新区智造产业孵化器有限公司"
    items = [i for i in BASE_ALL if i != "B12"]
    files = unit_files(items, "GX-ZHIZAO", "dot", nonum=("B14",))
    z = ZipW()
    dt = (2023, 5, 16, 10, 12, 0)
    for _, n, d in files:
        z.add(unit + "/" + n, d, dt=dt, made=(0, 63))
    inner_date = T("2023-05-16 17:42:18")
    inner_body = ("刘老师：\n您好！附件是我公司申报2023年衡阳市中小微企业创新创业基地的全部材料，请审核。\n"
                  "衡阳高新区智造产业孵化器有限公司 综合部")
    inner = coremail_msg(seed="ex14inner", received=None, date=inner_date,
                         from_name="智造孵化器综合部", from_addr="hyzzfhq@126.example",
                         subject="衡阳高新区智造产业孵化器有限公司-创新创业基地申报材料",
                         body=inner_body, atts=[(unit + "申报材料.zip", z.build())],
                         label="UTF-8", to="gxq_liuyang@163.example", envelope_=False,
                         xmailer="Coremail Webmail Server Version XT5.0.14 build 20230109(dcb5de15)",
                         copyright_="126com", domain="126.example")
    # Coremail webmail's own Received line writes the sender with "$" for "@"
    inner = (b"Received: from hyzzfhq$126.example ( [192.0.2.77] ) by ajax-webmail-wmsvr41\r\n"
             b" (Coremail) ; Tue, 16 May 2023 17:42:18 +0800 (CST)\r\n") + inner
    fwd_name = "衡阳高新区智造产业孵化器有限公司-创新创业基地申报材料.eml"
    w = ew(fwd_name, "UTF-8")
    fwd = part(["Content-Type: message/rfc822; name=\"%s\"" % w,
                "Content-Disposition: attachment; filename=\"%s\"" % w], inner)
    county = county_files("衡阳高新区产业发展局", ["base"], "gaoxin",
                          report_name="衡阳高新区关于推荐2023年衡阳市中小微企业创新创业基地的报告.pdf")
    rec = T("2023-05-17 11:05:47")
    body = ("市工信局中小企业科：\n"
            "    转发衡阳高新区智造产业孵化器有限公司创新创业基地申报材料（见附件邮件），"
            "园区推荐报告和推荐汇总表一并附上。单位邮箱发送受限，用个人邮箱转发。\n\n衡阳高新区产业发展局 刘洋")
    data = coremail_msg(seed="ex14", received=rec, date=T("2023-05-17 11:05:21"),
                        from_name="衡阳高新区产业发展局 刘洋", from_addr="gxq_liuyang@163.example",
                        subject="转发：衡阳高新区智造产业孵化器有限公司-创新创业基地申报材料",
                        body=body, atts=strip_ids(county), label="UTF-8", extra_parts=[fwd],
                        xmailer="Coremail Webmail Server Version XT5.0.14 build 20230109(dcb5de15)",
                        helo="m15.mail.163.example", ip="203.0.113.15", domain="163.example",
                        quoted_from=True, copyright_="163com")
    add("14-gaoxin-forwarded-as-attachment.eml", rec, data, "gaoxin", "accepted",
        [dossier("base", unit, items, BASE_REQ)], [], [])


def ex15():
    rec = T("2023-05-17 13:10:02")
    qid = h("ex15q", 10).upper()
    b = "%s.%d/%s" % (qid, int(rec.timestamp()), MX)
    orig_date = T("2023-05-12 08:55:31")
    orig_subj = "回复：衡南县推荐衡南县联众企业管理咨询有限公司申报核心服务机构材料"
    notif = ("This is the mail system at host %s.\r\n\r\n"
             "I'm sorry to have to inform you that your message could not\r\n"
             "be delivered to one or more recipients. It's attached below.\r\n\r\n"
             "For further assistance, please send mail to postmaster.\r\n\r\n"
             "If you do so, please include this problem report. You can\r\n"
             "delete your own text from the attached returned message.\r\n\r\n"
             "                   The mail system\r\n\r\n"
             "<2875310442@qq.example>: host mx3.qq.example[203.0.113.25] said: 452 4.2.2\r\n"
             "    Mailbox is full (in reply to RCPT TO command)\r\n" % MX).encode()
    status = ("Reporting-MTA: dns; %s\r\n"
              "X-Postfix-Queue-ID: %s\r\n"
              "X-Postfix-Sender: rfc822; %s\r\n"
              "Arrival-Date: %s\r\n\r\n"
              "Final-Recipient: rfc822; 2875310442@qq.example\r\n"
              "Original-Recipient: rfc822;2875310442@qq.example\r\n"
              "Action: failed\r\n"
              "Status: 4.2.2\r\n"
              "Remote-MTA: dns; mx3.qq.example\r\n"
              "Diagnostic-Code: smtp; 452 4.2.2 Mailbox is full\r\n"
              % (MX, qid, BUREAU, rfc5322(orig_date, cst=True))).encode()
    orig = hdrs(["Return-Path: <%s>" % BUREAU,
                 "Received: by %s (Postfix, from userid 998)" % MX,
                 "\tid %s; %s" % (qid, rfc5322(orig_date, cst=True)),
                 "Date: " + rfc5322(orig_date),
                 "From: %s <%s>" % (ew("衡阳市工业和信息化局中小企业科", "UTF-8"), BUREAU),
                 "To: 2875310442@qq.example",
                 folded("Subject", ew_split(orig_subj, "UTF-8"), sep="\r\n "),
                 "In-Reply-To: <%s.%s@qq.example>" % (T("2023-05-12 08:52:10").strftime("%Y%m%d%H%M%S"),
                                                       h("ex04m", 6).upper()),
                 "Message-ID: <intake.%s@hengyang-gxj.example>" % h("bureau-reply-ex04", 16),
                 "Auto-Submitted: auto-replied",
                 "MIME-Version: 1.0",
                 "Content-Type: text/plain; charset=UTF-8",
                 "Content-Transfer-Encoding: base64"])
    parts = [part(["Content-Description: Notification", "Content-Type: text/plain; charset=us-ascii"], notif),
             part(["Content-Description: Delivery report", "Content-Type: message/delivery-status"], status),
             part(["Content-Description: Undelivered Message Headers",
                   "Content-Type: text/rfc822-headers"], orig)]
    hd = ["Return-Path: <>", "Delivered-To: %s" % BUREAU,
          "Received: by %s (Postfix)" % MX,
          "\tid %s; %s" % (qid, rfc5322(rec, cst=True)),
          "Date: " + rfc5322(rec, cst=True),
          "From: MAILER-DAEMON@%s (Mail Delivery System)" % MX,
          "Subject: Undelivered Mail Returned to Sender",
          "To: %s" % BUREAU,
          "Auto-Submitted: auto-replied",
          "MIME-Version: 1.0",
          "Content-Type: multipart/report; report-type=delivery-status;",
          '\tboundary="%s"' % b,
          "Content-Transfer-Encoding: 8bit",
          "Message-Id: <%s.%s@%s>" % (rec.astimezone(datetime.timezone.utc).strftime("%Y%m%d%H%M%S"), qid, MX)]
    data = part(hd, multipart(b, parts, preamble="This is a MIME-encapsulated message."))
    add("15-bounce-mailer-daemon.eml", rec, data, None, "ignored", [], [], [])


def ex16():
    top = "衡阳松木经开区2023年核心服务机构申报材料"
    unit = "衡阳松木新材料检验检测技术服务有限公司"
    items = [i for i in INST_ALL if i != "S11"]
    files = unit_files(items, "SM-JIANCE", "dun")
    county = county_files("衡阳松木经济开发区产业发展局", ["institution"], "songmu",
                          report_name="松木经开区关于推荐2023年衡阳市中小微企业核心服务机构的报告.pdf")
    ents = [(top, None)]
    ents += [(top + "/" + n, d) for _, n, d in county]
    ents += [(top + "/.DS_Store", ds_store())]
    ents += [(top + "/" + unit, None)]
    for _, n, d in files:
        ents.append((top + "/" + unit + "/" + n, d))
    ents += [(top + "/" + unit + "/.DS_Store", ds_store()),
             (top + "/" + unit + "/._" + files[0][1], apple_double("ad0")),
             (top + "/" + unit + "/._" + files[6][1], apple_double("ad6")),
             (top + "/" + unit + "/Thumbs.db", thumbs_db()),
             ("__MACOSX", None), ("__MACOSX/" + top, None),
             ("__MACOSX/" + top + "/" + unit, None)]
    for k in (0, 2, 6, 11):
        ents.append(("__MACOSX/" + top + "/" + unit + "/._" + files[k][1], apple_double("mx%d" % k)))
    ents.append(("__MACOSX/" + top + "/._" + county[0][1], apple_double("mxc")))
    arch = tar_gz(ents, int(T("2023-05-17 15:20:00").timestamp()))
    rec = T("2023-05-17 15:48:19")
    body = ("市工信局中小企业科：\n"
            "    附件为松木经开区推荐的衡阳松木新材料检验检测技术服务有限公司核心服务机构申报材料，"
            "推荐报告和汇总表在压缩包内。\n\n松木经开区产业发展局")
    data = outlook_msg(seed="ex16", received=rec, date=T("2023-05-17 15:47:55"),
                       from_name="松木经开区产业发展局", from_addr="songmu-cyfz@hengyang.gov.example",
                       subject="松木经开区核心服务机构申报材料", body=body,
                       atts=[(top + ".tar.gz", arch)], version="15.0", logo=False)
    add("16-songmu-targz-macos-junk.eml", rec, data, "songmu", "accepted",
        [dossier("institution", unit, items, INST_REQ)], [], [])


def ex17():
    rec = T("2023-05-18 08:30:41")
    date = T("2023-05-18 08:30:02")
    b = "----=_Part_%d_%d.%d" % (70312, 1790384466, int(date.timestamp()) * 1000 + 417)
    # the message was cut off in transit: no part headers, no boundary line,
    # only some base64 lines from the middle of an attachment
    blob = base64.b64encode(hb("ex17 garbage", 57 * 9 + 20)).decode()
    lines = [blob[i:i + 76] for i in range(0, len(blob), 76)]
    lines[-1] = lines[-1][:37]
    hd = envelope("baishazhou-cyfz@hengyang.gov.example", "mail.hengyang.gov.example",
                  "198.51.100.20", rec, "ex17")
    hd += ["Date: " + rfc5322(date, cst=True),
           "From: %s <baishazhou-cyfz@hengyang.gov.example>" % ew("白沙洲工业园区产业发展部", "GBK"),
           "To: %s" % BUREAU,
           folded("Subject", ew_split("白沙洲工业园区2023年中小微企业核心服务机构推荐材料", "GBK")),
           "X-Priority: 3",
           "X-Mailer: Coremail Webmail Server Version XT5.0.13 build 20210104(e0d5e1f1)",
           "Content-Type: multipart/mixed; ",
           '\tboundary="%s"' % b,
           "MIME-Version: 1.0",
           "Message-ID: <%s.%s.%s.Coremail.baishazhou-cyfz@hengyang.gov.example>"
           % (h("ex17a", 8), h("ex17b", 4), h("ex17c", 11))]
    data = hdrs(hd) + b"\r\n" + ("\r\n".join(lines)).encode()
    add("17-baishazhou-truncated-garbage.eml", rec, data, "baishazhou", "rejected", [],
        ["C01", "C02"], ["mime-unparseable"])


def ex18():
    top = "衡阳县2023年创新创业基地申报材料"
    u1 = "衡阳县西渡镇创业孵化基地有限公司"
    u2 = "衡阳县蒸水湾电商产业园管理有限公司"
    i1 = [i for i in BASE_ALL if i != "B12"]
    i2 = [i for i in BASE_ALL if i not in ("B08", "B09")]
    f1 = unit_files(i1, "HYX-XIDU", "dot", nonum=("B14",))
    f2 = unit_files(i2, "HYX-ZHENGSHUIWAN", "dun", ext={"B06": "jpg"})
    county = county_files("衡阳县工业和信息化局", ["base"], "hengyangxian",
                          report_name="衡阳县工业和信息化局关于推荐2023年衡阳市中小微企业创新创业基地的报告.pdf")
    z = ZipW()
    dt = (2023, 5, 17, 20, 15, 44)
    W = dict(enc="gbk", utf8flag=False, upath=True, dt=dt, made=(0, 31), need=20)
    z.add(top + "/", **W)
    for _, n, d in county:
        z.add(top + "/" + n, d, **W)
    for k, (unit, files) in enumerate(((u1, f1), (u2, f2)), 1):
        folder = "%s/%d.%s/" % (top, k, unit)
        z.add(folder, **W)
        for _, n, d in files:
            z.add(folder + n, d, **W)
    rec = T("2023-05-18 10:12:09")
    body = ("市工信局中小企业科：\n"
            "    衡阳县今年推荐两家创新创业基地：衡阳县西渡镇创业孵化基地有限公司、"
            "衡阳县蒸水湾电商产业园管理有限公司，材料和推荐报告、汇总表打包在一个压缩包里，请查收。\n\n"
            "衡阳县工信局")
    data = outlook_msg(seed="ex18", received=rec, date=T("2023-05-18 10:11:40"),
                       from_name="衡阳县工信局", from_addr="hyx-gxj@hengyang.gov.example",
                       subject="衡阳县2023年衡阳市中小微企业创新创业基地申报材料（两家）", body=body,
                       atts=[(top + ".zip", z.build())], version="14.0", logo=False)
    add("18-hengyangxian-two-units-one-zip.eml", rec, data, "hengyangxian", "incomplete",
        [dossier("base", u1, i1, BASE_REQ), dossier("base", u2, i2, BASE_REQ)], [], [])


def ex10b():
    unit = "衡阳市珠晖区茶山坳创业园管理有限公司"
    files = unit_files(["B05", "B14"], "ZH-CHASHANAO", "dot",
                       overrides={"B14": "社保缴纳证明（6人）.pdf"})
    rec = T("2023-05-18 14:55:00")
    body = ("市工信局中小企业科：\n"
            "    补交衡阳市珠晖区茶山坳创业园管理有限公司2022年度审计报告和社保证明，"
            "请与5月15日报送的材料合并审核。\n\n珠晖区工信局 中小企业股")
    data = foxmail_msg(seed="ex10b", received=rec, date=T("2023-05-18 14:54:31"),
                       from_name="珠晖区工信局", from_addr="zhuhui-gxj@hengyang.gov.example",
                       subject="补件：衡阳市珠晖区茶山坳创业园管理有限公司（审计报告、社保证明）",
                       body=body, atts=strip_ids(files))
    merged = [i for i in BASE_ALL if i != "B12"]
    add("10b-zhuhui-supplement.eml", rec, data, "zhuhui", "accepted",
        [dossier("base", unit, merged, BASE_REQ)], [], [])


def ex19():
    unit = "衡阳综合保税区跨境贸易服务有限公司"
    form = unit_files(["S01"], "ZB-KUAJING", "plain", overrides={"S01": unit + "申请表.docx"})
    scans = [
        ("扫描全能王 2023-05-10 10.23.pdf", pdf(["CamScanner 2023-05-10 10.23", "page 1"],
                                              producer="CamScanner", when="20230510102300")),
        ("扫描全能王 2023-05-10 10.25.pdf", pdf(["CamScanner 2023-05-10 10.25", "page 1"],
                                              producer="CamScanner", when="20230510102500")),
        ("IMG_2034.jpg", jpeg(8, 6, "IMG_2034", comment="iPhone")),
        ("IMG_2035.jpg", jpeg(8, 6, "IMG_2035", comment="iPhone")),
        ("微信图片_20230510103512.jpg", jpeg(6, 8, "wx20230510103512")),
    ]
    atts = strip_ids(form) + scans
    rec = T("2023-05-19 17:58:26")
    body = ("中小企业科：\n综保区衡阳综合保税区跨境贸易服务有限公司申报核心服务机构的材料，"
            "都是手机拍照和扫描件，请查收。推荐报告下周补。\n\n综保区产业发展部\n\n发自我的网易邮箱手机智能版")
    data = coremail_msg(seed="ex19", received=rec, date=T("2023-05-19 17:57:49"),
                        from_name="综保区产业发展部", from_addr="zongbao-cyfz@hengyang.gov.example",
                        subject="综保区跨境贸易服务有限公司核心服务机构申报材料",
                        body=body, atts=atts, label="UTF-8", xmailer="NetEase Flash Mail 2.4.1.32",
                        copyright_=None)
    add("19-zongbao-camera-and-scan-names.eml", rec, data, "zongbao", "incomplete",
        [dossier("institution", unit, ["S01"], INST_REQ)], ["C01", "C02"], ["unrecognised"])


def ex11():
    unit = "衡东县洣水企业服务有限公司"           # 洣: in GBK, not in GB2312
    items = [i for i in INST_ALL if i != "S11"]
    files = unit_files(items, "HD-MISHUI", "dot")
    z = ZipW()
    dt = (2023, 5, 18, 16, 58, 12)
    for _, n, d in files:
        z.add(unit + "/" + n, d, dt=dt, made=(0, 63))
    county = county_files("衡东县工信局", ["institution"], "hengdong")
    atts = [(unit + ".zip", z.build())] + strip_ids(county)
    rec = T("2023-05-20 09:12:00")
    body = ("市工信局中小企业科：\n"
            "    附件为衡东县推荐的核心服务机构衡东县洣水企业服务有限公司申报材料及推荐报告、推荐汇总表，"
            "请查收。\n\n衡东县工信局")
    data = outlook_msg(seed="ex11", received=rec, date=T("2023-05-18 17:46:03"),
                       from_name="衡东县工信局", from_addr="hengdong-gxj@hengyang.gov.example",
                       subject="衡东县2023年核心服务机构申报材料（衡东县洣水企业服务有限公司）",
                       body=body, atts=atts)
    add("11-hengdong-late.eml", rec, data, "hengdong", "late",
        [dossier("institution", unit, items, INST_REQ)], [], [])


def main():
    for f in (ex01, ex02, ex03, ex04, ex05, ex06, ex07, ex08, ex09, ex13, ex10a, ex12, ex14,
              ex15, ex16, ex17, ex18, ex10b, ex19, ex11):
        f()
    recs = [r for _, r, _, _ in EXAMPLES]
    assert recs == sorted(recs), "ingestion order must follow received time"
    for file, rec, data, _ in EXAMPLES:
        assert len(data) < 600 * 1024, (file, len(data))
        with open(os.path.join(HERE, file), "wb") as f:
            f.write(data)
    with open(os.path.join(HERE, "received.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for file, rec, _, _ in EXAMPLES:
            f.write("%s\t%s\n" % (file, rfc3339(rec)))
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump([e for _, _, _, e in EXAMPLES], f, ensure_ascii=False, indent=2)
        f.write("\n")
    for file, _, data, _ in EXAMPLES:
        print("%-48s %8d" % (file, len(data)))


if __name__ == "__main__":
    main()
