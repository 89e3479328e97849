#!/bin/sh
# deploy-deb.sh: installs one .deb (normally xenmm-client) on many Debian guests
# at once over ssh, as the 2013 experiments did with pssh. It copies the file,
# installs it with apt-get (which fetches libxenstore4 if missing), and reports
# one line per host. It never touches dom0 and changes nothing else.
set -eu

usage() {
	cat <<'USAGE'
Usage: deploy-deb.sh [OPTION]... DEB HOST...
Install DEB on every HOST (Debian guests reachable with ssh as root or a user
with sudo), several at a time.

  -j, --jobs N      hosts at a time (default 8)
  -l, --login USER  ssh login (default root; other users need passwordless sudo)
  -n, --dry-run     print the commands for each host, run nothing
  -h, --help        this text

One line per host: host=HOST result=ok|failed rc=N log=FILE. Exit status: 0
every host succeeded, 1 at least one failed, 2 usage error (bad option, DEB
missing or not a .deb, no host). SSH and SCP (default ssh, scp) can name other
programs; they run with BatchMode=yes, so a host that asks for a password fails
instead of waiting.
USAGE
}

jobs=8 login=root dry=0
while [ $# -gt 0 ]; do
	case $1 in
	-j | --jobs) [ $# -ge 2 ] || { echo "deploy-deb.sh: $1 needs a value" >&2; exit 2; }; jobs=$2; shift 2 ;;
	-l | --login) [ $# -ge 2 ] || { echo "deploy-deb.sh: $1 needs a value" >&2; exit 2; }; login=$2; shift 2 ;;
	-n | --dry-run) dry=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) echo "deploy-deb.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
	*) break ;;
	esac
done
case $jobs in '' | *[!0-9]* | 0) echo "deploy-deb.sh: --jobs '$jobs': want a number from 1" >&2; exit 2 ;; esac
[ $# -ge 2 ] || { echo "deploy-deb.sh: want a .deb and at least one host (--help)" >&2; exit 2; }
deb=$1
shift
case $deb in *.deb) ;; *) echo "deploy-deb.sh: '$deb' is not a .deb file" >&2; exit 2 ;; esac
[ -f "$deb" ] || { echo "deploy-deb.sh: '$deb': no such file" >&2; exit 2; }
case $login in '' | *[!A-Za-z0-9._-]*) echo "deploy-deb.sh: --login '$login': not a user name" >&2; exit 2 ;; esac

name=$(basename "$deb")
sudo=""
[ "$login" = root ] || sudo="sudo "
remote="${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/$name; rc=\$?; rm -f /tmp/$name; exit \$rc"
ssh_cmd=${SSH:-ssh}
scp_cmd=${SCP:-scp}
logs=${DEPLOY_DEB_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/deploy-deb.XXXXXX")}

# one host: copy, install; its line on stdout
one() {
	host=$1
	case $host in '' | -* | *[!A-Za-z0-9._:@-]*)
		echo "host=$host result=failed rc=2 why=bad_host_name"; return 1 ;;
	esac
	log="$logs/$host.log"
	if [ "$dry" = 1 ]; then
		echo "$scp_cmd -o BatchMode=yes $deb $login@$host:/tmp/$name"
		echo "$ssh_cmd -o BatchMode=yes $login@$host '$remote'"
		return 0
	fi
	rc=0
	{ "$scp_cmd" -o BatchMode=yes "$deb" "$login@$host:/tmp/$name" &&
		"$ssh_cmd" -o BatchMode=yes "$login@$host" "$remote"; } >"$log" 2>&1 || rc=$?
	if [ $rc -eq 0 ]; then
		echo "host=$host result=ok rc=0 log=$log"
	else
		echo "host=$host result=failed rc=$rc log=$log"
	fi
	return $rc
}

# xargs runs this script again for each host (DEPLOY_DEB_ONE), N at a time
if [ "${DEPLOY_DEB_ONE:-}" = 1 ]; then
	one "$1"
	exit $?
fi
dryflag=""
[ "$dry" = 1 ] && dryflag=-n && jobs=1 # in order, for reading
export DEPLOY_DEB_ONE=1 DEPLOY_DEB_LOGS="$logs"
status=0
# shellcheck disable=SC2086
printf '%s\n' "$@" | xargs -P "$jobs" -I{} "$0" -l "$login" $dryflag -- "$deb" {} || status=1
[ "$dry" = 1 ] && rm -rf "$logs"
exit $status
