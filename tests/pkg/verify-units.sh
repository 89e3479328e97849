#!/bin/sh
# systemd-analyze verify on the units CMake generated (BUILD/systemd/*.service),
# with their installed program paths pointed at the built programs and the
# built man pages on MANPATH, so that it checks the unit files as installed
# without installing them. Clean means no output at all: systemd-analyze
# prints warnings without failing.
# Usage: verify-units.sh BUILD_DIR SBINDIR   (SBINDIR as the units name it)
set -eu
build=$(cd "$1" && pwd) sbindir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/man/man5" "$tmp/man/man8" "$tmp/units"
cp "$build"/man/*.8 "$tmp/man/man8/"
cp "$build"/man/*.5 "$tmp/man/man5/"
status=0
for unit in "$build"/systemd/*.service; do
	name=$(basename "$unit")
	sed -e "s|$sbindir/mmserver|$build/server/mmserver|" \
	    -e "s|$sbindir/mmclient|$build/client/mmclient|" "$unit" >"$tmp/units/$name"
	grep -q "^ExecStart=$build/" "$tmp/units/$name" || {
		echo "verify-units: $name: ExecStart does not name $sbindir/mm*"; status=1; }
	if ! out=$(cd "$tmp/units" && MANPATH="$tmp/man" systemd-analyze verify "$name" 2>&1); then
		status=1
	fi
	if [ -n "$out" ]; then
		echo "verify-units: $name:"; echo "$out"; status=1
	else
		echo "verify-units: $name: clean"
	fi
done
exit $status
