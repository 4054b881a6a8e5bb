#!/bin/bash
# Build the Debian packages of linux-aioring ('make deb'):
#
#   debian/bin/build-debs.sh [--profile distro|vm] [--dbg|--nodbg]
#                            [--binary-only|--source-only]
#
# 1. writes debian/control and the ABI's maintainer scripts
#    (debian/bin/gencontrol.sh, which also checks that debian/changelog
#    is on the base of kernel/version.env) and checks the Build-Depends;
# 2. writes the orig tarballs: the tracked files without debian/ (from the
#    work tree, uncommitted edits included), Debian's fio source
#    (tools/fio/fetch-fio-source.sh) as the orig-fio component and
#    Debian's kernel source tarball (kernel/scripts/get-source.sh) as the
#    orig-linux component;
# 3. unpacks them with debian/ into build/pkg/src/linux-aioring-UPSTREAM,
#    as dpkg-source -x would (fio/ and linux/);
# 4. runs dpkg-buildpackage -us -uc there (source and binary packages;
#    --binary-only: -b; --source-only: -S -d, no Build-Depends needed)
#    with DEB_BUILD_PROFILES for the profile;
# 5. checks that the .dsc names the orig-linux tarball with the sha256 of
#    kernel/version.env and copies .deb, .dsc, .changes, .buildinfo and
#    the tarballs to build/pkg/deb/ (emptied first); the log is
#    build/pkg/deb-build.log.
#
# AIORING_PKG_RESUME=1: take up the kernel tree of the last build (see
# below; make release-check does).
#
# --profile vm: DEB_BUILD_PROFILES=pkg.linux-aioring.vm (kernel/config/vm.config)
# and, unless --dbg, pkg.linux-aioring.nodbg. The default is distro (hours
# on 2 CPUs). Extra DEB_BUILD_PROFILES / DEB_BUILD_OPTIONS from the
# environment are kept.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
profile=distro dbg="" mode=full

die() { echo "build-debs: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; }

while [ $# -gt 0 ]; do
	case $1 in
	--profile) profile=${2:?--profile needs distro or vm}; shift ;;
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
vm)     dbg=${dbg:-0} ;;
*)      die "unknown profile '$profile' (distro or vm)" ;;
esac

profiles=${DEB_BUILD_PROFILES:-}
[ "$profile" = vm ] && profiles="$profiles pkg.linux-aioring.vm"
[ "$dbg" = 0 ] && profiles="$profiles pkg.linux-aioring.nodbg"
profiles=$(echo "$profiles" | xargs -n1 | sort -u | paste -sd,)

# 1. debian/control for kernel/version.env, then the Build-Depends
debian/bin/gencontrol.sh >/dev/null
if [ "$mode" != source ] &&
   ! dpkg-checkbuilddeps ${profiles:+-P"$profiles"} debian/control; then
	die "install the build dependencies first: 'make deps', or as root in $top: apt-get build-dep ./"
fi

# shellcheck source=kernel/version.env
. kernel/version.env
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
upstream=${version%-*}
pkg=build/pkg
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

fio_ver=$(dpkg-query -W -f='${Version}' fio 2>/dev/null) ||
	die "fio is not installed (apt-get install fio)"
fio_up=${fio_ver%-*}
fio_orig=build/fio/fio_$fio_up.orig.tar.gz
if [ ! -f "$fio_orig" ]; then
	rm -rf "build/fio/fio-$fio_up"
	tools/fio/fetch-fio-source.sh build/fio >/dev/null
fi
[ -f "$fio_orig" ] || die "no $fio_orig after fetching fio's source"
cp "$fio_orig" "$origfio"

# Debian's tarball as it is: the .dsc then records the sha256 that
# kernel/version.env pins (checked in step 5).
linux_tar=$(kernel/scripts/get-source.sh) || exit
cp "$linux_tar" "$origlinux"

# 3. the unpacked source package
tar -xf "$orig" -C "$src"
mkdir "$tree/fio" "$tree/linux"
tar -xzf "$origfio" -C "$tree/fio" --strip-components=1
tar -xJf "$origlinux" -C "$tree/linux" --strip-components=1
tracked debian | tar -c "${tarflags[@]}" -T - | tar -x -C "$src"
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
start=$(date +%s)
if ! (cd "$tree" && dpkg-buildpackage "${args[@]}") >"$pkg/deb-build.log" 2>&1; then
	tail -n 40 "$pkg/deb-build.log" >&2
	die "dpkg-buildpackage failed after $(( $(date +%s) - start )) s; log: $pkg/deb-build.log"
fi
secs=$(( $(date +%s) - start ))

# 5. results
if [ "$mode" != binary ]; then
	dsc=$src/linux-aioring_${version#*:}.dsc
	sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$dsc" |
		grep -qx " $DEBIAN_SOURCE_SHA256 [0-9]* ${origlinux##*/}" ||
		die "$dsc does not name ${origlinux##*/} with the sha256 of kernel/version.env"
	cp "$dsc" "$src"/*.debian.tar.* "$orig" "$origfio" "$origlinux" "$pkg/deb/"
fi
[ "$mode" = source ] || cp "$src"/*.deb "$pkg/deb/"
cp "$src"/*.changes "$src"/*.buildinfo "$pkg/deb/"
echo "$profile ${profiles:-none} $secs" >"$pkg/deb/build-info.txt"
echo "build-debs: built in $secs s ($((secs / 60)) min): $(find "$pkg/deb" -name '*.dsc' | wc -l) source and $(find "$pkg/deb" -name '*.deb' | wc -l) binary packages in $pkg/deb/"
