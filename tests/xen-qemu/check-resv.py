#!/usr/bin/env python3
"""check-resv.py RESULTS: judges what scenario-resv.sh recorded on a real Xen (issue 17).
Each check reads facts.txt and the files beside it; exit 0 when all hold, 1 otherwise."""
import os
import re
import sys


def facts(run):
    out = {}
    with open(os.path.join(run, "out", "facts.txt"), encoding="utf-8", errors="replace") as f:
        for line in f:
            word, _, rest = line.strip().partition(" ")
            out[word] = rest
    return out


def kv(text, key):
    m = re.search(r"(?:^|\s)" + re.escape(key) + r"=(\S+)", text or "")
    return m.group(1) if m else None


def check_room_taken(run, f):
    """before: the guests had taken Xen's free memory (a reservation must shrink them)"""
    free = int(kv(f.get("before"), "host_free_kib") or 1 << 40)
    return free < 160 * 1024, f"host_free_kib={free} before the reservation"


def check_met(run, f):
    """reserve: mmctl exits 0 with met and the whole size found"""
    r = f.get("reserve", "")
    ok = kv(r, "rc") == "0" and "met id=" in r and kv(r, "found_kib") == kv(r, "size_kib")
    return ok, r


def check_held(run, f):
    """status while held: one reservation, its size out of the pool"""
    s = f.get("status_held", "")
    return kv(s, "reservations") == "1" and int(kv(s, "reserved_kib") or 0) > 0, s


def check_created(run, f):
    """xl create of the fourth guest succeeded and it reports"""
    return kv(f.get("create_domu4"), "rc") == "0" and "domu4_reports" in f, \
        f"create_domu4: {f.get('create_domu4')} domu4_reports: {'domu4_reports' in f}"


def check_claimed(run, f):
    """after: the reservation was claimed by domu4, nothing held"""
    s = f.get("status_after", "")
    return kv(s, "reservations") == "0" and kv(s, "claimed_total") == "1", s


def check_balancing(run, f):
    """the others kept balancing: rounds went on after the creation"""
    b = f.get("balancing", "")
    return int(kv(b, "rounds_after") or 0) > int(kv(b, "rounds_before") or 1 << 40), b


def check_refused(run, f):
    """refused: exit 1, why=refused, a line per domain saying what it holds"""
    r = f.get("refused", "")
    ok = kv(r, "rc") == "1" and "why=refused" in r and int(kv(r, "domain_lines") or 0) >= 3
    return ok, r


def check_sigterm(run, f):
    """mmserver exits 0 on SIGTERM with its socket"""
    return kv(f.get("server_sigterm"), "rc") == "0", f.get("server_sigterm")


CHECKS = [check_room_taken, check_met, check_held, check_created, check_claimed,
          check_balancing, check_refused, check_sigterm]


def main():
    if len(sys.argv) != 2:
        print("usage: check-resv.py RESULTS", file=sys.stderr)
        return 2
    try:
        f = facts(sys.argv[1])
    except OSError as e:
        print(f"FAIL: no facts: {e}")
        return 1
    failed = 0
    for fn in CHECKS:
        ok, why = fn(sys.argv[1], f)
        print(f"{'PASS' if ok else 'FAIL'}: {fn.__doc__.strip()}  [{why}]")
        failed += not ok
    print(f"\n{len(CHECKS) - failed} of {len(CHECKS)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
