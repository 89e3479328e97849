#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds xenmm and runs every test: the
# CTest suite, a short libFuzzer run of every parser, the packages (deb and
# rpm built, lintian, the .debs installed into a fresh Debian 12 root and
# checked: tests/pkg/run.sh), on a real Xen 4.17 under QEMU the end-to-end run
# (from the packages), the on/off experiment, the reservation check and the
# chaos run (a hostile guest, a stuck balloon, xenstored stopped), and
# the CTest suite again under AddressSanitizer + UBSan.
# Usage: bash script/test.sh            (from the source tree, as root or with sudo)
# Env:   BUILD_DIR (default build), JOBS (default nproc), SKIP_SETUP=1, SKIP_ASAN=1,
#        SKIP_XEN_QEMU=1 (skip everything under QEMU), SKIP_PACKAGES=1 (skip
#        building and checking the packages), SKIP_FUZZ=1 (skip the fuzz stage)
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
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz targets, a few seconds each, clang-14 + libFuzzer (tests/fuzz) in $build-fuzz"
  mkdir -p "$build-fuzz"
  CC=clang-14 cmake -S . -B "$build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUZZ=ON \
    > "$build-fuzz.configure.log" 2>&1 || { cat "$build-fuzz.configure.log"; exit 1; }
  cmake --build "$build-fuzz" -j "$jobs" --target fuzz_all 2>&1 | grep -E "warning|error|Error" && exit 1
  (cd "$build-fuzz" && ctest --output-on-failure -j "$jobs" -L fuzz)
fi
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
  echo "== Xen 4.17 under QEMU: the on/off experiment (memcached in domu1; tests/xen-qemu/experiment.sh)"
  bash tests/xen-qemu/experiment.sh "$build"
  echo "== Xen 4.17 under QEMU: a reservation for a fourth guest (tests/xen-qemu/run-resv.sh)"
  bash tests/xen-qemu/run-resv.sh "$build"
  echo "== Xen 4.17 under QEMU: chaos (a hostile guest, a stuck balloon, xenstored stopped; tests/xen-qemu/run-chaos.sh)"
  bash tests/xen-qemu/run-chaos.sh "$build"
fi
if [ "${SKIP_ASAN:-0}" != 1 ]; then
  echo "== tests under ASan + UBSan in $build-asan"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_suite "$build-asan" -DSANITIZE=ON
fi
