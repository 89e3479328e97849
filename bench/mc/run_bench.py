#!/usr/bin/env python3
"""mm_bench_mc vs Debian's memcaslap, interleaved rounds, memcached as referee.

One single-threaded memcached (-t 1) pinned to CPU 0; every client pinned to
CPU 1. Each round runs every case once, in a rotated order, so drift on a
shared machine hits all tools alike. Throughput is memcached's own counters
(cmd_get + cmd_set) sampled over the steady middle of each run; client CPU
is the client's rusage (user + system, its children included) divided by
the requests memcached counted for the whole run. Writes results.md.
Needs: memcached, libmemcached-tools (memcaslap), util-linux (taskset).
"""
import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

KEYS = 100000
KEY_SIZE = 64      # memcaslap's key length
VALUE = 1024       # bytes, memcaslap -X 1024
GET_RATIO = 0.9    # memcaslap default set:get = 1:9
CONC = 16          # connections for both tools


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def stats(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"stats\r\n")
        buf = b""
        while not buf.endswith(b"END\r\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    out = {}
    for line in buf.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "STAT":
            out[parts[1]] = parts[2]
    return out


def ops(port):
    st = stats(port)
    return int(st["cmd_get"]) + int(st["cmd_set"]), float(st["rusage_user"]) + float(
        st["rusage_system"])


def run_case(port, argv, secs):
    """Runs one client; returns (referee ops/s, client us CPU per request, stdout)."""
    start_ops, _ = ops(port)
    t_start = time.monotonic()
    proc = subprocess.Popen(["taskset", "-c", "1"] + argv, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    # Steady window: from 2 s after start to 1 s before the end.
    time.sleep(2.0)
    o1, t1 = ops(port)[0], time.monotonic()
    time.sleep(max(1.0, secs - 3.0))
    o2, t2 = ops(port)[0], time.monotonic()
    _, status, ru = os.wait4(proc.pid, 0)
    out = proc.stdout.read()
    proc.stdout.close()
    end_ops, _ = ops(port)
    total = end_ops - start_ops
    cpu_s = ru.ru_utime + ru.ru_stime
    rate = (o2 - o1) / (t2 - t1)
    if os.waitstatus_to_exitcode(status) not in (0,):
        print("warning: exit %d: %s" % (os.waitstatus_to_exitcode(status), " ".join(argv)),
              file=sys.stderr)
    us_per_req = cpu_s / total * 1e6 if total else float("nan")
    return rate, us_per_req, out, time.monotonic() - t_start


def ours(bench, port, secs, depth, rate=0):
    argv = [bench, "-s", "127.0.0.1:%d" % port, "--no-fill", "--keys", str(KEYS),
            "--key-size", str(KEY_SIZE), "-v", str(VALUE), "-g", str(GET_RATIO),
            "-c", str(CONC), "-d", str(depth), "-t", str(secs), "--warmup", "1",
            "--cooldown", "1", "-q"]
    if rate:
        argv += ["-r", str(rate)]
    return argv


def memcaslap(port, secs, tps=0):
    argv = ["memcaslap", "-s", "127.0.0.1:%d" % port, "-T", "1", "-c", str(CONC),
            "-t", "%ds" % secs, "-X", str(VALUE)]
    if tps:
        argv += ["-P", "%dk" % (tps // 1000)]
    return argv


def summary_field(out, key):
    for line in out.splitlines():
        if line.startswith("summary "):
            for tok in line.split():
                if tok.startswith(key + "="):
                    return tok.split("=", 1)[1]
    return "n/a"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="CMake build dir")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--secs", type=int, default=8, help="seconds per run")
    ap.add_argument("--rate", type=int, default=20000, help="open-loop target, ops/s")
    ap.add_argument("--out", default=os.path.join(HERE, "results.md"))
    a = ap.parse_args()
    bench = os.path.join(a.build, "testprogs", "mc", "mm_bench_mc")
    if not os.access(bench, os.X_OK):
        sys.exit("no %s: build first (cmake --build %s)" % (bench, a.build))
    port = free_port()
    mc_argv = ["taskset", "-c", "0", "memcached", "-t", "1", "-l", "127.0.0.1", "-p",
               str(port), "-U", "0", "-m", "1024", "-c", "1024"]
    if os.geteuid() == 0:
        mc_argv += ["-u", "nobody"]
    mc = subprocess.Popen(mc_argv)
    try:
        for _ in range(100):
            try:
                stats(port)
                break
            except OSError:
                time.sleep(0.05)
        subprocess.run(["taskset", "-c", "1", bench, "-s", "127.0.0.1:%d" % port, "--keys",
                        str(KEYS), "--key-size", str(KEY_SIZE), "-v", str(VALUE), "-t", "0"],
                       check=True)
        measure(a, bench, port)
    finally:
        mc.kill()
        mc.wait()


def measure(a, bench, port):
    cases = {
        "mm_bench_mc depth 1": lambda: ours(bench, port, a.secs, 1),
        "mm_bench_mc depth 32": lambda: ours(bench, port, a.secs, 32),
        "memcaslap": lambda: memcaslap(port, a.secs),
        "mm_bench_mc open %d/s" % a.rate: lambda: ours(bench, port, a.secs, 1, a.rate),
        "memcaslap --tps %dk" % (a.rate // 1000): lambda: memcaslap(port, a.secs, a.rate),
    }
    names = list(cases)
    res = {n: {"rate": [], "cpu": [], "own": []} for n in names}
    for r in range(a.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            rate, cpu, out, _ = run_case(port, cases[n](), a.secs)
            res[n]["rate"].append(rate)
            res[n]["cpu"].append(cpu)
            res[n]["own"].append(summary_field(out, "achieved_ops_s"))
            print("round=%d case=\"%s\" referee_ops_s=%.0f client_cpu_us_per_req=%.2f "
                  "own_achieved_ops_s=%s" % (r + 1, n, rate, cpu, res[n]["own"][-1]),
                  flush=True)
    write_results(a, res, names)


def write_results(a, res, names):
    med = {n: statistics.median(res[n]["rate"]) for n in names}
    cpu = {n: statistics.median(res[n]["cpu"]) for n in names}
    lines = []
    lines.append("# mm_bench_mc vs memcaslap\n")
    lines.append("Measured by `bench/mc/run_bench.py --rounds %d --secs %d` on %s "
                 "(%d CPUs), %s. memcached %s `-t 1` pinned to CPU 0, clients pinned to "
                 "CPU 1; %d connections; keys %d x %d bytes, values %d bytes, 90%% gets. "
                 "Throughput is memcached's own `stats` (cmd_get + cmd_set) over the steady "
                 "middle of each %d s run; CPU per request is the client's user + system "
                 "time over the requests memcached counted. Median over %d interleaved "
                 "rounds (min..max in brackets).\n" % (
                     a.rounds, a.secs, os.uname().nodename, os.cpu_count(),
                     time.strftime("%Y-%m-%d"),
                     subprocess.run(["memcached", "-V"], capture_output=True,
                                    text=True).stdout.split()[-1],
                     CONC, KEYS, KEY_SIZE, VALUE, a.secs, a.rounds))
    lines.append("| case | ops/s (referee) | client CPU (us/request) | "
                 "rate error vs target (%) |")
    lines.append("|---|---:|---:|---:|")
    for n in names:
        rr, cc = res[n]["rate"], res[n]["cpu"]
        err = ""
        if "open" in n or "tps" in n:
            err = "%+.2f [%+.2f..%+.2f]" % tuple(
                (x - a.rate) / a.rate * 100 for x in (med[n], min(rr), max(rr)))
        lines.append("| %s | %.0f [%.0f..%.0f] | %.2f [%.2f..%.2f] | %s |" % (
            n, med[n], min(rr), max(rr), cpu[n], min(cc), max(cc), err))
    best = max(med["mm_bench_mc depth 1"], med["mm_bench_mc depth 32"])
    lines.append("")
    lines.append("Ratio mm_bench_mc / memcaslap (max ops/s, medians): depth 1: %.2fx, "
                 "depth 32: %.2fx." % (med["mm_bench_mc depth 1"] / med["memcaslap"],
                                      med["mm_bench_mc depth 32"] / med["memcaslap"]))
    lines.append("")
    lines.append("Goals: >= 120k ops/s: %s (%.0f); >= 1.3x memcaslap: %s (%.2fx); "
                 "<= 8 us CPU/request: %s (%.2f at depth 1, %.2f at depth 32); open loop "
                 "within 1%% of %d/s: %s (%+.2f%%)." % (
                     "met" if best >= 120000 else "NOT met", best,
                     "met" if best / med["memcaslap"] >= 1.3 else "NOT met",
                     best / med["memcaslap"],
                     "met" if min(cpu["mm_bench_mc depth 1"], cpu["mm_bench_mc depth 32"]) <= 8
                     else "NOT met", cpu["mm_bench_mc depth 1"], cpu["mm_bench_mc depth 32"],
                     a.rate,
                     "met" if abs(med[names[3]] - a.rate) / a.rate <= 0.01 else "NOT met",
                     (med[names[3]] - a.rate) / a.rate * 100))
    lines.append("")
    lines.append("Raw rounds (referee ops/s):\n")
    for n in names:
        lines.append("- %s: %s" % (n, ", ".join("%.0f" % x for x in res[n]["rate"])))
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
