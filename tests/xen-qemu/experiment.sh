#!/usr/bin/env bash
# experiment.sh BUILD_DIR: the on/off experiment of issue 14 on a real Xen 4.17 under QEMU:
# xenmm-experiment runs tests/xen-qemu/experiment.toml (memcached past domu1's boot memory,
# balancer off vs tax), writes its report, and this script asserts the direction: with the
# balancer on, domu1 gets more memory and swaps less. Figures go to
# BUILD_DIR/xen-qemu-exp/figures.txt, the report to BUILD_DIR/xen-qemu-exp/run/report.html.
#
# Exit: 0 the direction holds; 1 it does not (or a cell failed); 2 usage; 3 the emulated
# machine failed to boot twice (a boot-level failure, not a verdict).
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
python3 - "$out/run" "$out/figures.txt" <<'PY'
import json, os, sys
run, figs = sys.argv[1], sys.argv[2]
rep = json.load(open(os.path.join(run, "report.json")))
man = json.load(open(os.path.join(run, "manifest.json")))
c = rep["conditions"]
def m(cond, key):
    v = c.get(cond, {}).get(key)
    return None if v is None else v["mean"]
rows = [("domu1 mean allocation (MiB)", "domu1/alloc_mean_mib"),
        ("domu1 peak swap used, guest's own log (MiB)", "domu1/guest_swap_peak_mib"),
        ("domu1 pages swapped out (guest)", "domu1/guest_pswpout"),
        ("domu1 pages swapped in (guest)", "domu1/guest_pswpin"),
        ("domu1 shortfall from mmserver's log (MiB*s)", "domu1/shortfall_mib_s"),
        ("hit ratio", "domu1/hit_ratio"),
        ("latency from due time p50 (us)", "domu1/p50_us"),
        ("latency from due time p99 (us)", "domu1/p99_us"),
        ("latency from due time p99.9 (us)", "domu1/p999_us"),
        ("requests late / delayed", None),
        ("achieved rate (1/s)", "domu1/achieved_ops_s"),
        ("target writes, all guests", "target_writes")]
lines = []
for label, key in rows:
    if key is None:
        lines.append(f"{label:<46} off {m('off','domu1/late')}/{m('off','domu1/delayed')}"
                     f"   on {m('on','domu1/late')}/{m('on','domu1/delayed')}")
        continue
    lines.append(f"{label:<46} off {m('off', key)!s:>12}   on {m('on', key)!s:>12}")
for cell in man["cells"]:
    lines.append(f"cell {cell['condition']}: {cell['status']} "
                 + " ".join(f"{g}={s['status']}" for g, s in cell.get("guests", {}).items()))
    lines += [f"  {f}" for f in cell.get("facts", [])]
lines.append(f"run wall time (s): {(man['end_unix_ms'] - man['start_unix_ms']) / 1000:.0f}")
open(figs, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
fails = []
if any(x["status"] != "done" for x in man["cells"]):
    fails.append("a cell did not finish")
if any(x.get("guests", {}).get("domu1", {}).get("status") != "ok" for x in man["cells"]):
    fails.append("the workload in domu1 did not finish in a condition")
a_off, a_on = m("off", "domu1/alloc_mean_mib"), m("on", "domu1/alloc_mean_mib")
s_off, s_on = m("off", "domu1/guest_swap_peak_mib"), m("on", "domu1/guest_swap_peak_mib")
if not (a_off and a_on and a_on > a_off + 32):
    fails.append(f"balancer on did not give domu1 32 MiB more on average ({a_off} -> {a_on})")
if s_off is None or s_on is None or not (s_off > 16 and s_on < s_off / 2):
    fails.append(f"off did not swap (>16 MiB) or on did not halve it ({s_off} -> {s_on})")
for f in fails:
    print(f"FAIL: {f}")
if not fails:
    print("PASS: balancer on: domu1 got more memory and swapped less than with it off")
sys.exit(1 if fails else 0)
PY
