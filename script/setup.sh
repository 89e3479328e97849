#!/usr/bin/env bash
# Installs every Debian package xenmm needs to build, test and demo, on Debian 12.
# Idempotent: packages already present are left as they are. Needs root (or sudo).
# It installs nothing outside Debian's archive.
set -euo pipefail

# Build and core test dependencies (issue 2 onwards).
PKGS_BUILD="build-essential cmake pkg-config git
  libxen-dev libcmocka-dev libjansson-dev libmicrohttpd-dev
  python3 python3-docutils"
# Integration tests: real memcached, HTTP clients, metrics parser, headless browser.
PKGS_TEST="memcached libmemcached-tools curl libcurl4-openssl-dev
  python3-prometheus-client chromium nodejs procps wrk"
# Fuzzing (tests/fuzz, bench/fuzz): Debian's clang with libFuzzer and the sanitizers.
PKGS_FUZZ="clang-14 libclang-rt-14-dev libfuzzer-14-dev"
# Plots in bench/ and the notebook.
PKGS_PLOT="python3-matplotlib"
# Real Xen under QEMU (tests/xen-qemu, script/xen-vm.sh).
PKGS_XEN="xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils linux-image-amd64
  busybox-static cpio qemu-system-x86"

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi

missing=""
for p in $PKGS_BUILD $PKGS_TEST $PKGS_FUZZ $PKGS_PLOT $PKGS_XEN; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "setup: all packages present"
  exit 0
fi

echo "setup: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
# shellcheck disable=SC2086
$sudo_cmd apt-get install -y -qq --no-install-recommends $missing
echo "setup: done"
