# lib.sh: shell helpers for busybox sh inside the VM, shared by dom0 and the guests.
# Time helpers and polling only; nothing here talks to Xen beyond xenstore-read.

# Unix time in ms. busybox date has no %N, but adjtimex prints tv_usec; dom0
# and PV guests read the same Xen wall clock, so their stamps compare.
now_ms() {
	adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 } END { printf "%d%03d\n", s, int(u / 1000) }'
}

# wait_every POLL_S SECONDS COMMAND...: runs COMMAND every POLL_S seconds until it succeeds
# (0) or SECONDS of uptime have passed (1). The deadline is on the clock, not a count of
# tries, so a slow COMMAND on a busy emulated machine cannot stretch it.
wait_every() {
	_poll=$1
	_end=$(awk -v t="$2" '{ printf "%d", $1 + t }' /proc/uptime)
	shift 2
	while :; do
		"$@" && return 0
		[ "$(cut -d. -f1 /proc/uptime)" -lt "$_end" ] || return 1
		sleep "$_poll"
	done
}

# wait_for SECONDS COMMAND...: wait_every with a 0.2 s poll.
wait_for() { wait_every 0.2 "$@"; }

xsr() { xenstore-read "$@" 2>/dev/null; }

uptime_s() { cut -d' ' -f1 /proc/uptime; }
