#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""experiment_selftest.py: proves, without a VM, that the on/off experiment's verdict can fail
and that the runner reads what dom0 sends back. data/experiment-pass holds a real passing run's
results; for the untouched copy and for each broken copy, the xen-qemu target's own code turns
them into a run folder, the report is written, and experiment_check.py must say PASS (exit 0)
for the first and FAIL (exit 1) for each broken one. About 5 s."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tools", "experiment"))
from xenmm_experiment import report, run as runmod, spec as specmod  # noqa: E402
from xenmm_experiment.xen_qemu import QemuTarget  # noqa: E402


def edit(path, fn):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new = fn(text)
    assert new != text, f"the edit changed nothing in {path}"
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)


def on_swaps(out):  # on's guest swap log shows as much swap as off's
    edit(f"{out}/exp/on/console-domu1.log",
         lambda t: re.sub(r"swap_used_kib=\d+", "swap_used_kib=66304", t))


def on_never_grows(out):  # on's domu1 stays at its boot allocation
    def flat(t):
        rows = t.splitlines()
        body = ["\t".join(c if i != 3 else "163840" for i, c in enumerate(r.split("\t")))
                for r in rows[1:]]
        return "\n".join([rows[0]] + body) + "\n"
    edit(f"{out}/exp/on/logs/domu1.log", flat)


def on_grows_little(out):  # on's domu1 grows by 20 MiB only
    def capped(t):
        rows = t.splitlines()
        cap = str(180 * 1024)
        body = ["\t".join(min(c, cap, key=int) if i == 3 else c
                          for i, c in enumerate(r.split("\t"))) for r in rows[1:]]
        return "\n".join([rows[0]] + body) + "\n"
    edit(f"{out}/exp/on/logs/domu1.log", capped)


def off_never_swaps(out):  # off did not swap at all
    edit(f"{out}/exp/off/console-domu1.log",
         lambda t: re.sub(r"swap_used_kib=\d+", "swap_used_kib=0", t))


def on_not_done(out):  # the workload in on never finished
    edit(f"{out}/facts.txt", lambda t: re.sub(r"^workload_done name=on .*\n", "", t, flags=re.M))


CASES = [("untouched", None, 0), ("on swaps like off", on_swaps, 1),
         ("on never grows", on_never_grows, 1), ("on grows 20 MiB only", on_grows_little, 1),
         ("off never swaps", off_never_swaps, 1), ("on not done", on_not_done, 1)]


def verdict(tmp, name, breaker):
    res = os.path.join(tmp, name.replace(" ", "-"), "results")
    shutil.copytree(os.path.join(HERE, "data", "experiment-pass"), res)
    if breaker:
        breaker(os.path.join(res, "out"))
    os.environ.setdefault("XENMM_BUILD", tmp)
    spec = specmod.load(os.path.join(HERE, "experiment.toml"))
    run_dir = os.path.join(os.path.dirname(res), "run")
    os.makedirs(run_dir)
    target = QemuTarget(spec, run_dir)
    target.booted[0] = res  # what a boot would have brought back
    man = {"format": runmod.FORMAT, "name": spec["name"], "description": "", "run_id": "self",
           "spec_path": spec["path"], "spec": {k: v for k, v in spec.items() if k != "text"},
           "clock": "test", "start_unix_ms": 0, "end_unix_ms": 1, "status": "done",
           "host": {}, "versions": {}, "cells": []}
    prog = runmod.Progress(run_dir, len(spec["conditions"]), quiet=True)
    runmod._cells(spec, target, run_dir, man, prog, {"flag": False})
    prog.close()
    runmod.write_manifest(run_dir, man)
    report.write_report(run_dir)
    r = subprocess.run([sys.executable, os.path.join(HERE, "experiment_check.py"), run_dir,
                        os.path.join(run_dir, "figures.txt")], capture_output=True, text=True)
    return r.returncode, r.stdout


def main():
    fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, breaker, want in CASES:
            rc, out = verdict(tmp, name, breaker)
            ok = rc == want
            fails += not ok
            why = [x for x in out.splitlines() if x.startswith(("FAIL", "PASS"))]
            print(f"{'ok  ' if ok else 'BAD '} {name}: exit {rc} (want {want}) {' | '.join(why)}")
    print("experiment_selftest: " + ("every case as expected" if not fails else f"{fails} wrong"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
