#!/usr/bin/env bash
# experiment.sh BUILD_DIR: the on/off experiment of issue 14 on a real Xen 4.17 under QEMU:
# xenmm-experiment runs tests/xen-qemu/experiment.toml (memcached past domu1's boot memory,
# balancer off vs tax), writes its report, and this script asserts the direction: with the
# balancer on, domu1 gets more memory and swaps less. Figures go to
# BUILD_DIR/xen-qemu-exp/figures.txt, the report to BUILD_DIR/xen-qemu-exp/run/report.html.
#
# Exit: 0 the direction holds; 1 it does not (or a cell failed); 2 usage; 3 the emulated
# machine failed to boot twice (a boot-level failure, not a verdict).
# The verdict alone, on a finished run: python3 tests/xen-qemu/experiment_check.py RUN FIGURES
# On a shared machine, hold the lab's lock: flock /work/wt/qemu.lock bash tests/xen-qemu/experiment.sh build
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: experiment.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
out=$build/xen-qemu-exp
rm -rf "$out"
mkdir -p "$out"
rc=0
XENMM_BUILD=$build "$src/tools/experiment/xenmm-experiment" run --report -o "$out/run" \
	"$here/experiment.toml" || rc=$?
case $rc in
0) ;;
3) echo "experiment.sh: could not start (see above)" >&2; exit 2 ;;
130) echo "experiment.sh: interrupted" >&2; exit 1 ;;
*) if grep -q '"detail": "boot 2' "$out/run/manifest.json"; then
	echo "experiment.sh: the emulated machine failed to boot twice: a boot-level failure" >&2
	exit 3
   fi ;;
esac
python3 "$here/experiment_check.py" "$out/run" "$out/figures.txt"
