#!/bin/sh
# /init of the bench guests of issue 13 (tests/xen-qemu/run-bench13.sh): runs bench_reaction
# (bench/xen) on this guest's real kernel, baseline mmclient (A) against this tree's (B), both
# with the xenstore double (a domain has one memory/report, so two real clients could not both
# write theirs), at the sizes on the kernel command line (xqb_sizes=64,256 xqb_steps=N
# xqb_idle_s=S). Every result line goes to the console ("XB: ..."), which dom0's xenconsoled
# keeps; data/xq-bench13 says when it is over. It judges nothing.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
. /lib.sh
say() { echo "XB: $* up_s=$(uptime_s)"; }
arg() { for w in $(cat /proc/cmdline); do case $w in "$1="*) echo "${w#*=}" ;; esac; done; }
meminfo() { awk '/^(MemTotal|MemFree|MemAvailable):/ { printf "%s_kib=%s ", $1, $2 }' /proc/meminfo | tr -d ':'; }

steps=$(arg xqb_steps)
idle_s=$(arg xqb_idle_s)
psi=absent
[ -e /proc/pressure/memory ] && psi=present
say "up domid=$(xsr domid) psi=$psi cmdline=\"$(cat /proc/cmdline)\" $(meminfo)"
# The emulation's cost for plain user-space work: the same command is timed on the host.
t0=$(now_ms)
dd if=/dev/zero bs=1M count=64 2>/dev/null | md5sum >/dev/null
say "calib md5_64mib_ms=$(($(now_ms) - t0))"
bench=$(cat /bench13/paths) # "BENCH_REACTION CLIENT_A CLIENT_B" at their build paths
set -- $bench
for size in $(arg xqb_sizes | tr , ' '); do
	say "reaction begin size_mib=$size steps=$steps t_ms=$(now_ms) $(meminfo)"
	"$1" "$2" "$3" "$steps" "$size" "$idle_s" 2>/tmp/reaction-$size.err |
		while read -r l; do say "reaction size_mib=$size $l"; done
	say "reaction end size_mib=$size t_ms=$(now_ms)" \
		"psi_trigger_lines=$(grep -c 'event=psi_trigger' /tmp/reaction-$size.err)" \
		"err_lines=$(wc -l </tmp/reaction-$size.err)"
	idle_s=0 # the idle figures once, before the first size
done
xenstore-write data/xq-bench13 done
say "done"
while :; do sleep 3600; done
