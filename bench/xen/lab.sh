#!/usr/bin/env bash
# bench/xen/lab.sh BUILD_DIR [BASE_COMMIT]: issue 13's two figures that need a real kernel and a
# real Xen, from the QEMU lab (tests/xen-qemu: Xen 4.17, Debian dom0, PV guests, under TCG):
#  - mmclient's reaction to a 64 and a 256 MiB step, BASE (default 22942ea, before issue 13's
#    client work) against this tree, in pairs, inside guests whose /proc/meminfo is a real
#    kernel's; with the Debian kernel's PSI and with psi=0; both clients' idle CPU and RSS;
#  - report -> target written with mmserver in dom0, both events stamped on one clock;
#    and the floor under it (a plain xenstore write and its watch event).
# Writes bench/xen/lab-results.md (bench/xen/lab_report.py makes the tables) and keeps the raw
# logs in BUILD_DIR/xen-qemu-bench13. It builds the baseline (BUILD_DIR/bench13-base) and the
# bench programs; the rest of BUILD_DIR must be built (images.sh says what is missing).
# Run it under the lab's lock, or give the lock: XQ_LOCK=/work/wt/qemu.lock (taken only
# around the boot). Env: B13_STEPS (reaction steps per size, 30), B13_SIZES (64,256),
# B13_IDLE_S (60), B13_LAT_STEPS (up+down pairs, 30), B13_HOLD_S (3), B13_PINGS (300),
# B13_PARTS ("floor latency reaction"), XQ_TIMEOUT (s, 3000), XQ_TCG_THREAD (single).
# Exit: 0 tables written; 1 a part gave no figures; 2 usage or build; 3 the machine did not boot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
lab=$src/tests/xen-qemu
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: lab.sh BUILD_DIR [BASE_COMMIT]" >&2; exit 2; }
build=$(cd "$1" && pwd)
base=${2:-22942ea}
work=$build/xen-qemu-bench13
steps=${B13_STEPS:-30} sizes=${B13_SIZES:-64,256} idle_s=${B13_IDLE_S:-60}
lat_steps=${B13_LAT_STEPS:-30} hold_s=${B13_HOLD_S:-3} pings=${B13_PINGS:-300}
parts=${B13_PARTS:-floor latency reaction}
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)

bash "$lab/deps.sh" --check || exit 2
# 1. The programs: this tree's double pieces and bench_reaction, the baseline's client.
cmake --build "$build" -j2 --target bench_reaction mmclient_double mmserver_double mmclient \
	mmserver >/dev/null || exit 2
bsrc=$build/bench13-base/src bbuild=$build/bench13-base/build
if [ "$(cat "$build/bench13-base/commit" 2>/dev/null)" != "$(git -C "$src" rev-parse "$base")" ]; then
	rm -rf "$build/bench13-base"
	mkdir -p "$bsrc"
	git -C "$src" archive "$base" | tar -x -C "$bsrc"
	git -C "$src" rev-parse "$base" >"$build/bench13-base/commit"
fi
cmake -S "$bsrc" -B "$bbuild" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$bbuild" -j2 --target mmclient_double >/dev/null || exit 2
client_a=$bbuild/tests/xen/mmclient_double client_b=$build/tests/xen/mmclient_double
reaction=$build/bench/xen/bench_reaction
double=$(strings "$reaction" | awk '/\/mm_xen_double$/ && !n++') # MMD_DAEMON_PATH, built in
srv_double=$(strings "$reaction" | awk '/\/mmserver_double$/ && !n++')
for f in "$client_a" "$client_b" "$reaction" "$double" "$srv_double"; do
	[ -x "$f" ] || { echo "lab.sh: $f missing" >&2; exit 2; }
done

# 2. The lab's images, then two overlays (a later cpio archive in the same initramfs adds
#    files and replaces those of the same name).
rm -rf "$work"
mkdir -p "$work/ov-domu/bench13" "$work/ov-dom0/xq/guests" "$work/ov-dom0/usr/sbin"
bash "$lab/images.sh" "$build" "$work/images" >"$work/images.log" 2>&1 ||
	{ cat "$work/images.log" >&2; exit 2; }
libs() { # root program: its shared libraries at the same paths
	local l
	for l in $(ldd "$2" | grep -oE '/[^ ]+\.so[^ ]*'); do
		[ -e "$1$l" ] || install -D -m 755 "$(readlink -f "$l")" "$1$l"
	done
}
r=$work/ov-domu
for f in "$client_a" "$client_b" "$reaction" "$double" "$srv_double"; do
	install -D -s -m 755 "$f" "$r$f" # the paths compiled into bench_reaction
	libs "$r" "$f"
done
echo "$reaction $client_a $client_b" >"$r/bench13/paths"
install -m 755 "$lab/vm/bench13-domu-init.sh" "$r/init"
cpio_of() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet); }
pack() { cpio_of "$1" | gzip -6; }
r=$work/ov-dom0
# one gzip stream for the guest (libxc's loader warns about a second one)
{ zcat "$work/images/domu.cpio.gz"; cpio_of "$work/ov-domu"; } | gzip -6 >"$r/xq/guests/domu-bench13.cpio.gz"
cc -std=c11 -O2 -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Werror -o "$r/usr/sbin/xq_watch13" "$lab/vm/xq_watch13.c" -lxenstore
libs "$r" "$r/usr/sbin/xq_watch13"
for g in bench-psi bench-nopsi; do
	opt=""
	[ $g = bench-nopsi ] && opt=" psi=0"
	cat >"$r/xq/guests/$g.cfg" <<CFG
name = "$g"
type = "pv"
kernel = "/xq/guests/vmlinuz"
ramdisk = "/xq/guests/domu-bench13.cpio.gz"
extra = "console=hvc0 quiet xqb_steps=$steps xqb_sizes=$sizes xqb_idle_s=$idle_s$opt"
memory = 512
maxmem = 512
vcpus = 2
on_crash = "preserve"
CFG
done
cat >"$r/xq/bench13.params" <<PARAMS
b13_parts="$parts"
b13_pings=$pings
b13_lat_steps=$lat_steps
b13_hold_s=$hold_s
b13_reaction_timeout_s=$((idle_s + $(echo "$sizes" | tr , "\n" | wc -l) * steps * 12 + 240))
PARAMS
install -m 644 "$lab/vm/scenario-bench13.sh" "$r/xq/scenario-bench13.sh"
pack "$r" >>"$work/images/dom0.cpio.gz"

# 3. The boot (under the lock when one is given).
lock=()
[ -n "${XQ_LOCK:-}" ] && lock=(flock "$XQ_LOCK")
echo "== bench13: boot (Xen 4.17 under QEMU TCG; parts: $parts)"
rc=0
"${lock[@]}" python3 "$lab/boot.py" --images "$work/images" --mode bench13 --log "$work/serial.log" \
	--results "$work/results" --timeout "${XQ_TIMEOUT:-3000}" \
	--tcg-thread "${XQ_TCG_THREAD:-single}" || rc=$?
grep -E "XQ: (stage|fact|boot-failed)" "$work/serial.log" | sed 's/^/  /' || true
[ $rc -eq 0 ] || { echo "== bench13: the machine did not boot or send results" >&2; exit 3; }

# 4. The host side of the emulation's cost, then the tables.
ts=$(date +%s%N)
dd if=/dev/zero bs=1M count=64 2>/dev/null | md5sum >/dev/null
host_md5_ms=$((($(date +%s%N) - ts) / 1000000))
rc=0
python3 "$here/lab_report.py" "$work/results/out" --base "$base" \
	--commit "$(git -C "$src" rev-parse --short HEAD)$(git -C "$src" diff --quiet HEAD -- client bench/xen tests/xen-qemu || echo '+uncommitted')" \
	--load "$load0" --host-md5-ms "$host_md5_ms" --wall-s "$(($(date +%s) - t0))" \
	--params "steps=$steps sizes=$sizes idle_s=$idle_s lat_steps=$lat_steps hold_s=$hold_s pings=$pings tcg_thread=${XQ_TCG_THREAD:-single}" \
	>"$work/lab-results.md" || rc=1 # a part with no figures (or one left out by B13_PARTS)
cp "$work/lab-results.md" "$here/lab-results.md"
cat "$here/lab-results.md"
exit $rc
