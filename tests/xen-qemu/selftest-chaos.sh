#!/usr/bin/env bash
# selftest-chaos.sh: proves check-chaos.py can fail. data/chaos-pass holds what a real passing
# run brought back (facts, mmserver's logs and stderr, samples, domu2's console); each case
# breaks one thing in a copy and expects that check to FAIL.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
T=$'\t'
# name|file|sed expression|words of the check that must FAIL
cases=$(
	cat <<CASES
out of bounds|logs/domu2.log|2s/^\([0-9]*${T}[0-9]*${T}\)[0-9]*/\199999/|stays in floor..maxmem
domu3 under its floor|logs/domu3.log|\$s/^\([0-9]*${T}[0-9]*${T}\)[0-9]*/\1130000/|stays in floor..maxmem
floor not reloaded|facts.txt|s/reloaded=yes/reloaded=no/|stays in floor..maxmem
flood missing|guest-domu2.log|/phase=flood_valid/d|hostile program ran
slow flood|guest-domu2.log|s/rate_per_s=[0-9.]*/rate_per_s=20.0/|hostile program ran
not flagged|logs/domu2.log|s/${T}stale\$/${T}hold/|flags domu2
domu1 starved|facts.txt|s/^\(load1_started .*base_kib=\)[0-9]*/\1400000/|others keep balancing
raw log line|mmserver.err|\$a level=warn msg=x key=\x1b[2J|printable key=value
not escaped|mmserver.err|s/\\\\x1b/ESC/g|printable key=value
log flood|mmserver.err|/msg=report-invalid/{p;p;p;p}|once a minute
cpu|facts.txt|s/^\(cpu_hostile .*ticks=\)[0-9]*/\1999999/|CPU over the flood
pinned stuck|logs/domu3.log|s/${T}deadband\$/${T}stuck/|asks domu3 for no more
pinned taken|logs/domu3.log|s/^\([0-9]*${T}[0-9]*${T}\)[0-9]*/\1100000/|asks domu3 for no more
pinned hidden|facts.txt|s/avail=[0-9]*/avail=999999/|asks domu3 for no more
domu3 panicked|facts.txt|s/panics=0/panics=1/|asks domu3 for no more
not stuck|logs/domu3.log|s/^\([0-9]*${T}[0-9]*${T}\)[0-9]*\(.*\)${T}stuck\$/\1120000\2${T}shrink/|flagged stuck
overcommit|logs/domu1.log|s/^\([0-9]*${T}[0-9]*${T}\)[0-9]*/\1400000/|overcommit
host below reserve|logs/rounds.tsv|s/^\([0-9]*${T}[0-9]*${T}[0-9]*${T}\)[0-9]*/\11000/|never goes below the reserve
stuck starves|logs/domu1.log|s/^\([0-9]*${T}[0-9]*${T}\)[0-9]*/\1163840/|others still balance
spins|facts.txt|s/^\(cpu_xs_stopped .*ticks=\)[0-9]*/\1500/|waits: its CPU
not resumed|facts.txt|/^xs_resumed/d|rounds resume
silent|mmserver.err|/msg=xenstore-slow/d|slow to answer
domu4 written|facts.txt|s/report_node=0/report_node=1/|never written
sigterm|facts.txt|s/^\(server_sigterm .*\)rc=0/\1rc=timeout/|SIGTERM
CASES
)
fails=0
python3 "$here/check-chaos.py" "$here/data/chaos-pass" >"$tmp/pass.out" ||
	{ cat "$tmp/pass.out"; echo "selftest-chaos: FAIL: the recorded passing run does not pass"; exit 1; }
# the refusal judge on made-up rows: what SPEC 3.3 calls stuck must be flagged in time,
# and a balloon that is slow but moves, or a verdict that came, must not be blamed
python3 - "$here/check-chaos.py" <<'PY' || fails=$((fails + 1))
import importlib.util, sys
spec = importlib.util.spec_from_file_location("check_chaos", sys.argv[1])
cc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cc)

def rows(actual, target, stuck_from=None, n=40, step_ms=300):
    """a shrink to target at row 1; actual(i) is the allocation at row i"""
    out = [{"time_ms": 0, "target_kib": 150000, "actual_kib": 150000, "reason": "hold"}]
    for i in range(1, n):
        stuck = stuck_from is not None and i >= stuck_from
        a = actual(i)
        out.append({"time_ms": i * step_ms, "actual_kib": a,
                    "target_kib": a if stuck else target, "reason": "stuck" if stuck else "shrink"})
    return out

cases = [  # name, rows, whether the judge must find a verdict missing
    ("refused, never flagged", rows(lambda i: 150000, 120000), True),
    ("refused, flagged at 5.1 s", rows(lambda i: 150000, 120000, stuck_from=18), False),
    ("refused, flagged only at 9 s", rows(lambda i: 150000, 120000, stuck_from=30), True),
    ("slow: 1.2 % of the gap each 5 s", rows(lambda i: 150000 - 22 * i, 120000, n=80), False),
    ("moves, then stops for 15 s", rows(lambda i: 150000 - 4000 * min(i, 10), 100000, n=80), True),
    ("followed", rows(lambda i: 120000, 120000), False),
]
bad = 0
for name, r, want in cases:
    got = bool(cc.refusals_unflagged(r, 1000))
    print(f"selftest-chaos: {'ok' if got == want else 'FAIL'}: judge: {name} (late={got})")
    bad += got != want
sys.exit(1 if bad else 0)
PY
while IFS='|' read -r name file expr want; do
	rm -rf "$tmp/run"
	cp -r "$here/data/chaos-pass" "$tmp/run"
	sed -i -e "$expr" "$tmp/run/out/$file"
	rc=0
	out=$(python3 "$here/check-chaos.py" "$tmp/run") || rc=$?
	if [ "$rc" = 1 ] && grep -q "^FAIL: .*$want" <<<"$out"; then
		echo "selftest-chaos: ok: $name"
	else
		echo "selftest-chaos: FAIL: case '$name' (exit $rc)"
		grep "^FAIL" <<<"$out" || true
		fails=$((fails + 1))
	fi
done <<<"$cases"
[ "$fails" = 0 ]
