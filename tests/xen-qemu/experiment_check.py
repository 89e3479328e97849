#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""experiment_check.py RUN FIGURES: the verdict of the on/off experiment on real Xen under
QEMU (experiment.sh), from xenmm-experiment's run folder and report.json. It asserts the
direction only, never a number from a past run: with the balancer on, domu1 grows (its peak
allocation at least 32 MiB above off's) and swaps less (off above 16 MiB, on at most half of
it). Latency is printed, not asserted: its direction changed between two runs (off was far
slower on a busy host, a little faster on an idle one, where the swap disk, RAM in dom0, is
quick and on paid for growing the guest during the run). Prints the figures, also to FIGURES. Exit 0 every assertion holds, 1 one does not, 2 the run folder is unreadable."""
import json
import os
import sys

ROWS = [("domu1 peak allocation (MiB)", "domu1/alloc_peak_mib"),
        ("domu1 mean allocation (MiB)", "domu1/alloc_mean_mib"),
        ("domu1 peak swap used, guest's own log (MiB)", "domu1/guest_swap_peak_mib"),
        ("domu1 pages swapped out / in (guest)", ("domu1/guest_pswpout", "domu1/guest_pswpin")),
        ("domu1 shortfall from mmserver's log (MiB*s)", "domu1/shortfall_mib_s"),
        ("hit ratio", "domu1/hit_ratio"),
        ("latency from due time p50 (ms)", "domu1/p50_us"),
        ("latency from due time p99 (ms)", "domu1/p99_us"),
        ("requests late / delayed", ("domu1/late", "domu1/delayed")),
        ("achieved rate of 100 requested (1/s)", "domu1/achieved_ops_s"),
        ("domu2 (idle) mean allocation (MiB)", "domu2/alloc_mean_mib"),
        ("target changes, all guests", "target_writes")]


def main(run, figs):
    try:
        rep = json.load(open(os.path.join(run, "report.json")))
        man = json.load(open(os.path.join(run, "manifest.json")))
    except (OSError, ValueError) as e:
        print(f"experiment_check.py: cannot read the run {run}: {e}", file=sys.stderr)
        return 2
    c = rep["conditions"]

    def m(cond, key):
        v = c.get(cond, {}).get(key)
        return None if v is None else v["mean"]

    def show(v, key):
        if v is None:
            return "-"
        return f"{v / 1000:.1f}" if key.endswith("_us") else f"{v:.3g}" if v < 10 else f"{v:.0f}"

    lines = []
    for label, key in ROWS:
        keys = key if isinstance(key, tuple) else (key,)
        cols = [" / ".join(show(m(cond, k), k) for k in keys) for cond in ("off", "on")]
        lines.append(f"{label:<48} off {cols[0]:>14}   on {cols[1]:>14}")
    for cell in man["cells"]:
        lines.append(f"cell {cell['condition']}: {cell['status']} "
                     + " ".join(f"{g}={s['status']}" for g, s in cell.get("guests", {}).items()))
        lines += [f"  {f}" for f in cell.get("facts", [])]
    if man.get("end_unix_ms"):
        lines.append(f"run wall time (s): {(man['end_unix_ms'] - man['start_unix_ms']) / 1000:.0f}")
    with open(figs, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    fails = []
    if len(man["cells"]) != 2 or any(x["status"] != "done" for x in man["cells"]):
        fails.append("both cells must finish")
    if any(x.get("guests", {}).get("domu1", {}).get("status") != "ok" for x in man["cells"]):
        fails.append("the workload in domu1 did not finish in a condition")
    a_off, a_on = m("off", "domu1/alloc_peak_mib"), m("on", "domu1/alloc_peak_mib")
    if a_off is None or a_on is None or a_on < a_off + 32:
        fails.append(f"on did not grow domu1 by 32 MiB at its peak ({a_off} -> {a_on})")
    s_off, s_on = m("off", "domu1/guest_swap_peak_mib"), m("on", "domu1/guest_swap_peak_mib")
    if s_off is None or s_on is None or not (s_off > 16 and s_on <= s_off / 2):
        fails.append(f"off did not swap over 16 MiB, or on not half as much ({s_off} -> {s_on})")
    for f in fails:
        print(f"FAIL: {f}")
    if not fails:
        print("PASS: balancer on: domu1 grew and swapped less than with it off")
    return 1 if fails else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: experiment_check.py RUN FIGURES", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
