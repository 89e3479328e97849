#!/usr/bin/env python3
"""check.py RESULTS [--figures FILE]: judges one run of the Xen-under-QEMU scenario from what
dom0 sent back (facts.txt, mmserver's -d logs and stderr, guest consoles, xenstore listings).

Prints one PASS/FAIL line per check of issue 6 and, under a FAIL, the log lines that show why;
then the figures, also written to FILE. Exit 0 only if every check holds, 1 if one fails, 2 if
the results are unreadable. It runs nothing in the VM and never retries.
"""
import argparse
import os
import re
import shlex
import statistics
import sys

MIB = 1024  # KiB
GUESTS = ["domu1", "domu2", "domu3"]
LOADED, IDLE = "domu1", ["domu2", "domu3"]


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def parse_facts(path):
    """facts.txt: 'name key=value ...' per line -> {name: [dict, ...]}."""
    facts = {}
    for line in read_lines(path):
        words = shlex.split(line)
        if not words:
            continue
        kv = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        kv["_line"] = line
        facts.setdefault(words[0], []).append(kv)
    return facts


def parse_tsv(path):
    """mmserver's TSV logs: header row, then rows; '#' lines are restart notes."""
    lines = [l for l in read_lines(path) if l and not l.startswith("#")]
    head = lines[0].split("\t")
    rows = []
    for l in lines[1:]:
        r = dict(zip(head, l.split("\t")))
        for k, v in r.items():
            if k not in ("reason", "policy", "tau"):
                r[k] = int(v)
        r["_line"] = l
        rows.append(r)
    return rows


class Run:
    """Everything one run left in RESULTS/out, parsed."""

    def __init__(self, root):
        out = os.path.join(root, "out")
        self.out = out
        self.facts = parse_facts(os.path.join(out, "facts.txt"))
        self.rounds = parse_tsv(os.path.join(out, "logs", "rounds.tsv"))
        self.dom = {g: parse_tsv(os.path.join(out, "logs", g + ".log")) for g in GUESTS}
        self.err = read_lines(os.path.join(out, "mmserver.err"))
        self.console = {g: read_lines(os.path.join(out, f"guest-{g}.log")) for g in GUESTS}
        self.domid = {f["name"]: int(f["domid"]) for f in self.facts.get("guest", [])}
        p = self.fact("params")
        self.initial_kib = int(p["guest_mem_mib"]) * MIB
        self.maxmem_kib = int(p["guest_maxmem_mib"]) * MIB
        self.floor_kib = int(p["floor_mib"]) * MIB

    def fact(self, name, key=None):
        """The last fact of that name (its dict), or one of its values; {} / None if absent."""
        f = self.facts.get(name, [{}])[-1]
        return f if key is None else f.get(key)

    def file(self, name):
        return read_lines(os.path.join(self.out, name))


def t_load(run):
    return int(run.fact("load_started", "t_send_ms") or 0)


# --- the checks: each returns (ok, detail, evidence lines) ---------------------------------

def check_provisioned(run):
    after, before = run.file("perms-after.txt"), run.file("perms-before.txt")
    bad, ev = [], []
    for g in GUESTS:
        d = run.domid.get(g)
        node = [l for l in after if l.startswith("report =")]
        mine = [l for l in _section(after, g) if l.startswith("report =")]
        logged = [l for l in run.err if f"msg=report-node-provisioned domid={d} " in l
                  and l.endswith(f"owner={d}")]
        ev += mine + logged
        if not mine or not mine[0].rstrip().endswith(f"(n{d})") or not logged:
            bad.append(g)
        if any(l.startswith("report =") for l in _section(before, g)):
            bad.append(g + " (node existed before mmserver)")
    ok = not bad and len(node) == len(GUESTS)
    return ok, "owner = the guest, no access for others" if ok else f"wrong for {bad}", ev


def _section(lines, guest):
    """The part of a perms listing under '== guest ...'."""
    out, inside = [], False
    for l in lines:
        if l.startswith("== "):
            inside = l.split()[1] == guest
        elif inside:
            out.append(l)
    return out


def check_retry(run):
    started = int(run.fact("server_started", "t_ms") or 0)
    retrying = int(run.fact("guests_retrying", "t_ms") or 0)
    bad, ev = [], []
    for g in GUESTS:
        c = run.console[g]
        refused = _first(c, "event=report_node_not_granted")
        written = _first(c, "event=report seq=1 ")
        ev += [c[i] for i in (refused, written) if i is not None]
        if refused is None or written is None or refused > written:
            bad.append(g)
    if not (0 < retrying < started):
        bad.append("guests were not retrying before mmserver started")
    ok = not bad
    detail = ("every mmclient was refused before mmserver, then reported" if ok
              else f"no refusal-then-report for {bad}")
    return ok, detail, ev


def _first(lines, needle):
    return next((i for i, l in enumerate(lines) if needle in l), None)


def check_attack(run):
    a = run.fact("attack")
    want = ["write_peer_report", "read_peer_report", "write_own_target", "write_peer_target"]
    allowed = [k for k in want if a.get(k) != "denied"]
    intact = run.fact("peer_report_after_attack", "state") == "intact"
    forged = [r["_line"] for r in run.dom[LOADED] if r["tot_kib"] == 999999]
    ok = not allowed and intact and not forged
    detail = ("domu2 could not write domu1's report (nor read it, nor any target)" if ok
              else f"allowed={allowed} report_intact={intact}")
    return ok, detail, [a.get("_line", "no attack fact"),
                        run.fact("peer_report_after_attack").get("_line", "")] + forged


def check_loaded_grows(run):
    rows = [r for r in run.dom[LOADED] if r["time_ms"] >= t_load(run)]
    if not rows:
        return False, "no log rows after the load", []
    base = _before_load(run, LOADED)
    top = max(rows, key=lambda r: r["target_kib"])
    tot_top = max(rows, key=lambda r: r["tot_kib"])
    t_rise = top["target_kib"] - run.initial_kib
    m_rise = tot_top["tot_kib"] - base["tot_kib"]
    ok = t_rise >= 32 * MIB and m_rise >= t_rise // 2
    detail = (f"target {run.initial_kib // MIB} -> {top['target_kib'] // MIB} MiB, MemTotal "
              f"{base['tot_kib'] // MIB} -> {tot_top['tot_kib'] // MIB} MiB")
    return ok, detail, [base["_line"], top["_line"], tot_top["_line"]]


def _before_load(run, guest):
    rows = [r for r in run.dom[guest] if r["time_ms"] < t_load(run) and r["tot_kib"] > 0]
    return rows[-1] if rows else run.dom[guest][0]


def check_idle(run):
    bad, ev, parts = [], [], []
    for g in IDLE:
        rows = run.dom[g]
        low = min(rows, key=lambda r: r["target_kib"])
        under = [r["_line"] for r in rows if r["target_kib"] < run.floor_kib]
        fell = low["target_kib"] < run.initial_kib - MIB
        ev += [low["_line"]] + under[:5]
        parts.append(f"{g} low {low['target_kib'] // MIB} MiB")
        if under or not fell:
            bad.append(f"{g}: fell={fell} below_floor_rows={len(under)}")
    ok = not bad
    detail = ", ".join(parts) + f" (floor {run.floor_kib // MIB} MiB)"
    return ok, detail if ok else "; ".join(bad), ev


def check_maxmem(run):
    over = [f"{g}: {r['_line']}" for g in GUESTS for r in run.dom[g]
            if r["target_kib"] > run.maxmem_kib or r["actual_kib"] > run.maxmem_kib]
    logged = [l for l in run.err if "msg=domain-added" in l]
    wrong = [l for l in logged if f"maxmem_kib={run.maxmem_kib}" not in l]
    ok = not over and not wrong and len(logged) >= len(GUESTS)
    n = sum(len(run.dom[g]) for g in GUESTS)
    return ok, f"{n} rows, all <= {run.maxmem_kib // MIB} MiB" if ok else "over", over + wrong


def check_rows(run):
    times = [r["time_ms"] for r in run.rounds]
    bad, ev = [], []
    for g in GUESTS:
        mine = [r["time_ms"] for r in run.dom[g]]
        if mine != times:
            missing = sorted(set(times) - set(mine))[:5]
            extra = sorted(set(mine) - set(times))[:5]
            bad.append(g)
            ev.append(f"{g}: {len(mine)} rows for {len(times)} rounds; missing {missing} "
                      f"extra {extra}")
    short = len(times) < 20
    if short:
        bad.append(f"only {len(times)} rounds")
    partial = [r["_line"] for r in run.rounds if r["n"] != len(GUESTS)]
    ok = not bad and not partial
    return ok, f"{len(times)} rounds, a row for each guest in each" if ok else f"{bad}", \
        ev + partial[:5]


def check_flow_back(run):
    f = run.fact("flowed_back")
    mono = run.fact("load_done", "guest") or "none"
    ok = bool(f) and "rc=0" in mono
    detail = (f"after the ramp down: {' '.join(f'{g}={f.get(g)}' for g in GUESTS)} KiB"
              if f else "targets did not come back")
    ev = [run.fact("extremes").get("_line", ""), run.fact("load_done").get("_line", ""),
          (f or run.fact("not_flowed_back")).get("_line", "")]
    return ok, detail if "rc=0" in mono else f"mm_test_mono: {mono}", ev


def check_sigterm(run):
    f = run.fact("server_sigterm")
    stopped = [l for l in run.err if "msg=stopped" in l]
    errors = [l for l in run.err if l.startswith("level=error")]
    ok = f.get("rc") == "0" and bool(stopped) and not errors
    detail = (f"exit 0 in {f.get('wait_ms')} ms" if ok
              else f"rc={f.get('rc')} stopped_line={bool(stopped)} error_lines={len(errors)}")
    return ok, detail, [f.get("_line", "no sigterm fact")] + stopped + errors[:10]


def check_guests_alive(run):
    lst = run.file("xl-list-end.txt")
    bad, ev = [], []
    for g in GUESTS:
        row = [l for l in lst if l.split()[:1] == [g]]
        panics = [l for l in run.console[g] if re.search(r"Kernel panic|Out of memory", l)]
        ev += row + panics
        if not row or "c" in row[0].split()[4] or panics:
            bad.append(g)
    return not bad, "all three running, no panic or OOM" if not bad else f"{bad}", ev


CHECKS = [
    ("report node provisioned, owned by its guest", check_provisioned),
    ("mmclient started before mmserver (retry path)", check_retry),
    ("a guest cannot write another guest's report", check_attack),
    ("loaded guest: target above initial, MemTotal follows", check_loaded_grows),
    ("idle guests: targets fall, never below the floor", check_idle),
    ("no target above maxmem", check_maxmem),
    ("a log row for every guest in every round", check_rows),
    ("memory flows back after the ramp down", check_flow_back),
    ("mmserver exits cleanly on SIGTERM", check_sigterm),
    ("guests alive at the end", check_guests_alive),
]


# --- figures ---------------------------------------------------------------------------------

def first_after(rows, t0, pred):
    return next((r for r in rows if r["time_ms"] >= t0 and pred(r)), None)


def guest_memtotal_reaction(run):
    """On the guest's own clock: its mm_test_mono start -> its first MemTotal change."""
    started = re.search(r"t_ms=(\d+)", run.fact("load_started", "guest") or "")
    if not started:
        return None
    t0 = int(started.group(1))
    samples = [(int(m.group(1)), int(m.group(2))) for m in
               (re.search(r"XG: memtotal t_ms=(\d+) kib=(\d+)", l) for l in run.console[LOADED])
               if m]
    before = [k for t, k in samples if t <= t0]
    after = [t for t, k in samples if t > t0 and before and k > before[-1]]
    return (after[0] - t0) / 1000 if after else None


def figures(run):
    t0, rows = t_load(run), run.dom[LOADED]
    base = _before_load(run, LOADED)
    tgt = first_after(rows, t0, lambda r: r["target_kib"] > base["target_kib"])
    tot = first_after(rows, t0, lambda r: r["tot_kib"] > base["tot_kib"])
    span_s = (run.rounds[-1]["time_ms"] - run.rounds[0]["time_ms"]) / 1000
    costs = [r["round_cost_us"] for r in run.rounds]
    changes = {g: sum(1 for a, b in zip(run.dom[g], run.dom[g][1:])
                      if a["target_kib"] != b["target_kib"]) for g in GUESTS}
    done, back = run.fact("load_done", "t_ms"), run.fact("flowed_back", "t_ms")
    ack = int(run.fact("load_started", "t_ack_ms") or t0)
    gm = guest_memtotal_reaction(run)
    fmt = lambda r, key: f"{(r['time_ms'] - t0) / 1000:.2f}" if r else "none"
    return [
        ("load step -> first target raise (dom0 clock, s)", fmt(tgt, "target_kib")),
        ("load step -> guest MemTotal change (guest clock, s)",
         f"{gm:.2f}" if gm is not None else "none"),
        ("load step -> MemTotal change seen in a report (dom0 clock, s)", fmt(tot, "tot_kib")),
        ("load command round trip dom0 -> guest -> dom0 (s)", f"{(ack - t0) / 1000:.2f}"),
        ("rounds", str(len(run.rounds))),
        ("rounds per second", f"{len(run.rounds) / span_s:.2f}" if span_s > 0 else "none"),
        ("targets written (rounds.tsv writes)", str(sum(r["writes"] for r in run.rounds))),
        ("target changes per guest (logs)", " ".join(f"{g}={n}" for g, n in changes.items())),
        ("round cost median / max (us)",
         f"{statistics.median(costs):.0f} / {max(costs)}" if costs else "none"),
        ("loaded guest peak target / MemTotal (MiB)",
         f"{max(r['target_kib'] for r in rows) // MIB} / {max(r['tot_kib'] for r in rows) // MIB}"),
        ("idle guests lowest target (MiB)",
         " ".join(f"{g}={min(r['target_kib'] for r in run.dom[g]) // MIB}" for g in IDLE)),
        ("load done -> memory back (s)",
         f"{(int(back) - int(done)) / 1000:.2f}" if done and back else "none"),
        ("mmserver exit after SIGTERM (ms)", str(run.fact("server_sigterm", "wait_ms"))),
        ("dom0 up / guests up (s after dom0 boot)",
         f"{run.fact('dom0_up', 'uptime_s')} / {run.fact('guests_retrying', 'uptime_s')}"),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", help="folder boot.py unpacked (holds out/)")
    ap.add_argument("--figures", help="also write the figures to this file")
    a = ap.parse_args()
    try:
        run = Run(a.results)
    except (OSError, KeyError, ValueError, IndexError) as e:
        print(f"check.py: results unreadable: {e!r}", file=sys.stderr)
        return 2
    failed = 0
    for name, fn in CHECKS:
        try:
            ok, detail, ev = fn(run)
        except (KeyError, ValueError, IndexError, TypeError) as e:
            ok, detail, ev = False, f"could not evaluate: {e!r}", []
        print(f"{'PASS' if ok else 'FAIL'}: {name}: {detail}")
        if not ok:
            failed += 1
            for line in dict.fromkeys(ev):  # each line once, in order
                print(f"    | {line}")
    figs = figures(run)
    text = "".join(f"{k}: {v}\n" for k, v in figs)
    print("\nfigures:\n" + text, end="")
    if a.figures:
        with open(a.figures, "w") as f:
            f.write(text)
    print(f"\n{len(CHECKS) - failed} of {len(CHECKS)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
