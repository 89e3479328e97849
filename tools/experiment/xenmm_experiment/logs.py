# SPDX-License-Identifier: GPL-3.0-or-later
"""Readers for the logs a run collects: mmserver's per-domain TSV and
rounds.tsv (section 3.5), mm_util_swap's key=value lines, key=value lines
of any workload, and the 2013 tool's logs (tests/data/traces/xenmm-2013).
Pure parsing: no plotting, no statistics. Bad lines are skipped, never fatal."""

import os
import re

U64_HALF = 1 << 63


def read_tsv(path):
    """Our TSV logs: a header naming the columns, '#' comment lines (a
    restart), numeric cells as int/float. Returns {column: [values]}."""
    cols, data = None, {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if cols is None:
                cols = cells
                data = {c: [] for c in cols}
                continue
            if len(cells) != len(cols) or cells == cols:
                continue
            row = []
            try:
                for c in cells:
                    row.append(float(c) if re.match(r"^-?[0-9.]+(e-?[0-9]+)?$", c) else c)
            except ValueError:
                continue
            for c, v in zip(cols, row):
                data[c].append(v)
    return data


def read_server_dir(d):
    """{'guests': {name: columns}, 'rounds': columns or None} of a -d DIR."""
    out = {"guests": {}, "rounds": None}
    if not os.path.isdir(d):
        return out
    for fn in sorted(os.listdir(d)):
        p = os.path.join(d, fn)
        if fn == "rounds.tsv":
            out["rounds"] = read_tsv(p)
        elif fn.endswith(".log"):
            t = read_tsv(p)
            if t.get("time_ms"):
                out["guests"][fn[:-4]] = t
    return out


def read_kv_lines(path, need="time_ms"):
    """key=value lines (mm_util_swap, --progress lines): a list of dicts
    with numbers converted, only lines that have `need`."""
    rows = []
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError:
        return rows
    with f:
        for line in f:
            d = {}
            for tok in line.split():
                k, sep, v = tok.partition("=")
                if not sep:
                    continue
                try:
                    d[k] = float(v)
                except ValueError:
                    d[k] = v
            if need is None or need in d:
                rows.append(d)
    return rows


def last_metrics(text, keys, regexes):
    """Workload metrics from its output: for each key the last `key=NUMBER`
    token, for each regex the last match of its one group."""
    out = {}
    for k in keys:
        for m in re.finditer(r"(?:^|\s)" + re.escape(k) + r"=(-?[0-9.]+(?:e-?[0-9]+)?)", text):
            try:
                out[k] = float(m.group(1))
            except ValueError:
                pass
    for k, rx in regexes.items():
        found = re.findall(rx, text, re.M)
        if found:
            try:
                out[k] = float(found[-1])
            except ValueError:
                pass
    return out


def _clock_s(hms):
    h, m, s = (int(x) for x in hms.split(":"))
    return h * 3600 + m * 60 + s


def _unwrap(times):
    """2013 logs have only HH:MM:SS: make them seconds since the first row,
    adding a day when the clock wraps past midnight."""
    out, day, prev = [], 0, None
    for t in times:
        if prev is not None and t < prev:
            day += 86400
        out.append(t + day)
        prev = t
    return [t - out[0] for t in out] if out else out


def read_2013_mem(path):
    """A 2013 memory log: {'t_s', 'target_kib', 'used_kib', 'free_kib'};
    'use' printed as unsigned 64-bit is made signed, then clamped at 0."""
    ts, tg, use, free = [], [], [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            cells = line.split()
            if len(cells) != 4 or not re.match(r"^\d\d?:\d\d:\d\d$", cells[0]):
                continue
            try:
                nums = [int(c) for c in cells[1:]]
            except ValueError:
                continue
            u = nums[1] - (1 << 64) if nums[1] >= U64_HALF else nums[1]
            ts.append(_clock_s(cells[0]))
            tg.append(nums[0])
            use.append(max(0, u))
            free.append(nums[2])
    return {"t_s": _unwrap(ts), "target_kib": tg, "used_kib": use, "free_kib": free}


def read_2013_swap(path):
    """A 2013 swap log: {'t_s', 'total_kib', 'used_kib'}."""
    ts, tot, used = [], [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            cells = line.split()
            m = re.match(r"^\[(\d\d?:\d\d:\d\d)\]$", cells[0]) if cells else None
            if not m or len(cells) != 4:
                continue
            try:
                a, b = int(cells[1]), int(cells[2])
            except ValueError:
                continue
            tot.append(a)
            used.append(b)
            ts.append(_clock_s(m.group(1)))
    return {"t_s": _unwrap(ts), "total_kib": tot, "used_kib": used}
