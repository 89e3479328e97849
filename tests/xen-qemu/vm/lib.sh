# lib.sh: shell helpers for busybox sh inside the VM, shared by dom0 and the guests.
# Time helpers and polling only; nothing here talks to Xen beyond xenstore-read.

# Unix time in ms. busybox date has no %N, but adjtimex prints tv_usec; dom0
# and PV guests read the same Xen wall clock, so their stamps compare.
now_ms() {
	adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 } END { printf "%d%03d\n", s, int(u / 1000) }'
}

# wait_for SECONDS COMMAND...: polls every 0.2 s; 0 once COMMAND succeeds, 1 on timeout.
wait_for() {
	_left=$(($1 * 5))
	shift
	while [ "$_left" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		_left=$((_left - 1))
	done
	return 1
}

xsr() { xenstore-read "$@" 2>/dev/null; }

uptime_s() { cut -d' ' -f1 /proc/uptime; }
