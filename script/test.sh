#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds xenmm and runs every test: the
# CTest suite, the packages (deb and rpm built, lintian, the .debs installed
# into a fresh Debian 12 root and checked: tests/pkg/run.sh), the end-to-end
# run on a real Xen 4.17 under QEMU, and the CTest suite again under
# AddressSanitizer + UBSan.
# Usage: bash script/test.sh            (from the source tree, as root or with sudo)
# Env:   BUILD_DIR (default build), JOBS (default nproc), SKIP_SETUP=1, SKIP_ASAN=1,
#        SKIP_XEN_QEMU=1 (skip the real Xen 4.17 under QEMU end-to-end run),
#        SKIP_PACKAGES=1 (skip building and checking the packages)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}

[ "${SKIP_SETUP:-0}" = 1 ] || bash script/setup.sh test

run_suite() { # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON "$@" \
    > "$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j "$jobs" 2>&1 | grep -E "warning|error|Error" && return 1
  (cd "$dir" && ctest --output-on-failure --no-tests=error -j "$jobs" --timeout 600)
}

mkdir -p "$build" "$build-asan"
echo "== tests (RelWithDebInfo) in $build"
run_suite "$build"
if [ "${SKIP_PACKAGES:-0}" != 1 ]; then
  echo "== packages: deb, rpm, lintian, install into a fresh root (tests/pkg/run.sh)"
  bash tests/pkg/run.sh "$build/pkg"
fi
if [ "${SKIP_XEN_QEMU:-0}" != 1 ]; then
  echo "== Xen 4.17 under QEMU, end to end (tests/xen-qemu)"
  # dom0 and the guests get xenmm from the packages just built and checked
  debs=""
  [ "${SKIP_PACKAGES:-0}" = 1 ] || debs=$(cd "$build/pkg" && pwd)
  XQ_DEBS=$debs bash tests/xen-qemu/run.sh "$build"
fi
if [ "${SKIP_ASAN:-0}" != 1 ]; then
  echo "== tests under ASan + UBSan in $build-asan"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_suite "$build-asan" -DSANITIZE=ON
fi
