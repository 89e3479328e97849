#!/usr/bin/python3
"""kill -9 of mmserver mid-run and a restart, K times, on one log folder
(issue 12 section 4): no log row lost, none duplicated, none cut in half.

Each run: start mmserver on the simulator (same -d folder every time), let it
run a seeded random while, read the round it has published over HTTP, then
freeze it (SIGSTOP), copy every log file byte for byte, and SIGKILL it: the
copy is exactly what the process had written when it died. Checks:
  - at the kill, every file ends with a whole line, and rounds.tsv holds at
    least as many rows of this run as the round HTTP had published (a round
    is logged before it is published);
  - after the next start, each file begins with its copy unchanged, followed
    by a '# restart' line (appended, nothing rewritten or lost), or by the
    header when the kill left it empty (created, header not yet written);
  - in every run's part of every file, rows are in time order without
    duplicates, and each domain log has one row per round while it lives.
The last run ends with SIGTERM and must exit 0.

Usage: kill9_check.py [--kills K] [--seed S] -- MMSERVER ARGS...
(ARGS: the backend and scenario, e.g. --backend sim --scenario X --fast
--duration 100000; --http and -d are added)."""
import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def fail(msg):
    sys.exit("FAIL: " + msg)


def start(cmd, logdir, errf):
    err = open(errf, "a")
    proc = subprocess.Popen(cmd + ["--http=127.0.0.1:0", "-d", logdir],
                            stdout=subprocess.DEVNULL, stderr=err)
    err.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open(errf) as f:
            urls = re.findall(r"msg=listening url=(http://\S+?)/?\s", f.read())
        if len(urls) > start.runs:
            start.runs += 1
            return proc, urls[-1]
        if proc.poll() is not None:
            fail(f"mmserver exited with {proc.returncode} at start")
        time.sleep(0.05)
    proc.kill()
    fail("mmserver did not print its URL")


start.runs = 0


def published_seq(base):
    try:
        with urllib.request.urlopen(base + "/api/v1/state", timeout=5) as r:
            return int(re.search(rb'"seq":\s*(\d+)', r.read()).group(1))
    except urllib.error.HTTPError:
        return 0  # 503: no round yet


def snapshot(logdir):
    snap = {}
    for fn in os.listdir(logdir):
        with open(os.path.join(logdir, fn), "rb") as f:
            snap[fn] = f.read()
    return snap


def segments(text):
    """Splits a log at its '# restart' lines: one list of rows per run."""
    segs, cur = [], []
    for line in text.decode().splitlines():
        if line.startswith("# restart"):
            segs.append(cur)
            cur = []
        elif line[:1].isdigit():
            cur.append(line)
    segs.append(cur)
    return segs


def check_final(logdir, runs):
    files = snapshot(logdir)
    rounds = segments(files["rounds.tsv"])
    if len(rounds) != runs:
        fail(f"rounds.tsv has {len(rounds)} runs, want {runs}")
    times = [[int(r.split("\t")[0]) for r in seg] for seg in rounds]
    for i, t in enumerate(times):
        if t != sorted(set(t)):
            fail(f"rounds.tsv run {i + 1}: rows out of order or duplicated")
    for fn, text in files.items():
        if not fn.endswith(".log"):
            continue
        for i, seg in enumerate(segments(text)):
            t = [int(r.split("\t")[0]) for r in seg]
            if t != sorted(set(t)):
                fail(f"{fn} run {i + 1}: rows out of order or duplicated")
    return {fn: len(text.splitlines()) for fn, text in files.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-s", type=float, default=0.5)
    ap.add_argument("--max-s", type=float, default=2.0)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    rnd = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="mm_kill9.")
    logdir, errf = os.path.join(work, "logs"), os.path.join(work, "stderr")
    prev = None
    report = []
    for k in range(a.kills + 1):
        proc, base = start(cmd, logdir, errf)
        if prev is not None:  # what the killed run wrote must still be there, as written
            time.sleep(0.3)
            now = snapshot(logdir)
            for fn, old in prev.items():
                cur = now.get(fn, b"")
                if not cur.startswith(old):
                    fail(f"{fn}: the killed run's bytes changed after the restart")
                rest = cur[len(old):]
                # a file the kill caught between its creation and its header
                # is empty: the next run writes the header, as for a new file
                first = b"time_ms\t" if not old else b"# restart"
                if rest and not rest.startswith(first):
                    fail(f"{fn}: after the restart, {rest[:40]!r} instead of {first!r}")
        seq = 0
        deadline = time.monotonic() + rnd.uniform(a.min_s, a.max_s)
        while time.monotonic() < deadline:
            seq = max(seq, published_seq(base))
            time.sleep(0.05)
        if k == a.kills:
            proc.terminate()
            rc = proc.wait(60)
            if rc != 0:
                fail(f"last run: exit status {rc}")
            break
        os.kill(proc.pid, signal.SIGSTOP)
        prev = snapshot(logdir)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        for fn, data in prev.items():
            if data and not data.endswith(b"\n"):
                fail(f"{fn}: half a row at the kill: {data[-60:]!r}")
        logged = len(segments(prev["rounds.tsv"])[-1])
        if logged < seq:
            fail(f"run {k + 1}: round {seq} was published but rounds.tsv has {logged} rows")
        report.append((k + 1, seq, logged, len(prev)))
    counts = check_final(logdir, a.kills + 1)
    for run, seq, logged, nfiles in report:
        print(f"kill {run}: published seq {seq}, rows in rounds.tsv {logged}, files {nfiles}")
    print(f"final lines per file: {len(counts)} files, rounds.tsv {counts['rounds.tsv']}")
    print("PASS")


if __name__ == "__main__":
    main()
