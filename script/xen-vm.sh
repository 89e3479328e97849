#!/usr/bin/env bash
# xen-vm.sh: a real Xen 4.17 in a VM, for trying xenmm without a Xen host. Boots Xen, a PV dom0
# and three PV guests (domu1-3, mmclient running in each) under QEMU TCG, starts mmserver in
# dom0 and gives you dom0's shell on this terminal. Nothing is judged here (tests/xen-qemu is).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
xq=$src/tests/xen-qemu

usage() {
	cat <<'USAGE'
Usage: script/xen-vm.sh [-b BUILD_DIR] [--no-build] [--smp N] [--mem MIB] [--single]
Boot Xen 4.17 + dom0 + three guests under QEMU (TCG) with mmserver running, and open a dom0
shell here. It takes about a minute until the shell; the guests need another 30-60 s.

  -b, --build DIR   build directory (default build-xen-vm in the source tree)
      --no-build    use the binaries already in DIR
      --smp N       virtual CPUs of the emulated machine (default 2)
      --mem MIB     its memory (default 2048; dom0 has 512, each guest 160 to 512)
      --single      one host thread for all virtual CPUs: slower, but the guests still
                    boot when the host's cores are busy (see docs/xen-qemu.rst)
  -h, --help        this text

In dom0: "xq help" (load a guest, watch the balance), xl list, xenstore-ls -p.
Leave with "poweroff -f", or Ctrl-A then x. Needs root or sudo the first time, to install
the Debian packages of tests/xen-qemu/deps.sh. See docs/xen-qemu.rst.
USAGE
}

build=$src/build-xen-vm do_build=1 smp=2 mem=2048 thread=multi
while [ $# -gt 0 ]; do
	case $1 in
	-b | --build) build=${2:?$1 needs a directory}; shift 2 ;;
	--no-build) do_build=0; shift ;;
	--smp) smp=${2:?--smp needs a number}; shift 2 ;;
	--mem) mem=${2:?--mem needs MiB}; shift 2 ;;
	--single) thread=single; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "xen-vm.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done

bash "$xq/deps.sh"
if [ "$do_build" = 1 ]; then
	echo "xen-vm.sh: building xenmm in $build"
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1 ||
		{ cat "$build.configure.log" >&2; exit 1; }
	cmake --build "$build" -j 2 --target mmserver mmclient mm_test_mono mm_test_static >/dev/null
fi
bash "$xq/images.sh" "$build" "$build/xen-vm/images" >/dev/null
echo "xen-vm.sh: booting; dom0's shell comes up here. Leave with 'poweroff -f' or Ctrl-A x."
exec python3 "$xq/boot.py" --mode shell --images "$build/xen-vm/images" --smp "$smp" --mem "$mem" \
	--tcg-thread "$thread"
