#!/usr/bin/python3
"""Soak run of the real mmserver (issue 12 section 4): the simulator with
domains created and destroyed all along (make_churn.py), the HTTP server on
and polled, under the sanitizers the binary was built with (SANITIZE=ON:
ASan + UBSan, LeakSanitizer at exit). Samples mmserver's RSS and descriptors
against the rounds done, and checks at the end: exit status 0, no sanitizer
report, every domain log with one row per round of its domain's life.

Prints markdown (one table row per phase: start, middle, end).
Usage: soak.py MMSERVER SCENARIO [--fast] [--duration S] [--sample S]"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""
    except OSError:
        return None, b""


def stopped(errf):
    """mmserver logged msg=stopped: its HTTP server is gone, the process may
    still be alive for seconds while LeakSanitizer scans the heap."""
    with open(errf) as f:
        return "msg=stopped " in f.read()


def count_rows(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for line in f if line[:1].isdigit())
    except FileNotFoundError:
        return 0


def check_domain_logs(logdir):
    """Each domain log: rows in time order, no duplicates, no stray lines."""
    rounds = []
    with open(os.path.join(logdir, "rounds.tsv")) as f:
        rounds = [int(ln.split("\t")[0]) for ln in f if ln[:1].isdigit()]
    index = {t: i for i, t in enumerate(rounds)}
    bad, n = [], 0
    for fn in sorted(os.listdir(logdir)):
        if not fn.endswith(".log"):
            continue
        n += 1
        with open(os.path.join(logdir, fn)) as f:
            times = [int(ln.split("\t")[0]) for ln in f if ln[:1].isdigit()]
        if not times:
            bad.append(f"{fn}: no rows")
            continue
        idx = [index.get(t) for t in times]
        if None in idx or idx != list(range(idx[0], idx[0] + len(idx))):
            bad.append(f"{fn}: rows not one per round")
    return n, bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mmserver")
    ap.add_argument("scenario")
    ap.add_argument("--fast", action="store_true")
    ap.add_argument("--duration", type=int, default=3600)
    ap.add_argument("--sample", type=float, default=1.0)
    ap.add_argument("--label", default="soak")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mm_soak.")
    logdir, errf = os.path.join(work, "logs"), os.path.join(work, "stderr")
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=23",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    cmd = [a.mmserver, "--backend", "sim", "--scenario", a.scenario, "--duration",
           str(a.duration), "--http=127.0.0.1:0", "-d", logdir] + (["--fast"] if a.fast else [])
    t0 = time.monotonic()
    with open(errf, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
    base = None
    samples = []  # (wall s, rounds, rss KiB, fds, history bytes or None)
    hist_bytes = None
    polls = fails = 0
    odd = []
    while proc.poll() is None:
        if base is None:
            with open(errf) as f:
                m = re.search(r"msg=listening url=(http://\S+?)/?\s", f.read())
            base = m.group(1) if m else None
        try:
            rss = rss_kib(proc.pid)
            fds = len(os.listdir(f"/proc/{proc.pid}/fd"))
        except (FileNotFoundError, ProcessLookupError, AttributeError):
            break
        if base and len(samples) % 5 == 0:  # the ring's size, now and then (it is large)
            st, body = get(base + "/api/v1/history?seconds=86400")
            hist_bytes = len(body) if st == 200 else hist_bytes
        samples.append((time.monotonic() - t0, count_rows(os.path.join(logdir, "rounds.tsv")),
                        rss, fds, hist_bytes))
        if base:
            for path in ("/api/v1/state", "/metrics", "/api/v1/history?seconds=60"):
                st, body = get(base + path)
                if st is None and (proc.poll() is not None or stopped(errf)):
                    break  # the run ended while we asked (LSan scans at exit): not a failure
                polls += 1
                if st not in (200, 503) or (path == "/api/v1/state" and st == 200 and
                                            "domains" not in json.loads(body)):
                    fails += 1
                    odd.append(f"{path}: {st}")
        time.sleep(a.sample)
    rc = proc.wait()
    wall = time.monotonic() - t0
    with open(errf) as f:
        text = f.read()
    san = [ln for ln in text.splitlines()
           if "ERROR: AddressSanitizer" in ln or "ERROR: LeakSanitizer" in ln
           or "runtime error:" in ln]
    created = text.count("msg=domain-new ")
    gone = text.count("msg=domain-gone ")
    invalid = text.count("msg=report-invalid ")
    ndom, bad = check_domain_logs(logdir)
    total = samples[-1][1] if samples else 0

    def at(frac):
        for s in samples:
            if s[1] >= frac * total:
                return s
        return samples[-1]

    print(f"### {a.label}\n")
    print(f"Command: `{' '.join(os.path.basename(c) if c == a.mmserver else c for c in cmd)}`\n")
    print("| phase | wall (s) | rounds logged | VmRSS (KiB) | descriptors | history ring JSON "
          "(KiB, last sampled) |")
    print("|---|---|---|---|---|---|")
    for name, frac in (("start (5 %)", 0.05), ("middle (50 %)", 0.5), ("end (95 %)", 0.95)):
        s = at(frac)
        hb = "-" if s[4] is None else s[4] // 1024
        print(f"| {name} | {s[0]:.1f} | {s[1]} | {s[2]} | {s[3]} | {hb} |")
    peak = max(s[2] for s in samples) if samples else 0
    print(f"\nexit status {rc}; wall {wall:.0f} s; {len(samples)} samples, peak VmRSS {peak} KiB; "
          f"domains created {created}, destroyed {gone}; domain logs {ndom}, "
          f"bad {len(bad)}; invalid-report warnings {invalid}; HTTP polls {polls}, "
          f"unexpected answers {fails}; sanitizer reports {len(san)}.")
    ok = rc == 0 and not san and not bad and fails == 0 and created > 0
    for ln in san[:5] + bad[:5] + odd[:5]:
        print(f"\n    {ln}")
    print(f"\nresult: {'PASS' if ok else 'FAIL'} (stderr kept in {errf})\n")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
