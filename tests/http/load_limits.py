#!/usr/bin/python3
"""HTTP load that must not hurt the balancer (issue 12 section 2), against the
real mmserver on the simulator: 1000 event streams, 1000 slowloris clients,
oversized requests and clients that ask for the whole history and never read,
while domains appear. mmserver runs with the usual soft descriptor limit
(1024, the review's setting).

Test mode (default) asserts what must hold whatever the machine's speed:
  - mmserver stays up and answers again once the clients leave;
  - no domain log fails to open (no 'domain-log-failed', no errno=24), and
    every domain log has exactly one row per round while its domain lives;
  - event streams beyond the limit get 503 (never all 1000), oversized
    requests get 4xx or a close;
  - mmserver's descriptors stay under the limit with the balancer's share free;
  - its RSS grows by less than the limits allow (connections x per-connection
    bound, doubled for allocator slack), not by hundreds of MB.
Bench mode (--bench FILE) also writes the round period and round cost before
and during the load, and RSS and descriptors before, during and after.

Usage: load_limits.py [--bench FILE] [--nofile N] -- MMSERVER_CMD...
(the command must print 'msg=listening url=...' on stderr and take -d DIR
after it, for its logs)."""
import argparse
import atexit
import faulthandler
import os
import re
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

# What the review did: 1000 of each, 10 history readers that never read.
N_SSE = 1000
N_SLOW = 1000
N_HISTORY = 10
LATE = ["late1", "late2", "late3"]  # start_s 22, 26, 30 in late-guests.json
PER_CONN_BYTES = 16 * 1024 + 16 * 1024 + 512  # http_limits.h: conn_bytes


def fail(msg):
    sys.exit("FAIL: " + msg)


class Server:
    def __init__(self, cmd, logdir, nofile):
        def lower():
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, hard))

        self.proc = subprocess.Popen(cmd + ["-d", logdir], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, preexec_fn=lower)
        atexit.register(lambda: self.proc.poll() is None and self.proc.kill())
        self.lines = []
        self.port = None
        got = threading.Event()

        def drain():
            for line in self.proc.stderr:
                self.lines.append(line)
                m = re.search(r"msg=listening url=http://[^:]+:(\d+)/", line)
                if m and not got.is_set():
                    self.port = int(m.group(1))
                    got.set()
            got.set()

        threading.Thread(target=drain, daemon=True).start()
        if not got.wait(20) or self.port is None:
            self.proc.kill()
            fail("mmserver did not print its URL:\n" + "".join(self.lines))

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def get(self, path, timeout=5):
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


class RoundWatch(threading.Thread):
    """Tails rounds.tsv: wall time each row appeared, its time_ms and cost."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.rows, self.stop = path, [], False

    def run(self):
        buf, pos = "", 0
        while not self.stop:
            try:
                with open(self.path) as f:
                    f.seek(pos)
                    data = f.read()
                    pos = f.tell()
            except FileNotFoundError:
                data = ""
            now = time.monotonic()
            buf += data
            while "\n" in buf:
                line, buf = buf.split("\n", 1)
                cols = line.split("\t")
                if cols and cols[0].isdigit():
                    self.rows.append((now, int(cols[0]), int(cols[6])))
            time.sleep(0.01)

    def wait_rounds(self, n, timeout):
        deadline = time.monotonic() + timeout
        start = len(self.rows)
        while len(self.rows) < start + n:
            if time.monotonic() > deadline:
                fail(f"fewer than {n} rounds in {timeout} s")
            time.sleep(0.05)


def connect_nb(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a client that reads nothing
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return s


def send_all(socks, data, timeout=10):
    """Sends data on every socket (non-blocking); returns those that took it."""
    sel = selectors.DefaultSelector()
    left = {}
    for s in socks:
        left[s] = data
        sel.register(s, selectors.EVENT_WRITE)
    done = []
    deadline = time.monotonic() + timeout
    while left and time.monotonic() < deadline:
        for key, _ in sel.select(0.2):
            s = key.fileobj
            try:
                n = s.send(left[s])
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                sel.unregister(s)
                del left[s]
                continue
            left[s] = left[s][n:]
            if not left[s]:
                sel.unregister(s)
                del left[s]
                done.append(s)
    sel.close()
    return done


def statuses(socks, timeout):
    """First status code per socket: an int, 'closed', or None (no answer)."""
    sel = selectors.DefaultSelector()
    got, bufs = {}, {}
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
        bufs[s] = b""
    deadline = time.monotonic() + timeout
    while len(got) < len(socks) and time.monotonic() < deadline:
        for key, _ in sel.select(0.2):
            s = key.fileobj
            try:
                d = s.recv(256)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                d = b""
            if not d:
                got[s] = "closed"
            else:
                bufs[s] += d
                m = re.match(rb"HTTP/1\.\d (\d{3})", bufs[s])
                if m:
                    got[s] = int(m.group(1))
                elif len(bufs[s]) < 16:
                    continue
                else:
                    got[s] = "garbage"
            sel.unregister(s)
    sel.close()
    return [got.get(s) for s in socks]


def oversized(port, strict=True):
    """Each hostile request gets a 4xx or a close, never a hang or a crash.
    Under load (strict False) no answer is fine too: every slot is taken and
    the request waits in the listen backlog."""
    cases = {
        "64 KiB header": b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n",
        "100 KiB URL": b"GET /" + b"a" * 102400 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET with 1 GB body": b"GET /api/v1/state HTTP/1.1\r\nHost: t\r\n"
                              b"Content-Length: 1000000000\r\n\r\n" + b"x" * 4096,
        "POST 1 GB": b"POST /api/v1/state HTTP/1.1\r\nHost: t\r\n"
                     b"Content-Length: 1000000000\r\n\r\n" + b"x" * 4096,
        "chunked GET": b"GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"fffffff\r\n" + b"x" * 4096,
        "10000 headers": b"GET / HTTP/1.1\r\nHost: t\r\n" + b"X: y\r\n" * 10000 + b"\r\n",
    }
    out = {}
    for name, req in cases.items():
        s = connect_nb(port)
        send_all([s], req, timeout=3 if strict else 1)  # a refusal may close early
        st = statuses([s], 10 if strict else 1)[0]
        s.close()
        if not strict and st is None:
            st = "backlog"
        if not (st in ("closed", "backlog") or (isinstance(st, int) and 400 <= st < 500)):
            fail(f"oversized request '{name}': got {st!r}, want 4xx or a close")
        out[name] = st
    return out


def domain_rows(logdir):
    """{name: [time_ms, ...]} of every domain log, and stray lines."""
    rows, bad = {}, []
    for fn in os.listdir(logdir):
        if not fn.endswith(".log"):
            continue
        name = fn[:-4]
        rows[name] = []
        with open(os.path.join(logdir, fn)) as f:
            for line in f:
                if line.startswith("time_ms") or line.startswith("#"):
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) != 10 or not cols[0].isdigit():
                    bad.append(f"{fn}: {line!r}")
                    continue
                rows[name].append(int(cols[0]))
    return rows, bad


def check_logs(logdir, round_times):
    rows, bad = domain_rows(logdir)
    if bad:
        fail("malformed log rows: " + "; ".join(bad[:3]))
    for name in LATE + [f"vm{i}" for i in range(1, 6)]:
        if name not in rows or not rows[name]:
            fail(f"no log rows for {name} (its log could not be opened?)")
        mine = rows[name]
        if len(mine) != len(set(mine)):
            fail(f"{name}: duplicated rows")
        want = [t for t in round_times if mine[0] <= t <= mine[-1]]
        if mine != want:
            missing = sorted(set(want) - set(mine))[:5]
            fail(f"{name}: {len(want) - len(mine)} rows missing, e.g. time_ms {missing}")
    return {n: len(r) for n, r in rows.items()}


def summarise(rows, t0, t1):
    sel = [r for r in rows if t0 <= r[0] <= t1]
    gaps = [b[0] - a[0] for a, b in zip(sel, sel[1:])]
    costs = [r[2] for r in sel]
    if len(gaps) < 2:
        return None
    q = statistics.quantiles
    return {"rounds": len(sel), "period_ms_median": 1000 * statistics.median(gaps),
            "period_ms_p99": 1000 * (q(gaps, n=100)[98] if len(gaps) > 2 else max(gaps)),
            "period_ms_max": 1000 * max(gaps),
            "cost_us_median": statistics.median(costs), "cost_us_max": max(costs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", help="write the figures (markdown) to this file")
    ap.add_argument("--nofile", type=int, default=1024)
    ap.add_argument("--base", type=int, default=4, help="rounds measured before the load")
    ap.add_argument("--hold", type=float, default=0, help="least seconds under load")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    faulthandler.dump_traceback_later(240, exit=True)  # a hang is a failure, with a trace
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard < N_SSE + N_SLOW + 200:
        print(f"SKIP: this test needs {N_SSE + N_SLOW + 200} descriptors, the hard limit is {hard}")
        sys.exit(77)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    logdir = tempfile.mkdtemp(prefix="mm_load_limits.")
    srv = Server(cmd, logdir, a.nofile)
    watch = RoundWatch(os.path.join(logdir, "rounds.tsv"))
    watch.start()
    watch.wait_rounds(4, 30)
    t_base0 = time.monotonic()
    rss0, fds0 = srv.rss_kib(), srv.fds()
    over = oversized(srv.port)
    watch.wait_rounds(a.base, 30 + 2 * a.base)
    t_base1 = time.monotonic()

    # The load: streams first (they have their own limit), then slowloris.
    sse = [connect_nb(srv.port) for _ in range(N_SSE)]
    sse_sent = send_all(sse, b"GET /api/v1/events HTTP/1.1\r\nHost: t\r\n\r\n")
    sse_st = statuses(sse_sent, 10)
    slow = [connect_nb(srv.port) for _ in range(N_SLOW)]
    slow_sent = send_all(slow, b"GET /api/v1/state HTTP/1.1\r\nHost: t\r\n")
    hist = [connect_nb(srv.port) for _ in range(N_HISTORY)]
    send_all(hist, b"GET /api/v1/history?seconds=86400 HTTP/1.1\r\nHost: t\r\n\r\n")
    t_load = time.monotonic()
    rss_peak, fds_peak = srv.rss_kib(), srv.fds()
    # Drip a header line every 5 s (under the 15 s idle timeout) until the
    # late domains have all appeared and lived a few rounds.
    late_seen = False
    over_load = oversized(srv.port, strict=False)
    deadline = time.monotonic() + 60
    hold_until = time.monotonic() + a.hold
    while time.monotonic() < deadline + a.hold and (not late_seen or
                                                     time.monotonic() < hold_until):
        send_all(slow_sent, b"X-Drip: 1\r\n", timeout=1)
        for _ in range(10):
            time.sleep(0.5)
            rss_peak, fds_peak = max(rss_peak, srv.rss_kib()), max(fds_peak, srv.fds())
        late_seen = os.path.exists(os.path.join(logdir, "late3.log")) and \
            len(domain_rows(logdir)[0].get("late3", [])) >= 3
        if srv.proc.poll() is not None:
            fail("mmserver died under load:\n" + "".join(srv.lines[-20:]))
    t_load1 = time.monotonic()
    if not late_seen:
        errs = [ln.strip() for ln in srv.lines if "domain-log-failed" in ln or "errno=24" in ln]
        fail("late3 never logged 3 rows under load" + (": " + errs[0] if errs else ""))
    for s in sse + slow + hist:
        s.close()
    # Once the clients leave, the server serves again.
    ok = False
    for _ in range(100):
        try:
            st, _ = srv.get("/api/v1/state", timeout=2)
            ok = st == 200
        except OSError:
            ok = False
        if ok:
            break
        time.sleep(0.3)
    if not ok:
        fail("no answer to /api/v1/state after the load")
    time.sleep(1)
    rss2, fds2 = srv.rss_kib(), srv.fds()
    watch.wait_rounds(2, 30)
    srv.proc.terminate()
    rc = srv.proc.wait(30)
    watch.stop = True
    watch.join()
    if rc != 0:
        fail(f"mmserver exit status {rc}")

    errs = [ln for ln in srv.lines if "domain-log-failed" in ln or "errno=24" in ln]
    if errs:
        fail("descriptor exhaustion: " + errs[0].strip())
    counts = check_logs(logdir, [r[1] for r in watch.rows])
    n200 = sum(1 for s in sse_st if s == 200)
    n503 = sum(1 for s in sse_st if s == 503)
    if n200 == 0 or n200 >= N_SSE // 2:
        fail(f"{n200} of {N_SSE} event streams accepted: want some, and far fewer than all")
    if fds_peak >= a.nofile - 256:
        fail(f"mmserver held {fds_peak} descriptors of {a.nofile}: the balancer's share is gone")
    conn_max = (a.nofile - max(a.nofile // 2, 256) - 16) // 2
    bound_kib = 2 * conn_max * PER_CONN_BYTES // 1024 + 16 * 1024
    if rss_peak - rss0 > bound_kib:
        fail(f"RSS grew {rss_peak - rss0} KiB under load, bound {bound_kib} KiB")

    print(f"event streams: {n200} accepted, {n503} refused with 503, "
          f"{len(sse_st) - n200 - n503} not answered (backlog)")
    print(f"oversized: {over}")
    print(f"rss_kib before={rss0} peak={rss_peak} after={rss2} (bound +{bound_kib})")
    print(f"fds before={fds0} peak={fds_peak} after={fds2} (limit {a.nofile})")
    print(f"domain log rows: {counts}")
    base = summarise(watch.rows, t_base0, t_base1)
    load = summarise(watch.rows, t_load, t_load1)
    print(f"rounds before: {base}\nrounds during load: {load}")
    if a.bench:
        with open(a.bench, "w") as f:
            f.write(bench_text(a, n200, n503, len(sse_st), over, over_load, rss0, rss_peak, rss2,
                               fds0, fds_peak, fds2, base, load, counts))
        print(f"wrote {a.bench}")
    print("PASS")


def bench_text(a, n200, n503, nsse, over, over_load, rss0, rssp, rss2, fds0, fdsp, fds2, base,
               load, counts):
    def row(name, d):
        if not d:
            return f"| {name} | - | - | - | - | - | - |\n"
        return (f"| {name} | {d['rounds']} | {d['period_ms_median']:.1f} | "
                f"{d['period_ms_p99']:.1f} | {d['period_ms_max']:.1f} | "
                f"{d['cost_us_median']:.0f} | {d['cost_us_max']} |\n")

    return (
        "# HTTP under hostile load (tests/http/load_limits.py)\n\n"
        f"Measured {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}: the real mmserver, "
        "simulator backend, scenario tests/http/scenarios/late-guests.json (5 guests, 3 more "
        f"appear at 22, 26 and 30 s), soft RLIMIT_NOFILE={a.nofile}; {a.base} rounds measured "
        f"before the load, at least {a.hold:.0f} s under load. Load: {N_SSE} event streams, "
        f"{N_SLOW} slowloris clients (a header line every 5 s), {N_HISTORY} clients asking for "
        "/api/v1/history?seconds=86400 that never read, oversized requests. Period = wall "
        "time between rounds.tsv rows as a tailing reader saw them (10 ms polling); cost = "
        "round_cost_us. 2 shared cores: other sessions ran too.\n\n"
        "| phase | rounds | period median (ms) | p99 (ms) | max (ms) | cost median (us) | "
        "cost max (us) |\n|---|---|---|---|---|---|---|\n"
        + row("before load", base) + row("during load", load) +
        f"\n| | before | peak under load | after |\n|---|---|---|---|\n"
        f"| mmserver RSS (KiB) | {rss0} | {rssp} | {rss2} |\n"
        f"| mmserver descriptors | {fds0} | {fdsp} | {fds2} |\n\n"
        f"Event streams: {n200} accepted, {n503} refused with 503 + Retry-After, "
        f"{nsse - n200 - n503} not answered (held in the listen backlog) of {nsse}.\n\n"
        f"Oversized requests (idle server): {over}\n\n"
        f"Oversized requests (under load): {over_load}\n\n"
        f"Domain log rows (one per round each, none missing or doubled): {counts}\n")


if __name__ == "__main__":
    main()
