#!/usr/bin/env bash
# The policy table of SPEC 6: every scenario of scenarios/ under every
# policy, side by side in one run of the simulator (--fast), written to
# bench/results-policies.md (and printed). Deterministic: same numbers on
# any machine for the same source.
# Usage: bash bench/policies.sh [BUILD_DIR] [POLICY...]   (default: build; tax equal none)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
policies=${*:-tax equal none}
mmserver=$build/server/mmserver
[ -x "$mmserver" ] || { echo "bench: build first (bash script/test.sh or cmake)"; exit 1; }
out=$(mktemp -d /tmp/xenmm-bench.XXXXXX)
scenarios=(scenarios/*.json)
total=$(( ${#scenarios[@]} * $(wc -w <<< "$policies") ))
k=0
for sc in "${scenarios[@]}"; do
  name=$(basename "$sc" .json)
  for p in $policies; do
    k=$((k + 1))
    printf '\rbench: %d/%d %-20s %-8s' "$k" "$total" "$name" "$p" >&2
    "$mmserver" --backend sim --scenario "$sc" --fast --policy "$p" -q \
      -d "$out/logs-$name-$p" --summary "$out/$name--$p.json" > /dev/null
  done
done
echo >&2
python3 bench/policy_table.py "$out" $policies | tee bench/results-policies.md
echo "bench: summaries in $out; table in bench/results-policies.md" >&2
