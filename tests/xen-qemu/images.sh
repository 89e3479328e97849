#!/usr/bin/env bash
# images.sh BUILD_DIR OUT_DIR: builds the boot images for Xen under QEMU from the host's Debian
# packages and the freshly built xenmm binaries, or our own .debs with XQ_DEBS=DIR (no
# debootstrap, no network): the uncompressed
# hypervisor, the Linux kernel, a dom0 initramfs and a guest initramfs (the latter inside dom0's).
# It does not boot anything (boot.py does) and installs nothing (deps.sh does).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: images.sh BUILD_DIR OUT_DIR}" && pwd)
out=${2:?usage: images.sh BUILD_DIR OUT_DIR}
xenbin=/usr/lib/xen-4.17/bin
# The newest Debian kernel that has both its image in /boot and its Xen modules.
pick_kernel() {
	local v
	for v in $(ls /lib/modules 2>/dev/null | sort -rV); do
		if [ -e "/boot/vmlinuz-$v" ] && [ -e "/lib/modules/$v/kernel/drivers/xen/xenfs/xenfs.ko" ]; then
			echo "$v"
			return
		fi
	done
}
kver=${XQ_KVER:-$(pick_kernel)}
[ -n "$kver" ] || { echo "images.sh: no kernel with Xen modules: run tests/xen-qemu/deps.sh" >&2; exit 2; }
# Guest sizes (MiB). Small, so TCG stays fast; maxmem leaves room to grow past the boot size.
guest_mem_mib=${XQ_GUEST_MEM_MIB:-160}
guest_maxmem_mib=${XQ_GUEST_MAXMEM_MIB:-512}

# XQ_DEBS=DIR: xenmm comes from our own packages in DIR (xenmm-server in dom0, xenmm-client and
# xenmm-tools in the guests), unpacked with dpkg-deb -x (the busybox roots have no dpkg): the
# packaged programs at their packaged paths, with the packaged /etc/xenmm/mmserver.conf (which
# mmserver reads by default) and /etc/default files. Without it, the binaries of BUILD_DIR.
debs=${XQ_DEBS:-}
deb_of() { # package: its .deb in $debs, exactly one
	local f
	f=$(ls "$debs"/"$1"_*.deb 2>/dev/null || true)
	[ -n "$f" ] && [ "$(echo "$f" | wc -l)" = 1 ] ||
		{ echo "images.sh: XQ_DEBS=$debs: want one $1_*.deb, found: ${f:-none}" >&2; exit 2; }
	echo "$f"
}
if [ -n "$debs" ]; then
	for p in xenmm-server xenmm-client xenmm-tools; do deb_of $p >/dev/null; done
fi
for b in server/mmserver tools/mmctl/mmctl client/mmclient testprogs/mm_test_mono \
	testprogs/mm_test_static testprogs/mm_util_swap testprogs/mc/mm_bench_mc; do
	[ -x "$build/$b" ] || { echo "images.sh: $build/$b missing: build first" >&2; exit 2; }
done
for f in /boot/xen-4.17-amd64.gz "/boot/vmlinuz-$kver" $xenbin/xl /usr/bin/xenstore /bin/busybox \
	/usr/bin/memcached; do
	[ -e "$f" ] || { echo "images.sh: $f missing: run tests/xen-qemu/deps.sh" >&2; exit 2; }
done

stage=$out/stage
rm -rf "$stage"
mkdir -p "$out" "$stage/dom0" "$stage/domu"

# Copies the shared libraries ldd lists for a program, at the same absolute
# paths. libgcc_s is dlopen()ed by glibc's pthread_cancel, so ldd never lists
# it, and xl aborts without it (shared/xen-qemu pitfall 2): always add it.
add_libs() { # root program
	local lib
	for lib in $(ldd "$2" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' || true) \
		/lib/x86_64-linux-gnu/libgcc_s.so.1; do
		[ -e "$1$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$1$lib"
	done
}

add_programs() { # root program...: same path inside as outside
	local root=$1 f
	shift
	for f in "$@"; do
		install -D -m 755 "$(readlink -f "$f")" "$root$f"
		add_libs "$root" "$f"
	done
}

add_built() { # root build-file dest-dir: a freshly built binary
	install -D -m 755 "$2" "$1$3/$(basename "$2")"
	add_libs "$1" "$2"
}

# add_deb root package program...: unpacks the package into root, then the libraries of the
# named programs (packaged paths); documentation and data the lab never reads are left out.
add_deb() {
	local root=$1 deb p
	deb=$(deb_of "$2")
	shift 2
	dpkg-deb -x "$deb" "$root"
	rm -rf "$root/usr/share/man" "$root/usr/share/doc" "$root/usr/share/xenmm/traces" \
		"$root/usr/share/xenmm/scenarios"
	for p in "$@"; do
		[ -x "$root$p" ] || { echo "images.sh: $deb has no $p" >&2; exit 2; }
		add_libs "$root" "$root$p"
	done
	echo "images.sh: $(basename "$deb") unpacked into $(basename "$root")"
}


# A busybox root: applets as symlinks, the usual directories.
add_busybox() {
	local root=$1 a
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,var/lib,var/log,usr/bin,usr/sbin}
	ln -sfn ../run "$root/var/run"
	install -m 755 /bin/busybox "$root/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
}

# xenstore-read, -write, ... are one binary that looks at argv[0].
add_xenstore_links() {
	local root=$1 c
	for c in read write ls list rm chmod exists watch; do
		ln -sf xenstore "$root/usr/bin/xenstore-$c"
	done
}

pack() { # root file: newc cpio, gzip
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -6) >"$2"
}

# 1. Xen: QEMU's multiboot loader needs the uncompressed image.
zcat /boot/xen-4.17-amd64.gz >"$out/xen"
cp "/boot/vmlinuz-$kver" "$out/vmlinuz"

# 2. The guest: busybox, xenstore tools, mmclient and the workloads.
r=$stage/domu
add_busybox "$r"
add_programs "$r" /usr/bin/xenstore
add_xenstore_links "$r"
if [ -n "$debs" ]; then
	add_deb "$r" xenmm-client /usr/sbin/mmclient
	add_deb "$r" xenmm-tools /usr/bin/mm_test_mono /usr/bin/mm_test_static /usr/bin/mm_util_swap \
		/usr/bin/mm_bench_mc
else
	for b in client/mmclient testprogs/mm_test_mono testprogs/mm_test_static testprogs/mm_util_swap \
		testprogs/mc/mm_bench_mc; do
		add_built "$r" "$build/$b" /usr/sbin
	done
fi
# The hostile guest of the chaos run (vm/scenario-chaos.sh): a small libxenstore program.
cc -std=c11 -O2 -Wall -Wextra -Wshadow -Wconversion -Werror -o "$r/usr/sbin/xq_hostile" \
	"$here/vm/xq_hostile.c" -lxenstore -pthread
add_libs "$r" "$r/usr/sbin/xq_hostile"
# The experiment (vm/experiment.sh): memcached (it wants a user to run as), and the
# block front end for the swap disk dom0 gives domu1.
add_programs "$r" /usr/bin/memcached
echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
echo "root:x:0:" >"$r/etc/group"
mkdir -p "$r/lib/modules"
cp "/lib/modules/$kver/kernel/drivers/block/xen-blkfront.ko" "$r/lib/modules/"
install -m 755 "$here/vm/domu-init.sh" "$r/init"
install -m 644 "$here/vm/lib.sh" "$r/lib.sh"
pack "$r" "$out/domu.cpio.gz"

# 3. dom0: Xen's daemons and xl, the five Xen modules, mmserver, the guests.
r=$stage/dom0
add_busybox "$r"
add_programs "$r" $xenbin/xl $xenbin/xenstored $xenbin/xenconsoled $xenbin/xen-init-dom0 \
	/usr/bin/xenstore
if [ -n "$debs" ]; then
	add_deb "$r" xenmm-server /usr/sbin/mmserver
else
	add_built "$r" "$build/server/mmserver" /usr/sbin
	# the HTTP module, where this build's mmserver looks for it outside the build tree
	prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:[A-Z]*=//p' "$build/CMakeCache.txt")
	libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$build/CMakeCache.txt")
	case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
	[ ! -f "$build/server/http/mmserver-http.so" ] ||
		install -D -m 644 "$build/server/http/mmserver-http.so" "$r$libdir/xenmm/mmserver-http.so"
fi
# mmserver loads its HTTP module (and libmicrohttpd with it) only for --http, so ldd of
# mmserver does not list the module's libraries: add them from the module itself.
for m in "$r"/usr/lib*/*/xenmm/mmserver-http.so "$r"/usr/lib*/xenmm/mmserver-http.so \
	"$r"/usr/local/lib*/*/xenmm/mmserver-http.so "$r"/usr/local/lib*/xenmm/mmserver-http.so; do
	[ -f "$m" ] && add_libs "$r" "$m"
done
add_built "$r" "$build/tools/mmctl/mmctl" /usr/sbin # reservations (scenario-resv.sh)
add_xenstore_links "$r"
mkdir -p "$r/lib/modules" "$r/var/lib/xen" "$r/var/log/xen/console" "$r/etc/xen" "$r/xq/guests"
for m in xen-evtchn xen-privcmd xenfs/xenfs xen-gntdev xen-gntalloc; do
	cp "/lib/modules/$kver/kernel/drivers/xen/$m.ko" "$r/lib/modules/"
done
for m in brd xen-blkback/xen-blkback; do
	cp "/lib/modules/$kver/kernel/drivers/block/$m.ko" "$r/lib/modules/"
done
cp /etc/xen/xl.conf "$r/etc/xen/"
cp "$out/vmlinuz" "$out/domu.cpio.gz" "$r/xq/guests/"
for n in 1 2 3 4; do # domu4: created later by scenario-resv.sh
	cat >"$r/xq/guests/domu$n.cfg" <<CFG
name = "domu$n"
type = "pv"
kernel = "/xq/guests/vmlinuz"
ramdisk = "/xq/guests/domu.cpio.gz"
# memhp_default_state=online: without it the guest cannot use memory above its boot size
extra = "console=hvc0 quiet memhp_default_state=online"
memory = $guest_mem_mib
maxmem = $guest_maxmem_mib
vcpus = 1
on_crash = "preserve"
CFG
done
# domu1 with a swap disk for the experiment: /dev/ram0 in dom0, attached by our hotplug script.
sed -e 's/^name = .*/name = "domu1"/' "$r/xq/guests/domu1.cfg" >"$r/xq/guests/domu1-swap.cfg"
echo "disk = [ 'format=raw, vdev=xvdb, access=rw, backendtype=phy, script=/xq/block-ram, target=/dev/ram0' ]" \
	>>"$r/xq/guests/domu1-swap.cfg"
install -m 755 "$here/vm/block-ram" "$r/xq/block-ram"
# The scenario's knobs, baked in: dom0 sees no host environment.
cat >"$r/xq/params.sh" <<PARAMS
guest_mem_mib=$guest_mem_mib
guest_maxmem_mib=$guest_maxmem_mib
floor_mib=${XQ_FLOOR_MIB:-112}
free_mib=${XQ_FREE_MIB:-32}
mono_args="${XQ_MONO_ARGS:-}"
exp_conditions="${XQ_EXP_CONDITIONS:-off:none on:tax}"
exp_swap_mib=${XQ_EXP_SWAP_MIB:-128}
exp_warmup_s=${XQ_EXP_WARMUP_S:-5}
exp_duration_s=${XQ_EXP_DURATION_S:-20}
exp_mc_args="${XQ_EXP_MC_ARGS:---keyspace 96M -v 4000 -r 100 -c 2 --warmup 2 --cooldown 1 --fill-timeout 240} -t ${XQ_EXP_DURATION_S:-20}"
PARAMS
install -m 755 "$here/vm/dom0-init.sh" "$r/init"
for f in lib.sh dom0-lib.sh scenario.sh experiment.sh scenario-resv.sh scenario-chaos.sh; do install -m 644 "$here/vm/$f" "$r/xq/$f"; done
install -m 755 "$here/vm/xq" "$r/usr/bin/xq"
pack "$r" "$out/dom0.cpio.gz"
rm -rf "$stage"
ls -l "$out"
