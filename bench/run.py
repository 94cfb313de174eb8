#!/usr/bin/python3
"""run.py - intake against the standard tools (make bench).

Environment:
  BENCH_DIR    scratch directory on a real disk (default /var/tmp/intake-bench)
  BENCH_SCALE  corpus size factor for typical and small (default 1: 200
               typical, 2,000 small); 0.1 for a quick run
  BENCH_BIG_MB size of each big message's zip (default 150)
  BENCH_PAIRS  interleaved pairs per comparison (default 3)
  BENCH_IMAP   0 to skip the IMAP pair
  BENCH_OUT    where to write the results (default bench/RESULTS.md)

Each comparison runs A B A B ... (intake, then the other), every run on fresh
state after a sync, and takes the median of the per-pair ratios.  Wall time
and peak RSS come from wait4(): the peak is that of the largest single
process of the run's tree (for intake: the parent or its parse child).
"""

import hashlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "bin")
DIR = os.path.abspath(os.environ.get("BENCH_DIR") or "/var/tmp/intake-bench")
SCALE = float(os.environ.get("BENCH_SCALE") or 1)
PAIRS = int(os.environ.get("BENCH_PAIRS") or 3)
BIG_MB = float(os.environ.get("BENCH_BIG_MB") or 150)
IMAP = (os.environ.get("BENCH_IMAP") or "1") != "0"
OUT = os.environ.get("BENCH_OUT") or os.path.join(ROOT, "bench", "RESULTS.md")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, text=True,
                          stdout=subprocess.PIPE, **kw).stdout


def fs_type(path):
    return sh("stat -f -c %%T %s" % path).strip()


def corpus():
    h = hashlib.sha256()
    for f in ("bench/gen-corpus.py", "examples/make-examples.py"):
        h.update(open(os.path.join(ROOT, f), "rb").read())
    d = os.path.join(DIR, "corpus-%g-%g" % (SCALE, BIG_MB))
    stamp = os.path.join(d, "stamp")
    if os.path.exists(stamp) and open(stamp).read() == h.hexdigest():
        return d
    shutil.rmtree(d, ignore_errors=True)
    log("bench: generating the corpora (scale %g) in %s" % (SCALE, d))
    t = time.time()
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "gen-corpus.py"), d,
                    str(SCALE), str(BIG_MB)], check=True)
    open(stamp, "w").write(h.hexdigest())
    log("bench: corpora ready in %.0f s" % (time.time() - t))
    return d


def files_of(d):
    out = []
    for line in open(os.path.join(d, "received.tsv")):
        f, t = line.rstrip("\n").split("\t")
        out.append((os.path.join(d, f), int(t)))
    return out


def measure(argv, cwd=None):
    """(wall seconds, peak RSS MB) of argv and everything it starts."""
    os.sync()
    t0 = time.monotonic()
    p = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        log("bench: %s exited %d\n%s" % (argv[0], p.returncode, err[-2000:]))
        raise SystemExit(1)
    return wall, ru.ru_maxrss / 1024.0


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write_conf(path, state, extra=""):
    with open(path, "w") as f:
        f.write("[intake]\nstate_dir = %s\ncampaign = %s/campaigns/hengyang-2023.conf\n%s"
                % (state, ROOT, extra))


def pairs(name, run_a, run_b):
    """Interleave A B A B; return per-run lists and the median ratio."""
    a, b, ratios = [], [], []
    for i in range(PAIRS):
        ra = run_a()
        rb = run_b()
        a.append(ra)
        b.append(rb)
        ratios.append(ra[0] / rb[0])
        log("bench: %-8s pair %d: %.2f s %.0f MB | %.2f s %.0f MB | ratio %.3f"
            % (name, i + 1, ra[0], ra[1], rb[0], rb[1], ratios[-1]))
    return a, b, statistics.median(ratios)


def ingest_vs_chain(cdir, name):
    msgs = files_of(os.path.join(cdir, name))
    paths = [m for m, _ in msgs]
    work = os.path.join(DIR, "work")
    conf = os.path.join(DIR, "intake.conf")

    def run_intake():
        fresh(work)
        write_conf(conf, os.path.join(work, "state"))
        return measure([os.path.join(BIN, "intakectl"), "-c", conf, "ingest"] + paths)

    def run_chain():
        fresh(work)
        return measure([os.path.join(ROOT, "bench", "chain.sh"), os.path.join(work, "chain")]
                       + paths)

    a, b, ratio = pairs(name, run_intake, run_chain)
    fresh(work)
    size = sum(os.path.getsize(p) for p in paths)
    return dict(name=name, n=len(paths), bytes=size, a=a, b=b, ratio=ratio,
                other="chain")


def imap_vs_mbsync(cdir):
    msgs = files_of(os.path.join(cdir, "typical"))
    idir = fresh(os.path.join(DIR, "imapd"))
    out = sh("sh %s/tests/imapd/imapd.sh start %s" % (ROOT, idir))
    pid, port, _ = out.split()
    try:
        for m, t in msgs:
            subprocess.run(["sh", ROOT + "/tests/imapd/imapd.sh", "deliver", idir, "bureau",
                            m, str(t)], check=True)
        pw = os.path.join(DIR, "imap-password")
        open(pw, "w").write("secret\n")
        os.chmod(pw, 0o600)
        work = os.path.join(DIR, "work")
        conf = os.path.join(DIR, "intaked.conf")
        mconf = os.path.join(DIR, "mbsyncrc")

        def run_intaked():
            fresh(work)
            write_conf(conf, os.path.join(work, "state"),
                       "[imap]\nhost = 127.0.0.1\nport = %s\nsecurity = none\nuser = bureau\n"
                       "password_file = %s\ntimeout = 60\n" % (port, pw))
            return measure([os.path.join(BIN, "intaked"), "-c", conf, "--once"])

        def run_mbsync():
            fresh(work)
            os.makedirs(os.path.join(work, "Maildir"))
            with open(mconf, "w") as f:
                f.write("IMAPAccount bench\nHost 127.0.0.1\nPort %s\nUser bureau\nPass secret\n"
                        "SSLType None\nAuthMechs LOGIN\n\n"
                        "IMAPStore remote\nAccount bench\n\n"
                        "MaildirStore local\nPath %s/Maildir/\nInbox %s/Maildir/INBOX\n\n"
                        "Channel bench\nFar :remote:INBOX\nNear :local:INBOX\nSync Pull\n"
                        "Create Near\nSyncState *\n" % (port, work, work))
            return measure(["mbsync", "-q", "-c", mconf, "bench"])

        # Warm Dovecot's index of the mailbox before the first timed run.
        run_mbsync()
        a, b, ratio = pairs("imap", run_intaked, run_mbsync)
        fresh(work)
    finally:
        sh("sh %s/tests/imapd/imapd.sh stop %s" % (ROOT, idir))
    size = sum(os.path.getsize(m) for m, _ in msgs)
    return dict(name="imap", n=len(msgs), bytes=size, a=a, b=b, ratio=ratio, other="mbsync")


def machine():
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return dict(cpu=cpu, nproc=os.cpu_count(), kernel=platform.release(),
                free=sh("free -m").rstrip(), df=sh("df -h %s" % DIR).rstrip(),
                fs=fs_type(DIR), load=open("/proc/loadavg").read().split()[:3])


def busy_share(seconds=5.0):
    """Share of all CPUs busy while the benchmark itself sleeps (from
    /proc/stat): other work on the machine, which the load average cannot
    tell apart from the benchmark's own runs and corpus generation."""
    def sample():
        v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
        idle = v[3] + (v[4] if len(v) > 4 else 0)          # idle + iowait
        return sum(v[:8]), idle                              # guest is inside user
    t0, i0 = sample()
    time.sleep(seconds)
    t1, i1 = sample()
    return 0.0 if t1 == t0 else 1.0 - (i1 - i0) / (t1 - t0)


QUIET = 0.10   # more than this share busy while the benchmark sleeps: not quiet


def med(runs, k):
    return statistics.median(r[k] for r in runs)


def main():
    os.makedirs(DIR, exist_ok=True)
    if fs_type(DIR) in ("tmpfs", "ramfs"):
        log("bench: %s is on %s: fsync means nothing there; set BENCH_DIR to a real disk"
            % (DIR, fs_type(DIR)))
        raise SystemExit(2)
    for t in ("ripmime", "bsdtar", "file", "sqlite3", "mbsync"):
        if not shutil.which(t):
            log("bench: %s is missing (apt-get install $(grep -v '^#' DEPENDS))" % t)
            raise SystemExit(2)
    cdir = corpus()
    m = machine()
    m["busy"] = busy_share()
    log("bench: load before the runs %s; CPU busy while idle %.0f%%"
        % (" ".join(m["load"]), 100 * m["busy"]))
    res = [ingest_vs_chain(cdir, "typical"), ingest_vs_chain(cdir, "small"),
           ingest_vs_chain(cdir, "big")]
    if IMAP:
        res.append(imap_vs_mbsync(cdir))
    load_after = open("/proc/loadavg").read().split()[:3]
    m["busy_after"] = busy_share()
    report(m, res, load_after)


TARGETS = {
    "typical": "time ≤ 0.5 × chain",
    "small": "time ≤ 0.35 × chain",
    "big": "peak RSS ≤ 64 MB, ≥ 200 MB/s",
    "imap": "time ≤ 2 × mbsync, peak RSS ≤ 64 MB",
}
LABEL = {"typical": "typical", "small": "many-small", "big": "big", "imap": "IMAP (typical)"}


def met(r):
    a_t, a_rss = med(r["a"], 0), max(x[1] for x in r["a"])
    mbs = r["bytes"] / 1e6 / a_t
    if r["name"] == "typical":
        return r["ratio"] <= 0.5
    if r["name"] == "small":
        return r["ratio"] <= 0.35
    if r["name"] == "big":
        return a_rss <= 64 and mbs >= 200
    return r["ratio"] <= 2 and a_rss <= 64


def report(m, res, load_after):
    lines = []
    w = lines.append
    w("# intake benchmark results")
    w("")
    w("Written by `make bench` (bench/run.py) on %s; BENCH_SCALE %g, big zips of %g MB, "
      "%d interleaved pairs per row." % (time.strftime("%Y-%m-%d %H:%M %Z"), SCALE, BIG_MB, PAIRS))
    w("")
    w("The chain (bench/chain.sh), per message: `ripmime` extracts the attachments, `bsdtar -x` "
      "unpacks each archive, `file -b --mime-type` runs once per extracted file, and one "
      "`sqlite3` transaction (WAL, synchronous=FULL) records the message and its files. "
      "intake: `intakectl ingest` of the same files (raw message fsync'd into the spool, parse "
      "in a sandboxed child, extracted files synced, one ledger transaction per message). "
      "IMAP: `intaked --once` (STARTTLS off, loopback Dovecot) against `mbsync` pulling the "
      "same mailbox into a Maildir; state reset before every run.")
    w("")
    w("## Machine")
    w("")
    w("- CPU: %s, nproc %d; kernel %s" % (m["cpu"], m["nproc"], m["kernel"]))
    w("- scratch directory %s on %s" % (DIR, m["fs"]))
    w("- load average (1, 5, 15 min) before the runs: %s; after: %s (the benchmark's own "
      "corpus generation and runs raise it)" % (", ".join(m["load"]), ", ".join(load_after)))
    w("- CPU busy while the benchmark slept for 5 s (other work on the machine): %.0f%% before "
      "the runs, %.0f%% after" % (100 * m["busy"], 100 * m["busy_after"]))
    if max(m["busy"], m["busy_after"]) > QUIET:
        w("")
        w("**Measured under load**: other work kept %.0f%% of the CPUs busy before the runs and "
          "%.0f%% after, so absolute rates are low and noisy; the interleaved ratios are the "
          "figures to read." % (100 * m["busy"], 100 * m["busy_after"]))
    else:
        w("")
        w("Quiet machine: nothing else used more than %.0f%% of the CPUs before or after the runs."
          % (100 * QUIET))
    w("")
    w("```")
    w(m["free"])
    w(m["df"])
    w("```")
    w("")
    w("## Results")
    w("")
    w("Times are medians over the pairs; the ratio is the median of the per-pair ratios "
      "intake / other. Peak RSS is the largest single process (wait4 `ru_maxrss`), the "
      "maximum over the runs.")
    w("")
    w("| corpus | messages | MB of mail | intake s | other s | ratio | intake msg/s | intake MB/s "
      "| intake peak RSS MB | other peak RSS MB | target | met |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in res:
        at, bt = med(r["a"], 0), med(r["b"], 0)
        w("| %s | %d | %.0f | %.2f | %.2f (%s) | **%.3f** | %.1f | %.0f | %.0f | %.0f | %s | %s |"
          % (LABEL[r["name"]], r["n"], r["bytes"] / 1e6, at, bt, r["other"], r["ratio"],
             r["n"] / at, r["bytes"] / 1e6 / at, max(x[1] for x in r["a"]),
             max(x[1] for x in r["b"]), TARGETS[r["name"]], "yes" if met(r) else "**no**"))
    w("")
    w("Chain and mbsync rates for comparison:")
    w("")
    for r in res:
        bt = med(r["b"], 0)
        w("- %s: %s %.1f msg/s, %.0f MB/s" % (LABEL[r["name"]], r["other"], r["n"] / bt,
                                             r["bytes"] / 1e6 / bt))
    w("")
    w("Every run:")
    w("")
    w("| corpus | pair | intake s | intake RSS MB | other s | other RSS MB |")
    w("|---|---:|---:|---:|---:|---:|")
    for r in res:
        for i, (a, b) in enumerate(zip(r["a"], r["b"])):
            w("| %s | %d | %.2f | %.0f | %.2f | %.0f |" % (LABEL[r["name"]], i + 1, a[0], a[1],
                                                          b[0], b[1]))
    w("")
    text = "\n".join(lines) + "\n"
    with open(OUT, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
