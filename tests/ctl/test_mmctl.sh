#!/bin/bash
# mmctl and mmserver as installed programs (issue 17): the socket's mode and
# group, every mmctl verb and exit code, a reservation held while a command
# runs, refusals with their explanation, and what mmserver refuses at start.
# The simulator runs in real time, so a reservation takes a few seconds.
set -u
MMSERVER=$1 MMCTL=$2 SRC=$3
work=$(mktemp -d /tmp/test_mmctl.XXXXXX)
sock=$work/ctl/mmserver.sock
fails=0
srv=
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

check() { # check NAME EXPECTED_RC ACTUAL_RC [FILE PATTERN]
	local ok=1
	[ "$2" = "$3" ] || ok=0
	if [ $ok = 1 ] && [ $# -ge 5 ] && ! grep -q -- "$5" "$4"; then ok=0; fi
	if [ $ok = 1 ]; then echo "ok   $1"; else
		echo "FAIL $1: rc=$3 (want $2)${5:+, want '$5' in $4}"; sed 's/^/     /' "${4:-/dev/null}" | head -20
		fails=$((fails + 1))
	fi
}

export MMCTL_SOCKET=$sock
"$MMCTL" status >"$work/o" 2>"$work/e"; check "no server: exit 3" 3 $? "$work/e" "cannot reach mmserver"
"$MMCTL" >"$work/o" 2>"$work/e"; check "no verb: exit 2" 2 $?
"$MMCTL" reserve 12 >"$work/o" 2>"$work/e"; check "size under 1M: exit 2" 2 $? "$work/e" "at least 1M"
"$MMCTL" reserve 1G --for 'a b' >"$work/o" 2>"$work/e"; check "bad name: exit 2" 2 $?
"$MMCTL" reserve 1G --timeout 2d >"$work/o" 2>"$work/e"; check "bad time: exit 2" 2 $?
"$MMCTL" --help >"$work/o"; check "--help: exit 0" 0 $? "$work/o" "Exit status"
"$MMSERVER" --backend sim --scenario "$SRC/tests/ctl/data/resv-socket.json" --control ctl.sock \
	-q >"$work/o" 2>"$work/e"; check "relative --control: exit 2" 2 $? "$work/e" "absolute path"

mkdir -p "$work/ctl"
: >"$sock"
"$MMSERVER" --backend sim --scenario "$SRC/tests/ctl/data/resv-socket.json" --control "$sock" \
	-d "$work/logs0" -q >"$work/o" 2>"$work/e"
check "a file in the way is not removed: exit 1" 1 $? "$work/e" "not a socket"
rm -f "$sock"

group=$(id -gn)
"$MMSERVER" --backend sim --scenario "$SRC/tests/ctl/data/resv-socket.json" --control "$sock" \
	--control-group "$group" --duration 100 -d "$work/logs" >"$work/server.out" 2>"$work/server.err" &
srv=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
check "socket mode 0660" 660 "$(stat -c %a "$sock" 2>/dev/null)"
check "socket group" "$group" "$(stat -c %G "$sock" 2>/dev/null)"
"$MMSERVER" --backend sim --scenario "$SRC/tests/ctl/data/resv-socket.json" --control "$sock" \
	-d "$work/logs2" -q >"$work/o" 2>"$work/e"
check "a second server on the socket: exit 1" 1 $? "$work/e" "another mmserver answers there"

"$MMCTL" ping >"$work/o"; check "ping" 0 $? "$work/o" "ok pong"
sleep 2 # a few rounds: the guests have reported
"$MMCTL" reserve 1G --for vm9 --timeout 30s >"$work/o" 2>"$work/e"
check "reserve met: exit 0" 0 $? "$work/o" "^met id=1 size_kib=1048576 found_kib=1048576"
"$MMCTL" status >"$work/o"; check "status shows it held" 0 $? "$work/o" "reservation id=1 state=held"
grep -q "^ok reservations=1 reserved_kib=1048576 " "$work/o"; check "status: reserved_kib" 0 $?
"$MMCTL" release 1 >"$work/o"; check "release" 0 $? "$work/o" "ok id=1 released"
"$MMCTL" release 1 >"$work/o" 2>"$work/e"; check "release again: exit 1" 1 $? "$work/e" "no live reservation"
"$MMCTL" reserve 30G >"$work/o" 2>"$work/e"
check "refused: exit 1 with the reason" 1 $? "$work/e" "^failed id=2 why=refused size_kib=31457280"
grep -q '^domain name="vm1" domid=1 .*can_give_kib=' "$work/e"; check "refused: who held what" 0 $?
"$MMCTL" reserve 512M -- sh -c "\"$MMCTL\" status" >"$work/o" 2>"$work/e"
check "held while the command runs" 0 $? "$work/o" "reservation id=3 state=held .*attached=yes"
"$MMCTL" status >"$work/o"; check "ended when mmctl left" 0 $? "$work/o" "^ok reservations=0 reserved_kib=0"
"$MMCTL" reserve 512M -- sh -c 'exit 7' >"$work/o" 2>"$work/e"; check "the command's status" 7 $?

# README's xl wrapper, as printed there, with a stand-in xl that reports
# what it saw: the memory must be held for the guest while xl runs
sed -n '/^    #!\/bin\/sh/,/exec mmctl/p' "$SRC/README.rst" | sed 's/^    //' >"$work/xl-create"
mkdir -p "$work/bin"
ln -sf "$(readlink -f "$MMCTL")" "$work/bin/mmctl"
printf '#!/bin/sh\nmmctl status >"%s/xl.saw"; echo "xl $*"; exit 3\n' "$work" >"$work/bin/xl"
chmod +x "$work/xl-create" "$work/bin/xl"
printf 'name = "web4"\nmemory = 700\n' >"$work/web4.cfg"
PATH="$work/bin:$PATH" sh "$work/xl-create" "$work/web4.cfg" -q >"$work/o" 2>"$work/e"
check "README wrapper: xl's status" 3 $? "$work/o" "^xl create $work/web4.cfg -q"
grep -q "reservation id=[0-9]* state=held size_kib=716800 .*for=web4 .*attached=yes" "$work/xl.saw"
check "README wrapper: 700M held for web4 while xl ran" 0 $?

kill "$srv"; wait "$srv"; rc=$?; srv=
check "SIGTERM: exit 0" 0 $rc
[ ! -e "$sock" ]; check "socket removed at exit" 0 $?
grep -q 'msg=reservation id=3 state=ended end=gone' "$work/server.err"; check "log: gone" 0 $?
grep -q 'msg=reservation id=2 state=ended end=refused' "$work/server.err"; check "log: refused" 0 $?
echo "failures=$fails"
[ "$fails" = 0 ]
