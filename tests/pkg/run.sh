#!/usr/bin/env bash
# The packages, built and checked the way a user meets them:
#   1. dpkg-buildpackage -us -uc -b on a copy of this tree (dh_auto_test runs
#      the fast tests), lintian with no E: or W: allowed;
#   2. the file list of every .deb (dpkg -c) against the layout we promise;
#   3. the .debs installed with apt into a fresh Debian 12 root (debootstrap
#      minbase, cached as a tarball), debian/tests/smoke run there (programs,
#      mmserver -n, an installed scenario, the installed page, systemd-analyze
#      verify), units enabled, conffiles, then purged;
#   4. rpmbuild -bb rpm/xenmm.spec (Debian's rpm; %check runs the fast tests)
#      and the .rpm file lists;
#   5. `make package` (CPack) with DEB=ON, RPM=ON, and DEB=ON ONLY_CLIENT=ON.
# Usage: tests/pkg/run.sh WORKDIR       (root: debootstrap, chroot, mount)
# Env:   JOBS (default nproc), XENMM_ROOT_CACHE (default
#        /var/cache/xenmm/bookworm-minbase.tar), SKIP_FRESH_ROOT=1, SKIP_RPM=1,
#        SKIP_CPACK=1
# Leaves in WORKDIR: *.deb, *.rpm, lintian.txt, *.contents, the build logs.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then # debootstrap, chroot and mount need root
	command -v sudo >/dev/null || { echo "pkg: needs root (or sudo)" >&2; exit 2; }
	exec sudo -E bash "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
mkdir -p "${1:?usage: run.sh WORKDIR}"
work=$(cd "$1" && pwd)
jobs=${JOBS:-$(nproc)}
cache=${XENMM_ROOT_CACHE:-/var/cache/xenmm/bookworm-minbase.tar}

say() { echo "pkg: $*"; }
fail() { echo "pkg: FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || fail "$1 missing (bash script/setup.sh test installs it)"; }
for t in dpkg-buildpackage dh lintian fakeroot; do need "$t"; done

version=$(sed -n 's/^project(xenmm VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || fail "no version in CMakeLists.txt"
deb_version=$(sed -n '1s/^xenmm (\([^)]*\)).*/\1/p' "$src/debian/changelog")
rpm_version=$(sed -n 's/^Version: *//p' "$src/rpm/xenmm.spec")
[ "$deb_version" = "$version" ] || fail "debian/changelog says $deb_version, CMakeLists.txt $version"
[ "$rpm_version" = "$version" ] || fail "rpm/xenmm.spec says $rpm_version, CMakeLists.txt $version"

# A copy of the tree as it is (committed or not), without build folders.
copy_tree() { # dest
	mkdir -p "$1"
	if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
		# files deleted but not yet committed are skipped (--ignore-failed-read)
		(cd "$src" && git ls-files -co --exclude-standard -z |
			tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -x -C "$1"
	else
		tar -C "$src" --exclude-vcs --exclude='./build*' --exclude=node_modules -cf - . |
			tar -x -C "$1"
	fi
}

rm -rf "$work/deb" "$work/rpmbuild" "$work"/*.deb "$work"/*.rpm
tree="$work/deb/xenmm-$version"
copy_tree "$tree"

# --- 1. build and lint -------------------------------------------------------
say "dpkg-buildpackage -us -uc -b (log: $work/deb-build.log)"
t0=$(date +%s)
(cd "$tree" && DEB_BUILD_OPTIONS="parallel=$jobs" dpkg-buildpackage -us -uc -b) \
	>"$work/deb-build.log" 2>&1 || { tail -40 "$work/deb-build.log"; fail "dpkg-buildpackage"; }
say "built in $(($(date +%s) - t0)) s: $(grep -E 'tests passed|tests failed' "$work/deb-build.log" | tail -1)"
if grep -E 'warning:|error:' "$work/deb-build.log" | grep -v '^dpkg-' >"$work/deb-warnings.txt"; then
	cat "$work/deb-warnings.txt"
	fail "compiler warnings with Debian's build flags (hardening=+all, fortify)"
fi
cp "$work/deb"/xenmm-{server,client,tools}_"${version}"_*.deb "$work/"
changes=$(ls "$work/deb"/xenmm_"${version}"_*.changes)

lintian -I --pedantic "$changes" 2>&1 | grep -v 'running with root privileges' >"$work/lintian.txt" || true
say "lintian (I, W, E, pedantic): $(wc -l <"$work/lintian.txt") lines"
sed 's/^/  /' "$work/lintian.txt"
if grep -qE '^(E|W):' "$work/lintian.txt"; then fail "lintian reports errors or warnings"; fi

# --- 2. file lists -----------------------------------------------------------
expect() { # package, paths...
	local p=$1 deb list
	shift
	deb=$(ls "$work"/"$p"_"${version}"_*.deb)
	dpkg -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/$p.contents"
	for f in "$@"; do
		grep -qx "$f" "$work/$p.contents" || fail "$p: $f missing (dpkg -c: $work/$p.contents)"
	done
	say "$p: $(grep -vc '/$' "$work/$p.contents") files, the expected $# present"
}
expect xenmm-server /usr/sbin/mmserver /lib/systemd/system/mmserver.service \
	"/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/xenmm/mmserver-http.so" \
	/etc/xenmm/mmserver.conf /etc/default/mmserver /etc/logrotate.d/xenmm-server \
	/usr/share/man/man8/mmserver.8.gz /usr/share/man/man5/mmserver.conf.5.gz \
	/usr/share/xenmm/canvas/index.html /usr/share/xenmm/canvas/js/main.js \
	/usr/share/xenmm/canvas/vendor/uplot/uPlot.iife.min.js /usr/share/xenmm/scenarios/mono5.json \
	/usr/share/xenmm/scenarios/2013-3-24.json /usr/share/xenmm/traces/xenmm-2013/README.md \
	/usr/share/doc/xenmm-server/examples/prometheus-xenmm.yml /usr/share/doc/xenmm-server/copyright
expect xenmm-client /usr/sbin/mmclient /lib/systemd/system/mmclient.service /etc/init.d/mmclient \
	/etc/default/mmclient /usr/share/man/man8/mmclient.8.gz /usr/share/doc/xenmm-client/copyright
expect xenmm-tools /usr/bin/mm_test_mono /usr/bin/mm_test_static /usr/bin/mm_test_random \
	/usr/bin/mm_test_client /usr/bin/mm_util_swap /usr/bin/mm_bench_mc \
	/usr/share/xenmm/script/set-mem.sh /usr/share/xenmm/script/deploy-deb.sh \
	/usr/share/man/man1/mm_bench_mc.1.gz
if grep -q mmserver "$work/xenmm-client.contents"; then fail "xenmm-client carries mmserver files"; fi
client_deps=$(dpkg-deb -f "$work"/xenmm-client_"${version}"_*.deb Depends)
case $client_deps in *libxenstore*) ;; *) fail "xenmm-client Depends lacks libxenstore: $client_deps" ;; esac
case $client_deps in *libxen-4* | *libxenlight*) fail "xenmm-client depends on libxenlight: $client_deps" ;; esac
say "xenmm-client Depends: $client_deps"

# --- 3. a fresh Debian 12 root -----------------------------------------------
fresh_root() {
	need debootstrap
	local root="$work/root" mirror
	if [ ! -s "$cache" ]; then
		mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
			/etc/apt/sources.list.d/*.list 2>/dev/null | grep -E '^(URIs:|deb )' |
			grep -oE 'https?://[^ ]+' | grep -v security | head -1 || true)
		[ -n "$mirror" ] || fail "no apt mirror configured for debootstrap"
		say "debootstrap --variant=minbase bookworm from $mirror (cached in $cache)"
		rm -rf "$work/base"
		debootstrap --variant=minbase bookworm "$work/base" "$mirror" >"$work/debootstrap.log" 2>&1 ||
			{ tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
		mkdir -p "$(dirname "$cache")"
		tar -C "$work/base" -cf "$cache.tmp" . && mv "$cache.tmp" "$cache"
		rm -rf "$work/base"
	fi
	umount_root
	rm -rf "$root"
	mkdir -p "$root"
	tar -C "$root" -xf "$cache"
	# this machine's apt sources (with updates and security: the packages were
	# built against them), settings (proxy) and name resolution
	rm -f "$root/etc/apt/sources.list"
	cp /etc/apt/sources.list "$root/etc/apt/" 2>/dev/null || true
	cp -r /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/" 2>/dev/null || true
	cp /etc/resolv.conf "$root/etc/" 2>/dev/null || true
	cp -r /etc/apt/apt.conf.d/. "$root/etc/apt/apt.conf.d/" 2>/dev/null || true
	[ ! -d "$root/etc/ssl/certs" ] || cat /etc/ssl/certs/ca-certificates.crt >"$root/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true
	for m in proc dev; do mount --bind "/$m" "$root/$m"; done
	trap umount_root EXIT
	mkdir -p "$root/tmp/debs"
	cp "$work"/xenmm-{server,client,tools}_"${version}"_*.deb "$here/../../debian/tests/smoke" \
		"$root/tmp/debs/"
	local in=(chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8)
	say "apt-get install in the fresh root (log: $work/root-apt.log)"
	{
		"${in[@]}" apt-get update -qq &&
			"${in[@]}" apt-get install -y -qq --no-install-recommends curl systemd man-db &&
			"${in[@]}" sh -c 'apt-get install -y -qq --no-install-recommends /tmp/debs/*.deb'
	} >"$work/root-apt.log" 2>&1 || { tail -30 "$work/root-apt.log"; fail "apt-get install"; }
	"${in[@]}" sh /tmp/debs/smoke || fail "debian/tests/smoke in the fresh root"
	for u in mmserver mmclient; do
		[ -L "$root/etc/systemd/system/multi-user.target.wants/$u.service" ] ||
			fail "$u.service is not enabled after install"
	done
	# (listings go to files first: grep -q stops reading early, and with pipefail
	# the writer's SIGPIPE would fail the pipeline)
	"${in[@]}" dpkg-query -W -f='${Conffiles}\n' xenmm-server >"$work/xenmm-server.conffiles"
	grep -q ' /etc/xenmm/mmserver.conf ' "$work/xenmm-server.conffiles" ||
		fail "/etc/xenmm/mmserver.conf is not a conffile"
	say "fresh root: installed, smoke passed, units enabled, config is a conffile"
	"${in[@]}" apt-get purge -y -qq xenmm-server xenmm-client xenmm-tools >>"$work/root-apt.log" 2>&1 ||
		fail "apt-get purge"
	for f in /usr/sbin/mmserver /etc/xenmm/mmserver.conf /lib/systemd/system/mmclient.service \
		/etc/init.d/mmclient /etc/systemd/system/multi-user.target.wants/mmserver.service; do
		[ ! -e "$root$f" ] || fail "$f left after purge"
	done
	say "fresh root: purged clean"
	umount_root
	trap - EXIT
}
umount_root() {
	for m in dev proc; do
		if mountpoint -q "$work/root/$m" 2>/dev/null; then umount "$work/root/$m"; fi
	done
}
if [ "${SKIP_FRESH_ROOT:-0}" != 1 ]; then fresh_root; fi

# --- 4. rpm ------------------------------------------------------------------
if [ "${SKIP_RPM:-0}" != 1 ]; then
	need rpmbuild
	top="$work/rpmbuild"
	mkdir -p "$top/SOURCES"
	rm -rf "$work/rpmsrc" && copy_tree "$work/rpmsrc/xenmm-$version"
	tar -C "$work/rpmsrc" -czf "$top/SOURCES/xenmm-$version.tar.gz" "xenmm-$version"
	say "rpmbuild -bb rpm/xenmm.spec (log: $work/rpm-build.log)"
	t0=$(date +%s)
	# --nodeps: BuildRequires name Fedora packages, which dpkg's world lacks
	rpmbuild -bb --nodeps --define "_topdir $top" --define "_smp_mflags -j$jobs" \
		"$src/rpm/xenmm.spec" >"$work/rpm-build.log" 2>&1 ||
		{ tail -40 "$work/rpm-build.log"; fail "rpmbuild"; }
	say "built in $(($(date +%s) - t0)) s: $(grep -E 'tests passed|tests failed' "$work/rpm-build.log" | tail -1)"
	for p in server client tools; do
		rpm=$(ls "$top"/RPMS/*/xenmm-"$p"-"$version"-*.rpm)
		cp "$rpm" "$work/"
		rpm -qlp "$rpm" 2>/dev/null >"$work/xenmm-$p.rpm.contents"
		say "xenmm-$p.rpm: $(wc -l <"$work/xenmm-$p.rpm.contents") files"
	done
	grep -qx /usr/sbin/mmserver "$work/xenmm-server.rpm.contents" || fail "rpm: no mmserver"
	grep -qx /usr/share/xenmm/canvas/index.html "$work/xenmm-server.rpm.contents" ||
		fail "rpm: no canvas"
	grep -q '^/usr/lib[^/]*\(/[^/]*\)\?/xenmm/mmserver-http.so$' "$work/xenmm-server.rpm.contents" ||
		fail "rpm: no HTTP module mmserver-http.so in %{_libdir}/xenmm"
	grep -qx /usr/lib/systemd/system/mmclient.service "$work/xenmm-client.rpm.contents" ||
		fail "rpm: no mmclient.service in %{_unitdir}"
	grep -qx /etc/sysconfig/mmclient "$work/xenmm-client.rpm.contents" || fail "rpm: no /etc/sysconfig/mmclient"
	rpm -qp --requires "$top"/RPMS/*/xenmm-client-"$version"-*.rpm 2>/dev/null >"$work/xenmm-client.rpm.requires"
	grep -q libxenstore "$work/xenmm-client.rpm.requires" || fail "rpm: xenmm-client does not require libxenstore"
	if grep -q libxenlight "$work/xenmm-client.rpm.requires"; then fail "rpm: xenmm-client requires libxenlight"; fi
fi
# --- 5. CPack: the 2013 options DEB and RPM, and ONLY_CLIENT ------------------
cpack_build() { # name, cmake options...
	local dir="$work/cpack-$1"
	shift
	rm -rf "$dir"
	{ cmake -S "$src" -B "$dir" -DCMAKE_INSTALL_PREFIX=/usr -DBUILD_TESTING=OFF "$@" &&
		cmake --build "$dir" -j "$jobs" --target package; } >"$dir.log" 2>&1 ||
		{ tail -30 "$dir.log"; fail "CPack $*"; }
}
if [ "${SKIP_CPACK:-0}" != 1 ]; then
	cpack_build deb -DDEB=ON
	for p in server client tools; do
		[ -s "$work/cpack-deb/packages/xenmm-${p}_${version}-1_$(dpkg --print-architecture).deb" ] ||
			fail "CPack DEB=ON made no xenmm-$p"
	done
	cpack_build client -DDEB=ON -DONLY_CLIENT=ON
	made=$(cd "$work/cpack-client/packages" && ls ./*.deb)
	[ "$made" = "./xenmm-client_${version}-1_$(dpkg --print-architecture).deb" ] ||
		fail "CPack ONLY_CLIENT=ON made: $made"
	dpkg -c "$work/cpack-client/packages"/*.deb >"$work/cpack-client.contents"
	grep -q '/usr/sbin/mmclient$' "$work/cpack-client.contents" || fail "CPack ONLY_CLIENT: no mmclient"
	if grep -q mmserver "$work/cpack-client.contents"; then fail "CPack ONLY_CLIENT: mmserver files"; fi
	if [ "${SKIP_RPM:-0}" != 1 ]; then
		cpack_build rpm -DRPM=ON
		for p in server client tools; do
			ls "$work/cpack-rpm/packages/xenmm-$p-$version"-1.*.rpm >/dev/null 2>&1 ||
				fail "CPack RPM=ON made no xenmm-$p"
		done
	fi
	say "CPack: DEB=ON and RPM=ON make the three packages, ONLY_CLIENT=ON xenmm-client alone"
fi
say "all package checks passed"
