#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs DaCapo benchmarks one after another in a guest, as the 2013 xenmm
# experiments did, and prints one key=value line per run (with wall-clock
# Unix ms) and a total that xenmm-experiment reads as the guest's metric.
# It does not download DaCapo: give it the jar (dacapobench.org).
set -uo pipefail
prog=dacapo_test.sh
usage() {
  cat <<END
Usage: $prog [OPTIONS] JAR [BENCHMARK...]
Run DaCapo benchmarks from JAR in turn (default: every benchmark the jar
lists with -l), each ITERATIONS times; one line per run, then a total.

  -n, --iterations N   runs of each benchmark (default 1)
  -s, --size SIZE      DaCapo input size: small, default, large (default default)
  -d, --duration S     start no new run after S seconds (default 0: no bound)
      --java CMD       the java command (default java)
  -h, --help           this text

Lines: bench=NAME iter=I status=passed|failed runtime_ms=N unix_ms=T
Last:  total_ms=N passed=P failed=F runs=R wall_ms=W unix_ms=T
runtime_ms is DaCapo's own "PASSED in N msec" (its timed iteration);
total_ms sums it over the passed runs (the figure of the 2013 papers).
Exit: 0 every run passed; 1 a run failed, none ran, or java could not
start; 2 usage.
END
}
die_usage() { echo "$prog: $*" >&2; echo "Try '$prog --help'." >&2; exit 2; }
now_ms() { date +%s%3N; }

iters=1 size=default duration=0 java=java args=()
while [ $# -gt 0 ]; do
  case $1 in
    -n|--iterations) [ $# -ge 2 ] || die_usage "$1 needs N"; iters=$2; shift ;;
    -s|--size) [ $# -ge 2 ] || die_usage "$1 needs SIZE"; size=$2; shift ;;
    -d|--duration) [ $# -ge 2 ] || die_usage "$1 needs S"; duration=$2; shift ;;
    --java) [ $# -ge 2 ] || die_usage "$1 needs CMD"; java=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) die_usage "unknown option '$1'" ;;
    *) args+=("$1") ;;
  esac
  shift
done
[[ $iters =~ ^[1-9][0-9]{0,3}$ ]] || die_usage "--iterations '$iters': want 1..9999"
[[ $duration =~ ^[0-9]{1,6}$ ]] || die_usage "--duration '$duration': want seconds"
case $size in small|default|large|huge) ;; *) die_usage "--size '$size': want small, default or large" ;; esac
[ ${#args[@]} -ge 1 ] || die_usage "no JAR given (the DaCapo jar, from dacapobench.org)"
jar=${args[0]}
{ [ -f "$jar" ] && [ -r "$jar" ]; } || die_usage "JAR '$jar': no such readable file"
benches=("${args[@]:1}")
for b in "${benches[@]}"; do
  [[ $b =~ ^[a-z0-9_-]+$ ]] || die_usage "benchmark '$b': not a DaCapo benchmark name"
done
if [ ${#benches[@]} = 0 ]; then
  list=$($java -jar "$jar" -l 2>/dev/null) ||
    { echo "$prog: '$java -jar $jar -l' failed: is java installed?" >&2; exit 1; }
  read -r -a benches <<< "$list"
  [ ${#benches[@]} -gt 0 ] || { echo "$prog: $jar lists no benchmark" >&2; exit 1; }
fi

stop=0
trap 'stop=1' INT TERM
t0=$(now_ms) total=0 passed=0 failed=0 runs=0
for b in "${benches[@]}"; do
  for ((i = 1; i <= iters; i++)); do
    [ $stop = 1 ] && break 2
    if [ "$duration" -gt 0 ] && [ $(($(now_ms) - t0)) -ge $((duration * 1000)) ]; then
      break 2
    fi
    out=$($java -jar "$jar" -s "$size" "$b" 2>&1)
    rc=$?
    runs=$((runs + 1))
    ms=$(sed -n 's/.*PASSED in \([0-9][0-9]*\) msec.*/\1/p' <<< "$out" | tail -1)
    if [ $rc = 0 ] && [ -n "$ms" ]; then
      passed=$((passed + 1))
      total=$((total + ms))
      echo "bench=$b iter=$i status=passed runtime_ms=$ms unix_ms=$(now_ms)"
    else
      failed=$((failed + 1))
      echo "bench=$b iter=$i status=failed rc=$rc unix_ms=$(now_ms)"
      tail -3 <<< "$out" | sed "s/^/$prog: $b: /" >&2
    fi
  done
done
echo "total_ms=$total passed=$passed failed=$failed runs=$runs wall_ms=$(($(now_ms) - t0)) unix_ms=$(now_ms)"
[ $failed = 0 ] && [ $runs -gt 0 ]
