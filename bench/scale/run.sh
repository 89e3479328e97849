#!/usr/bin/env bash
# bench/scale: mmserver's round cost, logs, wall time per round and peak RSS
# at 10 to 10000 guests (simulator, --fast), this tree against a baseline
# commit built from a clean worktree, side by side in one run, into
# bench/scale/results.md.
# Usage: bench/scale/run.sh BUILD_DIR [BASE_COMMIT] [GUESTS] [ROUNDS] [REPEAT]
#        (defaults: the commit before issue 13's work 22942ea; 10,100,1000,5000,10000; 300; 3)
# Then logwrite: the kernel's cost of one append per file per round, against
# the number of files, without mmserver, with nothing and with 32 MiB touched
# between rounds (into bench/scale/logwrite.tsv). bench/scale/per-guest.md
# says where the per-guest cost goes (perf) and reads both.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: run.sh BUILD_DIR [BASE_COMMIT] [GUESTS] [ROUNDS] [REPEAT]}
base=${2:-22942ea}
guests=${3:-10,100,1000,5000,10000}
rounds=${4:-300}
repeat=${5:-3}
work=$(mktemp -d /tmp/xenmm-scale-base.XXXXXX)
trap 'git worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
echo "scale: building the baseline $base in $work" >&2
git worktree add -q --detach "$work/src" "$base"
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
  >/dev/null
make -C "$work/build" -j"$(nproc)" mmserver >/dev/null
make -C "$build" -j"$(nproc)" mmserver >/dev/null
/usr/bin/python3 bench/scale/scale.py bench/scale/results.md \
  "base-$base=$work/build/server/mmserver" "this=$build/server/mmserver" \
  --guests "$guests" --rounds "$rounds" --repeat "$repeat"
cc -O2 -std=c11 -o "$work/logwrite" bench/scale/logwrite.c
mkdir "$work/lw"
{
  "$work/logwrite" "$work/lw" 300 0 100 1000 2000 5000 10000
  "$work/logwrite" "$work/lw" 300 32 100 1000 2000 5000 10000 | tail -n +2
} | tee bench/scale/logwrite.tsv
