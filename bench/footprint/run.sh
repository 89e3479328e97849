#!/usr/bin/env bash
# bench/footprint: mmserver's RSS and PSS at 100 guests after 2 simulated
# hours (simulator, --fast), with and without --http, this tree against a
# baseline commit built from a clean worktree, side by side in one run, into
# bench/footprint/results.md. A third build of this tree without the HTTP
# server (-DSOCK=OFF) is the floor a run without --http should reach now that
# the HTTP server is a module loaded only for --http.
# Usage: bench/footprint/run.sh BUILD_DIR [BASE_COMMIT] [GUESTS] [SECONDS] [REPEAT]
#        (defaults: 7bfe304, the main before the HTTP module; 100; 7200; 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: run.sh BUILD_DIR [BASE_COMMIT] [GUESTS] [SECONDS] [REPEAT]}
base=${2:-7bfe304}
guests=${3:-100}
seconds=${4:-7200}
repeat=${5:-3}
work=$(mktemp -d /tmp/xenmm-footprint-base.XXXXXX)
trap 'git worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
echo "footprint: building the baseline $base in $work" >&2
git worktree add -q --detach "$work/src" "$base"
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
  >/dev/null
make -C "$work/build" -j2 mmserver >/dev/null
make -C "$build" -j2 mmserver >/dev/null
cmake -S . -B "$work/nosock" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF -DSOCK=OFF \
  >/dev/null
make -C "$work/nosock" -j2 mmserver >/dev/null
/usr/bin/python3 bench/footprint/footprint.py bench/footprint/results.md \
  "base-$base=$work/build/server/mmserver" "this=$build/server/mmserver" \
  "nohttp-this-SOCK-OFF=$work/nosock/server/mmserver" \
  --guests "$guests" --seconds "$seconds" --repeat "$repeat"
