#!/usr/bin/python3
"""mmserver's RSS when clients ask for the whole history and never read (the
review's case in issue 12: 10 such clients took it from 44 MB to 372 MB).

Runs the real mmserver on the simulator with 100 domains in --fast mode until
the history ring holds ROUNDS rounds, then opens CLIENTS connections that
send GET /api/v1/history?seconds=86400 with a 4 KiB receive buffer and never
read; samples VmRSS for HOLD seconds; closes them. Prints one markdown row:
label, ring rounds, history bytes, RSS before, peak, after (KiB).

Usage: history_rss.py LABEL MMSERVER [CLIENTS] [ROUNDS] [HOLD]"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

SCENARIO = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "../../tests/http/scenarios/many100.json")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def main():
    label, mmserver = sys.argv[1], sys.argv[2]
    clients = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 1500
    hold = float(sys.argv[5]) if len(sys.argv) > 5 else 10
    logdir = tempfile.mkdtemp(prefix="mm_history_rss.")
    proc = subprocess.Popen([mmserver, "--backend", "sim", "--scenario", SCENARIO, "--fast",
                             "--duration", "100000", "--http=127.0.0.1:0", "-d", logdir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    port = None
    for line in proc.stderr:
        m = re.search(r"msg=listening url=http://[^:]+:(\d+)/", line)
        if m:
            port = int(m.group(1))
            break
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    if port is None:
        sys.exit("mmserver did not print its URL")
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(base + "/api/v1/state", timeout=5) as r:
                    if json.load(r)["seq"] >= rounds:
                        break
            except urllib.error.HTTPError as e:
                if e.code != 503:  # 503: no round yet
                    raise
            time.sleep(0.2)
        with urllib.request.urlopen(base + "/api/v1/history?seconds=86400", timeout=30) as r:
            hist = r.read()
        n = len(json.loads(hist)["rounds"])
        time.sleep(1)
        before = rss_kib(proc.pid)
        socks = []
        for _ in range(clients):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /api/v1/history?seconds=86400 HTTP/1.1\r\nHost: b\r\n\r\n")
            socks.append(s)
        peak = before
        t_end = time.monotonic() + hold
        while time.monotonic() < t_end:
            peak = max(peak, rss_kib(proc.pid))
            time.sleep(0.1)
        for s in socks:
            s.close()
        time.sleep(2)
        after = rss_kib(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    print(f"| {label} | {clients} | {n} | {len(hist)} | {before} | {peak} | {after} | "
          f"{peak - before} |")


if __name__ == "__main__":
    main()
