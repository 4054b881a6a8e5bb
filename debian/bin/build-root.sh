#!/bin/bash
# Build (once) a Debian root of SUITE to build the packages of a base whose
# Debian release is not this machine's (Debian 13's packages on a Debian 12
# machine: trixie's gcc-14, debhelper, fio and libraries), and print its
# path:
#
#   debian/bin/build-root.sh SUITE CONTROL
#   [BASE=...] debian/bin/build-root.sh     the root of a base: its
#       release, and the debian/control gencontrol.sh writes for it
#
# mmdebstrap's buildd variant of SUITE (build-essential), ccache, rpm
# (rpm/scripts/build-rpms.sh runs rpmbuild of the kernel there) and the
# Build-Depends of CONTROL (a debian/control generated for that base)
# installed with apt-get build-dep. Mirrors come from the machine's own
# apt sources, renamed to SUITE (tests/pkg/debian-sources.py --as). The
# root is a directory cached in build/pkg/cache/build-root-SUITE-KEY,
# keyed by the Build-Depends, the sources and this script; a new key
# builds a new root and removes the old ones; a cached root is upgraded
# from the archive each time. Needs root (mmdebstrap in root mode;
# build-debs.sh chroots into it).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# = 0 ]; then
	# shellcheck source=kernel/scripts/base.sh
	. "$top/kernel/scripts/base.sh"
	"$top/debian/bin/gencontrol.sh" >/dev/null
	set -- "$DEBIAN_SUITE" "$top/debian/control"
fi
suite=${1:?usage: build-root.sh [SUITE CONTROL]} control=${2:?usage: build-root.sh [SUITE CONTROL]}
cache=$top/build/pkg/cache

die() { echo "build-root: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, chroot)"
command -v mmdebstrap >/dev/null || die "mmdebstrap missing: apt-get install mmdebstrap"
[ -f "$control" ] || die "no $control"
mkdir -p "$cache"
exec 8>"$cache/.build-root-$suite.lock"
flock 8

sources=$cache/build-root-$suite.sources
"$top/tests/pkg/debian-sources.py" --as "$suite" >"$sources.new"
mv "$sources.new" "$sources"
# the Build-Depends paragraph of the source stanza decides the key
deps=$(sed -n '/^Build-Depends:/,/^[^ ]/p' "$control")
key=$(printf '%s\n' "$deps" | cat - "$sources" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)
root=$cache/build-root-$suite-$key
if [ -f "$root/.complete" ]; then
	# brought up to date, so that its fio (whose source the engine is
	# built against) is the one the archive serves now
	echo "build-root: cached root $root, upgrading it" >&2
	"$top/debian/bin/in-build-root.sh" "$root" / /bin/sh -c \
		'export DEBIAN_FRONTEND=noninteractive; apt-get -q update &&
		 apt-get -qy -o Dpkg::Options::=--force-confold --no-install-recommends dist-upgrade' >&2 </dev/null ||
		die "could not bring $root up to date"
	echo "$root"
	exit 0
fi

echo "build-root: building a $suite build root" >&2
start=$(date +%s)
rm -rf "$root"
mkdir -p "$cache/.control-$suite/debian"
cp "$control" "$cache/.control-$suite/debian/control"
# apt-get build-dep reads the control file of a source tree (a path);
# mmdebstrap's hooks get the root as $1
# shellcheck disable=SC2016
nice -n 10 mmdebstrap --variant=buildd --include=ccache,rpm \
	--aptopt='Acquire::Retries "3"' --skip=cleanup/apt/lists \
	--customize-hook='mkdir -p "$1/tmp/aioring-control"' \
	--customize-hook="sync-in $cache/.control-$suite /tmp/aioring-control" \
	--customize-hook='chroot "$1" apt-get -y --no-install-recommends build-dep /tmp/aioring-control' \
	--customize-hook='rm -rf "$1/tmp/aioring-control"' \
	"$suite" "$root" "$sources" >&2 ||
	{ rm -rf "$root" "$cache/.control-$suite"; die "mmdebstrap failed"; }
rm -rf "$cache/.control-$suite"
touch "$root/.complete"
for old in "$cache"/build-root-"$suite"-*; do
	[ -d "$old" ] && [ "$old" != "$root" ] && rm -rf "$old"
done
echo "build-root: built $root in $(( $(date +%s) - start )) s" >&2
echo "$root"
