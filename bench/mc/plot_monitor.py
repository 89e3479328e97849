#!/usr/bin/python3
"""PNG of an `mm_bench_mc monitor --record` file, for reports.

Three panels over wall-clock time: requests/s (gets, sets, misses), the
probe's round trip (p50 and max, us), and connections. The x axis is the
record's unix_ms, so the chart lines up with mmserver's logs.

  mm_bench_mc monitor 127.0.0.1:11211 -t 600 --record mon.tsv
  bench/mc/plot_monitor.py mon.tsv mon.png

Needs Debian's python3-matplotlib (script/setup.sh installs it), hence
/usr/bin/python3 rather than whatever python3 comes first in PATH.
"""
import csv
import datetime
import sys


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help") else 2)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    with open(sys.argv[1]) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if not rows or "unix_ms" not in rows[0]:
        sys.exit("%s: not a monitor record (no unix_ms column)" % sys.argv[1])
    t = [datetime.datetime.fromtimestamp(int(r["unix_ms"]) / 1000.0) for r in rows]

    def col(name):
        return [float(r[name]) for r in rows]

    fig, ax = plt.subplots(3, 1, sharex=True, figsize=(10, 7))
    for name in ("gets_s", "sets_s", "misses_s"):
        ax[0].plot(t, col(name), label=name.replace("_s", "/s"))
    ax[0].set_ylabel("requests/s")
    ax[0].legend(loc="upper left")
    ax[1].plot(t, col("probe_p50_us"), label="probe p50")
    ax[1].plot(t, col("probe_max_us"), label="probe max")
    ax[1].set_ylabel("round trip (us)")
    ax[1].set_yscale("log")
    ax[1].legend(loc="upper left")
    ax[2].plot(t, col("conns"), label="connections")
    ax[2].set_ylabel("connections")
    ax[2].set_xlabel("wall clock (local time)")
    ax[2].xaxis.set_major_formatter(mdates.DateFormatter("%H:%M:%S"))
    fig.suptitle("memcached, mm_bench_mc monitor: %s" % sys.argv[1])
    fig.autofmt_xdate()
    fig.savefig(sys.argv[2], dpi=100)
    print("wrote %s (%d seconds)" % (sys.argv[2], len(rows)))


if __name__ == "__main__":
    main()
