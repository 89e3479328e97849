#!/usr/bin/python3
"""Summarises one bench/http run: the round cost and period from mmserver's
rounds.tsv split at the load window [t1, t2), the publish cost from /metrics
counters, and wrk's throughput and latency. Prints a Markdown table."""
import re
import statistics
import sys


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p / 100))] if s else float("nan")


def rounds(path, t1, t2):
    rows = []
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        ti, ci = head.index("time_ms"), head.index("round_cost_us")
        for line in f:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            rows.append((int(cols[ti]), int(cols[ci])))
    # the first rounds include start-up work: skip 3
    rows = rows[3:]
    before = [r for r in rows if r[0] < t1]
    during = [r for r in rows if t1 <= r[0] < t2]
    return before, during


def describe(rows):
    cost = [c for _, c in rows]
    period = [b[0] - a[0] for a, b in zip(rows, rows[1:])]
    return (len(rows), statistics.mean(cost), pct(cost, 50), pct(cost, 99), max(cost),
            statistics.mean(period), max(period))


def main():
    tsv, scrape, wrk, t1, t2, conns, body = sys.argv[1:8]
    before, during = rounds(tsv, int(t1), int(t2))
    sc = {l.split()[0]: (float(l.split()[1]), float(l.split()[2])) for l in open(scrape)}
    text = open(wrk).read()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M))
    errors = re.search(r"Socket errors:.*", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    total = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", text)
    print(f"| load | rounds | round cost mean/p50/p99/max (µs) | period mean/max (ms) |")
    print("|---|---|---|---|")
    for name, rows in (("none (before)", before), (f"wrk -c{conns} (during)", during)):
        n, m, p50, p99, mx, pm, pmax = describe(rows)
        print(f"| {name} | {n} | {m:.0f} / {p50} / {p99} / {mx} | {pm:.0f} / {pmax} |")
    r0, p0 = sc["before"]
    r1, p1 = sc["during"]
    print()
    print(f"publish cost (mm_http_publish, mean over the run until t1): "
          f"{1e6 * p0 / r0:.0f} µs/round over {r0:.0f} rounds; "
          f"during the load: {1e6 * (p1 - p0) / max(1, r1 - r0):.0f} µs/round over {r1 - r0:.0f} rounds")
    print(f"wrk: {rps} requests/s, {total.group(1)} requests in {total.group(2)}, "
          f"{total.group(3)} read, body {body} bytes; latency p50 {lat.get('50')} p90 {lat.get('90')} "
          f"p99 {lat.get('99')}; {errors.group(0) if errors else 'no socket errors'}; "
          f"non-2xx: {non2xx.group(1) if non2xx else 0}")


if __name__ == "__main__":
    main()
