#!/bin/sh
# script/deploy-deb.sh without guests: its usage errors (exit 2), the commands
# it would run (dry run), and one result line per host with the exit status
# when the copy or the install fails or succeeds (SCP/SSH set to true/false,
# the only stand-ins: no sshd runs here).
set -eu
d=$(cd "$(dirname "$0")/../.." && pwd)/script/deploy-deb.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
deb=$tmp/xenmm-client_0_amd64.deb
: >"$deb"
fail() { echo "test_deploy: FAIL: $*"; exit 1; }
rc() { set +e; "$@" >"$tmp/out" 2>&1; r=$?; set -e; echo $r; }

[ "$(rc "$d" "$deb")" = 2 ] || fail "no host accepted"
[ "$(rc "$d" "$tmp/nothere.deb" g1)" = 2 ] || fail "missing deb accepted"
[ "$(rc "$d" "$tmp" g1)" = 2 ] || fail "a folder accepted as a .deb"
[ "$(rc "$d" -j x "$deb" g1)" = 2 ] || fail "--jobs x accepted"
[ "$(rc "$d" -l 'a b' "$deb" g1)" = 2 ] || fail "bad login accepted"
[ "$(rc "$d" --bogus "$deb" g1)" = 2 ] || fail "unknown option accepted"

[ "$(rc "$d" -n -l admin "$deb" g1 g2)" = 0 ] || fail "dry run"
grep -q "^scp -o BatchMode=yes $deb admin@g2:/tmp/xenmm-client_0_amd64.deb$" "$tmp/out" ||
	fail "dry run scp line: $(cat "$tmp/out")"
grep -q "admin@g1 'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/" "$tmp/out" ||
	fail "dry run ssh line: $(cat "$tmp/out")"

[ "$(SCP=true SSH=false rc "$d" -j 3 "$deb" g1 g2 g3)" = 1 ] || fail "failed installs not reported"
[ "$(grep -c 'result=failed rc=1' "$tmp/out")" = 3 ] || fail "want 3 failed lines: $(cat "$tmp/out")"
[ "$(SCP=false SSH=true rc "$d" "$deb" g1)" = 1 ] || fail "failed copy not reported"
[ "$(SCP=true SSH=true rc "$d" "$deb" g1 g2 'x y')" = 1 ] || fail "bad host name not reported"
grep -q '^host=g2 result=ok rc=0' "$tmp/out" || fail "ok line: $(cat "$tmp/out")"
grep -q 'why=bad_host_name' "$tmp/out" || fail "bad host line: $(cat "$tmp/out")"
[ "$(SCP=true SSH=true rc "$d" "$deb" g1 g2)" = 0 ] || fail "all ok must exit 0"
echo "test_deploy: ok"
