#!/bin/sh
# Opens the xenmm canvas. If an mmserver already serves HTTP at $XENMM_URL
# (default http://127.0.0.1:9091/) it just opens that. Otherwise, on a
# machine without Xen, it starts a simulator demo first:
#   mmserver --backend sim --scenario SCENARIO --http=127.0.0.1:PORT
# and stops it on Ctrl-C. Usage: canvas/start.sh [SCENARIO.json] [PORT]
# Env: MMSERVER (the binary), XENMM_URL, BROWSER (command to open a URL),
# XENMM_DEMO_S (simulated seconds of the demo, default 3600).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
url=${XENMM_URL:-http://127.0.0.1:9091/}
port=${2:-9091}

open_url() {
  echo "canvas: $1"
  if [ -n "${BROWSER:-}" ]; then "$BROWSER" "$1" >/dev/null 2>&1 &
  elif [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && command -v xdg-open >/dev/null; then
    xdg-open "$1" >/dev/null 2>&1 &
  else echo "canvas: no display here; open the URL above in a browser (ssh -L $port:127.0.0.1:$port works)"
  fi
}

if curl -sf -o /dev/null "${url}api/v1/history?seconds=1" 2>/dev/null; then
  open_url "$url"
  exit 0
fi
if [ -e /dev/xen/privcmd ] && grep -qs control_d /proc/xen/capabilities; then
  echo "canvas: this is a Xen host and no mmserver answers at $url;" >&2
  echo "canvas: start it with: mmserver --http (or systemctl start mmserver)" >&2
  exit 1
fi

# No Xen: the simulator demo.
find_mmserver() {
  if [ -n "${MMSERVER:-}" ]; then echo "$MMSERVER"; return; fi
  for b in "$here"/../build*/server/mmserver; do
    [ -x "$b" ] && { echo "$b"; return; }
  done
  command -v mmserver || true
}
mm=$(find_mmserver)
[ -n "$mm" ] || { echo "canvas: no mmserver found (build it with -DSOCK=ON, or set MMSERVER)" >&2; exit 1; }
scenario=${1:-}
if [ -z "$scenario" ]; then
  for s in "$here/../scenarios/mono5.json" /usr/share/xenmm/scenarios/mono5.json; do
    [ -f "$s" ] && { scenario=$s; break; }
  done
fi
[ -f "$scenario" ] || { echo "canvas: no scenario file (give one: canvas/start.sh FILE.json)" >&2; exit 1; }

logs=$(mktemp -d /tmp/xenmm-canvas.XXXXXX)
"$mm" --backend sim --scenario "$scenario" --http="127.0.0.1:$port" --canvas "$here" \
  --duration "${XENMM_DEMO_S:-3600}" --linger forever -d "$logs/logs" 2>"$logs/server.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 50); do
  got=$(sed -n 's/.*msg=listening url=\(http[^ ]*\).*/\1/p' "$logs/server.err")
  [ -n "$got" ] && break
  kill -0 $pid 2>/dev/null || { cat "$logs/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$got" ] || { echo "canvas: mmserver did not start; see $logs/server.err" >&2; exit 1; }
echo "canvas: simulator demo ($(basename "$scenario")), logs in $logs; Ctrl-C stops it"
open_url "$got"
wait $pid
