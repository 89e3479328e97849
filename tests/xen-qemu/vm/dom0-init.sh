#!/bin/sh
# /init of dom0: the least of xencommons (Xen modules, xenstored, xen-init-dom0, xenconsoled),
# then the scenario (xq=test on the kernel command line), the on/off experiment
# (xq=experiment), the reservation check (xq=resv), the chaos run (xq=chaos), issue 13's bench
# (xq=bench13, bench/xen/lab.sh), or the guests, mmserver and a shell
# (xq=shell). Output goes to hvc0, which Xen copies to QEMU's serial port.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /run/xen /run/xenstored /var/lib/xenstored /xq/out /var/log/xenmm
mount -t devpts devpts /dev/pts
echo 1 >/proc/sys/kernel/panic_on_oops
. /xq/dom0-lib.sh

say "stage=dom0-init uptime_s=$(uptime_s)"
for m in xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc; do
	insmod "/lib/modules/$m.ko" || say "insmod $m failed"
done
mount -t xenfs xenfs /proc/xen
xenstored --pid-file=/run/xenstored.pid
xen-init-dom0 >/dev/null
# guest consoles land in /var/log/xen/console/guest-<name>.log
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console
say "stage=dom0-up uptime_s=$(uptime_s) t_ms=$(now_ms)"

case " $(cat /proc/cmdline) " in
*" xq=test "*)
	sh /xq/scenario.sh
	say "finished; powering off"
	sync
	poweroff -f
	;;
*" xq=experiment "*)
	sh /xq/experiment.sh
	say "finished; powering off"
	sync
	poweroff -f
	;;
*" xq=resv "*) # issue 17: tests/xen-qemu/run-resv.sh
	sh /xq/scenario-resv.sh
	say "finished; powering off"
	sync
	poweroff -f
	;;
*" xq=chaos "*) # issue 12: tests/xen-qemu/run-chaos.sh
	sh /xq/scenario-chaos.sh
	say "finished; powering off"
	sync
	poweroff -f
	;;
*" xq=bench13 "*) # issue 13's figures on a real kernel: bench/xen/lab.sh
	sh /xq/scenario-bench13.sh
	say "finished; powering off"
	sync
	poweroff -f
	;;
*" xq=shell "*)
	say "starting $XQ_GUESTS (about a minute under TCG)"
	xq_create_guests
	wait_every 1 240 xq_all_guests_state retrying || say "not every guest came up: xl list"
	xq_start_server --policy tax -N "$((3 * guest_mem_mib))M" -f "${free_mib}M" --floor "${floor_mib}M" \
		$XQ_SERVER_SCOPE -d /var/log/xenmm -v
	xq_server_running && say "ready: $XQ_GUESTS up, mmserver running ($XQ_SERVER_SCOPE);" \
		"its logs in /var/log/xenmm"
	xq help
	;;
esac
exec setsid cttyhack sh
