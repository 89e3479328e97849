#!/usr/bin/env bash
# Long fuzzing campaign (issue 12 section 1): each tests/fuzz target runs to
# RUNS executions (default 10 M) from the repository's seed corpus, one after
# the other (the machine has 2 shared cores), and the figures go to
# bench/fuzz/results.md: executions, exec/s, coverage (edges, features),
# corpus size, peak RSS, crashes/hangs found and wall time.
# Usage: bash bench/fuzz/run.sh [TARGET...]
# Env:   BUILD_DIR (default build-fuzz), RUNS (default 10000000), SEED (default 1),
#        OUT (default bench/fuzz/results.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
build=${BUILD_DIR:-build-fuzz}
runs=${RUNS:-10000000}
seed=${SEED:-1}
out=${OUT:-bench/fuzz/results.md}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_report fuzz_parse fuzz_meminfo fuzz_vmstat fuzz_psi
  fuzz_config fuzz_http_path fuzz_trace fuzz_scenario)

CC=clang-14 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUZZ=ON > /dev/null
cmake --build "$build" -j2 --target fuzz_all > /dev/null

work=$build/bench-fuzz
rm -rf "$work"
mkdir -p "$work"
rows=$work/rows.md
: > "$rows"
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/$t
  [ -x "$bin" ] || { echo "run.sh: $bin missing" >&2; exit 1; }
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  dict=()
  [ -f "tests/fuzz/dict/$t.dict" ] && dict=(-dict="tests/fuzz/dict/$t.dict")
  echo "== $t: $runs runs"
  start=$(date +%s)
  rc=0
  "$bin" -runs="$runs" -seed="$seed" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$t/artifacts/" "${dict[@]}" "$work/$t/corpus" "tests/fuzz/corpus/$t" \
    > "$work/$t/log" 2>&1 || rc=$?
  secs=$(( $(date +%s) - start ))
  log=$work/$t/log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<< "$last")
  found=$(find "$work/$t/artifacts" -type f | wc -l)
  echo "   rc=$rc execs=${execs:-?} exec_s=${eps:-?} cov=${cov:-?} ft=${ft:-?} found=$found secs=$secs"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$t" "${execs:-?}" "${eps:-?}" \
    "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}" "$found" "$secs" \
    "$(date -u +%Y-%m-%dT%H:%MZ)" >> "$rows"
done

# Rows of targets not run this time stay as they were.
if [ -f "$out" ]; then
  grep '^| fuzz_' "$out" | while IFS= read -r line; do
    name=$(awk -F'|' '{gsub(/ /, "", $2); print $2}' <<< "$line")
    grep -q "^| $name |" "$rows" || echo "$line"
  done >> "$rows"
fi
sort -o "$rows" "$rows"
{
  echo "# Fuzzing campaign (bench/fuzz/run.sh)"
  echo
  echo "Measured on $(nproc) shared cores, $(clang-14 --version | head -1), libFuzzer with"
  echo "ASan + UBSan, -runs=$runs -seed=$seed, each target starting from tests/fuzz/corpus."
  echo "cov = edges covered, ft = features (libFuzzer's finer coverage), corpus = inputs/bytes"
  echo "kept, found = crash/timeout/OOM artifacts (each one fixed and added to the corpus)."
  echo "exec/s is the average over the run; other sessions shared the cores, so it is noisy."
  echo
  echo "A run stops at its first crash: such a row has fewer executions; the crash is fixed,"
  echo "added to the corpus and the target run again (the row is replaced)."
  echo
  echo "| target | executions | exec/s | cov (edges) | ft | corpus | peak RSS (MB) | found | wall (s) | measured |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  cat "$rows"
} > "$out"
echo "wrote $out"
