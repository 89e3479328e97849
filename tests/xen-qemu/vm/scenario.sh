# scenario.sh: the end-to-end scenario of issue 6, run by dom0's init. It drives the guests and
# mmserver and records facts (facts.txt) and logs in $XQ_OUT, then sends them all to the host
# over the console. It judges nothing: the host's check.py does, from what comes back.
. /xq/dom0-lib.sh

# Sizes for 160 MiB guests (maxmem 512 MiB): the pool is the managed guests' boot sizes together; the floor
# keeps a busybox guest alive (shared/xen-qemu: 64 MiB panicked a 128 MiB guest, 96 was fine);
# the load steps to 64 MiB and ramps to 136 MiB, well past the ~105 MiB MemTotal it boots with.
# params.sh (images.sh) may override floor_mib, free_mib and mono_args.
pool_mib=$((3 * guest_mem_mib))
mono_args=${mono_args:-"--step 8M --interval-ms 1000 64M 136M"}
# mmserver's period and its stale limit, given explicitly so the checks know them.
interval_ms=1000
stale_intervals=10
# The guest whose mmclient is killed (SIGKILL) while domu1's load runs, and restarted.
victim=domu3
# domu4: out of mmserver's scope (--exclude domu4); the admin sizes it with xl mem-set.
admin_guest=domu4
domu4_mem_mib=$guest_mem_mib
domu4_set_mib=112
SC_GUESTS="$XQ_GUESTS $admin_guest"
server_args="--policy tax -N ${pool_mib}M -f ${free_mib}M --floor ${floor_mib}M
	--interval $interval_ms --stale-intervals $stale_intervals $XQ_SERVER_SCOPE -d $XQ_OUT/logs -v"
# The load that must be answered once a killed mmserver is back: domu2 ramps past its MemTotal
# at domu1's pace (16 MiB every 0.5 s outran the merged mmserver's first rounds: the guest's
# OOM killer ended the load 1.4 s in, with its target 1.4 MiB up).
mono2_args="--step 8M --interval-ms 1000 64M 112M"

fact() { echo "$*" >>"$XQ_OUT/facts.txt"; say "fact $*"; }

# boot_failed WHY: the emulated machine did not get far enough to test anything.
boot_failed() {
	say "boot-failed reason=$1"
	fact "boot_failed reason=$1"
}

all_guests_state() { # STATE: every guest of the scenario has published STATE
	for g in $SC_GUESTS; do
		[ "$(xq_state "$g")" = "$1" ] || return 1
	done
}

perms() { # FILE: every guest's memory/ listing with permissions
	for g in $SC_GUESTS; do
		echo "== $g domid=$(xq_domid "$g")"
		xenstore-ls -p "/local/domain/$(xq_domid "$g")/memory"
	done >"$XQ_OUT/$1"
}

reports_in() { # every managed guest's report node holds a report
	for g in $XQ_GUESTS; do
		case "$(xsr "/local/domain/$(xq_domid "$g")/memory/report")" in v=1*) ;; *) return 1 ;; esac
	done
}

# target_of NAME: the guest's target now (KiB); 0 when unreadable, so arithmetic never fails
target_of() {
	_v=$(xsr "/local/domain/$(xq_domid "$1")/memory/target")
	echo "${_v:-0}"
}

mono_done() { xsr "/local/domain/$(xq_domid domu1)/data/xq-mono" | grep -q '^done'; }
mono2_done() { xsr "/local/domain/$(xq_domid domu2)/data/xq-mono" | grep -q '^done'; }
domu2_grew() { [ "$(target_of domu2)" -gt $((base2 + 8192)) ]; }

# Memory flowed back once domu1 gave up half of its rise and each idle guest got back half of
# what it lent. Peaks and lows come from the samples taken during the load.
flowed_back() {
	t1=$(target_of domu1) t2=$(target_of domu2) t3=$(target_of domu3)
	[ $((t1 - base1)) -le $(((peak1 - base1) / 2)) ] &&
		[ $((base2 - t2)) -le $(((base2 - low2) / 2)) ] &&
		[ $((base3 - t3)) -le $(((base3 - low3) / 2)) ]
}

# keeps peak1, low2, low3 and domu4's extremes (the admin's guest) up to date
sample_targets() {
	t1=$(target_of domu1) t2=$(target_of domu2) t3=$(target_of domu3) t4=$(target_of domu4)
	[ "$t1" -gt "$peak1" ] && peak1=$t1
	[ "$t2" -lt "$low2" ] && low2=$t2
	[ "$t3" -lt "$low3" ] && low3=$t3
	[ "$t4" -gt "$max4" ] && max4=$t4
	[ "$t4" -lt "$min4" ] && min4=$t4
	return 0
}

# last_row NAME: "time_ms reason" of the guest's last row in mmserver's log ("" before one)
last_row() {
	awk -F'\t' '/^time_ms/ { for (i = 1; i <= NF; i++) if ($i == "reason") c = i; next }
		/^#/ { next } c { t = $1; r = $c } END { if (t) print t, r }' "$XQ_OUT/logs/$1.log" 2>/dev/null
}

# The victim has lent memory: its target is 4 MiB below where it stood before the load.
victim_lent() { [ "$(target_of $victim)" -lt $((base3 - 4096)) ]; }
# mmserver's last row for the victim says stale / says something else, after T_MS.
victim_stale() { last_row $victim | grep -q ' stale$'; }
victim_rejoined() {
	set -- $(last_row $victim)
	[ $# -eq 2 ] && [ "$1" -gt "$t_restart" ] && [ "$2" != stale ]
}
never() { return 1; }

run() {
	fact "params guest_mem_mib=$guest_mem_mib guest_maxmem_mib=$guest_maxmem_mib" \
		"pool_mib=$pool_mib floor_mib=$floor_mib free_mib=$free_mib mono=\"$mono_args\"" \
		"interval_ms=$interval_ms stale_intervals=$stale_intervals victim=$victim" \
		"domu4_mem_mib=$domu4_mem_mib domu4_set_mib=$domu4_set_mib scope=\"$XQ_SERVER_SCOPE\""
	xl info >"$XQ_OUT/xl-info.txt" 2>&1
	fact "dom0_up t_ms=$(now_ms) uptime_s=$(uptime_s)"

	# 1. Guests first: each starts mmclient before mmserver exists.
	xq_create_guests
	xq_create_guests $admin_guest
	fact "guests_created t_ms=$(now_ms) uptime_s=$(uptime_s)"
	for g in $SC_GUESTS; do
		fact "guest name=$g domid=$(xq_domid "$g")"
	done
	if ! wait_every 1 240 all_guests_state retrying; then
		xl list >"$XQ_OUT/xl-list.txt" 2>&1
		boot_failed "guests not up in 240 s: $(for g in $SC_GUESTS; do printf '%s=%s ' $g "$(xq_state $g)"; done)"
		return
	fi
	fact "guests_retrying t_ms=$(now_ms) uptime_s=$(uptime_s)"
	say "stage=guests-up"
	perms perms-before.txt

	# 2. mmserver, tax policy, a pool that fits, logs.
	xq_start_server $server_args
	fact "server_started t_ms=$(now_ms) pid=$(cat /run/mmserver.pid)"
	if wait_for 60 reports_in; then
		fact "reports_in t_ms=$(now_ms)"
	else
		fact "reports_missing t_ms=$(now_ms)"
	fi
	perms perms-after.txt
	if [ -f /etc/xenmm/mmserver.conf ]; then
		# installed from our package: the page and metrics mmserver.service serves
		page=$(wget -q -O - http://127.0.0.1:9091/ 2>/dev/null | grep -c uPlot)
		info=$(wget -q -O - http://127.0.0.1:9091/metrics 2>/dev/null |
			sed -n 's/^xenmm_build_info{version="\([^"]*\)",xen="\([a-z]*\)".*/version=\1 xen=\2/p')
		fact "packaged_http page_uplot_refs=${page:-0} ${info:-build_info=missing}"
	fi

	# 3. A hostile guest: domu2 against domu1's report and both targets.
	res=$(xq_send domu2 30 attack "$(xq_domid domu1)") || res="no-answer"
	fact "attack from=domu2 to=domu1 $res"
	after=$(xsr "/local/domain/$(xq_domid domu1)/memory/report")
	case "$after" in *seq=999999*) v=forged ;; *) v=intact ;; esac
	fact "peer_report_after_attack state=$v"

	# 4. The admin sizes domu4, which is out of mmserver's scope: it must keep that target.
	t=$(now_ms)
	rc=0
	xl mem-set domu4 "${domu4_set_mib}m" >"$XQ_OUT/xl-mem-set-domu4.log" 2>&1 || rc=$?
	# (t_ms: xl starts; t_done_ms: it returned, its write is in xenstore)
	fact "admin_mem_set name=domu4 t_ms=$t t_done_ms=$(now_ms) rc=$rc target_kib=$(target_of domu4)"
	min4=$(target_of domu4) max4=$(target_of domu4)

	# 5. Idle for a few rounds, then the load in domu1.
	sleep 5
	base1=$(target_of domu1) base2=$(target_of domu2) base3=$(target_of domu3)
	peak1=$base1 low2=$base2 low3=$base3
	fact "baseline t_ms=$(now_ms) domu1=$base1 domu2=$base2 domu3=$base3 domu4=$(target_of domu4)"
	xq_send domu1 20 sample >/dev/null
	# The load step, on dom0's clock: the command goes out at t_send_ms. The guest stamps
	# its own start on its own clock (PV guests' clocks drift from dom0's under TCG).
	t_send=$(now_ms)
	res=$(xq_send domu1 20 mono $mono_args) || res="no-answer"
	fact "load_started t_send_ms=$t_send t_ack_ms=$(now_ms) guest=\"$res\""

	# 6. While the load runs: the victim's mmclient dies once it has lent memory; mmserver
	# must flag it stale within stale_intervals and hold it while the others balance; then
	# a new mmclient, which must be taken back.
	if wait_every 0.5 60 sampled_victim_lent; then
		fact "victim_lent t_ms=$(now_ms) name=$victim target_kib=$(target_of $victim)"
	else
		fact "victim_not_lent t_ms=$(now_ms) name=$victim target_kib=$(target_of $victim)"
	fi
	t_send=$(now_ms)
	res=$(xq_send $victim 20 kill-client) || res="no-answer"
	fact "client_killed name=$victim t_send_ms=$t_send t_ack_ms=$(now_ms) guest=\"$res\""
	if wait_every 0.5 $((3 * stale_intervals * interval_ms / 1000)) sampled_victim_stale; then
		fact "stale_seen name=$victim t_ms=$(now_ms) row=\"$(last_row $victim)\""
	else
		fact "stale_not_seen name=$victim t_ms=$(now_ms) row=\"$(last_row $victim)\""
	fi
	wait_every 0.5 5 sampled_never # held for a few rounds
	t_restart=$(now_ms)
	res=$(xq_send $victim 20 start-client) || res="no-answer"
	fact "client_restarted name=$victim t_send_ms=$t_restart t_ack_ms=$(now_ms) guest=\"$res\""
	if wait_every 0.5 30 sampled_victim_rejoined; then
		fact "rejoined name=$victim t_ms=$(now_ms) row=\"$(last_row $victim)\""
	else
		fact "not_rejoined name=$victim t_ms=$(now_ms) row=\"$(last_row $victim)\""
	fi

	if wait_every 0.5 240 sampled_mono_done; then
		fact "load_done t_ms=$(now_ms) guest=\"$(xsr "/local/domain/$(xq_domid domu1)/data/xq-mono")\""
	else
		fact "load_not_done t_ms=$(now_ms) after_s=240"
	fi
	fact "extremes domu1_peak=$peak1 domu2_low=$low2 domu3_low=$low3"

	# 7. After the ramp down the memory should come back (tau decays 1/10 per round).
	if wait_every 0.5 120 sampled_flowed_back; then
		fact "flowed_back t_ms=$(now_ms) $(xq_targets)"
	else
		fact "not_flowed_back t_ms=$(now_ms) $(xq_targets)"
	fi

	# 8. Chaos (issue 12): mmserver killed with SIGKILL mid-run. The guests must keep their
	# memory while it is gone; a new mmserver (same logs) picks up the hypervisor's state and
	# balances again: a short load in domu2 must be answered.
	# (the targets are read once it is gone: until then it may still write one)
	res=$(xq_kill_server)
	fact "server_kill t_ms=$(now_ms) $res $(xq_targets)"
	sleep 3
	fact "server_dead t_ms=$(now_ms) $(xq_targets)"
	t=$(now_ms)
	xq_start_server $server_args
	fact "server_restarted t_ms=$t pid=$(cat /run/mmserver.pid 2>/dev/null)"
	base2=$(target_of domu2)
	t_send=$(now_ms)
	res=$(xq_send domu2 20 mono $mono2_args) || res="no-answer"
	fact "load2_started t_send_ms=$t_send t_ack_ms=$(now_ms) base_kib=$base2 guest=\"$res\""
	if wait_every 0.5 60 domu2_grew; then
		fact "load2_answered t_ms=$(now_ms) domu2=$(target_of domu2)"
	else
		fact "load2_not_answered t_ms=$(now_ms) domu2=$(target_of domu2)"
	fi
	wait_every 0.5 60 mono2_done || true

	# 9. Chaos: a managed guest destroyed while mmserver runs. It must drop the domain
	# (no error), keep a row for the others in every round, and balance them.
	t=$(now_ms)
	rc=0
	xl destroy domu3 >"$XQ_OUT/xl-destroy-domu3.log" 2>&1 || rc=$?
	fact "guest_destroyed name=domu3 t_ms=$t rc=$rc"
	if wait_for 20 grep -q "msg=domain-dropped domid=$(xq_domid domu3) " "$XQ_OUT/mmserver.err"; then
		fact "guest_dropped name=domu3 t_ms=$(now_ms)"
	else
		fact "guest_not_dropped name=domu3 t_ms=$(now_ms)"
	fi
	sleep 5
	fact "domu4_target min_kib=$min4 max_kib=$max4 end_kib=$(target_of domu4) t_ms=$(now_ms)"

	# 10. mmserver's memory on a real dom0 after the run (issue 13's footprint, which
	# bench/footprint measures on the simulator); then SIGTERM: mmserver must exit 0 by
	# itself; then the clients.
	pid=$(cat /run/mmserver.pid 2>/dev/null)
	fact "server_memory $(awk '/^(VmRSS|RssAnon|RssFile):/ {printf "%s_kib=%s ", tolower($1), $2}' \
		"/proc/${pid:-0}/status" 2>/dev/null | tr -d ':')http=$(grep -c mmserver-http "/proc/${pid:-0}/maps" 2>/dev/null)"
	fact "server_sigterm t_ms=$(now_ms) $(xq_stop_server)"
	for g in $SC_GUESTS; do
		[ "$g" = domu3 ] && continue
		res=$(xq_send "$g" 20 stop) || res="no-answer"
		fact "client_stop name=$g $res"
	done
	fact "scenario_done t_ms=$(now_ms)"
}

sampled_mono_done() { sample_targets; mono_done; }
sampled_victim_lent() { sample_targets; victim_lent; }
sampled_victim_stale() { sample_targets; victim_stale; }
sampled_victim_rejoined() { sample_targets; victim_rejoined; }
sampled_never() { sample_targets; never; }
sampled_flowed_back() { sample_targets; flowed_back; }

run
send_results
