# dom0-lib.sh: dom0 helpers shared by the scenario and the interactive shell: start the three
# guests, talk to their init over xenstore (data/xq-cmd, data/xq-ack), start mmserver.
# It checks nothing; scenario.sh records facts and the host judges them.
. /xq/lib.sh
. /xq/params.sh
XQ_OUT=${XQ_OUT:-/xq/out}
XQ_GUESTS="domu1 domu2 domu3"
# domu4 (scenario.sh creates it; scenario-resv.sh too, later) is out of mmserver's scope.
XQ_SERVER_SCOPE="--exclude domu4"

say() { echo "XQ: $*"; }

# xq_domid NAME: the guest's domid. xl is costly under TCG (a libxl context each time), so
# the answer is kept in /run: a domid never changes while the domain lives.
xq_domid() {
	[ -s "/run/xq-domid.$1" ] || xl domid "$1" >"/run/xq-domid.$1" 2>/dev/null ||
		{ rm -f "/run/xq-domid.$1"; return 1; }
	cat "/run/xq-domid.$1"
}

# xq_create_guests [NAME...]: creates the guests (default $XQ_GUESTS) at once (TCG is slow;
# the xl processes overlap). Four at once ran dom0 (389 MiB usable) out of memory, each xl
# holding about 100 MiB while it decompresses the guest kernel, and the OOM killer took one:
# no more than three. Each xl's end goes to $XQ_OUT/xl-create.txt ("name rc=N t_ms=T"), its
# output to $XQ_OUT/xl-create-NAME.log.
xq_create_guests() {
	[ $# -gt 0 ] || set -- $XQ_GUESTS
	for g in "$@"; do
		(
			_rc=0
			xl create "/xq/guests/$g.cfg" >"$XQ_OUT/xl-create-$g.log" 2>&1 || _rc=$?
			echo "$g rc=$_rc t_ms=$(now_ms)" >>"$XQ_OUT/xl-create.txt"
		) &
	done
	wait
}

# xq_state NAME: the state the guest's init published (booted, retrying, ...).
xq_state() {
	_id=$(xq_domid "$1") && xsr "/local/domain/$_id/data/xq-state"
}

xq_all_guests_state() { # STATE: every guest has published STATE
	for g in $XQ_GUESTS; do
		[ "$(xq_state "$g")" = "$1" ] || return 1
	done
}

# xq_send NAME TIMEOUT_S VERB ARGS...: one command to a guest's init; prints its answer.
# Returns 1 when no answer came in time.
xq_send() {
	_g=$1 _t=$2
	shift 2
	_id=$(xq_domid "$_g") || return 1
	_seq=$(($(cat /run/xq.seq 2>/dev/null || echo 0) + 1))
	echo "$_seq" >/run/xq.seq
	xenstore-write "/local/domain/$_id/data/xq-cmd" "$_seq $*"
	_ack() { case "$(xsr "/local/domain/$_id/data/xq-ack")" in "$_seq "*) return 0 ;; esac; return 1; }
	wait_for "$_t" _ack || return 1
	xsr "/local/domain/$_id/data/xq-ack" | cut -d' ' -f2-
}

# With our package unpacked (images.sh XQ_DEBS), the options mmserver.service gives come
# first: the packaged config, the page on loopback, MMSERVER_OPTS from /etc/default/mmserver.
# The lab's own options follow and win.
xq_packaged_server_opts() {
	[ -f /etc/xenmm/mmserver.conf ] || return 0
	# a real dom0 has loopback up before mmserver.service; this initramfs brings it up here
	ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null || true
	MMSERVER_OPTS=""
	[ -r /etc/default/mmserver ] && . /etc/default/mmserver
	echo "-c /etc/xenmm/mmserver.conf --http=127.0.0.1:9091 $MMSERVER_OPTS"
}

# xq_start_server ARGS...: mmserver in the background; stderr and the -v table go to
# $XQ_OUT (appended: a restarted mmserver adds to them). A wrapper keeps its pid and exit
# status in /run, so any shell can stop it.
xq_start_server() {
	# shellcheck disable=SC2046
	set -- $(xq_packaged_server_opts) "$@"
	rm -f /run/mmserver.rc /run/mmserver.pid
	(
		sh -c 'echo $$ >/run/mmserver.pid; exec mmserver "$@"' mmserver "$@" \
			>>"$XQ_OUT/mmserver.out" 2>>"$XQ_OUT/mmserver.err"
		echo $? >/run/mmserver.rc
	) &
	wait_for 5 test -s /run/mmserver.pid
}

xq_server_running() { [ -s /run/mmserver.pid ] && [ ! -e /run/mmserver.rc ]; }

# xq_stop_server: SIGTERM; prints "rc=N wait_ms=M" (rc=timeout after 20 s, then SIGKILL).
xq_stop_server() {
	_pid=$(cat /run/mmserver.pid)
	_t0=$(now_ms)
	kill -TERM "$_pid"
	if wait_for 20 test -e /run/mmserver.rc; then
		echo "rc=$(cat /run/mmserver.rc) wait_ms=$(($(now_ms) - _t0))"
	else
		echo "rc=timeout wait_ms=$(($(now_ms) - _t0))"
		kill -KILL "$_pid"
	fi
}

# xq_kill_server: SIGKILL, as a crash would end it; prints "rc=N wait_ms=M".
xq_kill_server() {
	_pid=$(cat /run/mmserver.pid)
	_t0=$(now_ms)
	kill -KILL "$_pid"
	wait_for 10 test -e /run/mmserver.rc
	echo "rc=$(cat /run/mmserver.rc 2>/dev/null || echo none) wait_ms=$(($(now_ms) - _t0))"
}

# xq_targets: "name=target_kib" for every guest, from xenstore.
xq_targets() {
	for g in $XQ_GUESTS; do
		printf '%s=%s ' "$g" "$(xsr "/local/domain/$(xq_domid "$g")/memory/target")"
	done
	echo
}

# send_results: every file in $XQ_OUT as a tar.gz, base64, one "XQB <n> <text>" line each,
# then a line with the count and the md5 so the host can tell a damaged transfer.
send_results() {
	cp /var/log/xen/console/guest-*.log "$XQ_OUT/" 2>/dev/null
	xl list >"$XQ_OUT/xl-list-end.txt" 2>&1
	xl dmesg 2>&1 | tail -n 300 >"$XQ_OUT/xl-dmesg.txt"
	dmesg | tail -n 200 >"$XQ_OUT/dom0-dmesg.txt"
	tar czf /tmp/results.tgz -C /xq out
	n=$(base64 </tmp/results.tgz | wc -l)
	say "archive-begin lines=$n"
	base64 </tmp/results.tgz | awk '{ print "XQB " NR " " $0 }'
	say "archive-end lines=$n md5=$(md5sum </tmp/results.tgz | cut -d' ' -f1)"
}
