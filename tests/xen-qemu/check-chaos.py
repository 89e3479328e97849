#!/usr/bin/env python3
"""check-chaos.py RESULTS [--figures FILE]: judges what scenario-chaos.sh recorded on a real
Xen (issue 12): a hostile guest (domu2), a guest with pinned memory (domu3: seen in its report,
then hidden by a report that overstates it, so its balloon refuses), xenstored stopped
for seconds, and an out-of-scope guest (domu4). Each check reads facts.txt, mmserver's logs
and stderr, and dom0's xenstore samples; exit 0 when all hold, 1 otherwise."""
import argparse
import os
import re
import sys

MIB = 1024
MANAGED = ["domu1", "domu2", "domu3"]
# mmserver's CPU while a guest floods it: at most this share of one CPU (measured under
# QEMU TCG, where everything costs ~10 times a real machine; see figures.txt)
CPU_FLOOD_MAX = 0.60
# while xenstored is stopped mmserver must wait, not spin: at most this share of one CPU
CPU_STALL_MAX = 0.10
ROUND_GAP_MS = 100  # report events pace rounds: one per 100 ms at most


def kv(text, key):
    m = re.search(r"(?:^|\s)" + re.escape(key) + r"=(\"[^\"]*\"|\S+)", text or "")
    return m.group(1).strip('"') if m else None


def num(text, key, default=0):
    v = kv(text, key)
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


class Run:
    def __init__(self, path):
        self.out = os.path.join(path, "out")
        self.facts = {}
        for line in self.lines("facts.txt"):
            word, _, rest = line.strip().partition(" ")
            self.facts[word] = rest
        p = self.facts.get("params", "")
        self.floor_kib = num(p, "floor_mib") * MIB
        self.maxmem_kib = num(p, "guest_maxmem_mib") * MIB
        self.pool_kib = num(p, "pool_mib") * MIB
        self.mem_kib = num(p, "guest_mem_mib") * MIB
        self.interval_ms = num(p, "interval_ms", 1000)
        self.clk_tck = num(p, "clk_tck", 100) or 100
        self.err = self.lines("mmserver.err")
        self.rows = {g: self.log_rows(g) for g in MANAGED + ["domu4"]}
        self.samples = [l.split() for l in self.lines("samples.txt")]
        self.samples = [[int(x) for x in s] for s in self.samples
                        if len(s) == 4 and all(x.isdigit() for x in s)]

    def lines(self, name):
        try:
            with open(os.path.join(self.out, name), encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
        except OSError:
            return []

    def raw(self, name):
        try:
            with open(os.path.join(self.out, name), "rb") as f:
                return f.read()
        except OSError:
            return b""

    def log_rows(self, guest):
        """mmserver's rows for a guest: dicts of the header's columns (ints where they are)."""
        lines = self.lines(os.path.join("logs", guest + ".log"))
        head, rows = None, []
        for l in lines:
            if l.startswith("time_ms"):
                head = l.split("\t")
            elif head and l and not l.startswith("#"):
                r = dict(zip(head, l.split("\t")))
                for k in ("time_ms", "target_kib", "actual_kib"):
                    r[k] = int(r.get(k, 0) or 0)
                rows.append(r)
        return rows

    def window(self, start_fact, end_fact, start_key="t_ms", end_key="t_ms"):
        return (num(self.facts.get(start_fact), start_key, 1 << 62),
                num(self.facts.get(end_fact), end_key, 0))

    def cpu(self, name):
        f = self.facts.get("cpu_" + name, "")
        wall, ticks = num(f, "wall_ms"), num(f, "ticks", -1)
        share = ticks / self.clk_tck / (wall / 1000) if wall > 0 and ticks >= 0 else None
        return share, wall, ticks

    def rounds_between(self, t0, t1):
        return sorted({r["time_ms"] for g in MANAGED for r in self.rows[g] if t0 <= r["time_ms"] <= t1})


def check_bounds(run):
    """every target mmserver logged and every target sampled from xenstore stays in floor..maxmem, domu3's own floor once a reload set it"""
    fs = run.facts.get("floor_set", "")
    floor3 = num(fs, "floor_mib") * MIB
    # the reload is read before the next round; a round already under way may end first
    since = num(fs, "t_ms") + 2 * run.interval_ms

    def floor(g, t):
        return floor3 if g == "domu3" and t >= since else run.floor_kib

    bad, n = [], 0
    for g in MANAGED:
        for r in run.rows[g]:
            n += 1
            if not floor(g, r["time_ms"]) <= r["target_kib"] <= run.maxmem_kib:
                bad.append(f"{g}@{r['time_ms']}={r['target_kib']}")
    for s in run.samples:
        for g, t in zip(MANAGED, s[1:]):
            n += 1
            if t and not floor(g, s[0]) <= t <= run.maxmem_kib:
                bad.append(f"sample {g}@{s[0]}={t}")
    reloaded = kv(fs, "reloaded") == "yes" and floor3 > run.floor_kib
    ok = not bad and n > 100 and len(run.samples) > 20 and reloaded
    return ok, f"{n} targets (rows and {len(run.samples)} samples) in " \
               f"{run.floor_kib}..{run.maxmem_kib} KiB, domu3 from {floor3} KiB after the reload " \
               f"({fs or 'floor_set missing'}); out: {bad[:5]}"


def check_hostile_ran(run):
    """domu2's hostile program ran every phase; its flood, asked for 100 reports a second, got at least 50 (TCG)"""
    con = run.lines("guest-domu2.log")
    phases = {kv(l, "phase"): l for l in con if "XG: hostile phase=" in l}
    want = ["garbage", "huge", "negative", "replay", "flood_valid", "flood_garbage", "grow"]
    rate = min(float(kv(phases.get(p), "rate_per_s") or 0) for p in ("flood_valid", "flood_garbage")) \
        if all(p in phases for p in want) else 0
    ok = all(p in phases for p in want) and rate >= 50 and \
        kv(run.facts.get("hostile_done"), "guest") is not None and "rc=0" in run.facts.get("hostile_done", "")
    return ok, f"phases={sorted(p for p in phases if p)} flood_rate_per_s={rate:.0f} " \
               f"done: {run.facts.get('hostile_done', 'missing')[:90]}"


def check_hostile_flagged(run):
    """mmserver flags domu2 while it writes lies (stale: no new valid report), holding its target at its allocation"""
    t0, t1 = run.window("hostile_started", "hostile_done")
    rows = [r for r in run.rows["domu2"] if t0 <= r["time_ms"] <= t1]
    flagged = [r for r in rows if r.get("reason") in ("stale", "out_of_scope")]
    held = all(abs(r["target_kib"] - r["actual_kib"]) <= MIB for r in flagged)
    invalid = [l for l in run.err if "msg=report-invalid" in l and "name=\"domu2\"" in l]
    ok = len(flagged) >= 3 and held and len(invalid) >= 1
    return ok, f"rows_in_window={len(rows)} flagged={len(flagged)} held_at_actual={held} " \
               f"report_invalid_lines={len(invalid)}"


def check_others_balance(run):
    """the others keep balancing while domu2 lies: domu1's load is answered, domu1 and domu3 never flagged"""
    t0, t1 = run.window("hostile_started", "hostile_done")
    base = num(run.facts.get("load1_started"), "base_kib")
    peak = max([r["target_kib"] for r in run.rows["domu1"] if t0 <= r["time_ms"] <= t1] or [0])
    flagged = [f"{g}:{r['reason']}" for g in ("domu1", "domu3") for r in run.rows[g]
               if t0 <= r["time_ms"] <= t1 and r.get("reason") in ("stale", "stuck", "out_of_scope")]
    ok = base > 0 and peak >= base + 16 * MIB and not flagged
    return ok, f"domu1 base={base} peak={peak} KiB; flagged others: {flagged[:4]}"


def check_log_escaped(run):
    """mmserver's stderr stays one printable key=value line per event: nothing the guest wrote got in raw"""
    data = run.raw("mmserver.err")
    bad = [l for l in data.split(b"\n") if l and (not l.startswith(b"level=") or
                                                  any(c < 0x20 or c > 0x7e for c in l))]
    forged = [l for l in run.err if "forged" in l and not re.search(r'"[^"]*forged[^"]*"', l)]
    # the hostile guest's first lie carries ESC, a quote and a newline in a token
    escaped = [l for l in run.err if "msg=report-invalid" in l and "name=\"domu2\"" in l
               and "\\x1b" in l and "\\x0a" in l]
    ok = len(data) > 0 and not bad and not forged and len(escaped) == 1
    return ok, f"lines={len(run.err)} not_key_value_or_unprintable={len(bad)} " \
               f"forged_unquoted={len(forged)} {bad[:2]} escaped: {escaped[:1]}"


def check_log_rate(run):
    """report-invalid is logged at most once a minute per domain, however many lies arrive"""
    invalid = [l for l in run.err if "msg=report-invalid" in l]
    t0 = num(run.facts.get("server_started"), "t_ms")
    t1 = num(run.facts.get("server_sigterm"), "t_ms")
    minutes = max(1, -(-(t1 - t0) // 60000))
    per = {}
    for l in invalid:
        per[kv(l, "domid")] = per.get(kv(l, "domid"), 0) + 1
    ok = t1 > t0 and all(n <= minutes for n in per.values())
    return ok, f"report-invalid lines per domid={per} over {minutes} started minute(s)"


def check_cpu_flood(run):
    """mmserver's CPU over the flood stays bounded, and the rounds stay paced (one per 100 ms at most)"""
    share, wall, ticks = run.cpu("hostile")
    quiet, _, _ = run.cpu("quiet")
    t0, t1 = run.window("hostile_started", "hostile_done")
    n = len(run.rounds_between(t0, t1))
    ok = share is not None and share <= CPU_FLOOD_MAX and n <= (t1 - t0) // ROUND_GAP_MS + 2
    return ok, f"cpu_share={share if share is None else round(share, 3)} (quiet " \
               f"{quiet if quiet is None else round(quiet, 3)}) ticks={ticks} wall_ms={wall} " \
               f"rounds={n} over {t1 - t0} ms"


def check_pinned_seen(run):
    """domu3's RAM pinned on a ramfs is in its report (MemAvailable below MemFree + Cached), and mmserver asks domu3 for no more than it can give: no target below the used memory it logged, never stuck, the guest alive"""
    t0, t1 = run.window("load2_started", "load2_done")
    rows = [r for r in run.rows["domu3"] if t0 <= r["time_ms"] <= t1]
    below = [f"{r['time_ms']}:{r['target_kib']}<{r.get('used_kib')}" for r in rows
             if r["target_kib"] < int(r.get("used_kib") or 0)]
    stuck = [r["time_ms"] for r in rows if r.get("reason") == "stuck"]
    report = kv(run.facts.get("load2_done"), "report") or ""
    free, avail = num(report, "free"), num(report, "avail")
    pinned = num(run.facts.get("filled"), "fill_mib") * MIB
    after = run.facts.get("domu3_after", "")
    alive = "c" not in (kv(after, "state") or "c") and num(after, "panics", 1) == 0
    ok = len(rows) >= 5 and not below and not stuck and pinned > 0 and \
        0 < avail <= free - pinned // 2 and alive
    return ok, f"rows={len(rows)} below_used={below[:3]} stuck={stuck[:3]} pinned_kib={pinned} " \
               f"report free={free} avail={avail}; after: {after[:60]}"


def refusals_unflagged(rows, interval_ms):
    """Times at which SPEC 3.3's verdict (stuck: less than 1% of the gap closed in 5 s) was
    due but no row said stuck. mmserver judges against the target in force, the one the
    round before wrote, so a row's gap is its allocation over the previous row's target.
    A run is a stretch of rows at least 1 MiB above that target, none flagged. Judged, with
    two intervals of slack for late rounds:
    - a run's first window, which opens with the run: if by 5 s the allocation has not
      moved 1% of the gap, the verdict was due;
    - any later stretch of twice that, which holds one whole window of mmserver's whatever
      their phase: if no move in it reaches 1% of the smallest gap, a verdict was due."""
    due = 5000 + 2 * interval_ms
    late, run = [], []
    for prev, r in zip(rows, rows[1:]):
        gap = r["actual_kib"] - prev["target_kib"]
        if r.get("reason") == "stuck" or gap < MIB:
            run = []
            continue
        run.append((r["time_ms"], r["actual_kib"], gap))
        t = r["time_ms"]
        # the first window: opened at the run's first row (or its second, if the target
        # in force was one round older than the log says)
        moved = max(a for _, a, _ in run[:2]) - min(a for _, a, _ in run)
        first_late = t - run[0][0] > due and moved * 100 < min(g for _, _, g in run[:2])
        # a later stretch: only the shortest long enough need be judged, as a longer one
        # holds it (it moved no less, and its smallest gap is no larger)
        starts = [i for i, (ti, _, _) in enumerate(run) if t - ti > 2 * due]
        span = run[starts[-1]:] if starts else []
        stretch_late = span and largest_drop([a for _, a, _ in span]) * 100 < \
            min(g for _, _, g in span)
        if first_late or stretch_late:
            late.append(t)
            run = []
    return late


def largest_drop(allocs):
    """The most an allocation fell from an earlier high (KiB)."""
    peak, drop = allocs[0], 0
    for a in allocs:
        peak = max(peak, a)
        drop = max(drop, peak - a)
    return drop


def check_stuck_flagged(run):
    """with a report that overstates what domu3 can give, a shrink its balloon refuses (less than 1% of the gap closed in 5 s, SPEC 3.3) is flagged stuck, and a stuck domu3 is held at its allocation"""
    t0, t1 = run.window("load3_started", "load3_done")
    rows = [r for r in run.rows["domu3"] if t0 <= r["time_ms"] <= t1]
    stuck = [r for r in rows if r.get("reason") == "stuck"]
    held = all(abs(r["target_kib"] - r["actual_kib"]) <= MIB for r in stuck)
    unflagged = refusals_unflagged(rows, run.interval_ms)
    ok = len(rows) >= 5 and held and not unflagged
    return ok, f"rows={len(rows)} stuck rows={len(stuck)} held_at_actual={held} " \
               f"refused_unflagged={unflagged[:3]}" + ("" if stuck else " (no shrink was refused)")

def check_stuck_pool(run):
    """the refused shrink does not let the others overcommit: in every round the targets of domu1 and domu2 plus domu3's allocation fit the pool"""
    by_t = {}
    for g in MANAGED:
        for r in run.rows[g]:
            by_t.setdefault(r["time_ms"], {})[g] = r
    t0, t1 = run.window("load3_started", "load3_done")
    over, n = [], 0
    for t, rs in sorted(by_t.items()):
        if len(rs) != 3 or not (t0 <= t <= t1 or rs["domu3"].get("reason") == "stuck"):
            continue
        n += 1
        s = rs["domu1"]["target_kib"] + rs["domu2"]["target_kib"] + \
            max(rs["domu3"]["actual_kib"], rs["domu3"]["target_kib"])
        # a round writes shrinks first and waits for none: the 5 s before the stuck verdict
        # may count a shrink not yet done; after the verdict it must fit
        if s > run.pool_kib + MIB and rs["domu3"].get("reason") == "stuck":
            over.append(f"{t}:{s}")
    ok = n > 0 and not over
    return ok, f"rounds judged={n} pool={run.pool_kib} KiB over={over[:4]}"


def check_stuck_host(run):
    """while domu3 refuses to shrink, Xen's free memory never goes below the reserve (the others' grows wait for memory that exists)"""
    t0, t1 = run.window("load3_started", "load3_done")
    rounds = [l.split("\t") for l in run.lines(os.path.join("logs", "rounds.tsv"))]
    head = rounds[0] if rounds else []
    if "host_free_kib" not in head:
        return False, "no rounds.tsv with host_free_kib"
    k = head.index("host_free_kib")
    free = [int(r[k]) for r in rounds[1:] if r and r[0].isdigit() and t0 <= int(r[0]) <= t1]
    reserve = num(run.facts.get("params"), "reserve_mib") * MIB
    low = min(free or [0])
    ok = len(free) > 5 and reserve > 0 and low >= reserve - MIB
    return ok, f"rounds={len(free)} min_host_free_kib={low} reserve_kib={reserve} " \
               f"(host free at the start of the phase: {free[0] if free else None})"


def check_stuck_others(run):
    """while domu3 is stuck the others still balance: domu1's load gets memory"""
    t0, t1 = run.window("load3_started", "load3_done")
    rows = [r for r in run.rows["domu1"] if t0 <= r["time_ms"] <= t1]
    base = rows[0]["target_kib"] if rows else 0
    peak = max([r["target_kib"] for r in rows] or [0])
    ok = base > 0 and peak >= base + 8 * MIB
    return ok, f"domu1 during load3: first={base} peak={peak} KiB"


def check_xs_no_spin(run):
    """while xenstored is stopped mmserver waits: its CPU stays near zero"""
    share, wall, ticks = run.cpu("xs_stopped")
    ok = share is not None and share <= CPU_STALL_MAX and wall >= 3000
    return ok, f"cpu_share={share if share is None else round(share, 3)} ticks={ticks} wall_ms={wall}"


def check_xs_resumed(run):
    """after SIGCONT mmserver is alive and its rounds resume"""
    f = run.facts.get("xs_resumed", "")
    t_cont = num(run.facts.get("xs_stopped"), "t1_ms")
    ok = kv(f, "alive") == "yes" and t_cont > 0 and num(f, "t_ms") - t_cont <= 30000
    return ok, f"{f or 'xs_not_resumed: ' + run.facts.get('xs_not_resumed', 'missing')} " \
               f"after_cont_ms={num(f, 't_ms') - t_cont}"


def check_xs_logged(run):
    """mmserver's log says xenstore was slow to answer, and for how long"""
    t0 = num(run.facts.get("xs_stopped"), "t0_ms")
    lines = [l for l in run.err if "msg=xenstore-slow" in l or "msg=xenstore-lost" in l]
    waited = max([num(l, "waited_ms") for l in lines] or [0])
    stop_s = num(run.facts.get("params"), "xs_stop_s")
    ok = t0 > 0 and len(lines) >= 1 and waited >= (stop_s - 1) * 1000
    return ok, f"lines={lines[:2]} waited_ms={waited}"


def check_out_of_scope(run):
    """domu4 (out of scope) never written: no report node, no provisioning, its target as xl made it"""
    f = run.facts.get("domu4_memory", "")
    rows = run.rows["domu4"]
    other = [r.get("reason") for r in rows if r.get("reason") != "out_of_scope"]
    ok = num(f, "report_node", -1) == 0 and num(f, "provisioned_lines", -1) == 0 and \
        num(f, "target_kib") == run.mem_kib and not other
    return ok, f"{f or 'no domu4_memory fact'}; rows={len(rows)} not_out_of_scope={other[:3]}"


def check_sigterm(run):
    """mmserver exits 0 on SIGTERM at the end"""
    return kv(run.facts.get("server_sigterm"), "rc") == "0", run.facts.get("server_sigterm")


CHECKS = [check_bounds, check_hostile_ran, check_hostile_flagged, check_others_balance,
          check_log_escaped, check_log_rate, check_cpu_flood, check_pinned_seen, check_stuck_flagged,
          check_stuck_pool, check_stuck_host, check_stuck_others, check_xs_no_spin, check_xs_resumed,
          check_xs_logged, check_out_of_scope, check_sigterm]


def figures(run):
    out = []
    for name in ("quiet", "hostile", "xs_stopped"):
        share, wall, ticks = run.cpu(name)
        out.append(f"mmserver cpu {name}: share_of_one_cpu={share if share is None else round(share, 3)} "
                   f"ticks={ticks} wall_ms={wall}")
    for l in run.lines("guest-domu2.log"):
        if "XG: hostile phase=" in l:
            out.append("domu2 " + l.split("XG: ", 1)[1].strip())
    t0, t1 = run.window("load2_started", "load2_done")
    pinned = [r for r in run.rows["domu3"] if t0 <= r["time_ms"] <= t1]
    if pinned:
        low = min(pinned, key=lambda r: r["target_kib"])
        out.append(f"domu3 pinned, its report seen: lowest target {low['target_kib']} KiB "
                   f"(used {low.get('used_kib')}, actual {low['actual_kib']}) over "
                   f"{len(pinned)} rows; {run.facts.get('filled', '')[:80]}")
    stuck = [r for r in run.rows["domu3"] if r.get("reason") == "stuck"]
    by_t = {}
    for g in MANAGED:
        for r in run.rows[g]:
            by_t.setdefault(r["time_ms"], {})[g] = r
    t0, t1 = run.window("load3_started", "load3_done")
    first = stuck[0]["time_ms"] if stuck else t1
    over = [(t, rs["domu1"]["target_kib"] + rs["domu2"]["target_kib"] + rs["domu3"]["actual_kib"]
             - run.pool_kib) for t, rs in sorted(by_t.items()) if len(rs) == 3 and t0 <= t < first]
    over = [(t, x) for t, x in over if x > 0]
    out.append(f"before the stuck verdict: domu1+domu2 targets + domu3 actual over the pool in "
               f"{len(over)} rounds, by at most {max([x for _, x in over] or [0])} KiB, over "
               f"{(over[-1][0] - over[0][0]) if over else 0} ms")
    if stuck:
        out.append(f"domu3 stuck rows={len(stuck)} first target=actual="
                   f"{stuck[0]['actual_kib']} KiB")
    out.append(f"xenstored stopped: {run.facts.get('xs_stopped', '')} / "
               f"{run.facts.get('xs_resumed', run.facts.get('xs_not_resumed', ''))}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--figures")
    a = ap.parse_args()
    run = Run(a.results)
    if not run.facts:
        print("FAIL: no facts.txt in", a.results)
        return 1
    failed = 0
    for fn in CHECKS:
        try:
            ok, why = fn(run)
        except (KeyError, ValueError, ZeroDivisionError) as e:
            ok, why = False, f"cannot judge: {e!r}"
        print(f"{'PASS' if ok else 'FAIL'}: {fn.__doc__.strip()}  [{why}]")
        failed += not ok
    fig = figures(run)
    print("\n".join(["", "figures:"] + ["  " + l for l in fig]))
    if a.figures:
        with open(a.figures, "w", encoding="utf-8") as f:
            f.write("\n".join(fig) + "\n")
    print(f"\n{len(CHECKS) - failed} of {len(CHECKS)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
