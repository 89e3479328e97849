#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs a .deb (the xenmm client package) on many guests in parallel over
# ssh, one line of result per host; nonzero exit when any host failed.
# It does not build the package and does not configure the guests beyond
# what the package does (see README: On a real Xen host).
set -uo pipefail

prog=deploy-deb.sh
usage() {
  cat <<EOF
Usage: script/$prog [OPTIONS] HOST...
Install a .deb on every HOST in parallel over ssh (copy, then dpkg -i, with
sudo when the login is not root). HOST is host, user@host or
ssh://user@host:port; '-' reads more hosts from stdin, one a line ('#' comments).

  -p, --package FILE     the .deb (default: the newest xenmm-client_*.deb in
                         the current directory, .. or build/)
  -n, --dry-run          print what would run on each host; connect to none
      --no-act           connect and run dpkg --no-act: check that it would
                         install (dependencies), change nothing
      --start            then enable and start mmclient (systemctl, else the
                         SysV script)
  -j, --jobs N           hosts at once (default 16)
  -t, --timeout S        ssh connect timeout in seconds (default 10)
  -o, --ssh-option OPT   one more ssh option, e.g. -o IdentityFile=~/.ssh/xenmm
                         (repeatable; passed as ssh -o OPT)
      --ssh CMD          ssh program (default ssh)
  -l, --log-dir DIR      per-host logs (default deploy-YYYYmmdd-HHMMSS)
  -h, --help             this text

Output: host=H result=ok|failed|dry-run step=copy|install|start rc=N log=FILE
Exit: 0 every host ok; 1 one or more failed; 2 usage (bad option, no host,
no package).
EOF
}

die_usage() { echo "$prog: $*" >&2; echo "Try '$prog --help'." >&2; exit 2; }

pkg="" dry=0 noact=0 start=0 jobs=16 timeout=10 ssh=ssh logdir="" hosts=() sshopts=()
while [ $# -gt 0 ]; do
  case $1 in
    -p|--package) [ $# -ge 2 ] || die_usage "$1 needs a FILE"; pkg=$2; shift ;;
    -n|--dry-run) dry=1 ;;
    --no-act) noact=1 ;;
    --start) start=1 ;;
    -j|--jobs) [ $# -ge 2 ] || die_usage "$1 needs N"; jobs=$2; shift ;;
    -t|--timeout) [ $# -ge 2 ] || die_usage "$1 needs S"; timeout=$2; shift ;;
    -o|--ssh-option) [ $# -ge 2 ] || die_usage "$1 needs OPT"; sshopts+=(-o "$2"); shift ;;
    --ssh) [ $# -ge 2 ] || die_usage "$1 needs CMD"; ssh=$2; shift ;;
    -l|--log-dir) [ $# -ge 2 ] || die_usage "$1 needs DIR"; logdir=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    -) while read -r h; do h=${h%%#*}; h=${h//[[:space:]]/}; [ -n "$h" ] && hosts+=("$h"); done ;;
    -*) die_usage "unknown option '$1'" ;;
    *) hosts+=("$1") ;;
  esac
  shift
done
[[ $jobs =~ ^[1-9][0-9]{0,3}$ ]] || die_usage "--jobs '$jobs': want 1..9999"
[[ $timeout =~ ^[1-9][0-9]{0,3}$ ]] || die_usage "--timeout '$timeout': want seconds, 1..9999"
[ ${#hosts[@]} -gt 0 ] || die_usage "no HOST given"
for h in "${hosts[@]}"; do
  [[ $h =~ ^(ssh://)?([A-Za-z0-9._-]+@)?[A-Za-z0-9._:%-]+(:[0-9]+)?$ ]] ||
    die_usage "host '$h': not host, user@host or ssh://user@host:port"
done
if [ -z "$pkg" ]; then
  # shellcheck disable=SC2012 # our own build's file names
  pkg=$(ls -t ./xenmm-client_*.deb ../xenmm-client_*.deb build/xenmm-client_*.deb 2>/dev/null | head -1)
  [ -n "$pkg" ] || die_usage "no --package given and no xenmm-client_*.deb found here, in .. or build/"
fi
{ [ -f "$pkg" ] && [ -r "$pkg" ]; } || die_usage "package '$pkg': no such readable file"
name=$(dpkg-deb -f "$pkg" Package 2>/dev/null) ||
  die_usage "package '$pkg': not a .deb (dpkg-deb cannot read it)"
base=$(basename "$pkg")
logdir=${logdir:-deploy-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$logdir" || die_usage "cannot create log dir '$logdir'"

remote_deb="/tmp/xenmm-deploy-$$-$base"
# shellcheck disable=SC2016 # expanded on the far side
sudo_='$(test "$(id -u)" = 0 || echo sudo -n)'
dpkg_cmd="dpkg"
[ "$noact" = 1 ] && dpkg_cmd="dpkg --no-act"
install_cmd="S=$sudo_; \$S $dpkg_cmd -i '$remote_deb'; rc=\$?; rm -f '$remote_deb'; exit \$rc"
start_cmd="S=$sudo_; if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then \$S systemctl enable --now mmclient; else \$S /etc/init.d/mmclientd start; fi"
sshargs=(-o BatchMode=yes -o ConnectTimeout="$timeout" -o LogLevel=ERROR "${sshopts[@]}")

# One host: copy, install, maybe start; prints its result line.
deploy_one() {
  local h=$1 log step rc
  log="$logdir/$(printf '%s' "$h" | tr -c 'A-Za-z0-9._@-' '_').log"
  if [ "$dry" = 1 ]; then
    {
      echo "$ssh ${sshargs[*]} $h 'cat > $remote_deb' < $pkg"
      echo "$ssh ${sshargs[*]} $h \"$install_cmd\""
      [ "$start" = 1 ] && echo "$ssh ${sshargs[*]} $h \"$start_cmd\""
    } > "$log"
    while IFS= read -r line; do echo "$h: would run: $line"; done < "$log"
    echo "host=$h result=dry-run package=$name log=$log"
    return 0
  fi
  : > "$log"
  step=copy
  "$ssh" "${sshargs[@]}" "$h" "cat > '$remote_deb'" < "$pkg" >> "$log" 2>&1
  rc=$?
  if [ $rc = 0 ]; then
    step=install
    "$ssh" "${sshargs[@]}" "$h" "$install_cmd" < /dev/null >> "$log" 2>&1
    rc=$?
  fi
  if [ $rc = 0 ] && [ "$start" = 1 ] && [ "$noact" = 0 ]; then
    step=start
    "$ssh" "${sshargs[@]}" "$h" "$start_cmd" < /dev/null >> "$log" 2>&1
    rc=$?
  fi
  if [ $rc = 0 ]; then
    echo "host=$h result=ok package=$name step=$step log=$log"
  else
    echo "host=$h result=failed step=$step rc=$rc why=\"$(tail -1 "$log" | tr -d '"\r')\" log=$log"
  fi
  return $rc
}

# Parallel, at most $jobs at once; each host's status goes to a file.
statusdir=$(mktemp -d)
trap 'rm -rf "$statusdir"' EXIT
i=0
for h in "${hosts[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  i=$((i + 1))
  ( deploy_one "$h"; echo $? > "$statusdir/$i" ) &
done
wait
failed=0
for f in "$statusdir"/*; do
  [ "$(cat "$f")" = 0 ] || failed=$((failed + 1))
done
echo "hosts=${#hosts[@]} failed=$failed logs=$logdir"
[ $failed = 0 ]
