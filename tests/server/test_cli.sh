#!/usr/bin/env bash
# mmserver's command line, config file and signals, end to end on the
# simulator: every refusal exits 2 naming the flag or line; SIGHUP reloads;
# SIGTERM finishes the round, flushes and exits 0; logs append with a restart
# comment. Usage: test_cli.sh MMSERVER SOURCE_DIR
set -u
mm=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
sc="$src/scenarios/mono5.json"

check() { # name, expected rc, expected text in output, command...
  local name=$1 want_rc=$2 want_text=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want_rc" ] && grep -qF -- "$want_text" <<< "$out"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: rc=$rc (want $want_rc), output: $(head -c 300 <<< "$out") (want '$want_text')"
  fi
}

check "help" 0 "Usage: mmserver" "$mm" --help
check "version" 0 "mmserver " "$mm" --version
check "bare small size" 2 "-f/--free '150': bare number under 1024 is KiB" "$mm" -f 150
check "bad suffix" 2 "-N/--pool '5X': unknown suffix" "$mm" -N 5X
check "negative" 2 "--reserve '-1M': not a number" "$mm" --reserve -1M
check "bad policy" 2 "unknown policy 'greedy'" "$mm" --backend sim --scenario "$sc" --policy greedy -n
check "bad tau" 2 "tax rate must be AUTO or 0.0 to 1.0" "$mm" --backend sim --scenario "$sc" --policy tax:1.5 -n
check "sim needs scenario" 2 "needs --scenario FILE" "$mm" --backend sim
check "replay without http" 2 "--replay '$tmp': needs --http" "$mm" --replay "$tmp"
check "speed without replay" 2 "--speed '10': only with --replay" "$mm" --speed 10
check "bad speed" 2 "--speed 'fast': must be 0 or 0.01 to 10000" "$mm" --replay "$tmp" --http --speed fast
check "speed trailing garbage" 2 "--speed '2x'" "$mm" --replay "$tmp" --http --speed 2x
check "bad linger" 2 "--linger 'soon': must be 0 to 100000000 (s) or forever" "$mm" --linger soon
if ! "$mm" --replay "$tmp" --http=127.0.0.1:0 2>&1 | grep -q "no HTTP server"; then
  check "replay of a folder without logs" 1 "rounds.tsv" "$mm" --replay "$tmp" --http=127.0.0.1:0
fi
check "scenario without sim" 2 "only with --backend sim" "$mm" --scenario "$sc"
check "history too small" 2 "--history '10K': must be 64K to 1G" "$mm" --history 10K
check "history too large" 2 "--history '2G': must be 64K to 1G" "$mm" --history 2G
check "history bad size" 2 "--history 'lots'" "$mm" --history lots

# --history bounds the rounds the page can ask for: after 2000 rounds of 100
# guests, the history holds what SIZE can keep (the default: about 145).
history_rounds() { # SIZE: rounds /api/v1/history returns once the run ended
  local err="$tmp/hist-$1.err" url n=""
  "$mm" --backend sim --scenario "$src/scenarios/many100.json" --fast --duration 2000 \
    --http=127.0.0.1:0 --history "$1" --linger 120 -d "$tmp/hist-$1" > /dev/null 2> "$err" &
  local pid=$!
  for _ in $(seq 600); do grep -q "msg=stopped" "$err" && break; sleep 0.1; done
  url=$(grep -o "url=http://[^ ]*" "$err" | head -1 | cut -d= -f2)
  [ -n "$url" ] && n=$(/usr/bin/python3 -c 'import json, sys, urllib.request
print(len(json.load(urllib.request.urlopen(sys.argv[1] + "api/v1/history?seconds=86400"))["rounds"]))' "$url")
  kill "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
  echo "${n:-none}"
}
if ! "$mm" --http=127.0.0.1:0 -n 2>&1 | grep -q "no HTTP server"; then
  small=$(history_rounds 64K) big=$(history_rounds 1M)
  # 16 times the memory: at least 8 times the rounds (a roster per history)
  verdict="64K: $small rounds, 1M: $big rounds"
  [[ $small =~ ^[0-9]+$ && $big =~ ^[0-9]+$ ]] && [ "$small" -ge 10 ] &&
    [ "$big" -ge $((8 * small)) ] && verdict=ok
  check "history 64K keeps fewer rounds than 1M" 0 "ok" echo "$verdict"

  # The HTTP server is a module loaded only when asked: a run without --http
  # maps neither libmicrohttpd nor GnuTLS (about 2.4 MiB resident,
  # bench/footprint). LD_DEBUG=files names every object the loader maps.
  libs() { LD_DEBUG=files "$@" 2>&1 > /dev/null | grep -o 'file=[^ ]*' | sort -u | tr '\n' ' '; }
  plain=$(libs "$mm" --backend sim --scenario "$sc" --fast --duration 5 -q -d "$tmp/libs-a")
  paged=$(libs "$mm" --backend sim --scenario "$sc" --fast --duration 5 -q --linger 0 \
    --http=127.0.0.1:0 -d "$tmp/libs-b")
  verdict="without --http: $plain; with: $paged"
  [[ $plain == *libc.so* && $plain != *microhttpd* && $plain != *gnutls* &&
    $plain != *mmserver-http* && $paged == *mmserver-http.so* &&
    $paged == *libmicrohttpd* ]] && verdict=ok
  check "HTTP module loaded only with --http" 0 "ok" echo "$verdict"

  # A copy outside the build tree looks for the installed module; where none
  # is installed it says which file it could not load.
  mkdir -p "$tmp/bin" && cp "$mm" "$tmp/bin/mmserver"
  out=$("$tmp/bin/mmserver" --backend sim --scenario "$sc" --fast --duration 5 -q --linger 0 \
    --http=127.0.0.1:0 -d "$tmp/libs-c" 2>&1)
  if ! grep -q "listening" <<< "$out"; then
    check "HTTP module missing" 1 "mmserver: --http: cannot load the HTTP module: /" \
      "$tmp/bin/mmserver" --backend sim --scenario "$sc" --fast --duration 5 --http=127.0.0.1:0 \
      -d "$tmp/libs-d"
  fi
fi
check "bad backend" 2 "--backend 'kvm': must be one of: xen sim" "$mm" --backend kvm
check "bad interval" 2 "--interval '5'" "$mm" --interval 5
check "bad http" 2 "--http '1.2.3.4:99999'" "$mm" --http=1.2.3.4:99999
check "http with a space" 2 "--http '1.2.3.4:99999'" "$mm" --http 1.2.3.4:99999
check "stray argument" 2 "unexpected" "$mm" extra
check "http v6 without brackets" 2 "in brackets: [::1]:PORT" "$mm" --http ::1:9091 -n
check "http localhost" 0 "configuration ok" "$mm" --http localhost:9091 -n
check "unknown guard" 2 "--sim-disable-guard 'seatbelt'" "$mm" --backend sim --scenario "$sc" --sim-disable-guard seatbelt
check "missing scenario" 2 "scenario" "$mm" --backend sim --scenario "$tmp/nope.json" -d "$tmp/x"
printf '{"host": {"memory": "1G"}, "guests": []}' > "$tmp/empty.json"
check "empty scenario" 2 "guests" "$mm" --backend sim --scenario "$tmp/empty.json" -d "$tmp/x"
printf '{"host": ' > "$tmp/trunc.json"
check "truncated json" 2 "line 1 column" "$mm" --backend sim --scenario "$tmp/trunc.json" -d "$tmp/x"

printf '{"host": {"memory": "4G"},\n "guests": [{"name": "vm1",\n   "worklaod": "static 100M"}]}' > "$tmp/typo.json"
check "scenario typo" 2 "line 3 column 4: guest vm1: unknown key 'worklaod'" "$mm" --backend sim --scenario "$tmp/typo.json" -d "$tmp/x"
check "summary unwritable" 2 "--summary '/nonexistent/dir/s.json'" "$mm" --backend sim --scenario "$sc" --fast -d "$tmp/x" --summary /nonexistent/dir/s.json
printf 'policy = tax\nfree = 150M\nfloor.vm1 = 300M\n' > "$tmp/ok.conf"
check "config ok" 0 "configuration ok: policy=tax" "$mm" -c "$tmp/ok.conf" -n
printf 'policy = tax\nfree = 150\n' > "$tmp/bad.conf"
check "config bad value" 2 "line 2: free = 150: bare number" "$mm" -c "$tmp/bad.conf" -n
printf 'polcy = tax\n' > "$tmp/typo.conf"
check "config unknown key" 2 "line 1: polcy = tax: unknown key" "$mm" -c "$tmp/typo.conf" -n
printf 'policy = ebb\nweight.vm1 = 90\nweight.vm2 = 10\n' > "$tmp/weight.conf"
check "config weights" 0 "configuration ok: policy=ebb" "$mm" -c "$tmp/weight.conf" -n
printf 'weight.vm1 = 0\n' > "$tmp/weight0.conf"
check "config weight 0" 2 "line 1: weight.vm1 = 0: weight must be 1 to 100" "$mm" -c "$tmp/weight0.conf" -n
printf 'weight.vm1 = 101\n' > "$tmp/weight101.conf"
check "config weight 101" 2 "weight must be 1 to 100" "$mm" -c "$tmp/weight101.conf" -n
check "config missing" 2 "$tmp/none.conf" "$mm" -c "$tmp/none.conf" -n
check "cli beats config" 0 "policy=equal" "$mm" -c "$tmp/ok.conf" --policy equal -n

# Signals on a real-time simulation: SIGHUP reloads, SIGTERM stops cleanly.
printf 'policy = tax\n' > "$tmp/live.conf"
"$mm" --backend sim --scenario "$sc" -c "$tmp/live.conf" -d "$tmp/live" --interval 100 \
  2> "$tmp/live.err" > /dev/null &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/live/rounds.tsv" ] && [ "$(wc -l < "$tmp/live/rounds.tsv")" -ge 3 ] && break; sleep 0.1; done
printf 'policy = equal\n' > "$tmp/live.conf"
kill -HUP $pid
for _ in $(seq 100); do grep -q "msg=reloaded policy=equal" "$tmp/live.err" && break; sleep 0.1; done
printf 'policy = nonsense\n' > "$tmp/live.conf"
kill -HUP $pid
for _ in $(seq 100); do grep -q "msg=reload-refused\|msg=config-invalid" "$tmp/live.err" && break; sleep 0.1; done
# logrotate: the files are moved away, SIGHUP opens new ones with a header
for _ in $(seq 100); do grep -q "msg=reload-refused\|msg=config-invalid" "$tmp/live.err" && break; sleep 0.1; done
mv "$tmp/live/vm1.log" "$tmp/live/vm1.log.1"
mv "$tmp/live/rounds.tsv" "$tmp/live/rounds.tsv.1"
kill -HUP $pid
for _ in $(seq 100); do [ -s "$tmp/live/rounds.tsv" ] && [ "$(wc -l < "$tmp/live/rounds.tsv")" -ge 3 ] && break; sleep 0.1; done
kill -TERM $pid
wait $pid; rc=$?
check "sighup reopens logs" 0 "msg=logs-reopened" cat "$tmp/live.err"
check "reopened log has its header" 0 "time_ms	domid	target_kib" head -1 "$tmp/live/vm1.log"
check "reopened rounds has rows" 0 "ok" sh -c "[ \$(grep -vc '^time_ms' '$tmp/live/rounds.tsv') -ge 1 ] && echo ok"
check "sighup reload" 0 "msg=reloaded policy=equal" cat "$tmp/live.err"
check "bad reload kept" 0 "msg=reload-refused why=\"unknown policy 'nonsense'" cat "$tmp/live.err"
check "sigterm exit 0" 0 "msg=stopped" sh -c "cat '$tmp/live.err'; exit $rc"
rows=$(grep -vc '^time_ms\|^#' "$tmp/live/vm1.log" 2>/dev/null || echo 0)
check "rows flushed" 0 "ok" sh -c "[ $rows -ge 1 ] && echo ok"

# A second run into the same directory appends, with a restart comment.
"$mm" --backend sim --scenario "$sc" --fast --duration 5 -q -d "$tmp/live" > /dev/null 2>&1
check "append + restart" 0 "# restart" cat "$tmp/live/vm1.log"
check "restart marker has the time" 0 "ok" sh -c "grep '^# restart' '$tmp/live/rounds.tsv' | grep -qv 'time_ms=0\$' && echo ok"
check "one header" 0 "1" sh -c "grep -c '^time_ms' '$tmp/live/vm1.log'"
check "rounds header units" 0 "time_ms	n	pool_kib	host_free_kib	tau	policy	round_cost_us" cat "$tmp/live/rounds.tsv"

# Default log directory: YY-MM-DD_<k>, one more than the largest today.
(cd "$tmp" && mkdir -p "$(date +%y-%m-%d)_3" && "$mm" --backend sim --scenario "$sc" --fast --duration 2 -q > /dev/null 2>&1)
check "default log dir" 0 "ok" sh -c "[ -f '$tmp/$(date +%y-%m-%d)_4/rounds.tsv' ] && echo ok"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
