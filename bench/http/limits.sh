#!/bin/sh
# Bounded HTTP (issue 12 section 2): mmserver's memory with clients that ask
# for the whole history and never read (history_rss.py), and the balancing
# round's period and cost, RSS and descriptors under 1000 event streams +
# 1000 slowloris + oversized requests at the default nofile 1024
# (tests/http/load_limits.py --bench). Figures to bench/http/results-limits.md.
# Usage: bench/http/limits.sh BUILD_DIR [BASELINE_BUILD_DIR]
# A baseline build (e.g. of the commit before the limits) is measured in the
# same run for comparison.
set -eu
build=$(cd "$1" && pwd)
base=${2:+$(cd "$2" && pwd)}
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$src/bench/http/results-limits.md
tmp=$(mktemp -d /tmp/xenmm-bench-limits.XXXXXX)

rows() { # label build
  python3 "$src/bench/http/history_rss.py" "$1" "$2/server/mmserver" 10 1500 10
}
{
  echo "# HTTP limits: memory and the balancing round under hostile clients"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) shared cores (other sessions running)."
  echo
  echo "## Clients that ask for all the history and never read"
  echo
  echo "The real mmserver, simulator, tests/http/scenarios/many100.json (100 domains) in --fast"
  echo "mode until the history ring is full (32 MiB of rendered rounds); then 10 connections send"
  echo "GET /api/v1/history?seconds=86400 with a 4 KiB receive buffer and never read, for 10 s."
  echo "VmRSS of mmserver in KiB."
  echo
  echo "| build | clients | rounds in ring | history bytes | RSS before | RSS peak | RSS after | growth |"
  echo "|---|---|---|---|---|---|---|---|"
  rows "this branch" "$build"
  [ -z "$base" ] || rows "baseline ($(git -C "$base/.." log --oneline -1 2>/dev/null | cut -c1-7 || echo "$base"))" "$base"
  echo
} > "$tmp/a.md"
python3 "$src/tests/http/load_limits.py" --bench "$tmp/b.md" --base 15 --hold 40 -- "$build/server/mmserver" \
  --backend sim --scenario "$src/tests/http/scenarios/late-guests.json" --http=127.0.0.1:0 \
  > "$tmp/load.log" 2>&1 || { tail -5 "$tmp/load.log"; exit 1; }
{ cat "$tmp/a.md"; echo "## 1000 event streams, 1000 slowloris, oversized requests"; echo;
  sed 1,2d "$tmp/b.md"; } > "$out"
echo "wrote $out"
rm -rf "$tmp"
