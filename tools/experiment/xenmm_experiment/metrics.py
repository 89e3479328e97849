# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns a cell's logs into numbers, and numbers across repetitions into a
mean with a 95 % confidence interval. The balancer-side metrics come from
mmserver's per-domain logs, so the simulator and real hosts are measured
the same way (section 6: shortfall is the integral of swap used)."""

import math

# Student's t, two-sided 95 %, for 1..30 degrees of freedom (standard table
# values); above 30 the normal 1.96 is within 4 %.
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]

# What each metric means, its unit, and whether lower is better.
UNITS = {
    "shortfall_mib_s": ("swap used, integrated over time", "MiB*s", True),
    "swap_peak_mib": ("largest swap used", "MiB", True),
    "alloc_mean_mib": ("mean allocation (actual)", "MiB", None),
    "alloc_peak_mib": ("largest allocation (actual)", "MiB", None),
    "target_writes": ("target changes", "count", True),
    "moved_mib": ("memory moved by target changes", "MiB", True),
    "oom_events": ("OOM events (simulator)", "count", True),
    "reaction_mean_s": ("reaction time to demand steps (simulator)", "s", True),
    "wall_s": ("workload run time", "s", None),
}


def unit_of(metric):
    base = metric.split("/")[-1]
    if base in UNITS:
        return UNITS[base][1]
    if base in ("alloc_sum_mib", "swap_peak_sum_mib"):
        return "MiB"
    if base.endswith("ops_s"):
        return "1/s"
    if base.startswith("guest_pswp"):
        return "pages"
    for suffix, u in (("_ms", "ms"), ("_s", "s"), ("_mib", "MiB"), ("_kib", "KiB"),
                      ("_us", "us"), ("_per_s", "1/s"), ("_ratio", "")):
        if metric.split("/")[-1].endswith(suffix):
            return u
    return ""


def ci95(values):
    """(mean, half width, n); half width None when n < 2."""
    v = [x for x in values if x is not None and not math.isnan(x)]
    n = len(v)
    if n == 0:
        return None, None, 0
    mean = sum(v) / n
    if n < 2:
        return mean, None, n
    sd = math.sqrt(sum((x - mean) ** 2 for x in v) / (n - 1))
    t = _T95[n - 2] if n - 1 <= len(_T95) else 1.96
    return mean, t * sd / math.sqrt(n), n


def guest_metrics(cols, warmup_s):
    """Metrics of one domain's log from warm-up on."""
    t = cols.get("time_ms") or []
    if not t:
        return {}
    t0 = t[0] + warmup_s * 1000
    idx = [i for i, x in enumerate(t) if x >= t0]
    if not idx:
        return {}
    swap = cols.get("swap_used_kib") or [0] * len(t)
    act = cols.get("actual_kib") or [0] * len(t)
    tgt = cols.get("target_kib") or [0] * len(t)
    short, writes, moved = 0.0, 0, 0.0
    for a, b in zip(idx, idx[1:]):
        dt = (t[b] - t[a]) / 1000.0
        short += swap[a] / 1024.0 * dt
        if tgt[b] != tgt[a]:
            writes += 1
            moved += abs(tgt[b] - tgt[a]) / 1024.0
    return {
        "shortfall_mib_s": short,
        "swap_peak_mib": max(swap[i] for i in idx) / 1024.0,
        "alloc_mean_mib": sum(act[i] for i in idx) / len(idx) / 1024.0,
        "alloc_peak_mib": max(act[i] for i in idx) / 1024.0,
        "target_writes": writes,
        "moved_mib": moved,
    }


def total(per_guest):
    """Sums (or for means, averages) the guests' metrics."""
    out = {}
    for m in per_guest.values():
        for k, v in m.items():
            out[k] = out.get(k, 0.0) + v
    if "alloc_mean_mib" in out:
        out["alloc_sum_mib"] = out.pop("alloc_mean_mib")
    if "swap_peak_mib" in out:
        out["swap_peak_sum_mib"] = out.pop("swap_peak_mib")
    out.pop("alloc_peak_mib", None)  # a sum of peaks at different times means nothing
    return out


def aggregate(cells, condition):
    """{metric: values over the repetitions} of a condition: the totals
    and every guest's own metrics as 'guest/metric'."""
    acc = {}
    for c in cells:
        if c["condition"] != condition or not c.get("metrics"):
            continue
        for k, v in c["metrics"].get("total", {}).items():
            acc.setdefault(k, []).append(v)
        for g, ms in sorted(c["metrics"].get("guests", {}).items()):
            for k, v in ms.items():
                acc.setdefault(f"{g}/{k}", []).append(v)
    return acc


def lower_is_better(metric):
    """True, False, or None when the direction is unknown."""
    base = metric.split("/")[-1]
    if base in UNITS:
        return UNITS[base][2]
    if base in ("swap_peak_sum_mib",):
        return True
    for hint in ("latency", "p50", "p90", "p99", "late", "delay", "miss", "runtime", "_ms",
                 "_us", "error", "pswp", "swap", "oom"):
        if hint in base:
            return True
    for hint in ("hit", "ops", "throughput", "per_s", "rate"):
        if hint in base:
            return False
    return None
