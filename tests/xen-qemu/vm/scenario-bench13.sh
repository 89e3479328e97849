# scenario-bench13.sh: issue 13's two measurements on a real Xen, run by dom0's init with
# xq=bench13 (tests/xen-qemu/run-bench13.sh). Three parts, each leaving raw lines in $XQ_OUT:
# 1. the floor: a plain xenstore write and its watch event, timed in dom0 (ping.txt);
# 2. report -> target written: mmserver balances domu1 and domu2 on a pool just big enough
#    that domu1's 64 MiB steps move the targets; xq_watch13 stamps every report and target
#    event on one xenstore connection (watch.txt), while domu1 holds 64 MiB and lets go in turn;
# 3. mmclient's reaction: two bench guests (PSI as the Debian kernel has it, and psi=0) run bench_reaction
#    (vm/bench13-domu-init.sh); their consoles come back with the logs.
# It judges nothing: bench/xen/lab_report.py makes the tables.
. /xq/dom0-lib.sh
. /xq/bench13.params
XQ_GUESTS="domu1 domu2"

fact() { echo "$*" >>"$XQ_OUT/facts.txt"; say "fact $*"; }

used_kib() { # the used memory (tot - free) in NAME's report
	xsr "/local/domain/$(xq_domid "$1")/memory/report" |
		awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		     END { if (v["tot"] != "" && v["free"] != "") print v["tot"] - v["free"] }'
}

reports_in() { [ -n "$(used_kib domu1)" ] && [ -n "$(used_kib domu2)" ]; }

floor() {
	xq_watch13 ping "$b13_pings" >"$XQ_OUT/ping.txt" 2>"$XQ_OUT/ping.err"
	fact "ping rc=$? lines=$(grep -c '^ping' "$XQ_OUT/ping.txt")"
}

latency() {
	xq_create_guests domu1 domu2
	if ! wait_every 1 240 xq_all_guests_state retrying; then
		fact "boot_failed guests"
		return
	fi
	# mmserver grants the report nodes; first an observer, to learn domu1's use at rest.
	xq_start_server --policy none -d "$XQ_OUT/logs-observe"
	if ! wait_for 60 reports_in; then
		fact "no_reports $(xq_stop_server)"
		return
	fi
	sleep 5
	u=$(used_kib domu1)
	# The balloon holds more than MemTotal shows (the kernel and what it reserved: about 57 MiB
	# in the first run), and mmserver counts free memory in MemTotal's terms. So f covers that
	# gap plus 48 MiB, and each share is u + 64 MiB + the gap + 24 MiB: at rest every guest has
	# f free (tau 0, equal shares) and domu1's 64 MiB fits before any target moves; after the
	# step domu1 needs u + 64 MiB + f, 24 MiB more than its share, so the round moves both
	# targets, and again on the way down.
	gap=$(xsr "/local/domain/$(xq_domid domu1)/memory/report" |
		awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		     END { print v["balloon_cur"] - v["tot"] }')
	free_kib=$((gap + 48 * 1024))
	pool_kib=$((2 * (u + 64 * 1024 + gap + 24 * 1024)))
	fact "observer_stop $(xq_stop_server)"
	fact "latency_setup used_kib=$u gap_kib=$gap pool_kib=$pool_kib free_kib=$free_kib floor_mib=64" \
		"steps=$b13_lat_steps"
	xq_start_server --policy tax -N "${pool_kib}K" -f "${free_kib}K" --floor 64M -d "$XQ_OUT/logs"
	sleep 10
	secs=$((b13_lat_steps * 2 * b13_hold_s + 30))
	xq_watch13 watch "$secs" "$(xq_domid domu1)" "$(xq_domid domu2)" >"$XQ_OUT/watch.txt" \
		2>"$XQ_OUT/watch.err" &
	wpid=$!
	sleep 2
	c1=$(xq_send domu1 30 client-cpu) c2=$(xq_send domu2 30 client-cpu)
	i=0
	while [ $i -lt "$b13_lat_steps" ]; do
		xq_send domu1 30 static -i 60000 64M >/dev/null
		sleep "$b13_hold_s"
		xq_send domu1 30 unload >/dev/null
		sleep "$b13_hold_s"
		i=$((i + 1))
	done
	fact "client_cpu guest=domu1 role=stepping before: $c1 after: $(xq_send domu1 30 client-cpu)"
	fact "client_cpu guest=domu2 role=beside before: $c2 after: $(xq_send domu2 30 client-cpu)"
	kill "$wpid" 2>/dev/null
	wait "$wpid"
	fact "latency_done lines=$(wc -l <"$XQ_OUT/watch.txt") $(xq_stop_server)"
	xl destroy domu1
	xl destroy domu2
}

# One bench guest at a time: the two never share the emulated CPUs.
reaction() {
	for g in bench-psi bench-nopsi; do
		xl create "/xq/guests/$g.cfg" >"$XQ_OUT/xl-create-$g.log" 2>&1 || fact "create_failed $g"
		bench_done() { [ "$(xsr "/local/domain/$(xq_domid "$g")/data/xq-bench13")" = done ]; }
		if wait_every 5 "$b13_reaction_timeout_s" bench_done; then
			fact "reaction_done guest=$g t_ms=$(now_ms)"
		else
			fact "reaction_timeout guest=$g s=$b13_reaction_timeout_s"
		fi
		cp "/var/log/xen/console/guest-$g.log" "$XQ_OUT/" 2>/dev/null
		xl destroy "$g"
	done
}

fact "bench13 start t_ms=$(now_ms) $(awk '/MemTotal|MemFree/ { printf "%s%s ", $1, $2 }' /proc/meminfo)"
case " $b13_parts " in *" floor "*) floor ;; esac
case " $b13_parts " in *" latency "*) latency ;; esac
case " $b13_parts " in *" reaction "*) reaction ;; esac
fact "bench13 end t_ms=$(now_ms)"
send_results
