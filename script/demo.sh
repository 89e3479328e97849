#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds xenmm and runs the main job:
# mmserver balancing live, with the canvas page at http://127.0.0.1:9091/.
# On a Xen dom0 it balances the real guests; elsewhere it runs the simulator
# (scenario mono5 by default) in real time. Ctrl-C stops it cleanly.
# Usage: bash script/demo.sh [SCENARIO.json] [extra mmserver options]
# Env:   BUILD_DIR (default build), SKIP_SETUP=1
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}

dom0=0
grep -qs control_d /proc/xen/capabilities && dom0=1
if [ "${SKIP_SETUP:-0}" != 1 ]; then
	# the simulator needs only a compiler, cmake, jansson and libmicrohttpd;
	# a dom0 also needs the Xen libraries for the xen backend
	if [ $dom0 = 1 ]; then bash script/setup.sh build; else bash script/setup.sh demo; fi
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOCK=ON > "$build.configure.log" 2>&1 ||
	{ cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)" --target mmserver > /dev/null

logs=$(mktemp -d /tmp/xenmm-demo.XXXXXX)
if [ $dom0 = 1 ]; then
  echo "demo: Xen dom0 found: balancing the real guests; logs in $logs"
  exec "$build/server/mmserver" --backend xen --http -v -d "$logs" "$@"
fi
scenario=${1:-scenarios/mono5.json}
[ $# -gt 0 ] && shift
echo "demo: no Xen here: simulator scenario $scenario in real time; logs in $logs"
echo "demo: open http://127.0.0.1:9091/ to watch (or: bash canvas/start.sh)"
exec "$build/server/mmserver" --backend sim --scenario "$scenario" --http -v -d "$logs" "$@"
