# SPDX-License-Identifier: GPL-3.0-or-later
"""`report RUN` and `diff A B`: one self-contained HTML page each (plots
inline as base64 PNG, no script, no external file) plus a JSON of the same
numbers for scripts and tests. Reads a run folder; never changes it except
for writing the report."""

import base64
import difflib
import html
import io
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import logs, metrics  # noqa: E402
from .run import read_manifest  # noqa: E402

MAX_GUESTS_PLOTTED = 12
HEADLINE = ("shortfall_mib_s", "swap_peak_sum_mib", "oom_events", "target_writes",
            "moved_mib", "alloc_sum_mib")
CSS = """body{font-family:sans-serif;max-width:1100px;margin:1em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:2px 6px;
text-align:right}th{background:#eee}td.l,th.l{text-align:left}.bad{background:#fcc}
.good{background:#cfc}.warn{background:#ffe0a0}img{max-width:100%}pre{background:#f6f6f6;
padding:.5em;overflow:auto}h2{border-bottom:1px solid #ccc}"""


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="plot" src="data:image/png;base64,{data}">'


def _e(x):
    return html.escape(str(x))


def _fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    return f"{v:.0f}" if a >= 1000 else f"{v:.1f}" if a >= 10 else f"{v:.3g}"


def _cell_series(run_dir, cell):
    """Per guest: seconds since the cell start and the columns; rounds;
    guest-side swap logs."""
    d = os.path.join(run_dir, cell["dir"])
    srv = logs.read_server_dir(os.path.join(d, "server"))
    t0 = min((c["time_ms"][0] for c in srv["guests"].values() if c.get("time_ms")),
             default=0)
    # Real hosts log Unix ms: count from the cell's start (the warm-up
    # included). The simulator's --fast logs count simulated ms from 0.
    if cell.get("log_t0_ms"):  # the xen-qemu lab: the VM's clock at the cell's start
        t0 = cell["log_t0_ms"]
    elif abs(t0 - cell.get("start_unix_ms", 0)) < 86400e3:
        t0 = cell["start_unix_ms"]
    swaps = {}
    gdir = os.path.join(d, "guests")
    if os.path.isdir(gdir):
        for g in sorted(os.listdir(gdir)):
            rows = logs.read_kv_lines(os.path.join(gdir, g, "swap.log"))
            if rows:
                swaps[g] = rows
    return srv, t0, swaps


def plot_cell(run_dir, cell, title, warmup_s=0):
    """Allocation, demand, swap, pressure and tau over time for one cell."""
    srv, t0, swaps = _cell_series(run_dir, cell)
    names = sorted(srv["guests"])[:MAX_GUESTS_PLOTTED]
    fig, ax = plt.subplots(5, 1, figsize=(10, 11), sharex=True)
    color = {}
    for n in names:
        c = srv["guests"][n]
        t = [(x - t0) / 1000 for x in c["time_ms"]]
        mib = lambda k: [v / 1024 for v in c.get(k, [0] * len(t))]  # noqa: E731
        line, = ax[0].plot(t, mib("actual_kib"), label=n, lw=1.2)
        color[n] = line.get_color()
        ax[0].plot(t, mib("target_kib"), color=line.get_color(), lw=0.8, ls=":")
        dem = [(u + s) / 1024 for u, s in zip(c.get("used_kib", []), c.get("swap_used_kib", []))]
        ax[1].plot(t, dem, color=line.get_color(), lw=1.2)
        ax[2].plot(t, mib("swap_used_kib"), color=line.get_color(), lw=1.2)
    press = False
    for n, rows in swaps.items():
        if n not in names:
            continue
        base = rows[0]["time_ms"]
        key = "psi_some10" if "psi_some10" in rows[0] else None
        if key:
            ax[3].plot([(r["time_ms"] - t0) / 1000 for r in rows], [r[key] for r in rows],
                       color=color[n], lw=1.2, marker=".", ms=3)
        else:  # swap-ins per second, from the cumulative pswpin counter
            pts = [((b["time_ms"] - t0) / 1000,
                    (b["pswpin"] - a["pswpin"]) / max(0.001, (b["time_ms"] - a["time_ms"]) / 1000))
                   for a, b in zip(rows, rows[1:]) if "pswpin" in a and "pswpin" in b]
            if pts:
                ax[3].plot([p[0] for p in pts], [p[1] for p in pts], color=color[n], lw=1.2)
        press = press or bool(base)
    if not press:
        ax[3].text(0.5, 0.5, "no pressure data (the simulator and mmserver's logs carry none;\n"
                   "real guests: run.swap_log = true)", ha="center", va="center",
                   transform=ax[3].transAxes, color="#666")
    r = srv["rounds"]
    if r and r.get("time_ms"):
        ax[4].plot([(x - t0) / 1000 for x in r["time_ms"]], r["tau"], color="k", lw=1)
    ax[0].set_ylabel("allocation (MiB)\n(dotted: target)")
    ax[1].set_ylabel("demand (MiB)\nused + swap")
    ax[2].set_ylabel("swap used (MiB)")
    ax[3].set_ylabel("pressure (%)\nPSI some avg10" if any(
        "psi_some10" in r[0] for r in swaps.values()) else "pressure\nswap-ins per s")
    ax[4].set_ylabel("tau")
    ax[4].set_xlabel("time since mmserver's first round (s)" if t0 == cell.get("log_t0_ms")
                     else "time since the cell started (s)" if t0 == cell.get("start_unix_ms")
                     else "simulated time (s)")
    ax[0].set_title(title, pad=14)
    if names:
        ax[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    for t_ms, label in cell.get("events", []):
        for a in ax:
            a.axvline((t_ms - t0) / 1000, color="#555", ls="--", lw=0.8)
        ax[0].text((t_ms - t0) / 1000, 1.01, label, transform=ax[0].get_xaxis_transform(),
                   fontsize=8, color="#555", ha="center", va="bottom")
    for a in ax:
        a.grid(alpha=0.3)
        if warmup_s:
            a.axvspan(0, warmup_s, color="#ddd", alpha=0.5, lw=0)
    if warmup_s:
        ax[0].text(warmup_s / 2, 0.02, "warm-up", transform=ax[0].get_xaxis_transform(),
                   ha="center", fontsize=8, color="#555")
    return _png(fig)


def summarise(man):
    """{condition: {metric: {mean, ci95, n, values}}} over the repetitions."""
    out = {}
    for c in man["spec"]["conditions"]:
        acc = metrics.aggregate(man["cells"], c["name"])
        out[c["name"]] = {}
        for k, vals in sorted(acc.items()):
            mean, ci, n = metrics.ci95(vals)
            out[c["name"]][k] = {"mean": mean, "ci95": ci, "n": n, "values": vals}
    return out


def verdict(a, b, metric):
    """Compares condition b with baseline a on one metric: 'better',
    'worse', 'no clear difference' (confidence intervals overlap) or
    'different' (direction unknown)."""
    if a is None or b is None or a["mean"] is None or b["mean"] is None:
        return "no data"
    ca, cb = a["ci95"] or 0.0, b["ci95"] or 0.0
    if abs(b["mean"] - a["mean"]) <= ca + cb or b["mean"] == a["mean"]:
        return "no clear difference"
    low = metrics.lower_is_better(metric)
    if low is None:
        return "higher" if b["mean"] > a["mean"] else "lower"
    return "better" if (b["mean"] < a["mean"]) == low else "worse"


def ratios(summ, base):
    out = {}
    for cond, ms in summ.items():
        if cond == base:
            continue
        out[cond] = {}
        for k, v in ms.items():
            b = summ[base].get(k)
            r = None
            if b and b["mean"] and v["mean"] is not None:
                r = v["mean"] / b["mean"]
            out[cond][k] = {"ratio": r, "verdict": verdict(b, v, k),
                            "n": min(v["n"], b["n"]) if b else v["n"]}
    return out


def plot_metrics(summ, keys, title):
    keys = keys[:12]
    if not keys:
        return ""
    cols = min(3, len(keys))
    rows = (len(keys) + cols - 1) // cols
    fig, axs = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    conds = list(summ)
    for i, k in enumerate(keys):
        a = axs[i // cols][i % cols]
        means = [summ[c].get(k, {}).get("mean") or 0 for c in conds]
        errs = [summ[c].get(k, {}).get("ci95") or 0 for c in conds]
        a.bar(range(len(conds)), means, yerr=errs, capsize=4, color="#8ab", edgecolor="k")
        for j, c in enumerate(conds):
            vals = summ[c].get(k, {}).get("values", [])
            a.plot([j] * len(vals), vals, "k.", ms=4)
        a.set_xticks(range(len(conds)))
        a.set_xticklabels(conds, rotation=20, fontsize=8)
        u = metrics.unit_of(k)
        a.set_title(f"{k}" + (f" ({u})" if u else ""), fontsize=9)
        a.grid(axis="y", alpha=0.3)
    for i in range(len(keys), rows * cols):
        axs[i // cols][i % cols].axis("off")
    fig.suptitle(title + "  (bars: mean, whiskers: 95 % CI, dots: repetitions)", fontsize=10)
    fig.tight_layout()
    return _png(fig)


def _metric_keys(summ):
    keys = sorted({k for ms in summ.values() for k in ms})
    head = [k for k in HEADLINE if k in keys]
    work = [k for k in keys if "/" in k and k.split("/")[-1] not in metrics.UNITS
            or k.endswith("/wall_s")]
    return head, work, keys


def _table_metrics(summ, keys):
    conds = list(summ)
    h = ["<table><tr><th class=l>metric</th><th>unit</th>"]
    h += [f"<th>{_e(c)}: mean ± 95 % CI (n)</th>" for c in conds] + ["</tr>"]
    for k in keys:
        h.append(f"<tr><td class=l>{_e(k)}</td><td>{_e(metrics.unit_of(k))}</td>")
        for c in conds:
            v = summ[c].get(k)
            if not v or v["mean"] is None:
                h.append("<td>-</td>")
                continue
            ci = f" ± {_fmt(v['ci95'])}" if v["ci95"] is not None else ""
            h.append(f"<td>{_fmt(v['mean'])}{ci} ({v['n']})</td>")
        h.append("</tr>")
    return "".join(h) + "</table>"


def _table_ratios(rat, base, keys, summ_base):
    if not rat:
        return "<p>Only one condition: no ratio table.</p>"
    conds = list(rat)
    h = ["<table><tr><th class=l>metric</th>"]
    h += [f"<th>{_e(c)} / {_e(base)}</th>" for c in conds] + ["</tr>"]
    for k in keys:
        h.append(f"<tr><td class=l>{_e(k)}</td>")
        for c in conds:
            v = rat[c].get(k, {})
            cls = {"better": "good", "worse": "bad"}.get(v.get("verdict"), "")
            r = v.get("ratio")
            b = summ_base.get(k, {}).get("mean")
            shown = f"{r:.3g}" if r is not None else f"n/a ({_e(base)} = {_fmt(b)})"
            h.append(f"<td class='{cls}' title='{_e(v.get('verdict', ''))}'>{shown} "
                     f"<small>{_e(v.get('verdict', ''))}</small></td>")
        h.append("</tr>")
    return "".join(h) + "</table>"


def _table_cells(man):
    names = sorted({g for c in man["cells"] for g in c.get("guests", {})})
    h = ["<table><tr><th class=l>condition</th><th>rep</th><th class=l>cell</th>"]
    h += [f"<th>{_e(n)}</th>" for n in names] + ["</tr>"]
    for c in man["cells"]:
        cls = "" if c["status"] == "done" else "bad"
        h.append(f"<tr><td class=l>{_e(c['condition'])}</td><td>{c['rep']}</td>"
                 f"<td class='l {cls}'>{_e(c['status'])} {_e(c.get('detail', ''))}</td>")
        for n in names:
            g = c.get("guests", {}).get(n, {})
            st = g.get("status", "-")
            gc = "good" if st == "ok" else "warn" if st in ("oom", "interrupted") else "bad"
            h.append(f"<td class={gc} title='{_e(g.get('detail', ''))}'>{_e(st)}"
                     f"{'<br><small>' + _e(g['detail'][:80]) + '</small>' if g.get('detail') else ''}"
                     "</td>")
        h.append("</tr>")
    return "".join(h) + "</table>"


def _facts(man):
    import datetime
    def t(ms):
        return "-" if not ms else datetime.datetime.fromtimestamp(
            ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    dur = (man["end_unix_ms"] - man["start_unix_ms"]) / 1000 if man.get("end_unix_ms") else None
    rows = [("experiment", man["name"]), ("description", man.get("description", "")),
            ("status", man["status"] + (f" ({man['interrupted_by']})"
                                        if man.get("interrupted_by") else "")),
            ("target", man["spec"]["target"]["kind"]),
            ("start", t(man["start_unix_ms"])), ("end", t(man.get("end_unix_ms"))),
            ("wall time", f"{dur:.1f} s" if dur is not None else "-"),
            ("clock", man["clock"]),
            ("repetitions", man["spec"]["run"]["repetitions"]),
            ("duration / warm-up", (f"{man['spec']['run']['duration_s']:g} s"
                                    if man['spec']['run']['duration_s'] is not None
                                    else "the scenario's") +
             f" / {man['spec']['run']['warmup_s']:g} s"),
            ("versions", ", ".join(f"{k}={v}" for k, v in man["versions"].items())),
            ("host", ", ".join(f"{k}={v}" for k, v in man["host"].items()))]
    for k, v in man.get("target_facts", {}).items():
        rows.append((f"target: {k}", v if isinstance(v, str)
                     else ", ".join(f"{a}={b}" for a, b in v.items())))
    for h, why in man.get("unreachable", {}).items():
        rows.append(("unreachable", f"{h}: {why}"))
    return "<table>" + "".join(f"<tr><th class=l>{_e(k)}</th><td class=l>{_e(v)}</td></tr>"
                               for k, v in rows) + "</table>"


def analyse(run_dir):
    man = read_manifest(run_dir)
    summ = summarise(man)
    base = man["spec"]["run"]["baseline"]
    return man, summ, base, ratios(summ, base)


def write_report(run_dir, out=None):
    man, summ, base, rat = analyse(run_dir)
    head, work, keys = _metric_keys(summ)
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
             f"{_e(man['name'])}: xenmm experiment</title><style>{CSS}</style></head><body>",
             f"<h1>{_e(man['name'])}</h1>", _facts(man)]
    if man["status"] != "done":
        parts.append(f"<p class=bad><b>This run is {_e(man['status'])}</b>: the report shows "
                     "the cells that finished.</p>")
    parts += ["<h2>Verdict</h2>", _verdicts(rat, base, head + work)]
    if any(x["n"] < 2 for ms in summ.values() for x in ms.values()):
        parts.append("<p>With one repetition there is no confidence interval: a verdict "
                     "there says only which way the measured difference went.</p>")
    parts += ["<h2>On/off ratios</h2>",
              f"<p>Mean of each condition over the mean of the baseline <b>{_e(base)}</b>; "
              "green/red when the 95 % confidence intervals do not overlap.</p>",
              _table_ratios(rat, base, head + work, summ[base])]
    parts += ["<h2>Metrics per condition</h2>", plot_metrics(summ, head, "balancer-side totals"),
              plot_metrics(summ, work, "workload metrics") if work else "",
              _table_metrics(summ, head + work),
              "<details><summary>every metric, guest by guest</summary>",
              _table_metrics(summ, keys), "</details>"]
    parts += ["<h2>Cells and guests</h2>", _table_cells(man)]
    parts.append("<h2>Over time (first finished repetition of each condition)</h2>")
    for c in man["spec"]["conditions"]:
        cell = next((x for x in man["cells"] if x["condition"] == c["name"]
                     and x["status"] in ("done", "interrupted")), None)
        if cell:
            parts.append(plot_cell(run_dir, cell, f"{c['name']} (policy {c['policy']}), "
                                                  f"repetition {cell['rep']}",
                                   man["spec"]["run"]["warmup_s"]))
    parts += ["<h2>Spec</h2>", f"<pre>{_e(man['spec'].get('path', ''))}\n\n", ]
    try:
        with open(os.path.join(run_dir, "spec.toml"), encoding="utf-8") as f:
            parts.append(_e(f.read()))
    except OSError:
        pass
    parts.append("</pre></body></html>\n")
    out = out or os.path.join(run_dir, "report.html")
    with open(out, "w", encoding="utf-8") as f:
        f.write("".join(parts))
    with open(os.path.splitext(out)[0] + ".json", "w", encoding="utf-8") as f:
        json.dump({"run": man["run_id"], "status": man["status"], "baseline": base,
                   "conditions": summ, "ratios": rat}, f, indent=1, sort_keys=True)
    return out


def _verdicts(rat, base, keys):
    items = []
    for cond, ms in rat.items():
        for k in keys:
            v = ms.get(k)
            if v and v["verdict"] in ("better", "worse"):
                r = f" (ratio {v['ratio']:.3g})" if v["ratio"] is not None else ""
                if v.get("n", 2) < 2:
                    r += ", one repetition: no confidence interval"
                cls = "good" if v["verdict"] == "better" else "bad"
                items.append(f"<li class={cls}><b>{_e(cond)}</b> is {v['verdict']} than "
                             f"{_e(base)} on {_e(k)}{r}</li>")
    return "<ul>" + "".join(items) + "</ul>" if items else \
        "<p>No difference outside the 95 % confidence intervals.</p>"


def write_diff(run_a, run_b, out=None):
    ma, sa, _, _ = analyse(run_a)
    mb, sb, _, _ = analyse(run_b)
    conds = [c for c in sa if c in sb]
    data, main_rows, other_rows = {}, [], []
    for c in conds:
        head, work, _ = _metric_keys({c: sa[c]})
        for k in sorted(set(sa[c]) & set(sb[c])):
            a, b = sa[c][k], sb[c][k]
            ch = (b["mean"] - a["mean"]) / a["mean"] if a["mean"] else None
            v = verdict(a, b, k)
            data.setdefault(c, {})[k] = {"a": a, "b": b, "change": ch, "verdict": v}
            cls = {"better": "good", "worse": "bad"}.get(v, "")
            row = (f"<tr><td class=l>{_e(c)}</td><td class=l>{_e(k)}</td>"
                   f"<td>{_fmt(a['mean'])} ± {_fmt(a['ci95'])}</td>"
                   f"<td>{_fmt(b['mean'])} ± {_fmt(b['ci95'])}</td>"
                   f"<td>{'-' if ch is None else f'{ch * 100:+.1f} %'}</td>"
                   f"<td class='{cls}'>{_e(v)}</td></tr>")
            (main_rows if k in head or k in work else other_rows).append(row)
    thead = ("<table><tr><th class=l>condition</th><th class=l>metric</th><th>A mean ± CI</th>"
             "<th>B mean ± CI</th><th>change</th><th>verdict</th></tr>")
    rows = [thead] + main_rows + ["</table><details><summary>every metric, guest by guest"
                                  "</summary>", thead] + other_rows + ["</table></details>"]
    merged = {f"{c} A": sa[c] for c in conds}
    merged.update({f"{c} B": sb[c] for c in conds})
    order = {k: merged[k] for c in conds for k in (f"{c} A", f"{c} B")}
    head, work, _ = _metric_keys(order)
    spec_diff = "".join(difflib.unified_diff(
        _spec_text(run_a), _spec_text(run_b),
        "A/spec.toml", "B/spec.toml"))
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>diff {_e(ma['name'])}"
            f" vs {_e(mb['name'])}</title><style>{CSS}</style></head><body>"
            f"<h1>A: {_e(ma['run_id'])} &nbsp;vs&nbsp; B: {_e(mb['run_id'])}</h1>"
            f"<table><tr><th></th><th class=l>A</th><th class=l>B</th></tr>"
            + "".join(f"<tr><th class=l>{k}</th><td class=l>{_e(x)}</td><td class=l>{_e(y)}</td></tr>"
                      for k, x, y in (("name", ma["name"], mb["name"]),
                                      ("status", ma["status"], mb["status"]),
                                      ("versions", ma["versions"], mb["versions"]),
                                      ("host", ma["host"].get("hostname"), mb["host"].get("hostname"))))
            + "</table><h2>Metrics: B against A</h2>"
            "<p>Verdicts compare B with A: better/worse only when the 95 % confidence "
            "intervals do not overlap.</p>" + "".join(rows)
            + plot_metrics(order, head, "A and B side by side")
            + (plot_metrics(order, work, "workload metrics, A and B") if work else "")
            + f"<h2>Spec changes</h2><pre>{_e(spec_diff) or '(same spec)'}</pre></body></html>\n")
    out = out or os.path.join(run_b, "diff.html")
    with open(out, "w", encoding="utf-8") as f:
        f.write(page)
    with open(os.path.splitext(out)[0] + ".json", "w", encoding="utf-8") as f:
        json.dump({"a": ma["run_id"], "b": mb["run_id"], "conditions": data}, f, indent=1,
                  sort_keys=True)
    return out


def _spec_text(run_dir):
    try:
        with open(os.path.join(run_dir, "spec.toml"), encoding="utf-8") as f:
            return f.read().splitlines(True)
    except OSError:
        return []
