#!/usr/bin/env python3
"""lab_report.py: the tables of bench/xen/lab-results.md from the raw lines the QEMU lab's
bench13 run brings back (bench/xen/lab.sh): ping.txt (the floor), watch.txt (report and target
events on one dom0 clock) and the bench guests' consoles (bench_reaction's rows). It measures
nothing itself; it pairs and sorts what was measured, and says when a part gave nothing.
Usage: lab_report.py RESULTS_OUT --base C --commit C --load L --host-md5-ms MS --wall-s S
                     --params TEXT
Exit: 0 every part had figures, 1 a part gave none (the file says which)."""
import argparse
import datetime
import os
import re
import sys

MOVED_KIB = 16 * 1024    # mmclient's default report threshold: a move this big is not a heartbeat
PAIR_WINDOW_US = 3000000  # a target later than this after a report is not its answer


def kv(text):
    """key=value pairs; the first of a key wins (a quoted command line comes last)."""
    d = {}
    for k, v in re.findall(r"(\w+)=(\S+)", text):
        d.setdefault(k, v)
    return d


def pct(v, p):
    """The same index the C benches use: v sorted, v[n * p / 100]."""
    v = sorted(v)
    return v[min(len(v) - 1, len(v) * p // 100)]


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return []


def floor_rows(out):
    us = [int(kv(l)["us"]) for l in read(os.path.join(out, "ping.txt")) if l.startswith("ping ")]
    if not us:
        return None, ["No figures: ping.txt is empty or missing (see ping.err)."]
    ms = [u / 1000 for u in us]
    return ms, ["| what | samples | median | p90 | p99 | max |", "|---|---:|---:|---:|---:|---:|",
                f"| xenstore write + its watch event, dom0 (xq_watch13 ping) | {len(ms)} | "
                f"{pct(ms, 50):.2f} ms | {pct(ms, 90):.2f} ms | {pct(ms, 99):.2f} ms | "
                f"{max(ms):.2f} ms |"]


def events(out):
    evs = []
    for line in read(os.path.join(out, "watch.txt")):
        if line.startswith("ev "):
            m = re.match(r"ev t_us=(\d+) dom=(\d+) node=(\w+) value=(.*)$", line)
            if m:
                evs.append((int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)))
    return evs


def latency_pairs(evs):
    """Two views of report -> target on the one clock. moved: for each report whose used memory
    moved >= MOVED_KIB since that domain's previous report (a threshold report, not a
    heartbeat), the first target change before the next report event of any domain (so a change
    is never credited to a report that came after the one that caused it), in ms, with its
    direction; and how many such reports had no change in that window. every: each target
    change, from the last report event before it."""
    last_used, last_target, reports, changes = {}, {}, [], []
    for t, dom, node, val in evs:
        if node == "report":
            f = kv(val)
            if "tot" not in f or "free" not in f:
                continue
            used = int(f["tot"]) - int(f["free"])
            moved = dom in last_used and abs(used - last_used[dom]) >= MOVED_KIB
            reports.append((t, moved, "up" if moved and used > last_used[dom] else "down"))
            last_used[dom] = used
        elif node == "target":
            if dom in last_target and val != last_target[dom]:
                changes.append(t)
            last_target[dom] = val
    moved, missed = [], 0
    for i, (t, is_moved, d) in enumerate(reports):
        if not is_moved:
            continue
        nxt = reports[i + 1][0] if i + 1 < len(reports) else t + PAIR_WINDOW_US
        answer = next((c for c in changes if t <= c < min(nxt, t + PAIR_WINDOW_US)), None)
        if answer is None:
            missed += 1
        else:
            moved.append(((answer - t) / 1000, d))
    every = []
    for c in changes:
        before = [t for t, _, _ in reports if t <= c]
        if before:
            every.append((c - before[-1]) / 1000)
    return moved, missed, every, len(reports), len(changes)


def stat_row(label, v):
    return (f"| {label} | {len(v)} | {pct(v, 50):.1f} ms | {pct(v, 90):.1f} ms | "
            f"{pct(v, 99):.1f} ms | {max(v):.1f} ms |")


def latency_rows(out, floor_ms):
    evs = events(out)
    if not evs:
        return ["No figures: watch.txt is empty or missing (see watch.err and facts.txt)."], False
    moved, missed, every, nrep, nchanges = latency_pairs(evs)
    nmoved = len(moved) + missed
    rows = [f"{len(evs)} events: {nrep} report writes, {nchanges} target changes; {nmoved} "
            f"reports moved used memory >= {MOVED_KIB // 1024} MiB (the client's threshold), "
            f"{missed} of them with no target change before the next report.", "",
            "| samples | count | median | p90 | p99 | max |", "|---|---:|---:|---:|---:|---:|"]
    ok = False
    for label, sel in (("moved report -> first target change, all", None),
                       ("... domu1 growing", "up"), ("... domu1 letting go", "down")):
        v = [ms for ms, d in moved if sel is None or d == sel]
        if v:
            ok = True
            rows.append(stat_row(label, v))
    if every:
        ok = True
        rows.append(stat_row("every target change, from the report event before it", every))
    if floor_ms and moved:
        v = [ms for ms, _ in moved]
        rows += ["", f"The floor's median ({pct(floor_ms, 50):.2f} ms) is "
                 f"{100 * pct(floor_ms, 50) / pct(v, 50):.0f} % of the first row's median."]
    return rows, ok


def client_cpu_rows(facts):
    """This tree's real mmclient in the latency guests: CPU over the stepping window."""
    rows = []
    for f in facts:
        m = re.match(r"client_cpu guest=(\S+) role=(\S+) before: (.*) after: (.*)$", f)
        if not m:
            continue
        b, a = kv(m.group(3)), kv(m.group(4))
        try:
            cpu_ms = (int(a["ns"]) - int(b["ns"])) / 1e6
            wall_ms = int(a["t_ms"]) - int(b["t_ms"])
        except (KeyError, ValueError):
            rows.append(f"- {m.group(1)}: no figure ({m.group(3)} / {m.group(4)})")
            continue
        rows.append(f"- {m.group(1)} ({m.group(2)}): {100 * cpu_ms / wall_ms:.4f} % of a core "
                    f"({cpu_ms:.1f} ms of CPU in {wall_ms / 1000:.0f} s), RSS {a['rss_kib']} KiB "
                    f"(smaps_rollup)")
    return rows


def round_rows(out):
    """mmserver's rounds.tsv from the latency part: round cost with and without target writes."""
    lines = read(os.path.join(out, "logs", "rounds.tsv"))
    if len(lines) < 2:
        return []
    head = lines[0].split("\t")
    try:
        ic, iw, idc = head.index("round_cost_us"), head.index("writes"), head.index("decision_us")
    except ValueError:
        return []
    rows = ["| rounds | count | median | p90 | max | decision median |",
            "|---|---:|---:|---:|---:|---:|"]
    for label, sel in (("that wrote targets", True), ("that wrote none", False)):
        cost, dec = [], []
        for l in lines[1:]:
            f = l.split("\t")
            if len(f) > max(ic, iw, idc) and (int(f[iw]) > 0) == sel:
                cost.append(int(f[ic]) / 1000)
                dec.append(int(f[idc]) / 1000)
        if cost:
            rows.append(f"| {label} | {len(cost)} | {pct(cost, 50):.1f} ms | {pct(cost, 90):.1f} ms "
                        f"| {max(cost):.1f} ms | {pct(dec, 50):.2f} ms |")
    return rows


def guest_lines(out, name):
    return [l.split("XB: ", 1)[1] for l in read(os.path.join(out, f"guest-{name}.log"))
            if "XB: " in l]


def reaction_section(out, name):
    lines = guest_lines(out, name)
    if not lines:
        return [f"No figures from {name}: its console log is missing or empty."], False, None
    up = next((kv(l) for l in lines if l.startswith("up ")), {})
    calib = next((kv(l) for l in lines if l.startswith("calib ")), {})
    cmdline = next((re.search(r'cmdline="([^"]*)"', l) for l in lines if l.startswith("up ")), None)
    rows = [f"Guest `{name}`: /proc/pressure/memory {up.get('psi', '?')}; kernel command line "
            f"`{cmdline.group(1) if cmdline else '?'}`."]
    ok = False
    for l in lines:
        if " idle client=" in l:
            f = kv(l)
            rows.append(f"- idle, client {f['client']}: {float(f['cpu_pct']):.4f} % of a core "
                        f"({f['cpu_ms']} ms of CPU in {int(f['window_ms']) / 1000:.0f} s, from "
                        f"{f['cpu_from']}), RSS {f['rss_kib']} KiB (smaps_rollup; VmRSS says "
                        f"{f.get('vmrss_kib', '?')} KiB)")
    for l in lines:
        m = re.match(r"reaction begin size_mib=(\d+) steps=(\d+)", l)
        if m:
            rows += ["", f"{m.group(1)} MiB step, {m.group(2)} steps:", "",
                     "| client | steps | min | median | p90 | max | late |",
                     "|---|---:|---:|---:|---:|---:|---:|"]
        m = re.match(r"reaction size_mib=\d+ (\|.*\|)", l)
        if m:
            rows.append(m.group(1))
            ok = True
        m = re.match(r"reaction end .*psi_trigger_lines=(\d+)", l)
        if m:
            rows += ["", f"B logged `event=psi_trigger` (its PSI wake-up armed): "
                     f"{'yes' if int(m.group(1)) > 0 else 'no'}."]
    return rows, ok, calib.get("md5_64mib_ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    for a in ("base", "commit", "load", "host_md5_ms", "wall_s", "params"):
        ap.add_argument("--" + a.replace("_", "-"), required=True)
    a = ap.parse_args()
    facts = read(os.path.join(a.out, "facts.txt"))
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    floor_ms, frows = floor_rows(a.out)
    lrows, lat_ok = latency_rows(a.out, floor_ms)
    print("# Issue 13 on a real kernel and a real Xen (the QEMU lab)\n")
    print(f"Produced by `bench/xen/lab.sh BUILD {a.base}` on {now}: this tree at {a.commit}, "
          f"baseline {a.base}; host load average (1/5/15 min) at the start {a.load}, "
          f"{os.cpu_count()} cores; {a.wall_s} s wall; {a.params}.")
    print("\nThe lab is Xen 4.17 with a Debian dom0 and PV guests (Debian's kernel, busybox "
          "initramfs) under QEMU TCG (tests/xen-qemu). All times below are inflated by the "
          "emulation; see the floor and the calibration line.\n")
    print("## Report -> target written (mmserver in dom0, real xenstore)\n")
    print("mmserver (`--policy tax`, with `-N` and `-f` from latency_setup below: at rest "
          "equal shares, and domu1's 64 MiB step needs more than its share, so each step moves "
          "both targets) balances domu1 and domu2, each running this tree's mmclient; domu1's "
          "init holds 64 MiB (mm_test_static) and lets go in turn. xq_watch13 in dom0 watches "
          "both guests' memory/report and memory/target on one xenstore connection and stamps "
          "each event with CLOCK_MONOTONIC as it is taken off the connection. A sample (first "
          "row): from the event of a report whose used memory moved >= 16 MiB (a threshold "
          "report; a 64 MiB step under TCG comes as several) to the first event of a target "
          "whose value changed (either guest: a grow waits for the donor's shrink) before the "
          "next report event. The report's stamp is its watch event in dom0, so the write's "
          "own trip to xenstored is not in the sample.\n")
    print("\n".join(lrows))
    cpu = client_cpu_rows(facts)
    if cpu:
        print("\nThis tree's real mmclient in those guests (real xenbus, the Debian kernel's PSI), "
              "CPU from /proc/PID/schedstat over the stepping window:\n")
        print("\n".join(cpu))
    rounds = round_rows(a.out)
    if rounds:
        print("\nmmserver's own round cost in that run (logs/rounds.tsv, round_cost_us; the "
              "decision alone is decision_us):\n")
        print("\n".join(rounds))
    print("\n### The floor: a plain xenstore write and its watch event, same dom0\n")
    print("\n".join(frows))
    print("\nThe double's figure for comparison (bench/xen/results.md, `bench_xen latency`, "
          "10 guests, this host without emulation): median 6.4 ms, p99 10.1 ms.\n")
    print("## mmclient: reaction to a step, baseline (A) against this tree (B), paired\n")
    print("In each bench guest (512 MiB, two vCPUs, alone on the emulated machine), "
          "bench_reaction (bench/xen) runs both clients at their defaults at once on the "
          "guest's real /proc, writing to the xenstore double (a domain has one "
          "memory/report, so two real clients could not both write theirs; the double's "
          "socket stands in for xenbus, which both clients share alike). A child touches STEP "
          "MiB (malloc + memset) while bench_reaction polls both clients' reports every 1 ms; a "
          "sample is the time from the start of the touching to each client's first report "
          "showing 3/4 of the step (late: not reported 5 s after the touching ended). Under TCG "
          "the touching itself takes seconds (its row), so both clients see the memory come in "
          "over that time: B - A, step by step, is the figure that compares them. The last row "
          "of each table is how far the guest's MemAvailable fell across the touching: it shows "
          "the kernel's meminfo follows the step (the development sandbox's did not). Before "
          "the first size both clients idle for the idle window; their CPU is from "
          "/proc/PID/schedstat (ns).\n")
    all_ok = lat_ok and floor_ms is not None
    calibs = []
    for g in ("bench-psi", "bench-nopsi"):
        rows, ok, calib = reaction_section(a.out, g)
        all_ok = all_ok and ok
        if calib:
            calibs.append(f"{g} {calib} ms")
        print(f"### {g}\n")
        print("\n".join(rows) + "\n")
    print("## What the emulation adds\n")
    print(f"- Plain user-space work: `dd if=/dev/zero bs=1M count=64 | md5sum` took "
          f"{a.host_md5_ms} ms on the host and {', '.join(calibs) or '(no figure)'} in the "
          f"guests: CPU-bound code runs that many times slower under TCG, so the idle CPU "
          f"shares above are upper bounds for the same work on hardware.")
    if floor_ms:
        print(f"- A xenstore write and its watch event in dom0: median "
              f"{pct(floor_ms, 50):.2f} ms here (the same exchange through the double on the "
              f"host is part of the double's 6.4 ms).")
    print("\n## Facts the run recorded\n")
    print("```\n" + "\n".join(facts) + "\n```")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
