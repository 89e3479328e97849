# scenario.sh: the end-to-end scenario of issue 6, run by dom0's init. It drives the guests and
# mmserver and records facts (facts.txt) and logs in $XQ_OUT, then sends them all to the host
# over the console. It judges nothing: the host's check.py does, from what comes back.
. /xq/dom0-lib.sh

# Sizes for 160 MiB guests (maxmem 512 MiB): the pool is their boot sizes together; the floor
# keeps a busybox guest alive (shared/xen-qemu: 64 MiB panicked a 128 MiB guest, 96 was fine);
# the load steps to 64 MiB and ramps to 136 MiB, well past the ~105 MiB MemTotal it boots with.
# params.sh (images.sh) may override floor_mib, free_mib and mono_args.
pool_mib=$((3 * guest_mem_mib))
mono_args=${mono_args:-"--step 8M --interval-ms 1000 64M 136M"}

fact() { echo "$*" >>"$XQ_OUT/facts.txt"; say "fact $*"; }

# boot_failed WHY: the emulated machine did not get far enough to test anything.
boot_failed() {
	say "boot-failed reason=$1"
	fact "boot_failed reason=$1"
}

perms() { # FILE: every guest's memory/ listing with permissions
	for g in $XQ_GUESTS; do
		echo "== $g domid=$(xq_domid "$g")"
		xenstore-ls -p "/local/domain/$(xq_domid "$g")/memory"
	done >"$XQ_OUT/$1"
}

reports_in() { # every guest's report node holds a report
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

# Memory flowed back once domu1 gave up half of its rise and each idle guest got back half of
# what it lent. Peaks and lows come from the samples taken during the load.
flowed_back() {
	t1=$(target_of domu1) t2=$(target_of domu2) t3=$(target_of domu3)
	[ $((t1 - base1)) -le $(((peak1 - base1) / 2)) ] &&
		[ $((base2 - t2)) -le $(((base2 - low2) / 2)) ] &&
		[ $((base3 - t3)) -le $(((base3 - low3) / 2)) ]
}

sample_targets() { # keeps peak1, low2, low3 up to date while the load runs
	t1=$(target_of domu1) t2=$(target_of domu2) t3=$(target_of domu3)
	[ "$t1" -gt "$peak1" ] && peak1=$t1
	[ "$t2" -lt "$low2" ] && low2=$t2
	[ "$t3" -lt "$low3" ] && low3=$t3
	return 0
}

run() {
	fact "params guest_mem_mib=$guest_mem_mib guest_maxmem_mib=$guest_maxmem_mib" \
		"pool_mib=$pool_mib floor_mib=$floor_mib free_mib=$free_mib mono=\"$mono_args\""
	xl info >"$XQ_OUT/xl-info.txt" 2>&1
	fact "dom0_up t_ms=$(now_ms) uptime_s=$(uptime_s)"

	# 1. Guests first: each starts mmclient before mmserver exists.
	xq_create_guests
	for g in $XQ_GUESTS; do
		fact "guest name=$g domid=$(xq_domid "$g")"
	done
	if ! wait_every 1 240 xq_all_guests_state retrying; then
		xl list >"$XQ_OUT/xl-list.txt" 2>&1
		boot_failed "guests not up in 240 s: $(for g in $XQ_GUESTS; do printf '%s=%s ' $g "$(xq_state $g)"; done)"
		return
	fi
	fact "guests_retrying t_ms=$(now_ms) uptime_s=$(uptime_s)"
	say "stage=guests-up"
	perms perms-before.txt

	# 2. mmserver, tax policy, a pool that fits, logs.
	xq_start_server --policy tax -N "${pool_mib}M" -f "${free_mib}M" --floor "${floor_mib}M" \
		-d "$XQ_OUT/logs" -v
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

	# 4. Idle for a few rounds, then the load in domu1.
	sleep 5
	base1=$(target_of domu1) base2=$(target_of domu2) base3=$(target_of domu3)
	peak1=$base1 low2=$base2 low3=$base3
	fact "baseline t_ms=$(now_ms) domu1=$base1 domu2=$base2 domu3=$base3"
	xq_send domu1 20 sample >/dev/null
	# The load step, on dom0's clock: the command goes out at t_send_ms. The guest stamps
	# its own start on its own clock (PV guests' clocks drift from dom0's under TCG).
	t_send=$(now_ms)
	res=$(xq_send domu1 20 mono $mono_args) || res="no-answer"
	fact "load_started t_send_ms=$t_send t_ack_ms=$(now_ms) guest=\"$res\""
	if wait_every 0.5 240 sampled_mono_done; then
		fact "load_done t_ms=$(now_ms) guest=\"$(xsr "/local/domain/$(xq_domid domu1)/data/xq-mono")\""
	else
		fact "load_not_done t_ms=$(now_ms) after_s=240"
	fi
	fact "extremes domu1_peak=$peak1 domu2_low=$low2 domu3_low=$low3"

	# 5. After the ramp down the memory should come back (tau decays 1/10 per round).
	if wait_every 0.5 120 sampled_flowed_back; then
		fact "flowed_back t_ms=$(now_ms) $(xq_targets)"
	else
		fact "not_flowed_back t_ms=$(now_ms) $(xq_targets)"
	fi

	# 6. SIGTERM: mmserver must exit 0 by itself; then the clients.
	fact "server_sigterm t_ms=$(now_ms) $(xq_stop_server)"
	for g in $XQ_GUESTS; do
		res=$(xq_send "$g" 20 stop) || res="no-answer"
		fact "client_stop name=$g $res"
	done
	fact "scenario_done t_ms=$(now_ms)"
}

sampled_mono_done() { sample_targets; mono_done; }
sampled_flowed_back() { sample_targets; flowed_back; }

run
send_results
