#!/usr/bin/env bash
# script/deploy-deb.sh: usage errors, dry run, per-host failure against
# closed ports on 127.0.0.1 with the real ssh client, and a success path
# whose transport runs the command here (dpkg --no-act: nothing installed).
set -uo pipefail
src=${XENMM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
d=$src/script/deploy-deb.sh
tmp=$(mktemp -d /tmp/xenmm-deploy-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # name, condition...
  local name=$1; shift
  if "$@"; then echo "PASS $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
closed_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

mkdir -p "$tmp/p/DEBIAN"
printf 'Package: xenmm-deploy-test\nVersion: 1.0\nArchitecture: all\nMaintainer: xenmm tests <tests@localhost>\nDescription: empty package for the deploy-deb.sh test\n' \
  > "$tmp/p/DEBIAN/control"
dpkg-deb --root-owner-group --build "$tmp/p" "$tmp/t.deb" > /dev/null

out=$(bash "$d" -p "$tmp/t.deb" 2>&1); rc=$?
check "no host: exit 2" [ $rc = 2 ]
check "no host: says so" grep -q "no HOST given" <<< "$out"
out=$(bash "$d" -p "$tmp/none.deb" h1 2>&1); rc=$?
check "missing package: exit 2 and names it" [ $rc = 2 -a "${out#*none.deb\': no such}" != "$out" ]
echo junk > "$tmp/junk.deb"
out=$(bash "$d" -p "$tmp/junk.deb" h1 2>&1); rc=$?
check "not a deb: exit 2" [ $rc = 2 ]
check "not a deb: says so" grep -q "not a .deb" <<< "$out"
out=$(bash "$d" -p "$tmp/t.deb" 'bad host;rm' 2>&1); rc=$?
check "bad host name: exit 2" [ $rc = 2 ]

out=$(cd "$tmp" && bash "$d" -n -p t.deb -l dry root@guest1 ssh://root@guest2:2222); rc=$?
check "dry run: exit 0" [ $rc = 0 ]
check "dry run: a result per host" [ "$(grep -c 'result=dry-run package=xenmm-deploy-test' <<< "$out")" = 2 ]
check "dry run: shows the copy" grep -q "ssh://root@guest2:2222: would run: ssh .* ssh://root@guest2:2222 'cat > /tmp/xenmm-deploy-" <<< "$out"
check "dry run: shows dpkg -i" grep -q "guest1: would run: .*dpkg -i" <<< "$out"

p1=$(closed_port); p2=$(closed_port)
t0=$(date +%s)
out=$(cd "$tmp" && bash "$d" -p t.deb -t 3 -l down ssh://root@127.0.0.1:"$p1" ssh://root@127.0.0.1:"$p2"); rc=$?
echo "$out"
check "unreachable: exit 1" [ $rc = 1 ]
check "unreachable: each host failed at copy" [ "$(grep -c 'result=failed step=copy rc=255' <<< "$out")" = 2 ]
check "unreachable: the reason" grep -q 'why="ssh: connect to host 127.0.0.1 port [0-9]*: Connection refused"' <<< "$out"
check "unreachable: summary" grep -q "hosts=2 failed=2" <<< "$out"
check "unreachable: in parallel, quick" [ $(( $(date +%s) - t0 )) -lt 20 ]

# Success path: a transport that runs the remote command on this machine
# (no sshd here); dpkg itself is real, with --no-act.
cat > "$tmp/here-ssh" <<'SH'
#!/bin/sh
for last; do :; done
exec sh -c "$last"
SH
chmod +x "$tmp/here-ssh"
out=$(cd "$tmp" && bash "$d" --ssh "$tmp/here-ssh" --no-act -p t.deb -l ok here1 here2); rc=$?
echo "$out"
check "no-act: exit 0" [ $rc = 0 ]
check "no-act: ok per host" [ "$(grep -c 'result=ok package=xenmm-deploy-test step=install' <<< "$out")" = 2 ]
check "no-act: dpkg ran" grep -q "Selecting previously unselected package xenmm-deploy-test" "$tmp"/ok/here1.log
check "no-act: nothing installed" sh -c '! dpkg -s xenmm-deploy-test > /dev/null 2>&1'
check "no-act: copy removed" sh -c '! ls /tmp/xenmm-deploy-*-t.deb > /dev/null 2>&1'

if [ $fails != 0 ]; then echo "$fails failed"; exit 1; fi
echo "all passed"
