#!/bin/sh
# HTTP load benchmark (issue 4): requests/s on /api/v1/state at 100 simulated
# domains with 1000 concurrent connections (wrk), and the balancing round's
# cost and period, plus the HTTP publish cost, before and during the load.
# Usage: bench/http/run.sh BUILD_DIR [SECONDS] [CONNECTIONS]
# BUILD_DIR must hold server/mmserver built with -DSOCK=ON (Release or RelWithDebInfo).
set -eu
build=$(cd "$1" && pwd)
dur=${2:-30}
conns=${3:-1000}
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d /tmp/xenmm-bench-http.XXXXXX)
command -v wrk >/dev/null || { echo "bench: wrk missing (script/setup.sh installs it)" >&2; exit 2; }

"$build/server/mmserver" --backend sim --scenario "$src/tests/http/scenarios/many100.json" \
  --http=127.0.0.1:0 -d "$out/logs" 2>"$out/server.err" >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  url=$(sed -n 's/.*msg=listening url=\(http[^ ]*\).*/\1/p' "$out/server.err")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$out/server.err" >&2; exit 1; }

scrape() { curl -s "${url}metrics" | awk -v tag="$1" '
  /^xenmm_rounds_total / {r=$2} /^xenmm_http_publish_seconds_total / {p=$2}
  END {printf "%s %s %s\n", tag, r, p}'; }
now_ms() { date +%s%3N; }

sleep "$dur"                         # baseline: no HTTP load
t1=$(now_ms); scrape before >"$out/scrape"
wrk -t2 -c"$conns" -d"${dur}s" --timeout 10s --latency "${url}api/v1/state" >"$out/wrk.txt"
t2=$(now_ms); scrape during >>"$out/scrape"
body=$(curl -s "${url}api/v1/state" | wc -c)

/usr/bin/python3 "$src/bench/http/summarise.py" "$out/logs/rounds.tsv" "$out/scrape" \
  "$out/wrk.txt" "$t1" "$t2" "$conns" "$body"
echo "raw output in $out" >&2
