#!/usr/bin/python3
"""gen-corpus.py - write the three benchmark corpora of intake, deterministically.

    /usr/bin/python3 bench/gen-corpus.py OUTDIR [SCALE [BIG_MB]]

OUTDIR/typical/    200 x SCALE submissions, each one zip of 2-8 MB holding 14-20
                   files (half the zips with GBK names and no UTF-8 flag), in the
                   Foxmail, Outlook and Thunderbird styles of examples/.
OUTDIR/small/      2000 x SCALE messages with 3 small attachments each.
OUTDIR/big/        3 messages with one zip of BIG_MB (default 150) MB each.
OUTDIR/*/received.tsv  file and INTERNALDATE (unix time), in order.

The mail is built with the helpers of examples/make-examples.py (real minimal
PDF/OOXML/JPEG files, the clients' header and attachment styles); the scans a
clerk attaches are made realistic in size with incompressible padding from a
seeded generator.  Same SCALE, same bytes.
"""

import importlib.util
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "mkex", os.path.join(HERE, "..", "examples", "make-examples.py"))
X = importlib.util.module_from_spec(spec)
spec.loader.exec_module(X)

COUNTIES = [
    ("zhuhui", "珠晖区", "zhuhui-gxj@hengyang.gov.example"),
    ("yanfeng", "雁峰区", "yanfeng-gxj@hengyang.gov.example"),
    ("shigu", "石鼓区", "shigu-gxj@hengyang.gov.example"),
    ("zhengxiang", "蒸湘区", "zhengxiang-gxj@hengyang.gov.example"),
    ("nanyue", "南岳区", "nanyue-gxj@hengyang.gov.example"),
    ("hengyangxian", "衡阳县", "hyx-gxj@hengyang.gov.example"),
    ("hengnan", "衡南县", "hengnan-gxj@hengyang.gov.example"),
    ("hengshan", "衡山县", "hengshan-gxj@hengyang.gov.example"),
    ("hengdong", "衡东县", "hengdong-gxj@hengyang.gov.example"),
    ("qidong", "祁东县", "qidong-gxj@hengyang.gov.example"),
    ("leiyang", "耒阳市", "leiyang-gxj@hengyang.gov.example"),
    ("changning", "常宁市", "changning-gxj@hengyang.gov.example"),
]
UNIT_KINDS = ["科技创业孵化园有限公司", "众创空间管理有限公司", "中小企业服务中心",
              "产业园运营有限公司", "企业管理咨询有限公司", "创新创业服务有限公司"]
PLACES = ["湘江", "蒸水", "耒水", "回雁", "石鼓", "岣嵝", "南岳", "来雁", "船山", "酃湖"]
BASE_EPOCH = 1683504000          # 2023-05-08 08:00 +08:00, after the call opened


def padded(rng, name, data, size):
    """A scan-sized file: the real file, then incompressible bytes (a PDF's
    image stream or a JPEG's entropy-coded data is not compressible)."""
    if size <= len(data):
        return data
    ext = name.rsplit(".", 1)[-1]
    if ext == "pdf":
        # Before "startxref", after the trailer: the cross-reference
        # offsets stay true and readers find startxref in the file's
        # last bytes, as in a real scan (padding after startxref would
        # make every reader rebuild the file's index by scanning it).
        head, sep, tail = data.rpartition(b"startxref")
        pad = rng.randbytes(size - len(data))
        return head + b"% scan\n" + pad + b"\n" + sep + tail
    return data + rng.randbytes(size - len(data))


def unit_zip(rng, seed, unit, program, nfiles, total, gbk):
    items = (X.BASE_ALL if program == "base" else X.INST_ALL)[:]
    style = rng.choice(["dot", "dun", "dash2"])
    files = X.unit_files(items, seed, style)
    # extra scanned pages to reach nfiles: 附件 of the items
    n = 0
    while len(files) < nfiles:
        it, nm, d = files[n % len(items)]
        base = nm.rsplit(".", 1)[0]
        files.append((it, "%s（附%d）.pdf" % (base, n + 1),
                      X.content(it, "pdf", seed, base + str(n))))
        n += 1
    files = files[:nfiles]
    # size: the pdfs and jpgs take the bulk, as scans do
    big = [i for i, (_, nm, _) in enumerate(files) if nm.endswith((".pdf", ".jpg"))]
    weights = [rng.uniform(0.3, 1.7) for _ in big]
    sw = sum(weights)
    z = X.ZipW()
    dt = (2023, 5, rng.randint(5, 15), rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59))
    enc = "gbk" if gbk else "utf-8"
    z.add(unit + "/", enc=enc, dt=dt)
    for i, (_, nm, d) in enumerate(files):
        if i in big:
            d = padded(rng, nm, d, int(total * weights[big.index(i)] / sw))
        z.add(unit + "/" + nm, d, enc=enc, dt=dt)
    return z.build()


def message(rng, seed, county, atts, subject, body, recv, style):
    cid, cname, addr = county
    date = X.datetime.datetime.fromtimestamp(recv - rng.randint(10, 90), X.TZ)
    rec = X.datetime.datetime.fromtimestamp(recv, X.TZ)
    kw = dict(seed=seed, received=rec, date=date, from_name=cname + "工信局",
              from_addr=addr, subject=subject, body=body, atts=atts)
    if style == "foxmail":
        return X.foxmail_msg(**kw)
    if style == "outlook":
        return X.outlook_msg(**kw)
    return X.thunderbird_msg(**kw)


STYLES = ["foxmail", "outlook", "thunderbird"]


def typical(rng, i, zip_bytes=None, nfiles=None, recv=None):
    county = COUNTIES[i % len(COUNTIES)]
    program = "base" if i % 3 else "institution"
    unit = "衡阳市%s%s%s%d号" % (county[1], rng.choice(PLACES), rng.choice(UNIT_KINDS), i)
    nfiles = nfiles or rng.randint(14, 20)
    total = zip_bytes or rng.randint(2 << 20, 8 << 20)
    seed = "bench-%d" % i
    z = unit_zip(rng, seed, unit, program, nfiles, total, gbk=(i % 2 == 1))
    prog = "中小微企业创新创业基地" if program == "base" else "中小微企业核心服务机构"
    subject = "%s2023年衡阳市%s申报材料（%s）" % (county[1], prog, unit)
    body = ("市工信局中小企业科：\n    现将%s申报材料报送给你们，申报单位为%s，请查收。\n\n%s工信局"
            % (county[1], unit, county[1]))
    return message(rng, seed, county, [(unit + ".zip", z)], subject, body,
                   recv or BASE_EPOCH + 600 * i, STYLES[i % 3])


def small(rng, i):
    county = COUNTIES[i % len(COUNTIES)]
    seed = "small-%d" % i
    unit = "衡阳市%s%s%s%d号" % (county[1], rng.choice(PLACES), rng.choice(UNIT_KINDS), i)
    items = ["B13", "B06", "B04"] if i % 2 else ["S12", "S03", "S06"]
    files = X.unit_files(items, seed, "dot")
    atts = [(nm, padded(rng, nm, d, rng.randint(4 << 10, 40 << 10))) for _, nm, d in files]
    subject = "%s补充材料（%s）" % (county[1], unit)
    body = "市工信局：\n    补充%s的材料三份，请查收。\n" % unit
    return message(rng, seed, county, atts, subject, body, BASE_EPOCH + 30 * i, STYLES[i % 3])


def main():
    outdir = sys.argv[1]
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    ntyp = max(2, round(200 * scale))
    nsmall = max(10, round(2000 * scale))
    bigsize = int(float(sys.argv[3]) * 1e6) if len(sys.argv) > 3 else 150000000

    def gen(name, n, fn):
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        tsv = open(os.path.join(d, "received.tsv"), "w")
        for i in range(n):
            rng = random.Random("%s/%d" % (name, i))
            t, data = fn(rng, i)
            f = "%s-%05d.eml" % (name, i)
            with open(os.path.join(d, f), "wb") as out:
                out.write(data)
            tsv.write("%s\t%d\n" % (f, t))
        tsv.close()

    gen("typical", ntyp, lambda rng, i: (BASE_EPOCH + 600 * i, typical(rng, i)))
    gen("small", nsmall, lambda rng, i: (BASE_EPOCH + 30 * i, small(rng, i)))
    gen("big", 3, lambda rng, i: (BASE_EPOCH + 600 * i,
                                  typical(rng, 1000 + i, zip_bytes=bigsize, nfiles=16,
                                          recv=BASE_EPOCH + 600 * i)))


if __name__ == "__main__":
    main()
