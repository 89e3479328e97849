# scenario-chaos.sh: issue 12's chaos on a real Xen, run by dom0's init with xq=chaos
# (tests/xen-qemu/run-chaos.sh). Three managed guests and domu4 out of scope (created while
# mmserver runs). 1. domu2 turns hostile: its mmclient stopped, xq_hostile writes its own
# report (garbage, 1 PiB, negative, a replay, 100 per second, past 512 bytes) while domu1
# runs a load. 2. domu3 is given its own floor (config, SIGHUP); its RAM is pinned by a file
# on a ramfs while domu1's load asks for memory: mmserver must see it in domu3's report and
# ask for no more; then, with a report that overstates what domu3 can give, a shrink it
# refuses must be flagged stuck. 3. xenstored stopped (SIGSTOP) for a few seconds, then
# continued. It records facts (facts.txt), mmserver's CPU ticks from /proc/PID/stat, and
# xenstore samples of every target; check-chaos.py judges them.
. /xq/dom0-lib.sh

pool_mib=$((3 * guest_mem_mib))
interval_ms=1000
stale_intervals=10
# domu1's load: it needs the memory the others have (as in scenario.sh)
load_args="--step 8M --interval-ms 1000 64M 136M"
# domu3 pins all its free memory but this much (MiB) when its balloon must not move
fill_leave_mib=20
xs_stop_s=6
reserve_mib=64
# domu3's own floor, set (config and SIGHUP) before its RAM is pinned, as an admin sets one for
# a guest whose memory cannot all be taken back. A report that hides the pinned memory may ask
# domu3 for everything down to its floor; under TCG domu3 gave up memory to about 140.6 MiB
# with its 16 MiB holder alive, lived at 127 MiB once the holder was killed, and panicked when
# asked for 123 MiB with the global 112 MiB floor (CI at 50bad40). At 136 MiB a refusal stays
# within what killing the holder frees.
domu3_floor_mib=136
conf=$XQ_OUT/mmserver.conf
server_args="--policy tax -N ${pool_mib}M -f ${free_mib}M --floor ${floor_mib}M --reserve ${reserve_mib}M
	--interval $interval_ms --stale-intervals $stale_intervals $XQ_SERVER_SCOPE -d $XQ_OUT/logs -v
	-c $conf"

fact() { echo "$*" >>"$XQ_OUT/facts.txt"; say "fact $*"; }

reports_in() {
	for g in $XQ_GUESTS; do
		case "$(xsr "/local/domain/$(xq_domid "$g")/memory/report")" in v=1*) ;; *) return 1 ;; esac
	done
}

target_of() {
	_v=$(xsr "/local/domain/$(xq_domid "$1")/memory/target")
	echo "${_v:-0}"
}

# mmserver's CPU time so far, in clock ticks (utime + stime, fields 14 and 15 of stat)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$(cat /run/mmserver.pid)/stat" 2>/dev/null || echo -1; }

rounds() { [ -f "$XQ_OUT/logs/rounds.tsv" ] && grep -vc '^#\|^time_ms' "$XQ_OUT/logs/rounds.tsv" || echo 0; }

# last_reason NAME: the reason of the guest's last row in mmserver's log
last_reason() {
	awk -F'\t' '/^time_ms/ { for (i = 1; i <= NF; i++) if ($i == "reason") c = i; next }
		/^#/ { next } c { r = $c } END { print r }' "$XQ_OUT/logs/$1.log" 2>/dev/null
}

# The sampler: every 0.5 s "t_ms domu1 domu2 domu3" targets from xenstore, in samples.txt.
start_sampler() {
	(
		while [ ! -e /run/xq-sampler.stop ]; do
			echo "$(now_ms) $(target_of domu1) $(target_of domu2) $(target_of domu3)"
			sleep 0.5
		done
	) >>"$XQ_OUT/samples.txt" 2>/dev/null &
}

guest_done() { # GUEST NODE: data/NODE of the guest says done
	xsr "/local/domain/$(xq_domid "$1")/data/$2" | grep -q '^done'
}

# window NAME T0_MS TICKS0: a fact with the wall time and mmserver's CPU over it
window() {
	_t1=$(now_ms) _c1=$(cpu_ticks)
	fact "cpu_$1 t0_ms=$2 t1_ms=$_t1 wall_ms=$((_t1 - $2)) ticks=$((_c1 - $3)) rounds=$(rounds)"
}

run() {
	fact "params guest_mem_mib=$guest_mem_mib guest_maxmem_mib=$guest_maxmem_mib" \
		"pool_mib=$pool_mib floor_mib=$floor_mib free_mib=$free_mib interval_ms=$interval_ms" \
		"stale_intervals=$stale_intervals reserve_mib=$reserve_mib fill_leave_mib=$fill_leave_mib xs_stop_s=$xs_stop_s" \
		"domu3_floor_mib=$domu3_floor_mib" \
		"clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100) scope=\"$XQ_SERVER_SCOPE\""
	xq_create_guests
	if ! wait_every 1 240 xq_all_guests_state retrying; then
		fact "boot_failed guests"
		say "boot-failed reason=guests not up in 240 s"
		return
	fi
	for g in $XQ_GUESTS; do fact "guest name=$g domid=$(xq_domid "$g")"; done
	echo "# chaos: domu3's floor comes with a reload before its RAM is pinned" >"$conf"
	xq_start_server $server_args
	fact "server_started t_ms=$(now_ms) pid=$(cat /run/mmserver.pid)"
	# domu4, out of scope, is created while mmserver runs (overlapping the hostile phase)
	(xq_create_guests domu4) &
	create4=$!
	if wait_for 60 reports_in; then fact "reports_in t_ms=$(now_ms)"; else fact "reports_missing"; fi
	start_sampler
	sleep 3

	# 0. A quiet window: mmserver's CPU with well-behaved guests.
	t0=$(now_ms) c0=$(cpu_ticks)
	sleep 8
	window quiet "$t0" "$c0"

	# 1. domu2 turns hostile while domu1 runs a load.
	res=$(xq_send domu2 20 stop) || res="no-answer"
	fact "hostile_client_stopped name=domu2 $res"
	res=$(xq_send domu1 20 mono $load_args) || res="no-answer"
	fact "load1_started t_ms=$(now_ms) guest=\"$res\" base_kib=$(target_of domu1)"
	t0=$(now_ms) c0=$(cpu_ticks)
	res=$(xq_send domu2 20 hostile 10) || res="no-answer"
	fact "hostile_started t_ms=$t0 guest=\"$res\""
	wait_every 1 90 guest_done domu2 xq-hostile || fact "hostile_not_done"
	window hostile "$t0" "$c0"
	fact "hostile_done t_ms=$(now_ms) guest=\"$(xsr "/local/domain/$(xq_domid domu2)/data/xq-hostile")\"" \
		"domu2_reason=$(last_reason domu2) domu1_reason=$(last_reason domu1)"
	wait_every 1 60 guest_done domu1 xq-mono || fact "load1_not_done"
	fact "load1_done t_ms=$(now_ms) guest=\"$(xsr "/local/domain/$(xq_domid domu1)/data/xq-mono")\""
	res=$(xq_send domu2 20 start-client) || res="no-answer"
	fact "hostile_client_restarted name=domu2 t_ms=$(now_ms) $res"
	wait $create4
	fact "domu4_created t_ms=$(now_ms) $(grep domu4 "$XQ_OUT/xl-create.txt")"

	# 2. domu3's RAM is pinned (a file on a ramfs: the kernel can neither reclaim nor swap it)
	# while domu1's load asks for memory. Every process of the lab's guests is exempt from the
	# OOM killer, so domu3 keeps a holder it may kill (run 2 of issue 12 without one: "System
	# is deadlocked on memory", domu3's kernel panicked 3 s after mmserver held it).
	echo "floor.domu3 = ${domu3_floor_mib}M" >>"$conf"
	t=$(now_ms)
	kill -HUP "$(cat /run/mmserver.pid)"
	if wait_for 10 grep -q 'msg=reloaded' "$XQ_OUT/mmserver.err"; then
		fact "floor_set name=domu3 floor_mib=$domu3_floor_mib t_ms=$t reloaded=yes"
	else
		fact "floor_set name=domu3 floor_mib=$domu3_floor_mib t_ms=$t reloaded=no"
	fi
	res=$(xq_send domu3 20 static 16M) || res="no-answer"
	fact "holder name=domu3 $res"
	sleep 2
	res=$(xq_send domu3 20 snapshot) || res="no-answer"
	fact "snapshot name=domu3 $res"
	res=$(xq_send domu3 60 fill "$fill_leave_mib") || res="no-answer"
	fact "filled name=domu3 t_ms=$(now_ms) $res"
	# 2a. domu3's own report says it: Cached counts the ramfs, MemAvailable does not, and
	# mmserver counts only MemAvailable as free. It must ask domu3 for no more than that.
	sleep 3
	xenstore-write "/local/domain/$(xq_domid domu1)/data/xq-mono" ""
	res=$(xq_send domu1 20 mono $load_args) || res="no-answer"
	fact "load2_started t_ms=$(now_ms) guest=\"$res\""
	wait_every 1 60 guest_done domu1 xq-mono || fact "load2_not_done"
	fact "load2_done t_ms=$(now_ms) domu3_reason=$(last_reason domu3)" \
		"report=\"$(xsr "/local/domain/$(xq_domid domu3)/memory/report" | cut -d' ' -f3-5)\""
	# 2b. A report that overstates what domu3 can give (its client now reads a copy of /proc and
	# of the balloon's size from before the fill; the 2013 client's nodes have no MemAvailable
	# either): mmserver's shrink is refused, and it must see that (stuck) and hold domu3 at its
	# allocation.
	sleep 3
	res=$(xq_send domu3 30 stale-client) || res="no-answer"
	fact "stale_client name=domu3 t_ms=$(now_ms) $res"
	sleep 2
	xenstore-write "/local/domain/$(xq_domid domu1)/data/xq-mono" ""
	res=$(xq_send domu1 20 mono $load_args) || res="no-answer"
	fact "load3_started t_ms=$(now_ms) guest=\"$res\""
	_stuck() { [ "$(last_reason domu3)" = stuck ]; }
	if wait_every 0.5 60 _stuck; then
		fact "stuck_seen name=domu3 t_ms=$(now_ms) target_kib=$(target_of domu3)"
	else
		fact "stuck_not_seen name=domu3 t_ms=$(now_ms) reason=$(last_reason domu3)"
	fi
	wait_every 1 60 guest_done domu1 xq-mono || fact "load3_not_done"
	fact "load3_done t_ms=$(now_ms)"
	res=$(xq_send domu3 20 unfill) || res="no-answer"
	fact "unfilled name=domu3 $res"
	res=$(xq_send domu3 20 stop) || res="no-answer"
	res=$(xq_send domu3 20 start-client) || res="no-answer"
	fact "client_restarted name=domu3 $res"
	fact "domu3_after state=$(xl list domu3 2>/dev/null | awk 'NR == 2 { print $5 }')" \
		"oom_kills=$(grep -c 'Killed process' /var/log/xen/console/guest-domu3.log)" \
		"panics=$(grep -c 'Kernel panic' /var/log/xen/console/guest-domu3.log)"

	# 3. xenstored stops answering for a while (SIGSTOP), then comes back (SIGCONT). Nothing
	# here may touch xenstore meanwhile (it would hang too).
	xs_pid=$(cat /run/xenstored.pid)
	r0=$(rounds)
	t0=$(now_ms) c0=$(cpu_ticks)
	kill -STOP "$xs_pid"
	sleep "$xs_stop_s"
	window xs_stopped "$t0" "$c0"
	t1=$(now_ms)
	kill -CONT "$xs_pid"
	fact "xs_stopped pid=$xs_pid t0_ms=$t0 t1_ms=$t1 rounds_before=$r0"
	_resumed() { [ "$(rounds)" -gt "$((r0 + 3))" ]; }
	if wait_every 0.5 60 _resumed; then
		fact "xs_resumed t_ms=$(now_ms) rounds=$(rounds) alive=$(xq_server_running && echo yes || echo no)"
	else
		fact "xs_not_resumed t_ms=$(now_ms) rounds=$(rounds)"
	fi
	sleep 3

	# 4. domu4 (out of scope) must have no report node: mmserver never wrote it.
	id4=$(xq_domid domu4)
	xenstore-ls -p "/local/domain/$id4/memory" >"$XQ_OUT/perms-domu4.txt" 2>&1
	fact "domu4_memory domid=$id4 report_node=$(grep -c '^report ' "$XQ_OUT/perms-domu4.txt")" \
		"state=$(xq_state domu4) target_kib=$(target_of domu4) provisioned_lines=$(grep -c "report-node-provisioned domid=$id4 " "$XQ_OUT/mmserver.err")"

	touch /run/xq-sampler.stop
	fact "server_sigterm t_ms=$(now_ms) $(xq_stop_server)"
	fact "scenario_done t_ms=$(now_ms)"
}

run
send_results
