#!/bin/sh
# /init of each guest: starts mmclient at once (before any report node exists, so its retry
# path runs), then obeys the commands dom0 writes to data/xq-cmd ("SEQ VERB ARGS") and answers
# in data/xq-ack ("SEQ RESULT"). It decides nothing: dom0 runs the scenario.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
. /lib.sh
say() { echo "XG: $*"; }

id=$(xsr domid)
say "up domid=$id uptime_s=$(uptime_s) t_ms=$(now_ms) target_kib=$(xsr memory/target)" \
	"static_max_kib=$(xsr memory/static-max)"
# The guest's own pieces must outlive a workload that runs out of memory.
echo -1000 >/proc/self/oom_score_adj

# start_client: mmclient in the background. The subshell keeps its exit status in
# /tmp/mmclient.rc; the pid file gives its pid. Its log is appended to, so the console's
# tail follows a restarted client too. Its stdout is not the caller's, so a command
# substitution around start_client does not wait for mmclient to end. With our package
# unpacked (images.sh XQ_DEBS) it also gets what mmclient.service gives: MMCLIENT_OPTS from
# /etc/default/mmclient, right after --foreground.
MMCLIENT_OPTS=""
[ -r /etc/default/mmclient ] && . /etc/default/mmclient
start_client() {
	rm -f /tmp/mmclient.rc /run/mmclient.pid
	(
		# shellcheck disable=SC2086
		mmclient --foreground $MMCLIENT_OPTS ${XQ_CLIENT_PROC:+--proc "$XQ_CLIENT_PROC"} \
			${XQ_CLIENT_SYS:+--sys "$XQ_CLIENT_SYS"} \
			--verbose --pidfile /run/mmclient.pid \
			2>>/tmp/mmclient.log
		echo $? >/tmp/mmclient.rc
	) </dev/null >/dev/null 2>&1 &
	wait_for 10 test -s /run/mmclient.pid
}

: >/tmp/mmclient.log
start_client
tail -f /tmp/mmclient.log &
say "mmclient started t_ms=$(now_ms)"

# The retry path: without a report node granted by dom0 the first writes fail.
if wait_for 60 grep -q 'report_node_not_granted\|xenstore_unreachable' /tmp/mmclient.log; then
	xenstore-write data/xq-state retrying
else
	xenstore-write data/xq-state "no-retry-seen"
fi

# Prints MemTotal (KiB) with a time stamp whenever it changes, every 0.25 s.
memtotal_sampler() {
	last=""
	while :; do
		kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
		if [ "$kib" != "$last" ]; then
			say "memtotal t_ms=$(now_ms) kib=$kib"
			last=$kib
		fi
		sleep 0.25
	done
}

# attack PEER_DOMID: what a hostile guest would try. Each must be refused.
attack() {
	p=/local/domain/$1/memory
	w=denied r=denied t=denied pt=denied
	xenstore-write "$p/report" "v=1 seq=999999 tot=999999 free=1" 2>/dev/null && w=allowed
	xenstore-read "$p/report" >/dev/null 2>&1 && r=allowed
	xenstore-write memory/target 999999 2>/dev/null && t=allowed
	xenstore-write "$p/target" 999999 2>/dev/null && pt=allowed
	echo "write_peer_report=$w read_peer_report=$r write_own_target=$t write_peer_target=$pt"
}

# mono ARGS...: mm_test_mono in the background; data/xq-mono says when it ends.
mono() {
	t=$(now_ms)
	(
		echo 1000 >/proc/self/oom_score_adj
		mm_test_mono --progress "$@" &
		echo $! >>/tmp/workload.pids
		wait $!
		rc=$?
		say "mono done rc=$rc t_ms=$(now_ms)"
		xenstore-write data/xq-mono "done rc=$rc t_ms=$(now_ms)"
	) >/dev/console 2>&1 &
	echo "started t_ms=$t"
}

# static SIZE: holds SIZE and keeps it hot until unload (for the interactive shell).
static() {
	echo 1000 >/proc/self/oom_score_adj
	mm_test_static --progress "$@" </dev/null >/dev/console 2>&1 &
	echo $! >>/tmp/workload.pids
	echo "started pid=$!"
}

# unload: SIGTERM to every workload started here.
unload() {
	n=0
	for p in $(cat /tmp/workload.pids 2>/dev/null); do
		kill -TERM "$p" 2>/dev/null && n=$((n + 1))
	done
	: >/tmp/workload.pids
	echo "signalled=$n"
}

# stop_client: SIGTERM to mmclient; its exit status once it is gone (10 s at most).
stop_client() {
	t=$(now_ms)
	kill -TERM "$(cat /run/mmclient.pid)" 2>/dev/null
	wait_for 10 test -e /tmp/mmclient.rc
	echo "stopped rc=$(cat /tmp/mmclient.rc 2>/dev/null || echo none) t_ms=$t"
}

# kill_client: SIGKILL to mmclient, as a crash would end it (no goodbye to xenstore); the
# time of the kill on the guest's clock, once the process is gone (10 s at most).
kill_client() {
	pid=$(cat /run/mmclient.pid 2>/dev/null)
	[ -n "$pid" ] || { echo "not-running"; return; }
	kill -KILL "$pid" 2>/dev/null
	t=$(now_ms)
	wait_for 10 test -e /tmp/mmclient.rc
	echo "killed pid=$pid rc=$(cat /tmp/mmclient.rc 2>/dev/null || echo none) t_ms=$t"
}

# restart_client: a new mmclient (its seq starts again at 1), once the old one is gone.
restart_client() {
	[ -e /tmp/mmclient.rc ] || { echo "still-running"; return; }
	t=$(now_ms)
	if start_client; then
		echo "started pid=$(cat /run/mmclient.pid) t_ms=$t"
	else
		echo "start-failed t_ms=$t"
	fi
}

# swapon: the virtual disk dom0 gives domu1 (xvdb) becomes its swap (experiment.sh).
swap_on() {
	insmod /lib/modules/xen-blkfront.ko 2>/dev/null
	wait_for 20 test -b /dev/xvdb || { echo "no_xvdb"; return; }
	mkswap /dev/xvdb >/dev/null 2>&1 && swapon /dev/xvdb ||
		{ echo "swapon_failed"; return; }
	echo "swap_total_kib=$(awk '/^SwapTotal:/ { print $2 }' /proc/meminfo)"
}

# swaplog: mm_util_swap every second to the console ("XG: swap time_ms=..."), where dom0's
# xenconsoled keeps it; the console is the only way out of the guest.
swap_log() {
	(mm_util_swap -i 1000 - | while read -r l; do echo "XG: swap $l"; done) >/dev/console 2>&1 &
	echo "started"
}

# mc ARGS...: memcached on loopback, then mm_bench_mc ARGS against it; every output line to the
# console ("XG: mc ..."); data/xq-mc says when it ends.
mc() {
	ifconfig lo 127.0.0.1 up
	(
		echo 1000 >/proc/self/oom_score_adj
		memcached -u root -m 1024 -U 0 -l 127.0.0.1 -p 11211 -c 64 &
		echo $! >>/tmp/workload.pids
		# listening on 11211 (0x2BCB), state 0A
		wait_for 10 grep -q ':2BCB 00000000:0000 0A' /proc/net/tcp ||
			say "mc memcached_not_listening"
		say "mc start unix_ms=$(now_ms)"
		mm_bench_mc "$@" 2>&1 | while read -r l; do echo "XG: mc $l"; done
		say "mc end unix_ms=$(now_ms)"
		xenstore-write data/xq-mc "done t_ms=$(now_ms)"
	) >/dev/console 2>&1 &
	echo "started t_ms=$(now_ms)"
}

# hostile SCALE: xq_hostile writes this guest's own report (garbage, lies, a flood; issue 12,
# scenario-chaos.sh) with mmclient stopped; data/xq-hostile says when it ends.
hostile() {
	(
		xq_hostile "$@"
		rc=$?
		say "hostile done rc=$rc t_ms=$(now_ms)"
		xenstore-write data/xq-hostile "done rc=$rc t_ms=$(now_ms)"
	) </dev/null >/dev/console 2>&1 &
	echo "started t_ms=$(now_ms)"
}

# fill LEAVE_MIB: pins all free memory but LEAVE_MIB in a file on a ramfs (pages the kernel
# can neither reclaim nor swap; there is no swap either), so the balloon cannot give that
# memory back; the size and meminfo after it. (The initramfs root is a tmpfs capped at half
# the RAM: a fixed 60 MiB did not fit there.)
fill() {
	mkdir -p /xq-fill
	grep -q ' /xq-fill ' /proc/mounts || mount -t ramfs ramfs /xq-fill || { echo "fill_failed mount"; return; }
	n=$(awk -v l="$1" '/^MemFree:/ { printf "%d", $2 / 1024 - l }' /proc/meminfo)
	[ "$n" -gt 0 ] || { echo "fill_failed free_below_leave"; return; }
	printf 'fill_mib=%s ' "$n"
	dd if=/dev/zero of=/xq-fill/pinned bs=1M count="$n" 2>/dev/null ||
		{ echo "fill_failed dd $(df -k /xq-fill | tail -n1)"; return; }
	awk '/^(MemTotal|MemFree|Cached|Shmem):/ { printf "%s_kib=%s ", $1, $2 }' /proc/meminfo |
		tr -d ':'
}

# snapshot: a copy of /proc/meminfo, /proc/vmstat and the balloon's size as they are now, for
# stale-client.
# The balloon's size is copied with meminfo: a report that mixed a live balloon with a frozen
# MemFree would count every page the balloon took as no longer used, so each round would ask
# for more (CI at 50bad40: domu3's target chased from 160 to 123 MiB in 11 s, then its kernel panicked).
balloon_rel=devices/system/xen_memory/xen_memory0/info/current_kb
snapshot() {
	mkdir -p /xq-stale "/xq-stale/sys/${balloon_rel%/*}" &&
		cp /proc/meminfo /proc/vmstat /xq-stale/ &&
		cp "/sys/$balloon_rel" "/xq-stale/sys/$balloon_rel" || { echo "snapshot_failed"; return; }
	awk '/^(MemFree|MemAvailable):/ { printf "%s_kib=%s ", $1, $2 }' /xq-stale/meminfo | tr -d ':'
	echo "balloon_kib=$(cat "/xq-stale/sys/$balloon_rel")"
}

# stale_client: mmclient restarted on the snapshot instead of /proc, so its reports say the
# guest has the memory it had then: a report that overstates what the balloon can take back
# (as the 2013 client's nodes do, which have no MemAvailable). start-client goes back.
stale_client() {
	[ -f /xq-stale/meminfo ] || { echo "no-snapshot"; return; }
	stop_client >/dev/null
	t=$(now_ms)
	XQ_CLIENT_PROC=/xq-stale XQ_CLIENT_SYS=/xq-stale/sys
	if start_client; then
		echo "started pid=$(cat /run/mmclient.pid) proc=/xq-stale sys=/xq-stale/sys t_ms=$t"
	else
		echo "start-failed t_ms=$t"
	fi
	XQ_CLIENT_PROC='' XQ_CLIENT_SYS=''
}

# client_cpu: mmclient's CPU so far (ns, /proc/PID/schedstat) and RSS, with the time (issue 13:
# bench/xen/lab.sh takes two of these around a window).
client_cpu() {
	p=$(cat /run/mmclient.pid 2>/dev/null)
	[ -r "/proc/$p/schedstat" ] || { echo "not-running"; return; }
	echo "ns=$(cut -d' ' -f1 "/proc/$p/schedstat") t_ms=$(now_ms)" \
		"rss_kib=$(awk '/^Rss:/ { print $2 }' "/proc/$p/smaps_rollup")" \
		"hwm_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status")"
}

run_cmd() { # SEQ VERB ARGS...
	seq=$1 verb=$2
	shift 2
	case $verb in
	attack) res=$(attack "$@") ;;
	mono) res=$(mono "$@") ;;
	static) res=$(static "$@") ;;
	unload) res=$(unload) ;;
	sample) (memtotal_sampler >/dev/console 2>&1 &) && res=started ;;
	stop) res=$(stop_client) ;;
	kill-client) res=$(kill_client) ;;
	start-client) res=$(restart_client) ;;
	swapon) res=$(swap_on) ;;
	swaplog) res=$(swap_log) ;;
	mc) res=$(mc "$@") ;;
	hostile) res=$(hostile "$@") ;;
	fill) res=$(fill "$@") ;;
	snapshot) res=$(snapshot) ;;
	stale-client) res=$(stale_client) ;;
	unfill) rm -f /xq-fill/pinned && res="removed" ;;
	client-cpu) res=$(client_cpu) ;;
	*) res="unknown verb=$verb" ;;
	esac
	say "cmd seq=$seq verb=$verb result: $res"
	xenstore-write data/xq-ack "$seq $res"
}

last_seq=""
xenstore-watch data/xq-cmd | while read -r _path; do
	cmd=$(xsr data/xq-cmd)
	set -- $cmd
	[ $# -ge 2 ] && [ "$1" != "$last_seq" ] || continue
	last_seq=$1
	run_cmd "$@"
done
say "command watch ended"
while :; do sleep 3600; done
