#!/usr/bin/env bash
# deps.sh [--check]: the Debian packages that boot Xen under QEMU (tests/xen-qemu, script/xen-vm.sh).
# Installs the missing ones with apt-get (root or sudo); --check only lists them (exit 1 if any).
# Nothing outside Debian's archive; the project's own build dependencies are script/setup.sh's.
set -euo pipefail
# linux-image-amd64 is the kernel of dom0 and of the guests; busybox-static and cpio make their
# initramfs; xenstore-utils gives the xenstore tools that go into both.
PKGS="xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils linux-image-amd64
  busybox-static cpio qemu-system-x86 python3"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	exit 0
fi
if [ "${1:-}" = --check ]; then
	echo "deps.sh: missing:$missing" >&2
	exit 1
fi
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
# shellcheck disable=SC2086
$sudo_cmd apt-get install -y -qq --no-install-recommends $missing >/dev/null
