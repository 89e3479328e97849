#!/usr/bin/env python3
"""bench/footprint: mmserver's memory on the simulator (--fast) at N guests,
with and without --http, for one or more builds side by side in one run.

Each run samples /proc/PID/status (VmRSS, RssAnon, RssFile) every 20 ms while
the simulation runs, then reads Rss and Pss from /proc/PID/smaps_rollup once
it is over (--linger keeps it alive, the history ring as full as it gets),
and for --http fetches /api/v1/history once (its size and time) so the
measured state includes a served request.

Usage: footprint.py OUT.md NAME=MMSERVER [NAME=MMSERVER ...] [--guests 100]
       [--seconds 7200] [--repeat 3]
A NAME starting with "nohttp-" is a build without the HTTP server (cmake
-DSOCK=OFF): it only runs without --http.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scale"))
import scale  # noqa: E402  (bench/scale/scale.py: the same guests)


def scenario(n, seconds):
    """bench/scale's guests (random demand, 256 MiB each), run for seconds."""
    return dict(scale.scenario(n, seconds), name=f"footprint{n}")


def status_kib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                out[k] = int(v.split()[0])
    return out


def rollup_kib(pid):
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Rss", "Pss", "Pss_Anon", "Pss_File", "Anonymous"):
                out[k] = int(v.split()[0])
    return out


def listen_port(pid):
    """The TCP port mmserver listens on: its own socket's inode in /proc/net/tcp
    (other programs on the machine listen on loopback too)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    for line in open(f"/proc/{pid}/net/tcp").read().splitlines()[1:]:
        parts = line.split()
        if parts[3] == "0A" and parts[9] in inodes:
            return int(parts[1].split(":")[1], 16)
    raise RuntimeError("mmserver's listening socket not found")


def run_one(exe, scen, seconds, http):
    work = tempfile.mkdtemp(prefix="xenmm-footprint-")
    portfile = os.path.join(work, "err")
    cmd = [exe, "--backend", "sim", "--scenario", scen, "--fast", "-q", "-d",
           os.path.join(work, "logs")]
    if http:  # --linger keeps it serving after the run (without --http it exits)
        cmd += ["--http=127.0.0.1:0", "--linger", "30"]
    with open(portfile, "w") as err:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    peak, last, roll = {}, {}, {}
    try:
        rounds_path = os.path.join(work, "logs", "rounds.tsv")
        last_size, still = -1, 0
        t0 = time.monotonic()
        # without --http the run is over when mmserver exits; with it, when
        # rounds.tsv has not grown for 2 s (mmserver lingers)
        while p.poll() is None and (not http or still < 100) and time.monotonic() - t0 < 900:
            try:
                s = status_kib(p.pid)
                roll = rollup_kib(p.pid)
            except (OSError, ValueError):
                break
            last = s
            for k, v in s.items():
                peak[k] = max(peak.get(k, 0), v)
            size = os.path.getsize(rounds_path) if os.path.exists(rounds_path) else 0
            still = still + 1 if size == last_size and size > 0 else 0
            last_size = size
            time.sleep(0.02)
        wall = time.monotonic() - t0
        if not http:
            p.wait()  # it may be exiting (/proc gone) without being reaped yet
        if p.poll() is not None:
            if http or p.returncode != 0 or not last:
                with open(portfile) as f:
                    return {"error": (f.read().strip().splitlines() or ["exited"])[-1]}
            # without --http it exits at the end: the last sample is the final state
            return {"peak": peak, "final": last, "rollup": roll, "wall_s": wall}
        hist = {}
        if http:
            port = listen_port(p.pid)
            before = status_kib(p.pid)
            t1 = time.monotonic()
            body = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/history?seconds=86400",
                                          timeout=60).read()
            doc = json.loads(body)
            hist = {"before_history": before, "history_ms": (time.monotonic() - t1) * 1000, "history_mb": len(body) / 1e6,
                    "history_rounds": len(doc["rounds"])}
        final = status_kib(p.pid)
        roll = rollup_kib(p.pid)
        for k, v in final.items():
            peak[k] = max(peak.get(k, 0), v)
        return {"peak": peak, "final": final, "rollup": roll, "wall_s": wall, **hist}
    finally:
        p.terminate()
        p.wait()
        subprocess.run(["rm", "-rf", work])


def fmt(v):
    return f"{v / 1024:.1f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("builds", nargs="+")
    ap.add_argument("--guests", default="100")
    ap.add_argument("--seconds", type=int, default=7200)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    builds = [b.split("=", 1) for b in a.builds]
    work = tempfile.mkdtemp(prefix="xenmm-footprint-scen-")
    res = {}
    for n in [int(x) for x in a.guests.split(",")]:
        path = os.path.join(work, f"footprint{n}.json")
        with open(path, "w") as f:
            json.dump(scenario(n, a.seconds), f)
        for k in range(a.repeat):
            for http in (True, False):
                for name, exe in builds:
                    if http and name.startswith("nohttp-"):
                        continue
                    print(f"footprint: n={n} http={http} build={name} run {k + 1}/{a.repeat}",
                          file=sys.stderr, flush=True)
                    res.setdefault((n, http, name), []).append(run_one(exe, path, a.seconds, http))
    load = open("/proc/loadavg").read().split()[:3]
    lines = [f"# mmserver's memory (bench/footprint, simulator, {a.seconds} simulated s, --fast, "
             f"median of {a.repeat} runs, min-max in brackets)", "",
             f"Machine: {os.cpu_count()} cores, shared; load average {' '.join(load)} at the end; "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
             "peak: the largest VmRSS/RssAnon sampled every 20 ms during the run; final: after "
             "the run (and, with --http, one /api/v1/history?seconds=86400 served; without "
             "--http mmserver exits at the end, so the last sample). Pss counts "
             "shared library pages divided among the processes mapping them. MiB.", "",
             "| guests | --http | build | peak VmRSS | peak RssAnon | final VmRSS | final RssAnon "
             "| final RssFile | final Pss | RssAnon before history | history rounds | history MB "
             "| history ms |",
             "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for (n, http, name), runs in res.items():
        ok = [r for r in runs if "error" not in r]
        if not ok:
            lines.append(f"| {n} | {'yes' if http else 'no'} | {name} | {runs[0]['error'][:60]} "
                         "| | | | | | | | | |")
            continue

        def cell(get, f=fmt):
            v = [get(r) for r in ok]
            if len(v) == 1:
                return f(v[0])
            return f"{f(statistics.median(v))} [{f(min(v))}-{f(max(v))}]"
        h = (lambda key, f: cell(lambda r: r[key], f)) if http else (lambda key, f: "-")
        lines.append(
            f"| {n} | {'yes' if http else 'no'} | {name} | {cell(lambda r: r['peak']['VmRSS'])} | "
            f"{cell(lambda r: r['peak']['RssAnon'])} | {cell(lambda r: r['final']['VmRSS'])} | "
            f"{cell(lambda r: r['final']['RssAnon'])} | {cell(lambda r: r['final']['RssFile'])} | "
            f"{cell(lambda r: r['rollup']['Pss'])} | "
            f"{cell(lambda r: r['before_history']['RssAnon']) if http else '-'} | "
            f"{h('history_rounds', lambda v: f'{v:.0f}')} | "
            f"{h('history_mb', lambda v: f'{v:.1f}')} | {h('history_ms', lambda v: f'{v:.0f}')} |")
    text = "\n".join(lines) + "\n"
    with open(a.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
