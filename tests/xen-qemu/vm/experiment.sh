# experiment.sh: the on/off experiment of issue 14, run by dom0's init (xq=experiment).
# For each condition in turn (params.sh: exp_conditions, e.g. "off:none on:tax"): fresh guests,
# mmserver with that policy, swap on in domu1 (a Xen virtual disk from dom0), a swap logger in
# every guest, a warm-up, then memcached + mm_bench_mc in domu1 (key space larger than its boot
# memory) while the others idle; then stop, keep the logs, destroy the guests. It judges
# nothing: xenmm-experiment reads what comes back (exp/<condition>/ in the results).
#
# Swap: a brd RAM disk in dom0 (/dev/ram0, dom0's own memory, outside the guests' pool),
# exported to domu1 by blkback as xvdb. Not zram: zram compresses into the guest's own RAM, so
# a shortage would partly vanish (the benchmark's values compress) and swapping would cost no
# I/O; a virtual disk makes "off" pay what a real guest pays: page-outs through the split
# block driver. The lab has no disk, hence RAM behind it.
. /xq/dom0-lib.sh

pool_mib=$((3 * guest_mem_mib))
fact() { echo "$*" >>"$XQ_OUT/facts.txt"; say "fact $*"; }
boot_failed() {
	say "boot-failed reason=$1"
	fact "boot_failed reason=$1"
}

reports_in() {
	for g in $XQ_GUESTS; do
		case "$(xsr "/local/domain/$(xq_domid "$g")/memory/report")" in v=1*) ;; *) return 1 ;; esac
	done
}
mc_done() { xsr "/local/domain/$(xq_domid domu1)/data/xq-mc" | grep -q '^done'; }

# One condition: NAME POLICY. Its files go to $XQ_OUT/exp/NAME.
condition() {
	name=$1 policy=$2 d=$XQ_OUT/exp/$1
	mkdir -p "$d"
	rm -f /run/xq-domid.* /run/mmserver.pid /run/mmserver.rc
	# A fresh swap disk each time: brd keeps every page written to it in dom0's memory until
	# it is unloaded (measured: a 160 MiB disk filled by "off" and three xl create at once,
	# about 95 MiB each, made dom0 run out of memory for the next condition).
	insmod /lib/modules/brd.ko rd_nr=1 rd_size=$((exp_swap_mib * 1024)) max_part=0 ||
		{ boot_failed "brd (the swap RAM disk) did not load (condition $name)"; return 1; }
	fact "cond_start name=$name policy=$policy t_ms=$(now_ms)"
	say "stage=cond-start name=$name policy=$policy"
	for g in $XQ_GUESTS; do
		cfg=/xq/guests/$g.cfg
		[ "$g" = domu1 ] && cfg=/xq/guests/domu1-swap.cfg
		xl create "$cfg" >"$d/xl-create-$g.log" 2>&1 &
	done
	wait
	if ! wait_every 1 240 xq_all_guests_state retrying; then
		boot_failed "guests not up in 240 s (condition $name)"
		return 1
	fi
	fact "cond_guests_up name=$name t_ms=$(now_ms) swap_disk=/dev/ram0 size_mib=$exp_swap_mib"
	xq_start_server --policy "$policy" -N "${pool_mib}M" -f "${free_mib}M" --floor "${floor_mib}M" \
		-d "$d/logs" -v
	wait_for 60 reports_in || fact "reports_missing name=$name"
	res=$(xq_send domu1 60 swapon) || res=no-answer
	fact "swapon name=$name guest=\"$res\""
	for g in $XQ_GUESTS; do
		xq_send "$g" 20 swaplog >/dev/null || fact "swaplog_no_answer name=$name guest=$g"
	done
	sleep "$exp_warmup_s"
	t=$(now_ms)
	res=$(xq_send domu1 30 mc $exp_mc_args) || res=no-answer
	fact "workload_start name=$name t_ms=$t guest=\"$res\""
	say "stage=workload name=$name"
	if wait_every 1 "$((exp_duration_s + 300))" mc_done; then
		fact "workload_done name=$name t_ms=$(now_ms) guest=\"$(xsr "/local/domain/$(xq_domid domu1)/data/xq-mc")\""
	else
		fact "workload_not_done name=$name t_ms=$(now_ms)"
	fi
	sleep 2
	fact "cond_server_sigterm name=$name t_ms=$(now_ms) $(xq_stop_server)"
	mv "$XQ_OUT/mmserver.out" "$XQ_OUT/mmserver.err" "$d/" 2>/dev/null
	for g in $XQ_GUESTS; do
		xl destroy "$g" >>"$d/xl-destroy.log" 2>&1
	done
	sleep 1
	for g in $XQ_GUESTS; do
		cp "/var/log/xen/console/guest-$g.log" "$d/console-$g.log" 2>/dev/null
		: >"/var/log/xen/console/guest-$g.log"
	done
	wait_for 20 rmmod brd || fact "brd_busy name=$name"
	free >"$d/dom0-free.txt"
	fact "cond_end name=$name t_ms=$(now_ms)"
	say "stage=cond-end name=$name"
}

run() {
	fact "params guest_mem_mib=$guest_mem_mib guest_maxmem_mib=$guest_maxmem_mib pool_mib=$pool_mib" \
		"floor_mib=$floor_mib free_mib=$free_mib swap_mib=$exp_swap_mib conditions=\"$exp_conditions\"" \
		"mc=\"$exp_mc_args\" warmup_s=$exp_warmup_s duration_s=$exp_duration_s"
	xl info >"$XQ_OUT/xl-info.txt" 2>&1
	insmod /lib/modules/xen-blkback.ko || { boot_failed "xen-blkback did not load"; return; }
	for c in $exp_conditions; do
		condition "${c%%:*}" "${c#*:}" || return
	done
	fact "experiment_done t_ms=$(now_ms)"
}

run
send_results
