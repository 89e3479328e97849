#!/usr/bin/env bash
# bench/xen/reaction.sh: mmclient's reaction to a workload step, this tree
# against a baseline commit, in pairs (both clients run at once on this
# machine's real /proc and see the same step; bench_reaction.c). Writes
# bench/xen/reaction.md.
# It needs a kernel whose /proc/meminfo follows what processes touch. The
# development sandbox's does not (256 MiB touched: MemFree unchanged), so no
# figures from it are kept here.
# Usage: bench/xen/reaction.sh BUILD_DIR [BASE_COMMIT] [STEPS] [STEP_MIB...]
#        (defaults: 22942ea, the commit before issue 13's client work; 40; 64 256)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(cd "${1:?usage: reaction.sh BUILD_DIR [BASE_COMMIT] [STEPS] [STEP_MIB...]}" && pwd)
base=${2:-22942ea}
steps=${3:-40}
shift $(($# < 3 ? $# : 3))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(64 256)
work=$(mktemp -d /tmp/xenmm-reaction-base.XXXXXX)
trap 'git worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
echo "reaction: building the baseline $base in $work" >&2
git worktree add -q --detach "$work/src" "$base"
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
make -C "$work/build" -j2 mmclient_double >/dev/null
make -C "$build" -j2 bench_reaction mmclient_double >/dev/null
a=$work/build/tests/xen/mmclient_double
b=$build/tests/xen/mmclient_double
out=bench/xen/reaction.md
{
	echo "# mmclient: reaction to a workload step, paired"
	echo
	echo "Produced by \`bench/xen/reaction.sh BUILD $base $steps ${sizes[*]}\` on" \
		"$(date -u '+%Y-%m-%d %H:%M UTC') ($(nproc) cores; 1-minute load average at the start:" \
		"$(cut -d' ' -f1 /proc/loadavg))."
	echo
	echo "A = mmclient at $base (baseline), B = this tree ($(git rev-parse --short HEAD)$(git diff --quiet HEAD -- client || echo ', with uncommitted changes')),"
	echo "both at their defaults, both on this machine's real /proc at the same time,"
	echo "writing to the xenstore double. Each step, bench_reaction touches STEP MiB of"
	echo "fresh memory (in a child, while the reports are polled every 1 ms); a sample is the time"
	echo "from the start of the touching to the client's first report whose used memory rose by"
	echo "3/4 of it. Late: not reported within 5 s after the touching ended (counted as that time; on a shared machine, another job freeing memory at the same moment hides a step from both). B - A is taken step by step, over the steps both reported in time."
	for mib in "${sizes[@]}"; do
		echo
		echo "## $mib MiB step, $steps steps"
		echo
		echo "| client | steps | min | median | p90 | max | late |"
		echo "|---|---:|---:|---:|---:|---:|---:|"
		"$build/bench/xen/bench_reaction" "$a" "$b" "$steps" "$mib" 2>/dev/null
	done
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
