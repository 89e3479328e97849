#!/usr/bin/env python3
"""bench/scale: mmserver's round cost, wall time per round and peak RSS
against the number of guests, on the simulator (--fast), for one or more
builds side by side (a baseline commit and this one, in the same run).

Usage: scale.py OUT.md NAME=MMSERVER [NAME=MMSERVER ...] [--guests 10,100,...]
       [--rounds R] [--repeat K]
Each cell runs K times (interleaved between builds); medians are shown.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def scenario(n, rounds):
    # Guests of 256 MiB with random demand; the host fits them with room.
    return {
        "name": f"scale{n}", "seed": 7, "duration_s": rounds,
        "host": {"memory": f"{(n * 320 + 4096)}M", "dom0": "2G", "reserve": "256M"},
        "server": {"free": "32M"},
        "defaults": {"memory": "256M", "maxmem": "1G", "floor": "128M", "overhead": "20M",
                     "kernel_min": "20M", "balloon_speed": "256M", "swap": "256M"},
        "guests": [{"name": "vm%d", "count": n, "workload": "random 20M 230M"}],
    }


def run_one(mmserver, scen_path, workdir):
    logdir = tempfile.mkdtemp(dir=workdir)
    t0 = time.monotonic()
    rss_file = os.path.join(logdir, "rss")
    # GNU time (Debian's "time") measures mmserver's own peak RSS and CPU
    p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", rss_file, mmserver,
                        "--backend", "sim", "--scenario", scen_path, "--fast", "-q",
                        "-d", logdir], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    wall = time.monotonic() - t0
    with open(rss_file) as f:
        rss_kb, user_s, sys_s = f.read().split()[-3:]
    os.unlink(rss_file)
    if p.returncode != 0:
        return {"error": p.stderr.strip().splitlines()[-1] if p.stderr else f"rc {p.returncode}"}
    rows = []
    with open(os.path.join(logdir, "rounds.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if line.startswith("#"):
                continue
            rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    cost = sorted(int(r["round_cost_us"]) for r in rows)
    logc = sorted(int(r["log_cost_us"]) for r in rows) if "log_cost_us" in header else []
    dec = sorted(int(r["decision_us"]) for r in rows) if "decision_us" in header else []
    logbytes = sum(os.path.getsize(os.path.join(logdir, x)) for x in os.listdir(logdir))
    subprocess.run(["rm", "-rf", logdir])
    pct = lambda v, q: v[min(len(v) - 1, int(q * len(v)))] if v else 0
    return {
        "rounds": len(rows),
        "median_us": pct(cost, 0.5), "p99_us": pct(cost, 0.99),
        "dec_median_us": pct(dec, 0.5) if dec else None,
        "dec_p99_us": pct(dec, 0.99) if dec else None,
        "log_median_us": pct(logc, 0.5) if logc else None,
        "wall_per_round_us": wall * 1e6 / max(1, len(rows)),
        "cpu_s": float(user_s) + float(sys_s),
        "sys_share": float(sys_s) / max(1e-9, float(user_s) + float(sys_s)),
        "peak_rss_mb": int(rss_kb) / 1024.0,
        "log_mb": logbytes / 1e6,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("builds", nargs="+")
    ap.add_argument("--guests", default="10,100,1000,5000,10000")
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    builds = [b.split("=", 1) for b in a.builds]
    work = tempfile.mkdtemp(prefix="xenmm-scale-")
    res = {}
    for n in [int(x) for x in a.guests.split(",")]:
        path = os.path.join(work, f"scale{n}.json")
        with open(path, "w") as f:
            json.dump(scenario(n, a.rounds), f)
        for k in range(a.repeat):
            for name, exe in builds:
                print(f"scale: n={n} build={name} run {k + 1}/{a.repeat}", file=sys.stderr,
                      flush=True)
                # a fresh process per run, so ru_maxrss is this run's own peak
                out = subprocess.run([sys.executable, __file__, "--one", exe, path, work],
                                     capture_output=True, text=True)
                r = json.loads(out.stdout) if out.returncode == 0 else {"error": out.stderr}
                res.setdefault((n, name), []).append(r)
    load = open("/proc/loadavg").read().split()[:3]
    lines = [f"# mmserver at scale (bench/scale, {a.rounds} simulated rounds, --fast, "
             f"median of {a.repeat} runs, [min-max] of the run medians)", "",
             f"Machine: {os.cpu_count()} cores, shared with other work; load average "
             f"{' '.join(load)} at the end; "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
             "", "decision: the pure core (policy + guards); round: reports read, decision, "
             "targets written (the round_cost_us column; before issue 13 it also held new "
             "domains' log opening); logs: the per-domain rows of one round (one write(2) "
             "per domain); wall: the whole run over its rounds; rest: wall - round - logs, "
             "the simulator's ticks (its guests, workloads and metrics), the domain list "
             "and rounds.tsv: mostly the simulator's own cost, not mmserver's. "
             "ns/guest: the median divided by the guests.", "",
             "| guests | build | decision median us | decision p99 us | round median us | "
             "round p99 us | logs median us | wall per round us | rest us | "
             "decision ns/guest | round ns/guest | logs ns/guest | rest ns/guest | "
             "kernel CPU % | peak RSS MB | RSS per guest KiB | logs MB |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for (n, name), runs in res.items():
        ok = [r for r in runs if "error" not in r]
        if not ok:
            lines.append(f"| {n} | {name} | {runs[0]['error'][:60]} |" + " |" * 15)
            continue
        med = lambda key: statistics.median(r[key] for r in ok)

        def rng(key, fmt="{:.0f}"):
            if ok[0].get(key) is None:
                return "-"
            v = [r[key] for r in ok]
            cell = fmt.format(statistics.median(v))
            if len(v) > 1:
                cell += f" [{fmt.format(min(v))}-{fmt.format(max(v))}]"
            return cell
        for r in ok:
            r["rest_us"] = r["wall_per_round_us"] - r["median_us"] - (r["log_median_us"] or 0)

        def per(key):
            if ok[0].get(key) is None:
                return "-"
            return f"{1000 * med(key) / n:.0f}"
        lines.append(f"| {n} | {name} | {rng('dec_median_us')} | {rng('dec_p99_us')} | "
                     f"{rng('median_us')} | {rng('p99_us')} | {rng('log_median_us')} | "
                     f"{rng('wall_per_round_us')} | {rng('rest_us')} | {per('dec_median_us')} | "
                     f"{per('median_us')} | {per('log_median_us')} | {per('rest_us')} | "
                     f"{100 * med('sys_share'):.0f} | "
                     f"{rng('peak_rss_mb', '{:.1f}')} | {1024 * med('peak_rss_mb') / n:.2f} | "
                     f"{med('log_mb'):.1f} |")
    text = "\n".join(lines) + "\n"
    with open(a.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(run_one(sys.argv[2], sys.argv[3], sys.argv[4])))
    else:
        main()
