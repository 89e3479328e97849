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
GUESTS = ["domu1", "domu2", "domu3"]  # mmserver's guests
ADMIN = "domu4"  # out of mmserver's scope (--exclude domu4); the admin sets its target
ALL = GUESTS + [ADMIN]
LOADED, IDLE = "domu1", ["domu2", "domu3"]
DESTROYED = "domu3"  # destroyed near the end, while mmserver runs (chaos)
DEADBAND_KIB = MIB  # mmserver writes no change under 1 MiB


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
        self.dom = {g: parse_tsv(os.path.join(out, "logs", g + ".log")) for g in ALL}
        self.err = read_lines(os.path.join(out, "mmserver.err"))
        self.console = {g: read_lines(os.path.join(out, f"guest-{g}.log")) for g in ALL}
        self.domid = {f["name"]: int(f["domid"]) for f in self.facts.get("guest", [])}
        p = self.fact("params")
        self.initial_kib = int(p["guest_mem_mib"]) * MIB
        self.maxmem_kib = int(p["guest_maxmem_mib"]) * MIB
        self.floor_kib = int(p["floor_mib"]) * MIB
        self.interval_ms = int(p["interval_ms"])
        self.stale_intervals = int(p["stale_intervals"])
        self.victim = p["victim"]
        self.admin_kib = int(p["domu4_set_mib"]) * MIB
        self.admin_boot_kib = int(p["domu4_mem_mib"]) * MIB

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
    node = [l for g in GUESTS for l in _section(after, g) if l.startswith("report =")]
    for g in GUESTS:
        d = run.domid.get(g)
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
    """Every round has a row in every guest's log, and no guest has a row of its own. Two
    exceptions the chaos makes: the destroyed guest has rows only until it is gone, and the
    round that SIGKILL cut may have guest rows but no rounds.tsv row (said in the detail)."""
    times = [r["time_ms"] for r in run.rounds]
    t_gone = int(run.fact("guest_destroyed", "t_ms") or 0) or float("inf")
    t_kill = int(run.fact("server_kill", "t_ms") or 0)
    cut_from = max((t for t in times if t < t_kill), default=0) if t_kill else None
    bad, ev, cut = [], [], set()
    for g in ALL:
        mine = [r["time_ms"] for r in run.dom[g]]
        want = set(t for t in times if g != DESTROYED or t < t_gone)
        missing = sorted(want - set(mine))
        extra = sorted(set(mine) - set(times))
        if cut_from is not None:
            cut |= {t for t in extra if cut_from < t <= t_kill}
            extra = [t for t in extra if not cut_from < t <= t_kill]
        if missing or extra or len(mine) != len(set(mine)):
            bad.append(g)
            ev.append(f"{g}: {len(mine)} rows for {len(want)} rounds; missing {missing[:5]} "
                      f"extra {extra[:5]}")
    short = len(times) < 20
    if short:
        bad.append(f"only {len(times)} rounds")
    partial = [r["_line"] for r in run.rounds
               if r["n"] != len(ALL) and not (r["time_ms"] > t_gone and r["n"] == len(ALL) - 1)]
    ok = not bad and not partial
    detail = f"{len(times)} rounds, a row for each guest in each"
    if cut:
        detail += f" (the round SIGKILL cut left rows at {sorted(cut)} without a rounds row)"
    return ok, detail if ok else f"{bad}", ev + partial[:5]


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
    destroyed = DESTROYED if run.fact("guest_destroyed") else None
    bad, ev = [], []
    for g in ALL:
        row = [l for l in lst if l.split()[:1] == [g]]
        panics = [l for l in run.console[g] if re.search(r"Kernel panic|Out of memory", l)]
        ev += row + panics
        if g == destroyed:
            if row or panics:
                bad.append(f"{g} (destroyed, yet listed or panicked)")
        elif not row or "c" in row[0].split()[4] or panics:
            bad.append(g)
    alive = [g for g in ALL if g != destroyed]
    detail = f"{', '.join(alive)} running, no panic or OOM"
    if destroyed:
        detail += f"; {destroyed} destroyed, gone"
    return not bad, detail if not bad else f"{bad}", ev


# --- a dead mmclient (issue 9 item 1): stale, held, rejoins ---------------------------------

def _stale_window(run):
    """The victim's rows from the first stale one after the kill to the last before it
    rejoined; (kill fact, first stale row or None, window rows, rejoin row or None)."""
    kill = run.fact("client_killed")
    t_kill = int(kill.get("t_send_ms") or 0)
    t_restart = int(run.fact("client_restarted", "t_send_ms") or 0)
    rows = run.dom[run.victim]
    first = first_after(rows, t_kill, lambda r: r["reason"] == "stale") if t_kill else None
    back = (first_after(rows, t_restart, lambda r: r["reason"] != "stale")
            if t_restart else None)
    end = back["time_ms"] if back else float("inf")
    window = [r for r in rows if first and first["time_ms"] <= r["time_ms"] < end]
    return kill, first, window, back


def check_stale(run):
    kill, first, _, _ = _stale_window(run)
    limit_ms = run.stale_intervals * run.interval_ms
    ev = [kill.get("_line", "no client_killed fact"),
          run.fact("stale_seen").get("_line") or run.fact("stale_not_seen").get("_line", "")]
    if not str(kill.get("guest", "")).startswith("killed "):
        return False, f"mmclient in {run.victim} was not killed: {kill.get('guest')}", ev
    if not first:
        return False, (f"{run.victim} never flagged stale after its mmclient was killed "
                       f"(limit {limit_ms} ms)"), ev + [r["_line"] for r in
                                                         run.dom[run.victim][-3:]]
    t_send, t_ack = int(kill["t_send_ms"]), int(kill.get("t_ack_ms") or kill["t_send_ms"])
    delay = first["time_ms"] - t_send
    # The window, from what the run shows: the kill lands between t_send and t_ack; the
    # client's last report was written at most one client interval (1 s) before it, and
    # mmserver reads it at its next round, at most one round gap G later (G: the longest gap
    # between rounds around the kill, at least one interval; heavy TCG load stretches it);
    # the flag comes at the first round past N intervals after that read. So it lands
    # between N*I - 1 s - G after t_send and N*I + 2*G after t_ack. Earlier means rounds
    # were counted, not time; later means the dead client was not noticed.
    n_ms = run.stale_intervals * run.interval_ms
    times = [r["time_ms"] for r in run.rounds if t_send - 3000 <= r["time_ms"] <= first["time_ms"]]
    gap = max([b - a for a, b in zip(times, times[1:])] + [run.interval_ms])
    lo, hi = n_ms - 1000 - gap, t_ack - t_send + n_ms + 2 * gap
    early = [r["_line"] for g in GUESTS for r in run.dom[g] if r["reason"] == "stale"
             and (g != run.victim or r["time_ms"] < int(kill["t_send_ms"]))]
    ok = lo <= delay <= hi and not early
    detail = (f"{run.victim} flagged stale {delay / 1000:.1f} s after the kill "
              f"(window {lo / 1000:.1f}-{hi / 1000:.1f} s: {run.stale_intervals} intervals "
              f"of {run.interval_ms} ms, round gap up to {gap} ms)")
    if early:
        detail += f"; {len(early)} stale rows where no client was dead"
    return ok, detail, ev + [first["_line"]] + early[:5]


def check_held(run):
    _, first, window, _ = _stale_window(run)
    if not window:
        return False, f"no stale rows for {run.victim}", []
    t0, t1 = window[0]["time_ms"], window[-1]["time_ms"]
    moved = [r["_line"] for r in window
             if abs(r["target_kib"] - window[0]["target_kib"]) > DEADBAND_KIB
             or abs(r["target_kib"] - r["actual_kib"]) > DEADBAND_KIB]
    not_stale = [r["_line"] for r in window if r["reason"] != "stale"]
    others = {g: sum(1 for a, b in zip(run.dom[g], run.dom[g][1:])
                     if t0 <= b["time_ms"] <= t1 and a["target_kib"] != b["target_kib"])
              for g in GUESTS if g != run.victim}
    writes = sum(r["writes"] for r in run.rounds if t0 <= r["time_ms"] <= t1)
    bad = []
    if len(window) < 3:
        bad.append(f"only {len(window)} stale rows")
    if moved:
        bad.append(f"{len(moved)} rows where its target moved or left its allocation")
    if not_stale:
        bad.append(f"{len(not_stale)} rows in the window not flagged stale")
    if not any(others.values()) or writes == 0:
        bad.append(f"the others did not balance meanwhile (target changes {others}, "
                   f"writes {writes})")
    detail = (f"{len(window)} rows over {(t1 - t0) / 1000:.1f} s at "
              f"{window[0]['target_kib'] // MIB} MiB = its allocation; meanwhile "
              + " ".join(f"{g} {n} target changes" for g, n in others.items())
              + f", {writes} writes")
    return not bad, detail if not bad else "; ".join(bad), \
        [window[0]["_line"], window[-1]["_line"]] + moved[:5] + not_stale[:5]


def check_rejoin(run):
    kill, first, window, back = _stale_window(run)
    r = run.fact("client_restarted")
    ev = [r.get("_line", "no client_restarted fact"),
          run.fact("rejoined").get("_line") or run.fact("not_rejoined").get("_line", "")]
    if not str(r.get("guest", "")).startswith("started "):
        return False, f"mmclient in {run.victim} was not restarted: {r.get('guest')}", ev
    if not first or not back:
        return False, f"{run.victim} was {'never stale' if not first else 'still stale'} " \
            "after its mmclient was restarted", ev + [x["_line"] for x in run.dom[run.victim][-3:]]
    delay = back["time_ms"] - int(r["t_send_ms"])
    t_gone = int(run.fact("guest_destroyed", "t_ms") or 0) or float("inf")
    again = [x["_line"] for x in run.dom[run.victim]
             if back["time_ms"] < x["time_ms"] < t_gone and x["reason"] == "stale"]
    # the new client's seq starts at 1 again: mmserver must take it as new (issue 9)
    c = run.console[run.victim]
    restarts = [i for i, l in enumerate(c) if "event=report seq=1 " in l]
    ok = delay <= 2 * run.stale_intervals * run.interval_ms and not again and len(restarts) >= 2
    detail = (f"reason {back['reason']} {delay / 1000:.1f} s after the restart (its seq began "
              f"again at 1), never stale again")
    if not ok:
        detail = (f"rejoined after {delay / 1000:.1f} s; stale again in {len(again)} rows; "
                  f"seq=1 reports on its console: {len(restarts)}")
    return ok, detail, ev + [back["_line"]] + again[:5] + [c[i] for i in restarts]


# --- scope (issue 9 item 3): a guest out of scope keeps what the admin gave it -------------

def check_out_of_scope(run):
    a = run.fact("admin_mem_set")
    # xl mem-set takes seconds under TCG: rows while it runs may still show the boot size
    t_set = int(a.get("t_done_ms") or a.get("t_ms") or 0)
    rows = run.dom[ADMIN]
    want = run.admin_kib
    ev = [a.get("_line", "no admin_mem_set fact"), run.fact("domu4_target").get("_line", "")]
    if a.get("rc") != "0" or int(a.get("target_kib") or 0) != want:
        return False, f"xl mem-set {ADMIN} {want // MIB}m did not take: {a.get('_line')}", ev
    wrong_reason = [r["_line"] for r in rows if r["reason"] != "out_of_scope"]
    # never a target but the boot size or the admin's; the admin's from the second round
    # after xl returned (the first may have read before its write)
    after = [r for r in rows if r["time_ms"] > t_set]
    moved = [r["_line"] for r in after[1:] if r["target_kib"] != want]
    moved += [r["_line"] for r in rows if r["target_kib"] not in (want, run.admin_boot_kib)]
    seen = run.fact("domu4_target")
    xs = {k: int(seen.get(k) or -1) for k in ("min_kib", "max_kib", "end_kib")}
    d = run.domid.get(ADMIN)
    written = [l for l in run.err if f"domid={d} " in l and "target" in l]
    bad = []
    if wrong_reason:
        bad.append(f"{len(wrong_reason)} rows not out_of_scope")
    if len(after) < 10 or moved:
        bad.append(f"{len(moved)} rows with another target ({len(after)} after the mem-set)")
    if any(v != want for v in xs.values()):
        bad.append(f"memory/target seen by dom0 moved: {xs}")
    if written:
        bad.append("mmserver logged a target write for it")
    detail = (f"target {want // MIB} MiB (xl mem-set) in all {len(after)} rows after it and in "
              f"xenstore to the end; reason out_of_scope in all {len(rows)} rows")
    return not bad, detail if not bad else "; ".join(bad), \
        ev + wrong_reason[:5] + moved[:5] + written[:5]


# --- chaos on real Xen (issue 12 section 5) ---------------------------------------------------

def _restart_ms(run):
    """dom0's time of the mmserver restart (0 when the run had none)."""
    return int(run.fact("server_restarted", "t_ms") or 0)


def check_server_kill(run):
    k, dead, up = run.fact("server_kill"), run.fact("server_dead"), run.fact("server_restarted")
    t_up = _restart_ms(run)
    ev = [k.get("_line", "no server_kill fact"), dead.get("_line", ""), up.get("_line", "")]
    if k.get("rc") != "137" or not t_up:
        return False, f"mmserver was not killed by SIGKILL and restarted (rc={k.get('rc')})", ev
    bad = []
    # guests keep their memory while no mmserver runs
    lost = {g: (k.get(g), dead.get(g)) for g in GUESTS if k.get(g) != dead.get(g)}
    if lost:
        bad.append(f"targets moved while mmserver was dead: {lost}")
    # the new mmserver starts from the hypervisor's state: its first rows hold the targets
    first = {g: first_after(run.dom[g], t_up, lambda r: True) for g in GUESTS}
    jumped = [f"{g}: {k.get(g)} -> {r['_line']}" for g, r in first.items()
              if not r or abs(r["target_kib"] - int(k.get(g) or 0)) > DEADBAND_KIB]
    if jumped:
        bad.append("the restarted mmserver did not start from the targets it found")
    starts = [l for l in run.err if "msg=started" in l]
    if len(starts) != 2:
        bad.append(f"{len(starts)} msg=started lines in mmserver.err (want 2)")
    ans = run.fact("load2_answered")
    if not ans:
        bad.append("domu2's load after the restart was not answered (no target raise)")
    ev += [r["_line"] for r in first.values() if r] + jumped + \
        [run.fact("load2_started").get("_line", ""),
         (ans or run.fact("load2_not_answered")).get("_line", "")]
    grow = (int(ans.get("domu2") or 0) - int(run.fact("load2_started", "base_kib") or 0)) // MIB
    detail = (f"targets unchanged while it was dead; the new mmserver started from them and "
              f"raised domu2 by {grow} MiB under load" if not bad else "; ".join(bad))
    return not bad, detail, ev


def check_destroyed(run):
    d, dropped = run.fact("guest_destroyed"), run.fact("guest_dropped")
    ev = [d.get("_line", "no guest_destroyed fact"),
          (dropped or run.fact("guest_not_dropped")).get("_line", "")]
    if d.get("rc") != "0":
        return False, f"xl destroy failed: {d.get('_line')}", ev
    t = int(d["t_ms"])
    dom = run.domid.get(DESTROYED)
    drop = [l for l in run.err if f"msg=domain-dropped domid={dom} " in l]
    after = [r for r in run.rounds if r["time_ms"] > t]
    gone_rows = [r["_line"] for r in run.dom[DESTROYED] if r["time_ms"] > t + 5000]
    others = [g for g in ALL if g != DESTROYED]
    missing = [g for g in others
               if {r["time_ms"] for r in after} - {r["time_ms"] for r in run.dom[g]}]
    errors = [l for l in run.err if l.startswith("level=error")]
    writes = sum(r["writes"] for r in after)
    bad = []
    if writes == 0:
        bad.append("no target written after the destroy (its share was not handed out)")
    if not dropped or not drop:
        bad.append("mmserver did not drop the destroyed domain")
    if len(after) < 3:
        bad.append(f"only {len(after)} rounds after the destroy")
    if missing:
        bad.append(f"rounds after the destroy without a row for {missing}")
    if gone_rows:
        bad.append(f"{len(gone_rows)} rows for the destroyed guest 5 s after it was gone")
    if errors:
        bad.append(f"{len(errors)} level=error lines")
    detail = (f"dropped in {(int(dropped['t_ms']) - t) / 1000:.1f} s; {len(after)} rounds "
              f"after, with a row for each of {', '.join(others)}; {writes} targets written"
              if not bad
              else "; ".join(bad))
    return not bad, detail, ev + drop + gone_rows[:3] + errors[:5]


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
    ("killed mmclient: flagged stale within its intervals", check_stale),
    ("stale guest held at its allocation, others balance", check_held),
    ("restarted mmclient rejoins", check_rejoin),
    ("out-of-scope guest keeps the admin's target", check_out_of_scope),
    ("mmserver killed -9: memory kept, a new one balances", check_server_kill),
    ("destroyed guest dropped, the others go on", check_destroyed),
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


def _since(row, t_ms):
    return f"{(row['time_ms'] - t_ms) / 1000:.2f}" if row and t_ms else "none"


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
    kill, stale_first, window, rejoin = _stale_window(run)
    kill_t = int(kill.get("t_send_ms") or 0)
    restart_t = int(run.fact("client_restarted", "t_send_ms") or 0)
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
        ("mmclient killed -> flagged stale (s)", _since(stale_first, kill_t)),
        ("stale rows held / span (s)", f"{len(window)} / "
         + (f"{(window[-1]['time_ms'] - window[0]['time_ms']) / 1000:.1f}" if window else "none")),
        ("mmclient restarted -> rejoined (s)", _since(rejoin, restart_t)),
        ("out-of-scope guest target (MiB, xenstore min / max / end)",
         " / ".join(str(int(run.fact("domu4_target", k) or 0) // MIB)
                    for k in ("min_kib", "max_kib", "end_kib"))),
        ("mmserver SIGKILL -> restarted, its first round (s)",
         _since(min((first_after(run.dom[g], _restart_ms(run), lambda r: True) or
                     {"time_ms": float("inf")} for g in GUESTS), key=lambda r: r["time_ms"]),
                int(run.fact("server_kill", "t_ms") or 0))
         if _restart_ms(run) else "none"),
        ("restarted mmserver: domu2 load -> its target raised (s)",
         f"{(int(run.fact('load2_answered', 't_ms') or 0) - int(run.fact('load2_started', 't_send_ms') or 0)) / 1000:.2f}"
         if run.fact("load2_answered") else "none"),
        ("guest destroyed -> dropped by mmserver (dom0 poll, s)",
         f"{(int(run.fact('guest_dropped', 't_ms') or 0) - int(run.fact('guest_destroyed', 't_ms') or 0)) / 1000:.2f}"
         if run.fact("guest_dropped") else "none"),
        ("mmserver exit after SIGTERM (ms)", str(run.fact("server_sigterm", "wait_ms"))),
        ("dom0 up / guests created / guests up (s after dom0 boot)",
         f"{run.fact('dom0_up', 'uptime_s')} / {run.fact('guests_created', 'uptime_s')} / "
         f"{run.fact('guests_retrying', 'uptime_s')}"),
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
