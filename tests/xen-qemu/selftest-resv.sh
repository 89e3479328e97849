#!/usr/bin/env bash
# selftest-resv.sh: proves check-resv.py can fail. data/resv-pass holds the facts of a real
# passing run; each case breaks one fact in a copy and expects that check to FAIL.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cases=$(
	cat <<'CASES'
room left|s/^\(before .*\)host_free_kib=[0-9]*/\1host_free_kib=900000/|taken Xen's free memory
not met|s/^\(reserve \)rc=0/\1rc=1/|mmctl exits 0 with met
nothing held|s/^\(status_held .*\)reservations=1/\1reservations=0/|status while held
no domu4|/^domu4_reports/d|xl create of the fourth guest
not claimed|s/^\(status_after .*\)claimed_total=1/\1claimed_total=0/|claimed by domu4
stalled|s/^\(balancing .*rounds_after=\)[0-9]*/\10/|kept balancing
no explanation|s/domain_lines=[0-9]*/domain_lines=0/|a line per domain
sigterm|s/^\(server_sigterm .*\)rc=0/\1rc=timeout/|SIGTERM
CASES
)
fails=0
python3 "$here/check-resv.py" "$here/data/resv-pass" >/dev/null ||
	{ echo "selftest-resv: FAIL: the recorded passing run does not pass"; exit 1; }
while IFS='|' read -r name expr want; do
	rm -rf "$tmp/run"
	cp -r "$here/data/resv-pass" "$tmp/run"
	sed -i "$expr" "$tmp/run/out/facts.txt"
	rc=0
	out=$(python3 "$here/check-resv.py" "$tmp/run") || rc=$?
	if [ "$rc" = 1 ] && grep -q "^FAIL: .*$want" <<<"$out"; then
		echo "selftest-resv: ok: $name"
	else
		echo "selftest-resv: FAIL: case '$name' (exit $rc)"
		fails=$((fails + 1))
	fi
done <<<"$cases"
[ "$fails" = 0 ]
