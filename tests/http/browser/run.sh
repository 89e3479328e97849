#!/bin/sh
# Browser test wrapper: runs canvas_test.mjs (Node.js, Debian's chromium over
# the DevTools pipe, no npm package) against the server command given after
# "--". Usage: run.sh WORKDIR SHOT_NAME -- CMD ARGS...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$1 shot=$2
shift 3
mkdir -p "$work"
exec node "$here/canvas_test.mjs" "$work" "$shot" "$@"
