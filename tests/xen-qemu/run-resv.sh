#!/usr/bin/env bash
# run-resv.sh BUILD_DIR: issue 17 on a real Xen 4.17 under QEMU: three guests balanced on an
# auto pool, mmctl reserves room for a fourth, xl creates it, and a reservation that cannot be
# met is refused with its explanation (vm/scenario-resv.sh); check-resv.py judges the facts.
# Run it under the lab's lock: flock /work/wt/qemu.lock bash tests/xen-qemu/run-resv.sh build
# Exit: 0 every check holds; 1 a check failed; 2 usage or images; 3 the machine did not boot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: run-resv.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
work=$build/xen-qemu-resv
bash "$here/deps.sh" --check || exit 2
bash "$here/selftest-resv.sh" >"$build/xen-qemu-resv-selftest.log" 2>&1 ||
	{ cat "$build/xen-qemu-resv-selftest.log" >&2; echo "run-resv.sh: self-test failed" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
t0=$(date +%s)
bash "$here/images.sh" "$build" "$work/images" >"$work/images.log" 2>&1 ||
	{ cat "$work/images.log" >&2; exit 2; }
echo "== xen-qemu-resv: boot (Xen 4.17, dom0, three guests, then a fourth)"
rc=0
python3 "$here/boot.py" --images "$work/images" --mode resv --log "$work/serial.log" \
	--results "$work/results" --timeout "${XQ_TIMEOUT:-480}" --tcg-thread "${XQ_TCG_THREAD:-single}" || rc=$?
grep -E "XQ: (stage|fact|boot-failed)" "$work/serial.log" | sed 's/^/  /' || true
[ $rc -eq 0 ] || { echo "== xen-qemu-resv: the machine did not boot or send results" >&2; exit 3; }
rc=0
python3 "$here/check-resv.py" "$work/results" || rc=$?
echo "wall time (s): $(($(date +%s) - t0)); logs: $work/results/out"
exit $rc
