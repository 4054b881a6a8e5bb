#!/bin/bash
# Build the Debian packages of linux-aioring ('make deb'):
#
#   debian/bin/build-debs.sh [--profile distro|vm] [--dbg|--nodbg] [--binary-only]
#
# 1. checks the Build-Depends (dpkg-checkbuilddeps) and prints the
#    apt-get command that installs what is missing;
# 2. writes the orig tarballs from the work tree: the tracked files
#    without debian/ (uncommitted edits included), and Debian's fio
#    source (tools/fio/fetch-fio-source.sh) as the orig-fio component;
# 3. unpacks them with debian/ into build/pkg/src/linux-aioring-UPSTREAM;
# 4. runs dpkg-buildpackage -us -uc there (source and binary packages;
#    --binary-only: -b) with DEB_BUILD_PROFILES for the profile;
# 5. copies .deb, .dsc, .changes, .buildinfo and the tarballs to
#    build/pkg/deb/ (emptied first); the log is build/pkg/deb-build.log.
#
# --profile vm: DEB_BUILD_PROFILES=pkg.linux-aioring.vm (kernel/config/vm.config)
# and, unless --dbg, nodbg. The default is distro (hours on 2 CPUs).
# Extra DEB_BUILD_PROFILES / DEB_BUILD_OPTIONS from the environment are kept.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
profile=distro dbg="" binary_only=0

die() { echo "build-debs: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; }

while [ $# -gt 0 ]; do
	case $1 in
	--profile) profile=${2:?--profile needs distro or vm}; shift ;;
	--profile=*) profile=${1#*=} ;;
	--dbg) dbg=1 ;;
	--nodbg) dbg=0 ;;
	--binary-only|-b) binary_only=1 ;;
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
[ "$dbg" = 0 ] && profiles="$profiles nodbg"
profiles=$(echo "$profiles" | xargs -n1 | sort -u | paste -sd,)

# 1. Build-Depends, with the command that installs what is missing
if ! out=$(dpkg-checkbuilddeps ${profiles:+-P"$profiles"} debian/control 2>&1); then
	missing=$(echo "$out" | sed -n 's/.*Unmet build dependencies: //p')
	[ -n "$missing" ] || die "dpkg-checkbuilddeps failed: $out"
	# "foo (= 1.2) bar (>= 3) | baz" -> "foo=1.2 bar"
	pkgs=$(echo "$missing" | sed -e 's/ | [^ ]*\( ([^)]*)\)\?//g' \
		-e 's/ (= \([^)]*\))/=\1/g' -e 's/ ([^)]*)//g' -e 's/:[a-z]*//g')
	echo "build-debs: missing build dependencies: $missing" >&2
	echo "Install them with:" >&2
	echo "  apt-get install --no-install-recommends $pkgs" >&2
	exit 1
fi

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
upstream=${version%-*}
pkg=build/pkg
src=$pkg/src
tree=$src/linux-aioring-$upstream
orig=$src/linux-aioring_$upstream.orig.tar.xz
origfio=$src/linux-aioring_$upstream.orig-fio.tar.gz
mkdir -p "$pkg"
# one build at a time: both would empty and fill the same directories
exec 9>"$pkg/.build-debs.lock"
flock -n 9 || die "another 'make deb' is running (lock $pkg/.build-debs.lock)"
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

# 3. the unpacked source package
tar -xf "$orig" -C "$src"
mkdir "$tree/fio"
tar -xzf "$origfio" -C "$tree/fio" --strip-components=1
tracked debian | tar -c "${tarflags[@]}" -T - | tar -x -C "$src"

# 4. build; a make above us must not hand its jobserver down
unset MAKEFLAGS MFLAGS MAKELEVEL
args=(-us -uc)
[ "$binary_only" = 1 ] && args+=(-b)
[ -n "$profiles" ] && args+=(--build-profiles="$profiles")
echo "build-debs: $version, profile $profile${profiles:+ (DEB_BUILD_PROFILES=$profiles)}, log in $pkg/deb-build.log"
start=$(date +%s)
if ! (cd "$tree" && dpkg-buildpackage "${args[@]}") >"$pkg/deb-build.log" 2>&1; then
	tail -n 40 "$pkg/deb-build.log" >&2
	die "dpkg-buildpackage failed after $(( $(date +%s) - start )) s; log: $pkg/deb-build.log"
fi
secs=$(( $(date +%s) - start ))

# 5. results
cp "$src"/*.deb "$src"/*.changes "$src"/*.buildinfo "$pkg/deb/"
if [ "$binary_only" = 0 ]; then
	cp "$src"/*.dsc "$src"/*.debian.tar.* "$orig" "$origfio" "$pkg/deb/"
fi
echo "$profile ${profiles:-none} $secs" >"$pkg/deb/build-info.txt"
echo "build-debs: built in $secs s ($((secs / 60)) min): $(find "$pkg/deb" -name '*.deb' | wc -l) packages in $pkg/deb/"
