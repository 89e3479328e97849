# SPDX-License-Identifier: GPL-3.0-or-later
"""`run SPEC`: every condition, repetition by repetition (conditions
interleaved, so a drifting host does not favour one), into one run folder
with a manifest that is rewritten after every cell: an interrupt, a crash
or a failing guest never loses what was already measured."""

import datetime
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time

from . import __version__
from .hosts import HostsTarget
from .sim import RunError, SimTarget

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_START, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
FORMAT = "xenmm-experiment-run/1"
# Guest states that make a run partial (exit 1); "oom" in the simulator is
# a measured outcome, not a failure of the run.
BAD_GUEST = ("failed", "lost", "unreachable")


def now_ms():
    return int(time.time() * 1000)


def _cmd(argv, timeout_s=10):
    try:
        p = subprocess.run(argv, capture_output=True, timeout=timeout_s, text=True)
        return (p.stdout or p.stderr).strip().splitlines()[0] if p.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return None


def host_facts():
    facts = {"hostname": socket.gethostname(), "kernel": platform.release(),
             "machine": platform.machine(), "cpus": os.cpu_count(),
             "python": platform.python_version()}
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            facts["mem_total_kib"] = int(f.readline().split()[1])
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    facts["os"] = line.split("=", 1)[1].strip().strip('"')
    except (OSError, ValueError, IndexError):
        pass
    return facts


def default_mmserver():
    """$XENMM_BUILD's mmserver, else the one in this source tree's build,
    else the one in PATH."""
    here = os.path.dirname(os.path.abspath(__file__))
    tree = os.path.normpath(os.path.join(here, "..", "..", ".."))
    build = os.environ.get("XENMM_BUILD") or os.path.join(tree, "build")
    for p in (os.path.join(build, "server", "mmserver"), shutil.which("mmserver")):
        if p and os.path.isfile(p):
            return p
    return "mmserver"


def write_manifest(run_dir, man):
    tmp = os.path.join(run_dir, "manifest.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(man, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, os.path.join(run_dir, "manifest.json"))


def read_manifest(run_dir):
    p = os.path.join(run_dir, "manifest.json")
    try:
        with open(p, encoding="utf-8") as f:
            man = json.load(f)
    except OSError as e:
        raise RunError(f"{run_dir}: not a run folder (cannot read manifest.json: "
                       f"{e.strerror})") from None
    except ValueError as e:
        raise RunError(f"{p}: not valid JSON: {e}") from None
    if man.get("format") != FORMAT:
        raise RunError(f"{p}: unknown format {man.get('format')!r} (want {FORMAT})")
    return man


class Progress:
    """One line per update on stderr and in progress.log: condition,
    repetition, cells done, time elapsed and left, per-guest status."""

    def __init__(self, run_dir, total_cells, quiet=False):
        self.f = open(os.path.join(run_dir, "progress.log"), "a", encoding="utf-8")
        self.total, self.done, self.quiet = total_cells, 0, quiet
        self.t0 = time.time()
        self.per_cell_s = 1.0
        self.cell_t0 = time.time()
        self.last, self.last_t = None, 0.0

    def line(self, cond, rep, reps, guests, state="running"):
        el = time.time() - self.t0
        if state in ("starting", "running"):
            left = (self.total - self.done) * self.per_cell_s - (time.time() - self.cell_t0)
        else:
            left = (self.total - self.done - 1) * self.per_cell_s
        left = max(0.0, left)
        gs = " ".join(f"{k}:{v}" for k, v in sorted(guests.items())) or "-"
        text = (f"cond={cond['name']} policy={cond['policy']} rep={rep + 1}/{reps} "
                f"cell={min(self.done + 1, self.total)}/{self.total} state={state} "
                f"elapsed_s={el:.0f} left_s={left:.0f} guests={gs}")
        # A new state prints at once; the same state again only every 30 s.
        key = (cond["name"], rep, self.done, state, gs)
        if key == self.last and time.time() - self.last_t < 30:
            return
        self.last, self.last_t = key, time.time()
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M:%S")
        self.f.write(f"unix_ms={now_ms()} {text}\n")
        self.f.flush()
        if not self.quiet:
            print(f"[{stamp}] {text}", file=sys.stderr, flush=True)

    def close(self):
        self.f.close()


def _versions(mmserver, target_kind):
    here = os.path.dirname(os.path.abspath(__file__))
    v = {"xenmm_experiment": __version__,
         "git": _cmd(["git", "-C", here, "describe", "--always", "--dirty", "--tags"])}
    if target_kind == "sim":
        v["mmserver"] = _cmd([mmserver, "--version"])
    return v


def new_run_dir(spec, out):
    if out:
        if os.path.exists(out) and os.listdir(out):
            raise RunError(f"{out}: exists and is not empty (a run folder is never overwritten)")
        os.makedirs(out, exist_ok=True)
        return out
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = os.path.join("runs", f"{spec['name']}-{stamp}")
    d, k = base, 1
    while os.path.exists(d):
        k += 1
        d = f"{base}-{k}"
    os.makedirs(d)
    return d


def run(spec, out=None, mmserver=None, quiet=False):
    """Runs the experiment; returns (exit code, run folder)."""
    run_dir = new_run_dir(spec, out)
    run_id = os.path.basename(os.path.normpath(run_dir))
    mmserver = mmserver or spec["target"].get("mmserver") or default_mmserver()
    if spec["target"]["kind"] == "sim":
        target = SimTarget(spec, mmserver)
    elif spec["target"]["kind"] == "xen-qemu":
        from .xen_qemu import QemuTarget
        target = QemuTarget(spec, run_dir)
    else:
        target = HostsTarget(spec, run_id)
    with open(os.path.join(run_dir, "spec.toml"), "w", encoding="utf-8") as f:
        f.write(spec["text"])
    man = {"format": FORMAT, "name": spec["name"], "description": spec["description"],
           "run_id": run_id, "spec_path": spec["path"],
           "spec": {k: v for k, v in spec.items() if k not in ("text",)},
           "clock": "unix_ms: wall clock of the runner's host (CLOCK_REALTIME)",
           "start_unix_ms": now_ms(), "end_unix_ms": None, "status": "running",
           "host": host_facts(), "versions": _versions(mmserver, spec["target"]["kind"]),
           "target_hosts": target.hosts(), "unreachable": {}, "cells": []}
    write_manifest(run_dir, man)
    stop = {"flag": False, "signal": None}

    def on_signal(sig, _frame):
        if stop["flag"]:  # second one: stop waiting politely
            raise KeyboardInterrupt
        stop.update(flag=True, signal=signal.Signals(sig).name)
        print(f"xenmm-experiment: {stop['signal']}: stopping, keeping what was measured "
              "(again to hurry)", file=sys.stderr, flush=True)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    reps, conds = spec["run"]["repetitions"], spec["conditions"]
    prog = Progress(run_dir, reps * len(conds), quiet)
    rc = EXIT_OK
    try:
        try:
            man["unreachable"] = target.preflight()
        except RunError as e:
            man.update(status="failed", detail=str(e), end_unix_ms=now_ms())
            write_manifest(run_dir, man)
            print(f"xenmm-experiment: {e}", file=sys.stderr)
            return EXIT_START, run_dir
        man["target_facts"] = getattr(target, "facts", {})
        write_manifest(run_dir, man)
        for h, why in man["unreachable"].items():
            print(f"xenmm-experiment: host {h} unreachable, its guests are marked and skipped: "
                  f"{why}", file=sys.stderr)
        rc = _cells(spec, target, run_dir, man, prog, stop)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        prog.close()
        man["end_unix_ms"] = now_ms()
        if man["status"] == "running":
            man["status"] = "interrupted" if stop["flag"] else "done"
        if stop["flag"]:
            man["interrupted_by"] = stop["signal"]
        write_manifest(run_dir, man)
    if stop["flag"]:
        return EXIT_INTERRUPTED, run_dir
    return rc, run_dir


def _cells(spec, target, run_dir, man, prog, stop):
    reps, conds = spec["run"]["repetitions"], spec["conditions"]
    rc = EXIT_OK
    for rep in range(reps):
        for cond in conds:
            if stop["flag"]:
                return rc
            rel = os.path.join("cells", cond["name"], f"rep-{rep + 1}")
            cdir = os.path.join(run_dir, rel)
            os.makedirs(cdir)
            prog.per_cell_s = target.seconds_per_cell()
            prog.cell_t0 = time.time()
            prog.line(cond, rep, reps, {}, "starting")
            t0 = now_ms()
            rec = target.cell(cond, rep, cdir,
                              lambda c, r, g: prog.line(c, r, reps, g),
                              lambda: stop["flag"])
            rec.update(condition=cond["name"], policy=cond["policy"], rep=rep + 1, dir=rel,
                       start_unix_ms=t0, end_unix_ms=now_ms())
            man["cells"].append(rec)
            write_manifest(run_dir, man)
            gstat = {k: v["status"] for k, v in rec.get("guests", {}).items()}
            prog.line(cond, rep, reps, gstat, rec["status"])
            prog.done += 1
            if rec["status"] == "failed" or any(s in BAD_GUEST for s in gstat.values()):
                rc = EXIT_PARTIAL
            if spec["run"]["cooldown_s"] and not stop["flag"]:
                end = time.time() + spec["run"]["cooldown_s"]
                while time.time() < end and not stop["flag"]:
                    time.sleep(0.2)
    return rc
