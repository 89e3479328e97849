#!/bin/sh
# Soak and crash (issue 12 section 4), figures to bench/soak/results.md:
#  1. fast soak: 2 simulated hours of churn (make_churn.py: a domain created
#     every 7.2 s, each living 30 s to 2 min, 1000 in all) under ASan + UBSan
#     + LSan, HTTP polled; RSS at start/middle/end (the history ring fills in
#     the first hour, so the second hour shows whether anything else grows);
#  2. kill -9 and restart, KILLS times at seeded random moments (kill9_check.py);
#  3. with REALTIME=1, the 1-hour real-time soak (an hour of wall time).
# Usage: bench/soak/run.sh [ASAN_BUILD_DIR]   (default build-asan, configured
# with -DSANITIZE=ON and built here if needed; PLAIN_BUILD, default build, is
# soaked too when it holds server/mmserver, for RSS without ASan's quarantine)
# Env: KILLS (default 10), REALTIME=1, RT_RESULT=FILE (the output of a real-time
#      soak.py run made separately, to include as it is)
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-asan}
kills=${KILLS:-10}
out=$src/bench/soak/results.md
tmp=$(mktemp -d /tmp/xenmm-soak.XXXXXX)
[ -f "$build/CMakeCache.txt" ] || cmake -S "$src" -B "$build" -DSANITIZE=ON > /dev/null
grep -q '^SANITIZE:BOOL=ON' "$build/CMakeCache.txt" || { echo "$build: not a SANITIZE=ON build" >&2; exit 2; }
cmake --build "$build" -j2 --target mmserver > /dev/null
mm=$build/server/mmserver

python3 "$src/bench/soak/make_churn.py" 7200 > "$tmp/churn-2h.json"
python3 "$src/bench/soak/make_churn.py" 3600 > "$tmp/churn-1h.json"
rc=0
python3 "$src/bench/soak/soak.py" "$mm" "$tmp/churn-2h.json" --fast --duration 7200 \
  --sample 0.5 --label "fast, 2 simulated hours, ASan + UBSan + LSan" > "$tmp/fast.md" || rc=1
# The same without sanitizers: RSS without ASan's quarantine (up to 256 MiB).
plain=${PLAIN_BUILD:-$src/build}
if [ -x "$plain/server/mmserver" ]; then
  python3 "$src/bench/soak/soak.py" "$plain/server/mmserver" "$tmp/churn-2h.json" --fast \
    --duration 7200 --sample 0.2 --label "fast, 2 simulated hours, no sanitizer (RSS)" \
    > "$tmp/plain.md" || rc=1
fi
python3 "$src/bench/soak/kill9_check.py" --kills "$kills" --seed 12 --min-s 0.2 --max-s 3 -- \
  "$mm" --backend sim --scenario "$tmp/churn-1h.json" --fast --duration 100000 \
  > "$tmp/kill9.txt" 2>&1 || rc=1
if [ "${REALTIME:-0}" = 1 ]; then
  python3 "$src/bench/soak/soak.py" "$mm" "$tmp/churn-1h.json" --duration 3600 --sample 10 \
    --label "real time, 1 hour, ASan + UBSan + LSan" > "$tmp/rt.md" || rc=1
fi
{
  echo "# Soak and crash (bench/soak/run.sh)"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) shared cores (other sessions running),"
  echo "mmserver built with SANITIZE=ON (gcc, ASan + UBSan, LeakSanitizer at exit)."
  echo "Scenario: make_churn.py, a guest created every 3.6 s (1 h) or 7.2 s (2 h), each living"
  echo "30 s to 2 min; 1 in 50 writes garbage reports, 1 in 50 never reports."
  echo
  cat "$tmp/fast.md"
  [ ! -f "$tmp/plain.md" ] || cat "$tmp/plain.md"
  [ ! -f "$tmp/rt.md" ] || cat "$tmp/rt.md"
  [ -z "${RT_RESULT:-}" ] || grep -v '^exit=' "$RT_RESULT"
  echo "### kill -9 and restart, $kills times (kill9_check.py, fast mode)"
  echo
  sed 's/^/    /' "$tmp/kill9.txt"
  echo
} > "$out"
echo "wrote $out"
rm -rf "$tmp"
exit $rc
