#!/usr/bin/env bash
# run-chaos.sh BUILD_DIR: issue 12's chaos on a real Xen 4.17 under QEMU: a hostile guest
# writing its own report (garbage, lies, 100 per second), a guest with pinned memory (seen in
# its report; then hidden by a stale report, so its balloon refuses), xenstored stopped for
# seconds, and an out-of-scope guest mmserver must never write
# (vm/scenario-chaos.sh); check-chaos.py judges the facts and logs.
# Run it under the lab's lock: flock /work/wt/qemu.lock bash tests/xen-qemu/run-chaos.sh build
# Exit: 0 every check holds; 1 a check failed; 2 usage or images; 3 the machine did not boot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: run-chaos.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
work=$build/xen-qemu-chaos
bash "$here/deps.sh" --check || exit 2
# the checks must be able to fail before their verdict means anything (seconds, no VM)
bash "$here/selftest-chaos.sh" >"$build/xen-qemu-chaos-selftest.log" 2>&1 ||
	{ cat "$build/xen-qemu-chaos-selftest.log" >&2; echo "run-chaos.sh: self-test failed" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
t0=$(date +%s)
bash "$here/images.sh" "$build" "$work/images" >"$work/images.log" 2>&1 ||
	{ cat "$work/images.log" >&2; exit 2; }
echo "== xen-qemu-chaos: boot (Xen 4.17, dom0, three guests and one out of scope)"
rc=0
# 1264 MiB (not boot.py's 2048): Xen keeps ~95 MiB free once the four guests run, near
# mmserver's 64 MiB reserve. (At 1240 the reserve guard held Xen's free memory at exactly
# 64 MiB while domu3 refused, domu1's load was OOM-killed in its guest for want of memory,
# and the demand was gone before the 5 s stuck verdict: no stuck row to judge.)
python3 "$here/boot.py" --images "$work/images" --mode chaos --mem "${XQ_MEM_MIB:-1264}" --log "$work/serial.log" \
	--results "$work/results" --timeout "${XQ_TIMEOUT:-480}" --tcg-thread "${XQ_TCG_THREAD:-single}" || rc=$?
grep -E "XQ: (stage|fact|boot-failed)" "$work/serial.log" | sed 's/^/  /' || true
[ $rc -eq 0 ] || { echo "== xen-qemu-chaos: the machine did not boot or send results" >&2; exit 3; }
rc=0
python3 "$here/check-chaos.py" "$work/results" --figures "$work/figures.txt" || rc=$?
echo "wall time (s): $(($(date +%s) - t0)); logs: $work/results/out"
exit $rc
