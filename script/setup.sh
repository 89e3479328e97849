#!/usr/bin/env bash
# Installs the Debian packages xenmm needs on Debian 12, by group:
#   demo   build mmserver and run the simulator with the live page
#          (script/demo.sh): gcc, make, cmake, jansson, libmicrohttpd
#   test   everything script/test.sh runs: demo + Xen libraries, cmocka, the
#          integration tests' tools (memcached, curl, Prometheus parser,
#          headless Chromium), the packaging checks (debhelper, lintian, rpm,
#          debootstrap, systemd-analyze), the experiment runner and notebook,
#          the fuzzers (clang-14, libFuzzer) and Xen under QEMU (tests/xen-qemu)
#   build  demo + what a full build needs (Xen libraries, cmocka, rst2man)
#   bench  the benchmarks' extra tools (wrk, memcaslap, matplotlib, what
#          builds mc-crusher and memtier_benchmark)
#   all    test + bench (the default)
# Usage: bash script/setup.sh [demo|build|test|bench|all]...
# Idempotent: packages already present are left alone, and apt-get runs (update
# first, then install) only when one is missing. Needs root (or sudo). It
# installs nothing outside Debian's archive.
set -euo pipefail

# The simulator demo: mmserver with its HTTP server (SOCK=ON); no Xen, no tests,
# no C++ (gcc, not build-essential).
PKGS_DEMO="gcc libc6-dev make cmake pkg-config libjansson-dev libmicrohttpd-dev"
# Building everything: the Xen backend and mmclient, man pages, the unit tests.
PKGS_BUILD="build-essential git libxen-dev libcmocka-dev python3 python3-docutils"
# Integration tests: real memcached, loopback HTTP with libcurl, metrics parser,
# headless browser (chromium driven by Debian's own nodejs >= 18 over the
# DevTools pipe: no npm, no driver; tests/http/browser), process checks.
PKGS_TEST="memcached curl libcurl4-openssl-dev python3-prometheus-client chromium nodejs procps"
# Packaging checks (tests/pkg): deb and rpm builds, lintian, a fresh root to
# install the .debs into, systemd-analyze verify on the units.
PKGS_PKG="debhelper dpkg-dev fakeroot lintian rpm debootstrap systemd"
# Experiments (tests/experiment): the report's plots, the notebook executed
# headless, ssh for the hosts target.
PKGS_EXP="python3-matplotlib jupyter-nbconvert python3-nbformat python3-ipykernel openssh-client"
# Fuzzing (tests/fuzz, the fuzz stage of script/test.sh): Debian's clang with
# libFuzzer and the sanitizers.
PKGS_FUZZ="clang-14 libclang-rt-14-dev libfuzzer-14-dev"
# Real Xen under QEMU (tests/xen-qemu, script/xen-vm.sh; tests/xen-qemu/deps.sh).
PKGS_XEN="xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils linux-image-amd64
  busybox-static cpio qemu-system-x86"
# Benchmarks and plots (bench/); building the peers bench/mc compares against
# (mc-crusher, memtier_benchmark) from their public source.
PKGS_BENCH="wrk libmemcached-tools python3-matplotlib libevent-dev libpcre3-dev libssl-dev
  zlib1g-dev autoconf automake libtool"

usage() {
	sed -n '2,/^set -e/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
}

want=""
[ $# -gt 0 ] || set -- all
for group in "$@"; do
	case $group in
	demo) want="$want $PKGS_DEMO" ;;
	build) want="$want $PKGS_DEMO $PKGS_BUILD" ;;
	test) want="$want $PKGS_DEMO $PKGS_BUILD $PKGS_TEST $PKGS_PKG $PKGS_EXP $PKGS_FUZZ $PKGS_XEN" ;;
	bench) want="$want $PKGS_DEMO $PKGS_BUILD $PKGS_BENCH" ;;
	all) want="$want $PKGS_DEMO $PKGS_BUILD $PKGS_TEST $PKGS_PKG $PKGS_EXP $PKGS_FUZZ $PKGS_XEN $PKGS_BENCH" ;;
	-h | --help) usage; exit 0 ;;
	*) echo "setup: unknown group '$group' (demo, build, test, bench, all)" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "setup: $*: all packages present"
	exit 0
fi

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "setup: needs root (or sudo) to install:$missing" >&2; exit 1; }
	sudo_cmd="sudo"
fi
echo "setup: $*: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
# shellcheck disable=SC2086
$sudo_cmd apt-get install -y -qq --no-install-recommends $missing
echo "setup: done"
