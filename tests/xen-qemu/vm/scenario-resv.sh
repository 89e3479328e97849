# scenario-resv.sh: issue 17 on a real Xen, run by dom0's init with xq=resv. Three guests
# balanced on an auto pool (they grow into Xen's free memory), then mmctl reserves room for a
# fourth, xl creates it, and a reservation that cannot be met is asked for. It records facts
# (facts.txt) and logs in $XQ_OUT and sends them to the host; check-resv.py judges them.
. /xq/dom0-lib.sh

fact() { echo "$*" >>"$XQ_OUT/facts.txt"; say "fact $*"; }

host_free_kib() { xl info 2>/dev/null | awk '/^free_memory/ { print $3 * 1024 }'; }

rounds() { [ -f "$XQ_OUT/logs/rounds.tsv" ] && grep -vc '^#' "$XQ_OUT/logs/rounds.tsv" || echo 0; }

reports_in() {
	for g in $XQ_GUESTS; do
		case "$(xsr "/local/domain/$(xq_domid "$g")/memory/report")" in v=1*) ;; *) return 1 ;; esac
	done
}

domu4_reports() {
	_id=$(xl domid domu4 2>/dev/null) || return 1
	case "$(xsr "/local/domain/$_id/memory/report")" in v=1*) return 0 ;; esac
	return 1
}

# Xen's free memory is down to the reserve plus a little: the guests took the room.
room_taken() { [ "$(host_free_kib)" -lt $(((64 + guest_mem_mib / 2) * 1024)) ]; }

run() {
	fact "params guest_mem_mib=$guest_mem_mib guest_maxmem_mib=$guest_maxmem_mib" \
		"floor_mib=$floor_mib free_mib=$free_mib"
	xq_create_guests
	if ! wait_every 1 240 xq_all_guests_state retrying; then
		fact "boot_failed guests"
		say "boot-failed reason=guests not up in 240 s"
		return
	fi
	# An auto pool: the balancer hands the guests Xen's free memory (up to their maxmem).
	xq_start_server --policy tax -f "${free_mib}M" --floor "${floor_mib}M" -d "$XQ_OUT/logs" -v
	wait_for 60 reports_in && fact "reports_in t_ms=$(now_ms)"
	wait_every 1 120 room_taken
	fact "before t_ms=$(now_ms) host_free_kib=$(host_free_kib) rounds=$(rounds) $(xq_targets)"

	# 1. Room for domu4, held until it is created.
	t0=$(now_ms)
	mmctl reserve "${guest_mem_mib}M" --for domu4 --timeout 120s --lease 300s \
		>"$XQ_OUT/mmctl-reserve.out" 2>"$XQ_OUT/mmctl-reserve.err"
	rc=$?
	fact "reserve rc=$rc t_ms=$(now_ms) wait_ms=$(($(now_ms) - t0)) host_free_kib=$(host_free_kib)" \
		"$(head -n1 "$XQ_OUT/mmctl-reserve.out")"
	mmctl status >"$XQ_OUT/mmctl-status-held.out" 2>&1
	fact "status_held $(head -n1 "$XQ_OUT/mmctl-status-held.out")"
	xl create /xq/guests/domu4.cfg >"$XQ_OUT/xl-create-domu4.log" 2>&1
	fact "create_domu4 rc=$? t_ms=$(now_ms)"
	r0=$(rounds)
	if wait_every 1 240 domu4_reports; then
		fact "domu4_reports t_ms=$(now_ms)"
	else
		fact "domu4_silent t_ms=$(now_ms)"
	fi
	sleep 10
	mmctl status >"$XQ_OUT/mmctl-status-after.out" 2>&1
	fact "status_after $(head -n1 "$XQ_OUT/mmctl-status-after.out")"
	fact "balancing rounds_before=$r0 rounds_after=$(rounds) $(xq_targets)"

	# 2. Far more than the host could ever free: refused at once, with who held what.
	mmctl reserve 8G --for domu5 --timeout 60s >"$XQ_OUT/mmctl-refused.out" 2>"$XQ_OUT/mmctl-refused.err"
	rc=$?
	fact "refused rc=$rc domain_lines=$(grep -c '^domain name=' "$XQ_OUT/mmctl-refused.err")" \
		"$(head -n1 "$XQ_OUT/mmctl-refused.err")"

	fact "server_sigterm t_ms=$(now_ms) $(xq_stop_server)"
	fact "scenario_done t_ms=$(now_ms)"
}

# Every file in $XQ_OUT as base64 lines with a count and an md5 (the format boot.py reads).
send_results() {
	cp /var/log/xen/console/guest-*.log "$XQ_OUT/" 2>/dev/null
	xl list >"$XQ_OUT/xl-list-end.txt" 2>&1
	tar czf /tmp/results.tgz -C /xq out
	n=$(base64 </tmp/results.tgz | wc -l)
	say "archive-begin lines=$n"
	base64 </tmp/results.tgz | awk '{ print "XQB " NR " " $0 }'
	say "archive-end lines=$n md5=$(md5sum </tmp/results.tgz | cut -d' ' -f1)"
}

run
send_results
