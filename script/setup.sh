#!/usr/bin/env bash
# Installs every Debian package xenmm needs to build, test and demo, on Debian 12.
# Idempotent: packages already present are left as they are. Needs root (or sudo).
# It installs nothing outside Debian's archive.
set -euo pipefail

# Build and core test dependencies (issue 2 onwards).
PKGS_BUILD="build-essential cmake pkg-config git
  libxen-dev libcmocka-dev libjansson-dev libmicrohttpd-dev
  python3 python3-docutils"
# Integration tests: real memcached, HTTP clients, metrics parser, headless browser
# (chromium driven by Debian's own nodejs >= 18 over the DevTools pipe: no npm, no driver).
PKGS_TEST="memcached libmemcached-tools curl libcurl4-openssl-dev
  python3-prometheus-client chromium nodejs procps wrk openssh-client"
# Experiments: the notebook executed headless (xenmm-experiment needs only python3
# and python3-matplotlib).
PKGS_NOTEBOOK="jupyter-nbconvert python3-nbformat python3-ipykernel"
# Fuzzing (tests/fuzz, bench/fuzz): Debian's clang with libFuzzer and the sanitizers.
PKGS_FUZZ="clang-14 libclang-rt-14-dev libfuzzer-14-dev"
# Plots in bench/ and the notebook.
PKGS_PLOT="python3-matplotlib"
# Only to build the peers bench/mc compares against (mc-crusher, memtier_benchmark)
# from their public source: not installed by default (bash script/setup.sh bench-peers).
PKGS_BENCH_PEERS="libevent-dev libpcre3-dev libssl-dev zlib1g-dev autoconf automake libtool"
# Real Xen under QEMU (tests/xen-qemu, script/xen-vm.sh).
PKGS_XEN="xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils linux-image-amd64
  busybox-static cpio qemu-system-x86"

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi

missing=""
want="$PKGS_BUILD $PKGS_TEST $PKGS_NOTEBOOK $PKGS_FUZZ $PKGS_PLOT $PKGS_XEN"
[ "${1:-}" = bench-peers ] && want="$want $PKGS_BENCH_PEERS"
for p in $want; do
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
