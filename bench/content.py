#!/usr/bin/python3
"""content.py - time per file of text extraction and classification by
content, by file kind, over the labelled set tests/content/ (make bench-content;
make bench runs it after run.py).

Two measurements:

 1. library: build/tests/test_content run once with INTAKE_CONTENT_TIMES,
    which times text_extract() (OCR on) and classify_message() for every
    file in-process and writes one line per file.  Per kind: median, 90th
    percentile and maximum of the extraction time, median classification
    time, how many files gave text and how many were classified right.
 2. ingest: `intakectl ingest` of one message per file (the file attached
    under its content-free name, subject naming the program), all messages
    of a kind in one run on fresh state, with `[intake] ocr = on` and then
    `ocr = off`; wall time per message.  The difference is what OCR costs
    end to end (sandboxed child, REC_TEXT record, ledger).  Skipped with a
    note while intakectl does not know the `ocr` key.

Environment:
  BENCH_DIR          scratch directory (default /var/tmp/intake-bench)
  BENCH_CONTENT_RUNS ingest runs per kind and setting, median taken (default 1)
  BENCH_CONTENT_OUT  where to write the results (default bench/RESULTS-content.md)
  BENCH_CONTENT_LIB  0 to skip the library measurement
"""

import email.message
import email.policy
import email.utils
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "bin")
SET = os.path.join(ROOT, "tests", "content")
DIR = os.path.abspath(os.environ.get("BENCH_DIR") or "/var/tmp/intake-bench")
RUNS = int(os.environ.get("BENCH_CONTENT_RUNS") or 1)
OUT = os.environ.get("BENCH_CONTENT_OUT") or os.path.join(ROOT, "bench", "RESULTS-content.md")
LIB = (os.environ.get("BENCH_CONTENT_LIB") or "1") != "0"
KINDS = ("docx", "xlsx", "doc", "xls", "pdf-text", "pdf-scan", "image")

SENDER = "hengnan-gxj@hengyang.gov.example"
SUBJECT = {
    "base": "衡南县云集科技孵化器有限公司申报2023年中小微企业创新创业基地材料",
    "institution": "湖南衡科检测技术有限公司申报2023年中小微企业核心服务机构材料",
    "county": "衡南县工业和信息化局报送2023年推荐材料",
    "none": "衡南县云集科技孵化器有限公司申报2023年中小微企业创新创业基地材料",
}
MIME = {
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pdf": ("application", "pdf"), ".jpg": ("image", "jpeg"), ".png": ("image", "png"),
    ".tif": ("image", "tiff"), ".doc": ("application", "msword"),
    ".xls": ("application", "vnd.ms-excel"),
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def labels():
    rows = []
    for line in open(os.path.join(SET, "labels.tsv"), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        rows.append(dict(file=f[0], program=f[1], item=f[2], kind=f[3]))
    return rows


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))
    return xs[k]


# ------------------------------------------------------------ 1. library

def library():
    """Per-file lines from test_content, or None (and why)."""
    r = subprocess.run(["make", "-s", "build/tests/test_content"], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    if r.returncode != 0:
        return None, "build/tests/test_content does not build yet:\n" + r.stdout[-1500:]
    times = os.path.join(DIR, "content-times.tsv")
    if os.path.exists(times):
        os.unlink(times)
    env = dict(os.environ, INTAKE_CONTENT_TIMES=times, INTAKE_CONTENT_JOBS="1", OMP_THREAD_LIMIT="1")
    t0 = time.monotonic()
    r = subprocess.run([os.path.join(ROOT, "build", "tests", "test_content")], cwd=ROOT, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    wall = time.monotonic() - t0
    if not os.path.exists(times):
        return None, "test_content wrote no times (exit %d):\n%s" % (r.returncode, r.stdout[-1500:])
    rows = []
    for line in open(times, encoding="utf-8"):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        rows.append(dict(file=f[0], kind=f[1], source=f[2], conf=int(f[3]),
                         extract=float(f[4]), classify=float(f[5]), expected=f[6], got=f[7],
                         nbytes=int(f[8])))
    summary = [l for l in r.stdout.splitlines() if l.startswith("overall:")]
    return dict(rows=rows, wall=wall, rc=r.returncode,
                summary=summary[0] if summary else "", out=r.stdout), None


# ------------------------------------------------------------ 2. ingest

def make_mail(d, rows):
    os.makedirs(d, exist_ok=True)
    paths = {}
    for i, row in enumerate(rows):
        m = email.message.EmailMessage(policy=email.policy.SMTP)
        m["From"] = email.utils.formataddr(("衡南县工信局", SENDER))
        m["To"] = "510132931@qq.com"
        m["Subject"] = SUBJECT[row["program"]]
        m["Date"] = "Fri, 12 May 2023 10:%02d:00 +0800" % (i % 60)
        m["Message-ID"] = "<content-%03d@hengyang.gov.example>" % i
        m.set_content("王科长：您好！附件是申报材料，请查收。\n")
        ext = os.path.splitext(row["file"])[1].lower()
        maintype, subtype = MIME.get(ext, ("application", "octet-stream"))
        data = open(os.path.join(SET, row["file"]), "rb").read()
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=row["file"])
        p = os.path.join(d, "%03d.eml" % i)
        with open(p, "wb") as f:
            f.write(m.as_bytes())
        paths[row["file"]] = p
    return paths


def write_conf(path, state, ocr):
    with open(path, "w") as f:
        f.write("[intake]\nstate_dir = %s\ncampaign = %s/campaigns/hengyang-2023.conf\nocr = %s\n"
                % (state, ROOT, ocr))


def ingest(paths, ocr):
    """(wall seconds, stderr, rc) of one intakectl ingest of paths on fresh state."""
    work = os.path.join(DIR, "content-work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    conf = os.path.join(work, "intake.conf")
    write_conf(conf, os.path.join(work, "state"), ocr)
    os.sync()
    t0 = time.monotonic()
    p = subprocess.run([os.path.join(BIN, "intakectl"), "-c", conf, "ingest"] + paths,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.monotonic() - t0, p.stderr, p.returncode, os.path.join(work, "state", "intake.db")


def assigned(db):
    """file name -> current item from the ledger (None where unassigned)."""
    out = {}
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        for name, item in con.execute(
                "SELECT f.name, a.item FROM files f LEFT JOIN assignments a "
                "ON a.file = f.id AND a.current = 1 WHERE f.depth = 0 AND f.body_image = 0 "
                "AND f.kind IN ('document', 'image')"):
            out[name] = item
        con.close()
    except sqlite3.Error as e:
        log("bench: ledger %s: %s" % (db, e))
    return out


def ingest_bench(rows):
    if not os.path.exists(os.path.join(BIN, "intakectl")):
        return None, "bin/intakectl is not built"
    paths = make_mail(os.path.join(DIR, "content-mail"), rows)
    first = [paths[rows[0]["file"]]]
    _, err, rc, _ = ingest(first, "on")
    if rc != 0:
        return None, ("`intakectl ingest` with `[intake] ocr = on` fails on this build "
                      "(text extraction not integrated yet?):\n" + err.strip()[-800:])
    res = {}
    for kind in KINDS:
        ps = [paths[r["file"]] for r in rows if r["kind"] == kind]
        if not ps:
            continue
        for ocr in ("on", "off"):
            walls = []
            got = {}
            for _ in range(RUNS):
                wall, err, rc, db = ingest(ps, ocr)
                if rc != 0:
                    log("bench: intakectl ingest (%s, ocr %s) exited %d\n%s" % (kind, ocr, rc, err[-800:]))
                    raise SystemExit(1)
                walls.append(wall)
                got = assigned(db)
            res[(kind, ocr)] = dict(n=len(ps), wall=statistics.median(walls), got=got)
            log("bench: ingest %-8s ocr %-3s %2d messages %.2f s" % (kind, ocr, len(ps), res[(kind, ocr)]["wall"]))
    return res, None


# ------------------------------------------------------------ report

def report(rows, lib, lib_note, ing, ing_note):
    lines = []
    w = lines.append
    w("# Content extraction and classification: time per file")
    w("")
    w("Written by bench/content.py on %s over tests/content/ (%d files; kinds from labels.tsv)."
      % (time.strftime("%Y-%m-%d %H:%M %Z"), len(rows)))
    w("Machine: %s, nproc %d, load before %s." % (cpu(), os.cpu_count(),
                                                  " ".join(open("/proc/loadavg").read().split()[:3])))
    w("")
    w("## text_extract() and classify_message() in-process (test_content)")
    w("")
    if lib is None:
        w("Not measured: %s" % lib_note.replace("\n", "\n    "))
    else:
        w("One run, OCR on (chi_sim+eng, first page, OMP_THREAD_LIMIT=1); whole run %.1f s; %s"
          % (lib["wall"], lib["summary"] or "(no summary line)"))
        w("")
        w("| kind | files | with text | right | extract median ms | p90 ms | max ms | classify median ms |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|")
        for kind in KINDS + ("all",):
            rs = [r for r in lib["rows"] if kind == "all" or r["kind"] == kind]
            if not rs:
                continue
            ex = [r["extract"] for r in rs]
            w("| %s | %d | %d | %d | %.0f | %.0f | %.0f | %.2f |" % (
                kind, len(rs), sum(r["source"] != "none" for r in rs),
                sum(r["expected"] == r["got"] for r in rs), statistics.median(ex), pct(ex, 90),
                max(ex), statistics.median(r["classify"] for r in rs)))
        w("")
        w("By text source: " + ", ".join(
            "%s %d files, median %.0f ms" % (s, len(v), statistics.median(v))
            for s, v in sorted(by_source(lib["rows"]).items())))
        w("")
        slow = sorted(lib["rows"], key=lambda r: -r["extract"])[:5]
        w("Slowest: " + "; ".join("%s (%s, %s) %.0f ms" % (r["file"], r["kind"], r["source"], r["extract"])
                                  for r in slow))
    w("")
    w("## `intakectl ingest`, one message per file")
    w("")
    if ing is None:
        w("Not measured: %s" % ing_note.replace("\n", "\n    "))
    else:
        w("All messages of a kind in one `intakectl ingest` on fresh state (raw message fsync'd, "
          "parse and text in the sandboxed child, one ledger transaction per message); "
          "median of %d run(s)." % RUNS)
        w("")
        w("| kind | messages | ocr on s/msg | ocr off s/msg | OCR cost s/msg | items right (ocr on) |")
        w("|---|---:|---:|---:|---:|---:|")
        for kind in KINDS:
            if (kind, "on") not in ing:
                continue
            on, off = ing[(kind, "on")], ing[(kind, "off")]
            right = sum(1 for r in rows if r["kind"] == kind
                        and (on["got"].get(r["file"]) or "none") == r["item"])
            w("| %s | %d | %.3f | %.3f | %.3f | %d/%d |" % (
                kind, on["n"], on["wall"] / on["n"], off["wall"] / off["n"],
                (on["wall"] - off["wall"]) / on["n"], right, on["n"]))
    w("")
    with open(OUT, "w") as f:
        f.write("\n".join(lines))
    log("bench: wrote %s" % OUT)


def by_source(rows):
    out = {}
    for r in rows:
        out.setdefault(r["source"], []).append(r["extract"])
    return out


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "?"


def main():
    os.makedirs(DIR, exist_ok=True)
    rows = labels()
    lib, lib_note = (library() if LIB else (None, "BENCH_CONTENT_LIB=0"))
    if lib is None:
        log("bench: library measurement skipped: %s" % lib_note.splitlines()[0])
    ing, ing_note = ingest_bench(rows)
    if ing is None:
        log("bench: ingest measurement skipped: %s" % ing_note.splitlines()[0])
    report(rows, lib, lib_note, ing, ing_note)


if __name__ == "__main__":
    main()
