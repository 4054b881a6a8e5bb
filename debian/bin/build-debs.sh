#!/bin/bash
# Build the Debian packages of linux-aioring of one base ('make deb'):
#
#   [BASE=bookworm|trixie] debian/bin/build-debs.sh [--profile distro|vm|vm-debug]
#        [--dbg|--nodbg] [--binary-only|--source-only]
#
# The base (kernel/scripts/base.sh) gives the version file, the series
# and the Debian changelog; its packages go to PKG = build/pkg (bookworm)
# or build/BASE/pkg. A base of this machine's Debian release builds here;
# another release's (trixie on Debian 12) builds in a root of that
# release (debian/bin/build-root.sh: its gcc, debhelper, fio and
# libraries) through debian/bin/in-build-root.sh.
#
# 1. writes debian/control and the ABI's maintainer scripts
#    (debian/bin/gencontrol.sh, which also checks that the base's
#    changelog is on its version file) and checks the Build-Depends (here
#    or in the build root);
# 2. writes the orig tarballs: the tracked files without debian/ (from the
#    work tree, uncommitted edits included), Debian's source of the fio of
#    the build (tools/fio/fetch-fio-source.sh) as the orig-fio component
#    and Debian's kernel source tarball (kernel/scripts/get-source.sh) as
#    the orig-linux component. When the archive does not serve that fio's
#    source (HTTP 404), the build goes on without the fio engine
#    (pkg.linux-aioring.nofio) and says so; any other failure stops it;
# 3. unpacks them with debian/ and the base's changelog into
#    PKG/src/linux-aioring-UPSTREAM, as dpkg-source -x would (fio/ and
#    linux/);
# 4. runs dpkg-buildpackage -us -uc there (source and binary packages;
#    --binary-only: -b; --source-only: -S -d, no Build-Depends needed)
#    with DEB_BUILD_PROFILES for the profile;
# 5. checks that the .dsc names the orig-linux tarball with the sha256 of
#    the version file and copies .deb, .dsc, .changes, .buildinfo and
#    the tarballs to PKG/deb/ (emptied first); the log is
#    PKG/deb-build.log; PKG/deb/build-info.txt has the profiles, the time
#    and the fio version of the engine (none without it).
#
# AIORING_PKG_RESUME=1: take up the kernel tree of the last build (see
# below; make release-check does).
#
# --profile vm: DEB_BUILD_PROFILES=pkg.linux-aioring.vm (kernel/config/vm.config)
# and, unless --dbg, pkg.linux-aioring.nodbg; --profile vm-debug the same
# with pkg.linux-aioring.vm-debug (vm plus kernel/config/vm-debug.config:
# KASAN, lockdep; CI's make check boots its image). The default is distro (hours
# on 2 CPUs). Extra DEB_BUILD_PROFILES / DEB_BUILD_OPTIONS from the
# environment are kept.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=kernel/scripts/base.sh
. kernel/scripts/base.sh
export BASE	# gencontrol.sh, debian/rules' scripts
profile=distro dbg="" mode=full

die() { echo "build-debs: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; }

while [ $# -gt 0 ]; do
	case $1 in
	--profile) profile=${2:?--profile needs distro, vm or vm-debug}; shift ;;
	--profile=*) profile=${1#*=} ;;
	--dbg) dbg=1 ;;
	--nodbg) dbg=0 ;;
	--binary-only|-b) mode=binary ;;
	--source-only|-S) mode=source ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
case $profile in
distro) dbg=${dbg:-1} ;;
vm|vm-debug) dbg=${dbg:-0} ;;
*)      die "unknown profile '$profile' (distro, vm or vm-debug)" ;;
esac

profiles=${DEB_BUILD_PROFILES:-}
[ "$profile" = distro ] || profiles="$profiles pkg.linux-aioring.$profile"
[ "$dbg" = 0 ] && profiles="$profiles pkg.linux-aioring.nodbg"
profiles=$(echo "$profiles" | xargs -n1 | sort -u | paste -sd,)

# 1. debian/control for the base's version file, then the Build-Depends:
# here, or in a build root of the base's Debian release
debian/bin/gencontrol.sh >/dev/null
root=
if [ "$DEBIAN_SUITE" != "$host_suite" ]; then
	root=$(debian/bin/build-root.sh "$DEBIAN_SUITE" debian/control) ||
		die "no $DEBIAN_SUITE build root"
	echo "build-debs: building in a $DEBIAN_SUITE root ($root)"
elif [ "$mode" != source ] &&
   ! dpkg-checkbuilddeps ${profiles:+-P"$profiles"} debian/control; then
	die "install the build dependencies first: 'make deps', or as root in $top: apt-get build-dep ./"
fi

version=$(dpkg-parsechangelog -l "$base_changelog" -S Version)
upstream=${version%-*}
pkg=${base_build#"$top"/}/pkg
src=$pkg/src
tree=$src/linux-aioring-$upstream
orig=$src/linux-aioring_$upstream.orig.tar.xz
origfio=$src/linux-aioring_$upstream.orig-fio.tar.gz
origlinux=$src/linux-aioring_$upstream.orig-linux.tar.xz
mkdir -p "$pkg"
# one build at a time: both would empty and fill the same directories
exec 9>"$pkg/.build-debs.lock"
flock -n 9 || die "another 'make deb' is running (lock $pkg/.build-debs.lock)"
# AIORING_PKG_RESUME=1 (make release-check): the kernel tree of the last
# build, finished or interrupted, is kept aside and taken up again by
# pkg-kernel-build.sh prepare, which copies over it only the files whose
# content changed: make then compiles only what they touch, instead of
# hours of Debian's full config on two CPUs.
resume=$pkg/resume-linux
if [ "${AIORING_PKG_RESUME:-0}" = 1 ]; then
	for k in "$tree"/debian/build/linux-*; do
		if [ -f "$k/.config" ]; then
			rm -rf "$resume"
			mv "$k" "$resume"
			break
		fi
	done
	if [ -f "$resume/.config" ]; then
		AIORING_PKG_RESUME_TREE=$(realpath "$resume")
		export AIORING_PKG_RESUME_TREE
		echo "build-debs: the kernel tree of the last build is taken up again ($resume)"
	fi
else
	rm -rf "$resume"
fi
rm -rf "$src" "$pkg/deb"
mkdir -p "$src" "$pkg/deb"

# 2. orig tarballs. Tracked files as they are in the work tree; the
# time of the last commit keeps the tarball the same for the same tree.
tracked() {	# PATHSPEC... -> NUL-separated existing tracked files
	git ls-files -z -- "$@" | while IFS= read -r -d '' f; do
		[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
	done
}
tarflags=(--null --no-recursion --sort=name --owner=0 --group=0 --numeric-owner
	  --mtime="@$(git log -1 --format=%ct)" --transform="s,^,linux-aioring-$upstream/,")
tracked . ':!debian' | tar -c "${tarflags[@]}" -T - | xz -6 >"$orig"

# the fio of the build (here or in the root) and its Debian source
if [ -n "$root" ]; then
	# shellcheck disable=SC2016 # a dpkg-query format
	fio_ver=$(chroot "$root" dpkg-query -W -f='${Version}' fio 2>/dev/null) ||
		die "the $DEBIAN_SUITE build root has no fio"
else
	fio_ver=$(dpkg-query -W -f='${Version}' fio 2>/dev/null) ||
		die "fio is not installed (apt-get install fio)"
fi
fio_up=${fio_ver%-*}
fio_orig=build/fio/fio_$fio_up.orig.tar.gz
if [ ! -f "$fio_orig" ]; then
	rm -rf "build/fio/fio-$fio_up"
	tools/fio/fetch-fio-source.sh build/fio "$fio_ver" "$DEBIAN_SUITE" \
		>/dev/null 2>"$pkg/fio-source.log" || true
fi
if [ -f "$fio_orig" ]; then
	cp "$fio_orig" "$origfio"
elif ! grep -q ' 404 ' "$pkg/fio-source.log"; then
	cat "$pkg/fio-source.log" >&2
	die "could not fetch the source of $DEBIAN_SUITE's fio $fio_ver (see above)"
else
	# the archive lists that source but no longer serves its files
	echo "build-debs: WARNING: the archive does not offer the source of $DEBIAN_SUITE's fio $fio_ver" \
		"($pkg/fio-source.log): no fio-engine-aio-ring in this build (pkg.linux-aioring.nofio)" >&2
	profiles=$(echo "$profiles pkg.linux-aioring.nofio" | xargs -n1 | sort -u | paste -sd,)
	origfio=
fi

# Debian's tarball as it is: the .dsc then records the sha256 that
# the version file pins (checked in step 5).
linux_tar=$(kernel/scripts/get-source.sh "$base_dir/version.env") || exit
cp "$linux_tar" "$origlinux"

# 3. the unpacked source package, with the base's changelog
tar -xf "$orig" -C "$src"
mkdir "$tree/linux"
if [ -n "$origfio" ]; then
	mkdir "$tree/fio"
	tar -xzf "$origfio" -C "$tree/fio" --strip-components=1
fi
tar -xJf "$origlinux" -C "$tree/linux" --strip-components=1
tracked debian | tar -c "${tarflags[@]}" -T - | tar -x -C "$src"
cp "$base_changelog" "$tree/debian/changelog"
"$tree/debian/bin/gencontrol.sh" >/dev/null

# 4. build; a make above us must not hand its jobserver down
unset MAKEFLAGS MFLAGS MAKELEVEL
args=(-us -uc)
case $mode in
binary) args+=(-b) ;;
source) args+=(-S -d) ;;
esac
[ -n "$profiles" ] && args+=(--build-profiles="$profiles")
echo "build-debs: $version ($mode), profile $profile${profiles:+ (DEB_BUILD_PROFILES=$profiles)}, log in $pkg/deb-build.log"

build() {
	if [ -n "$root" ]; then
		debian/bin/in-build-root.sh "$root" "$top/$tree" dpkg-buildpackage "${args[@]}"
	else
		(cd "$tree" && dpkg-buildpackage "${args[@]}")
	fi
}
start=$(date +%s)
if ! build >"$pkg/deb-build.log" 2>&1; then
	tail -n 40 "$pkg/deb-build.log" >&2
	die "dpkg-buildpackage failed after $(( $(date +%s) - start )) s; log: $pkg/deb-build.log"
fi
secs=$(( $(date +%s) - start ))

# 5. results
if [ "$mode" != binary ]; then
	dsc=$src/linux-aioring_${version#*:}.dsc
	sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$dsc" |
		grep -qx " $DEBIAN_SOURCE_SHA256 [0-9]* ${origlinux##*/}" ||
		die "$dsc does not name ${origlinux##*/} with the sha256 of the version file of $BASE"
	cp "$dsc" "$src"/*.debian.tar.* "$orig" ${origfio:+"$origfio"} "$origlinux" "$pkg/deb/"
fi
[ "$mode" = source ] || cp "$src"/*.deb "$pkg/deb/"
cp "$src"/*.changes "$src"/*.buildinfo "$pkg/deb/"
# profile, DEB_BUILD_PROFILES, seconds, the fio the engine was built for
fio_info=none
[ -z "$origfio" ] || fio_info=$fio_ver
echo "$profile ${profiles:-none} $secs $fio_info" >"$pkg/deb/build-info.txt"
echo "build-debs: built in $secs s ($((secs / 60)) min): $(find "$pkg/deb" -name '*.dsc' | wc -l) source and $(find "$pkg/deb" -name '*.deb' | wc -l) binary packages in $pkg/deb/"
