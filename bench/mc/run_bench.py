#!/usr/bin/env python3
"""mm_bench_mc against mc-crusher, memtier_benchmark and memcaslap, memcached as referee.

One command runs the comparison of issue 15: one memcached -t 1 pinned to
CPU 0, each client alone on CPU 1 (taskset), 50 connections, 90 % gets,
64-byte keys, 1 KiB values. Cases: closed loop at depth 1 and depth 32,
and open loop at --rate (20000/s) where the client can keep a rate.
Throughput is memcached's own counters (cmd_get + cmd_set) over the steady
middle of each run; client CPU per request is the client's rusage (user +
system, children included) over the requests memcached counted for the
whole run. Every round runs every case once, in a rotated order, so a busy
machine's drift hits all tools alike; the table gives median [min..max].

memcaslap (Debian's libmemcached-tools) always runs. The peers run when
their binaries are given; build them from their public sources (their code
is never committed here):

  mc-crusher (https://github.com/memcached/mc-crusher, commit 5513439):
      apt-get install libevent-dev
      git clone https://github.com/memcached/mc-crusher && cd mc-crusher
      git checkout 5513439 && make            # -> ./mc-crusher
  memtier_benchmark (https://github.com/RedisLabs/memtier_benchmark, 2.2.0):
      apt-get install libevent-dev libpcre3-dev libssl-dev zlib1g-dev \\
          autoconf automake libtool pkg-config
      git clone https://github.com/RedisLabs/memtier_benchmark && cd memtier_benchmark
      git checkout 2.2.0 && autoreconf -ivf && ./configure && make

  python3 bench/mc/run_bench.py --mc-crusher PATH --memtier PATH

Writes the table to bench/mc/results.md (--out). Needs memcached,
libmemcached-tools (memcaslap) and util-linux (taskset).
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

KEYS = 100000
KEY_SIZE = 64
VALUE = 1024
CONNS = 50
SERVER_CPU = "0"
CLIENT_CPU = "1"
CRUSHER_PREFIX = "k" * 59   # + up to 5 digits: keys of 60..64 bytes
MEMTIER_PREFIX = "m" * 58   # + 1..6 digits: keys of 59..64 bytes


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
    return int(st["cmd_get"]) + int(st["cmd_set"])


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def queued_kib(port):
    """Bytes waiting in the sockets between client and server (requests not
    yet read by memcached, replies not yet read by the client), from ss(8):
    what a client really keeps in flight, whatever its depth option says."""
    out = subprocess.run(["ss", "-tnH", "( sport = :%d or dport = :%d )" % (port, port)],
                         capture_output=True, text=True).stdout
    total = 0
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 3 and f[1].isdigit() and f[2].isdigit():
            total += int(f[1]) + int(f[2])
    return total / 1024.0


def run_case(port, argv, secs):
    """Runs one client pinned to CLIENT_CPU; returns (referee ops/s over the
    steady middle, client CPU us per request, socket queues mid-run in KiB,
    client output)."""
    start_ops = ops(port)
    proc = subprocess.Popen(["taskset", "-c", CLIENT_CPU] + argv, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    time.sleep(2.0)
    queued = queued_kib(port)
    o1, t1 = ops(port), time.monotonic()
    time.sleep(max(1.0, secs - 3.0))
    o2, t2 = ops(port), time.monotonic()
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    proc.stdout.close()
    total = ops(port) - start_ops
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, -14):  # mc-crusher ends on its own SIGALRM
        print("warning: exit %d: %s\n%s" % (code, " ".join(argv), out[-2000:]),
              file=sys.stderr)
    cpu_us = (ru.ru_utime + ru.ru_stime) * 1e6
    return (o2 - o1) / (t2 - t1), cpu_us / total if total else float("nan"), queued, out


def ours(bench, port, secs, depth, rate=0, batch_us=None):
    argv = [bench, "-s", "127.0.0.1:%d" % port, "--no-fill", "--keys", str(KEYS),
            "--key-size", str(KEY_SIZE), "-v", str(VALUE), "-g", "0.9", "-c", str(CONNS),
            "-d", str(depth), "-t", str(secs), "--warmup", "1", "--cooldown", "1", "-q"]
    if rate:
        argv += ["-r", str(rate)]
    if batch_us is not None:
        argv += ["--batch-us", str(batch_us)]
    return argv


def crusher_conf(tmp, depth):
    """45 get and 5 set connections: mc-crusher has no mix, so the 90/10
    split is by connection; key_prealloc=0 because its preallocated key
    slots are 60 bytes, too short for 64-byte keys."""
    path = os.path.join(tmp, "crusher%d.conf" % depth)
    common = "key_prefix=%s,key_count=%d,key_prealloc=0,pipelines=%d" % (
        CRUSHER_PREFIX, KEYS, depth)
    with open(path, "w") as f:
        f.write("send=ascii_get,recv=blind_read,conns=45,%s\n" % common)
        f.write("send=ascii_set,recv=blind_read,conns=5,value_size=%d,%s\n" % (VALUE, common))
    return path


def crusher(binary, conf, port, secs):
    return [binary, conf, "127.0.0.1", str(port), str(secs)]


def memtier(binary, port, secs, depth, rate=0):
    argv = [binary, "-s", "127.0.0.1", "-p", str(port), "-P", "memcache_text", "-t", "1",
            "-c", str(CONNS), "--ratio=1:9", "--key-pattern=R:R", "--key-minimum=1",
            "--key-maximum=%d" % KEYS, "--key-prefix=" + MEMTIER_PREFIX, "-d", str(VALUE),
            "--hide-histogram", "--test-time=%d" % secs, "--pipeline=%d" % depth]
    if rate:
        argv.append("--rate-limiting=%d" % (rate // CONNS))  # per connection
    return argv


def memcaslap(port, secs):
    return ["memcaslap", "-s", "127.0.0.1:%d" % port, "-T", "1", "-c", str(CONNS),
            "-t", "%ds" % secs, "-X", str(VALUE)]


def prefill(a, bench, port, tmp):
    """Stores each tool's own key space once, so every tool's gets hit."""
    subprocess.run(["taskset", "-c", CLIENT_CPU, bench, "-s", "127.0.0.1:%d" % port, "--keys",
                    str(KEYS), "--key-size", str(KEY_SIZE), "-v", str(VALUE), "-t", "0"],
                   check=True)
    if a.mc_crusher:
        conf = os.path.join(tmp, "crusherfill.conf")
        with open(conf, "w") as f:
            f.write("send=ascii_set,recv=blind_read,conns=1,key_prefix=%s,key_count=%d,"
                    "key_prealloc=0,value_size=%d,pipelines=16,stop_after=%d\n"
                    % (CRUSHER_PREFIX, KEYS, VALUE, KEYS))
        subprocess.run([a.mc_crusher, conf, "127.0.0.1", str(port), "4"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if a.memtier:
        subprocess.run([a.memtier, "-s", "127.0.0.1", "-p", str(port), "-P", "memcache_text",
                        "-t", "1", "-c", "1", "--ratio=1:0", "--key-pattern=P:P",
                        "--key-minimum=1", "--key-maximum=%d" % KEYS,
                        "--key-prefix=" + MEMTIER_PREFIX, "-d", str(VALUE),
                        "--requests=%d" % KEYS, "--hide-histogram"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    st = stats(port)
    print("prefill curr_items=%s" % st["curr_items"], flush=True)


def cases(a, bench, port, tmp):
    c = {
        "mm_bench_mc depth 1": lambda: ours(bench, port, a.secs, 1),
        "mm_bench_mc depth 32": lambda: ours(bench, port, a.secs, 32),
        # mc-crusher bounds nothing in flight (see its queue column): depth 4
        # queues about what its "pipelines" 1 does, 1024 (our maximum) a third
        # of what its 32 does
        "mm_bench_mc depth 4": lambda: ours(bench, port, a.secs, 4),
        "mm_bench_mc depth 1024": lambda: ours(bench, port, a.secs, 1024),
        "mm_bench_mc open %d/s" % a.rate: lambda: ours(bench, port, a.secs, 1, a.rate),
        # each arrival sent at its own time (the default is a grid of 16 mean
        # gaps, capped at 750 us: 750 at 20000/s)
        "mm_bench_mc open %d/s --batch-us 0" % a.rate:
            lambda: ours(bench, port, a.secs, 1, a.rate, 0),
        "memcaslap depth 1": lambda: memcaslap(port, a.secs),
    }
    if a.mc_crusher:
        c["mc-crusher depth 1"] = lambda: crusher(a.mc_crusher, crusher_conf(tmp, 1), port,
                                                  a.secs)
        c["mc-crusher depth 32"] = lambda: crusher(a.mc_crusher, crusher_conf(tmp, 32), port,
                                                   a.secs)
    if a.memtier:
        c["memtier depth 1"] = lambda: memtier(a.memtier, port, a.secs, 1)
        c["memtier depth 32"] = lambda: memtier(a.memtier, port, a.secs, 32)
        c["memtier open %d/s" % a.rate] = lambda: memtier(a.memtier, port, a.secs, 1, a.rate)
    if a.only:
        c = {k: v for k, v in c.items() if any(o in k for o in a.only.split(","))}
    return c


def summary_field(out, key):
    for line in out.splitlines():
        if line.startswith("summary "):
            for tok in line.split():
                if tok.startswith(key + "="):
                    return tok.split("=", 1)[1]
    return None


def measure(a, bench, port, tmp):
    cs = cases(a, bench, port, tmp)
    names = list(cs)
    res = {n: {"rate": [], "cpu": [], "own_err": [], "late": [], "queued": [], "p50": [],
               "svc50": []} for n in names}
    loads = []
    for r in range(a.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            load = loadavg()
            rate, cpu, queued, out = run_case(port, cs[n](), a.secs)
            loads.append(load)
            res[n]["rate"].append(rate)
            res[n]["cpu"].append(cpu)
            res[n]["queued"].append(queued)
            err, late = summary_field(out, "rate_error_pct"), summary_field(out, "late")
            if err not in (None, "na"):
                res[n]["own_err"].append(float(err))
                res[n]["late"].append(int(late))
            p50, svc50 = summary_field(out, "p50_us"), summary_field(out, "svc_p50_us")
            if p50 is not None and svc50 is not None:
                res[n]["p50"].append(float(p50))
                res[n]["svc50"].append(float(svc50))
            print("round=%d case=\"%s\" referee_ops_s=%.0f client_cpu_us_per_req=%.2f "
                  "queued_kib=%.0f own_rate_error_pct=%s late=%s loadavg_1min=%.2f"
                  % (r + 1, n, rate, cpu, queued, err, late, load), flush=True)
    return names, res, loads


def span(xs, fmt):
    return (fmt + " [" + fmt + ".." + fmt + "]") % (statistics.median(xs), min(xs), max(xs))


def write_results(a, names, res, loads):
    med_cpu = {n: statistics.median(res[n]["cpu"]) for n in names}
    ver = subprocess.run(["memcached", "-V"], capture_output=True, text=True).stdout.split()[-1]
    L = ["# mm_bench_mc against mc-crusher, memtier_benchmark and memcaslap", ""]
    L.append("Measured by `bench/mc/run_bench.py --rounds %d --secs %d` on %s (%d CPUs), %s. "
             "memcached %s `-t 1` pinned to CPU %s, each client alone on CPU %s; %d "
             "connections; %d keys of %d bytes, values of %d bytes, 90 %% gets. Throughput "
             "is memcached's own `stats` (cmd_get + cmd_set) over the steady middle of each "
             "%d s run; client CPU is its user + system time over the requests memcached "
             "counted for the whole run. Median [min..max] over %d interleaved rounds."
             % (a.rounds, a.secs, os.uname().nodename, os.cpu_count(),
                time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), ver, SERVER_CPU,
                CLIENT_CPU, CONNS, KEYS, KEY_SIZE, VALUE, a.secs, a.rounds))
    L.append("")
    L.append("| case | ops/s (referee) | client CPU (us/request) | queued in sockets (KiB) | "
             "rate error, referee (%) | rate error, own window (%) | late sends | "
             "p50 from due / from send (us) |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in names:
        r = res[n]
        ref_err = own = late = lat = ""
        if "open" in n:
            ref_err = span([(x - a.rate) / a.rate * 100 for x in r["rate"]], "%+.3f")
        if r["own_err"]:
            own = span(r["own_err"], "%+.3f")
            late = span(r["late"], "%d")
        if r["p50"]:
            lat = "%.0f / %.0f" % (statistics.median(r["p50"]), statistics.median(r["svc50"]))
        L.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            n, span(r["rate"], "%.0f"), span(r["cpu"], "%.2f"), span(r["queued"], "%.0f"),
            ref_err, own, late, lat))
    L.append("")
    L.append("Goals of issue 15 (medians):")
    L.append("")

    def goal(text, ok):
        L.append("- %s: %s" % (text, "met" if ok else "NOT met"))

    for d, same in ((1, 4), (32, 1024)):
        peer = "mc-crusher depth %d" % d
        for o in ("mm_bench_mc depth %d" % d, "mm_bench_mc depth %d" % same):
            if peer in med_cpu and o in med_cpu:
                goal("CPU per request, `%s` <= `%s` (%.2f vs %.2f us)"
                     % (o, peer, med_cpu[o], med_cpu[peer]), med_cpu[o] <= med_cpu[peer])
    ours_open, mt_open = "mm_bench_mc open %d/s" % a.rate, "memtier open %d/s" % a.rate
    for o in (ours_open, ours_open + " --batch-us 0"):
        if o in med_cpu and mt_open in med_cpu:
            goal("CPU per request in open loop at %d/s <= memtier's, `%s` (%.2f vs %.2f us)"
                 % (a.rate, o, med_cpu[o], med_cpu[mt_open]), med_cpu[o] <= med_cpu[mt_open])
    for o in (ours_open, ours_open + " --batch-us 0"):
        if o not in res or not res[o]["own_err"]:
            continue
        errs, lates = res[o]["own_err"], res[o]["late"]
        goal("`%s`: achieved rate within +-0.1 %% of the target, Poisson schedule (%s)"
             % (o, ", ".join("%+.3f" % e for e in errs)), all(abs(e) <= 0.1 for e in errs))
        goal("`%s`: 0 late sends in at least one round (%s; needs an idle client core)"
             % (o, ", ".join(str(x) for x in lates)), min(lates) == 0)
    L.append("")
    L.append("mc-crusher's `pipelines` is not a bound on requests in flight: after every "
             "read it writes that many more, whatever came back, so its connections fill "
             "their socket buffers (the queue column; a get request is 70 bytes, a hit "
             "1.1 KiB). mm_bench_mc's `--depth` is a hard bound. For a like-for-like cost "
             "per request: depth 4 keeps about as much queued as mc-crusher's 1; depth "
             "1024, mm_bench_mc's maximum, a third of what its 32 does.")
    L.append("")
    L.append("How mm_bench_mc keeps its cost down (its CPU is nine tenths the kernel's): "
             "replies wait in the sockets up to `--coalesce-us` (500) and one wakeup "
             "reads them all, each timed by the kernel's receive stamp rather than by when "
             "it was read (in the closed loop the wait is cut so at most a quarter of the "
             "requests in flight are held back); sockets are edge-triggered and read until "
             "a read comes back short. In the open loop the default `--batch-us auto` sends "
             "on a grid of 16 mean gaps, at most 750 us (750 us at 20000/s; none under 2667/s), so "
             "the client and an idle "
             "memcached wake about 1330 times a second instead of once per request (in "
             "this VM each wakeup of memcached cost the client ~16 us, its own ~8 us, a "
             "request's send and receive ~4 us; memtier sends in bursts on libevent's "
             "millisecond timers and times its requests from when it sent them); the "
             "wait counts in the latency from the due time (the p50 column: from due / from "
             "send). `--batch-us 0` sends each arrival at its own time, for that cost.")
    L.append("")
    L.append("Machine: shared by up to six engineers' builds and tests; 1-minute load "
             "average at the start of the runs: median %.2f [%.2f..%.2f]. CPU 0 and 1 were "
             "therefore not memcached's and the client's alone: a round whose figures stand "
             "far from the others is that noise, which is why the table gives ranges."
             % (statistics.median(loads), min(loads), max(loads)))
    L.append("")
    L.append("Raw rounds (referee ops/s; client us/request):")
    L.append("")
    for n in names:
        L.append("- %s: %s; %s" % (n, ", ".join("%.0f" % x for x in res[n]["rate"]),
                                   ", ".join("%.2f" % x for x in res[n]["cpu"])))
    with open(a.out, "w") as f:
        f.write("\n".join(L) + "\n")
    print("\n".join(L))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="CMake build dir")
    ap.add_argument("--mc-crusher", help="path of a built mc-crusher")
    ap.add_argument("--memtier", help="path of a built memtier_benchmark")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--secs", type=int, default=8, help="seconds per run")
    ap.add_argument("--rate", type=int, default=20000, help="open-loop target, requests/s")
    ap.add_argument("--only", help="comma-separated substrings of the case names to run")
    ap.add_argument("--out", default=os.path.join(HERE, "results.md"))
    a = ap.parse_args()
    bench = os.path.join(a.build, "testprogs", "mc", "mm_bench_mc")
    for path, what in ((bench, "mm_bench_mc"), (a.mc_crusher, "--mc-crusher"),
                       (a.memtier, "--memtier")):
        if path and not os.access(path, os.X_OK):
            sys.exit("%s: %s is not an executable (see --help for how to build it)"
                     % (what, path))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    mc_argv = ["taskset", "-c", SERVER_CPU, "memcached", "-t", "1", "-l", "127.0.0.1", "-p",
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
        with tempfile.TemporaryDirectory() as tmp:
            prefill(a, bench, port, tmp)
            names, res, loads = measure(a, bench, port, tmp)
        write_results(a, names, res, loads)
    finally:
        mc.kill()
        mc.wait()


if __name__ == "__main__":
    main()
