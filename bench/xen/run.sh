#!/bin/sh
# Runs the Xen-path benches through the double and rewrites results.md.
# Usage: bench/xen/run.sh BUILD_DIR [SECONDS]   (BUILD_DIR configured with tests on)
set -eu
build=${1:?usage: run.sh BUILD_DIR [SECONDS]}
secs=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/bench/xen/bench_xen
make -C "$build" -j2 bench_xen >/dev/null
out=$here/results.md.tmp
{
  echo "# Xen path through the double: measured figures"
  echo
  echo "Produced by \`bench/xen/run.sh $build $secs\` on $(date -u +%Y-%m-%d) ($(uname -m),"
  echo "$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1))."
  echo "The machine is shared with other jobs: treat the figures as upper bounds."
  echo
  echo "## mmclient"
  echo
  echo "One mmclient as domain 1 on this machine's real /proc, writing to the double."
  echo "Window: $secs s, starting 1 s after exec (CPU from /proc/PID/schedstat, ns);"
  echo "'life CPU' is the whole run including start-up (wait4 rusage)."
  echo
  echo "| run | window | reports | CPU per report | CPU share | life CPU | VmRSS | RssAnon |"
  echo "|---|---|---|---|---|---|---|---|"
  "$bin" client "$secs" 2>/dev/null
  echo
  echo "## mmserver round cost"
  echo
  echo "mmserver_double (server/main.c, the real loop and xen backend, linked with the"
  echo "double), --interval 200, every guest's report rewritten every 200 ms with moving"
  echo "demand so targets change. Round cost = mmserver's own round_cost_us (rounds.tsv:"
  echo "list, reads, host free, policy, target writes), over $secs s after a 1 s start-up."
  echo "It is wall time and includes the double's own work for every call."
  echo
  echo "| guests | rounds | median | p90 | max | writes/round | mmserver CPU/round |"
  echo "|---|---|---|---|---|---|---|"
  for n in 10 100 1000; do "$bin" server "$n" "$secs" 2>/dev/null; done
  echo
  echo "## Report to target written"
  echo
  echo "mmserver_double with --interval 1000, so only the report's watch event can"
  echo "start a round early (it coalesces 100 ms of events first); every 400 ms guest"
  echo "1's report flips between 200 and 900 MiB used; one sample is the time from the"
  echo "write of the report to its target moving in the double."
  echo
  echo "| guests | samples | median | p99 | max |"
  echo "|---|---|---|---|---|"
  for n in 10 100; do "$bin" latency "$n" 100 2>/dev/null; done
} >"$out"
mv "$out" "$here/results.md"
cat "$here/results.md"
