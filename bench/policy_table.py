#!/usr/bin/env python3
"""Formats the simulator summaries of bench/policies.sh as one Markdown table.

gap closed = (shortfall of none - shortfall of the policy) / (shortfall of none - limit),
as SPEC section 6 defines it; '-' where none lost nothing avoidable.
"""
import glob
import json
import os
import sys


def load(folder):
    runs = {}
    for path in glob.glob(os.path.join(folder, "*--*.json")):
        scenario, policy = os.path.basename(path)[:-5].split("--")
        with open(path) as f:
            runs[(scenario, policy)] = json.load(f)
    return runs


def gap_closed(none, mine, limit):
    avoidable = none - limit
    if avoidable <= 1e-9:
        return "-"
    return "%.3f" % ((none - mine) / avoidable)


def main():
    folder, policies = sys.argv[1], sys.argv[2:]
    runs = load(folder)
    scenarios = sorted({s for s, _ in runs})
    print("| scenario | policy | shortfall MiB*s | gap closed | OOM | reaction mean s | "
          "reaction max s | idle MiB*s | writes | moved MiB | violations (maxmem/floor/reserve) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for s in scenarios:
        none = runs.get((s, "none"))
        limit = none["limit_shortfall_mib_s"] if none else 0.0
        for p in policies:
            r = runs.get((s, p))
            if not r:
                continue
            t = r["total"]
            gap = gap_closed(none["total"]["shortfall_mib_s"], t["shortfall_mib_s"], limit) \
                if none else "-"
            print("| %s | %s | %.0f | %s | %d | %.1f | %.1f | %.0f | %d | %.0f | %d/%d/%d |" % (
                s, p, t["shortfall_mib_s"], gap, t["oom_events"], t["reaction_mean_s"],
                t["reaction_max_s"], t["idle_mib_s"], t["writes"], t["moved_mib"],
                t["maxmem_violations"], t["floor_violations"], r["reserve_violation_ticks"]))
        print("| %s | *limit* | %.0f | 1.000 | | | | | | | |" % (s, limit))


if __name__ == "__main__":
    main()
