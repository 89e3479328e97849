#!/usr/bin/env bash
# selftest.sh: proves check.py can fail. data/pass holds the results of a real passing run
# (recorded by run.sh); each case below breaks one fact in a copy and expects that check to
# FAIL (and check.py to exit 1). Needs only python3 and sed: no VM, about 2 s.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name | file under out/ | sed expression | the check that must fail
cases=$(
	cat <<'CASES'
node shared|perms-after.txt|s/(n1)$/(n1,r2)/|report node provisioned
no retry|guest-domu2.log|/report_node_not_granted/d|retry path
forged|facts.txt|s/write_peer_report=denied/write_peer_report=allowed/|another guest's report
no growth|facts.txt|s/guest_mem_mib=160/guest_mem_mib=240/|MemTotal follows
under floor|facts.txt|s/floor_mib=112/floor_mib=120/|never below the floor
over maxmem|facts.txt|s/guest_maxmem_mib=512/guest_maxmem_mib=200/|no target above maxmem
lost row|logs/domu3.log|10d|every round
no flow back|facts.txt|s/^flowed_back /not_flowed_back /|flows back
sigterm|facts.txt|s/^\(server_sigterm .*\)rc=0 /\1rc=timeout /|SIGTERM
crashed|xl-list-end.txt|/^domu2/s/-b----/---sc-/|guests alive
CASES
)

fails=0
out=$(python3 "$here/check.py" "$here/data/pass") || {
	echo "selftest: FAIL: the recorded passing run does not pass:"
	echo "$out"
	exit 1
}
echo "selftest: ok: the recorded run passes"
while IFS='|' read -r name file expr want; do
	rm -rf "$tmp/run"
	cp -r "$here/data/pass" "$tmp/run"
	sed -i "$expr" "$tmp/run/out/$file"
	if cmp -s "$here/data/pass/out/$file" "$tmp/run/out/$file"; then
		echo "selftest: FAIL: case '$name' changed nothing in $file"
		fails=$((fails + 1))
		continue
	fi
	rc=0
	out=$(python3 "$here/check.py" "$tmp/run") || rc=$?
	if [ "$rc" = 1 ] && grep -q "^FAIL: .*$want" <<<"$out"; then
		echo "selftest: ok: $name -> FAIL: ...$want"
	else
		echo "selftest: FAIL: case '$name': exit $rc, no FAIL line for '$want':"
		grep -E "^(PASS|FAIL)" <<<"$out" | sed 's/^/    /'
		fails=$((fails + 1))
	fi
done <<<"$cases"
[ "$fails" = 0 ] || { echo "selftest: $fails case(s) failed"; exit 1; }
