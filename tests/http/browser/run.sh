#!/bin/sh
# Browser test wrapper: installs playwright-core (pinned by package-lock.json)
# into WORKDIR once, then runs canvas_test.mjs there against the server
# command given after "--". Usage: run.sh WORKDIR SHOT_NAME -- CMD ARGS...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$1 shot=$2
shift 3
mkdir -p "$work"
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/playwright-core" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
fi
NODE_PATH="$work/node_modules" exec node "$here/canvas_test.mjs" "$work" "$shot" "$@"
