#!/bin/sh
# set-mem.sh: prepare Xen guests for xenmm from dom0, by hand: maxmem and
# memory with xl, and the guest-owned report node (what mmserver also does).
# It never opens memory/ to all domains, as the 2013 scripts did: each node
# is owned by its guest, with no access for any other domain.
set -eu

usage() {
	cat <<'USAGE'
Usage: set-mem.sh [OPTION]... DOMAIN...
Prepare running Xen guests (name or domid) for mmclient/mmserver. In dom0, as root.

  --maxmem SIZE   raise the guest's maximum (xl mem-max), e.g. 4G
  --memory SIZE   set its balloon target now (xl mem-set), e.g. 1G
  --legacy        also grant memory/free and memory/tot (2013 clients)
  --revoke        remove the nodes this script grants
  -n, --dry-run   print the commands, run nothing
  -h, --help      this text

The report node /local/domain/<id>/memory/report is created empty and given to
the guest alone (xenstore-chmod n<id>). Growing a guest past its boot size also
needs maxmem= in its xl config and memhp_default_state=online on its kernel
command line (see docs/xen-host.rst).
USAGE
}

run() {
	if [ "$dry" = 1 ]; then
		echo "$*"
	else
		"$@"
	fi
}

# grant ID NODE: create the node if missing, owned by ID, nobody else.
grant() {
	path=/local/domain/$1/$2
	if [ "$dry" = 1 ] || ! xenstore-exists "$path" 2>/dev/null; then
		run xenstore-write "$path" ""
	fi
	run xenstore-chmod "$path" "n$1"
}

domid_of() {
	case $1 in
	*[!0-9]*) xl domid "$1" ;;
	*) echo "$1" ;;
	esac
}

maxmem="" memory="" legacy=0 revoke=0 dry=0
while [ $# -gt 0 ]; do
	case $1 in
	--maxmem) maxmem=${2:?--maxmem needs a SIZE}; shift 2 ;;
	--memory) memory=${2:?--memory needs a SIZE}; shift 2 ;;
	--legacy) legacy=1; shift ;;
	--revoke) revoke=1; shift ;;
	-n | --dry-run) dry=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) echo "set-mem.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { usage >&2; exit 2; }

for dom in "$@"; do
	if [ "$dry" = 1 ]; then
		id=$(domid_of "$dom" 2>/dev/null || echo "<domid of $dom>")
	else
		id=$(domid_of "$dom") || { echo "set-mem.sh: no domain '$dom'" >&2; exit 1; }
	fi
	if [ "$id" = 0 ]; then
		echo "set-mem.sh: $dom is dom0; skipping (mmserver --manage-dom0 handles it)" >&2
		continue
	fi
	nodes="memory/report"
	[ "$legacy" = 1 ] && nodes="$nodes memory/free memory/tot"
	if [ "$revoke" = 1 ]; then
		for n in $nodes; do run xenstore-rm "/local/domain/$id/$n"; done
		continue
	fi
	[ -n "$maxmem" ] && run xl mem-max "$dom" "$maxmem"
	[ -n "$memory" ] && run xl mem-set "$dom" "$memory"
	for n in $nodes; do grant "$id" "$n"; done
	echo "set-mem.sh: domain=$dom domid=$id granted=\"$nodes\""
done
