#!/usr/bin/python3
"""Parses /metrics with Debian's prometheus_client and checks it against
/api/v1/state of the same round. Usage: metrics_check.py SERVER_CMD...
(the command must print 'msg=listening url=...' on stderr)."""
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

DOMAIN_GAUGES = ["actual", "target", "maxmem", "floor", "memory_total", "memory_free",
                 "memory_used"]


def start(cmd):
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        m = re.search(r"msg=listening url=(\S+)", line)
        if m:
            return proc, m.group(1).rstrip("/")
        if not line and proc.poll() is not None:
            break
    proc.kill()
    sys.exit("server did not print its URL")


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.headers.get("Content-Type"), r.read().decode()


def same_round(base):
    """State and metrics rendered from the same round (retry while rounds move)."""
    for _ in range(500):
        try:
            _, state = get(base + "/api/v1/state")
        except urllib.error.HTTPError as e:
            if e.code != 503:  # 503: no round yet
                raise
            time.sleep(0.02)
            continue
        ctype, text = get(base + "/metrics")
        st = json.loads(state)
        if f"\nxenmm_rounds_total {st['seq']}\n" in text and st["seq"] >= 2:
            return st, ctype, text
        time.sleep(0.02)
    sys.exit("never saw state and metrics of the same round")


def check(st, ctype, text):
    assert ctype.startswith("text/plain; version=0.0.4"), ctype
    fams = {f.name: f for f in text_string_to_metric_families(text)}
    for name, typ in [("xenmm_rounds", "counter"), ("xenmm_target_writes", "counter"),
                      ("xenmm_round_cost_seconds", "counter"), ("xenmm_pool_bytes", "gauge"),
                      ("xenmm_tax_rate_ratio", "gauge"), ("xenmm_domain_reason", "gauge"),
                      ("xenmm_domain_flag", "gauge")]:
        assert name in fams, name
        assert fams[name].type == typ, (name, fams[name].type)
    for g in DOMAIN_GAUGES:
        fam = fams[f"xenmm_domain_{g}_bytes"]
        by_dom = {s.labels["domain"]: s for s in fam.samples}
        assert len(by_dom) == len(st["domains"]), g
        for d in st["domains"]:
            s = by_dom[d["name"]]
            assert s.labels["domid"] == str(d["domid"])
            key = {"memory_total": "tot", "memory_free": "free",
                   "memory_used": "used"}.get(g, g) + "_kib"
            assert s.value == d[key] * 1024, (g, d["name"], s.value, d[key])
    reasons = [s for s in fams["xenmm_domain_reason"].samples if s.value == 1]
    assert sorted((s.labels["domain"], s.labels["reason"]) for s in reasons) == \
        sorted((d["name"], d["reason"]) for d in st["domains"])
    pool = fams["xenmm_pool_bytes"].samples[0].value
    assert pool == st["pool_kib"] * 1024
    info = fams["xenmm_build_info"]
    assert info.type == "gauge" and len(info.samples) == 1, info
    assert info.samples[0].value == 1, info.samples[0]
    assert re.fullmatch(r"\d+\.\d+\.\d+", info.samples[0].labels["version"]), info.samples[0]
    assert info.samples[0].labels["xen"] in ("yes", "no"), info.samples[0]
    print(f"metrics ok: {len(fams)} families, {sum(len(f.samples) for f in fams.values())} "
          f"samples, round {st['seq']}")


def main():
    proc, base = start(sys.argv[1:])
    try:
        check(*same_round(base))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
