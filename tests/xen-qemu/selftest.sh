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
never stale|logs/domu3.log|s/\tstale$/\thold/|flagged stale
stale too soon|facts.txt|s/^\(client_killed .*t_send_ms=\)1795628544124/\11795628549124/|flagged stale
stale too late|facts.txt|s/t_send_ms=1795628544124 t_ack_ms=1795628545552/t_send_ms=1795628538124 t_ack_ms=1795628539552/|flagged stale
stale elsewhere|logs/domu2.log|0,/\tshrink$/s/\tshrink$/\tstale/|flagged stale
held moved|logs/domu3.log|/\tstale$/s/^\([0-9]*\t[0-9]*\t\)[0-9]*/\1140000/|held at its allocation
others idle|logs/rounds.tsv|s/\t[0-9]*$/\t0/|held at its allocation
no rejoin|logs/domu3.log|/^17956285[6-9]/s/\t[a-z_]*$/\tstale/|rejoins
seq not reset|guest-domu3.log|/event=report seq=1 /{x;s/^/x/;/^xx$/{x;d};x}|rejoins
scope moved|logs/domu4.log|$s/^\([0-9]*\t[0-9]*\t\)[0-9]*/\1131072/|admin's target
scope reason|logs/domu4.log|5s/out_of_scope$/hold/|admin's target
scope xenstore|facts.txt|s/^\(domu4_target .*\)max_kib=114688/\1max_kib=131072/|admin's target
mem-set failed|facts.txt|s/^\(admin_mem_set .*\)rc=0/\1rc=1/|admin's target
memory lost|facts.txt|s/^\(server_dead .*domu2=\)163824/\1150000/|killed -9
from zero|logs/domu1.log|153s/^\([0-9]*\t[0-9]*\t\)[0-9]*/\1204800/|killed -9
no resume|facts.txt|s/^load2_answered /load2_not_answered /|killed -9
not dropped|mmserver.err|/msg=domain-dropped/d|destroyed
ghost rows|logs/domu3.log|$a 1795628625000\t4\t163812\t163812\t0\t0\t0\t0\t0.000000\thold|destroyed
not rebalanced|logs/rounds.tsv|/^17956286[1-9]/s/\t[0-9]*$/\t0/|destroyed
destroyed alive|xl-list-end.txt|$a domu3   4   160   1   -b----   10.0|guests alive
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
