#!/bin/bash
# Print the path of Debian's kernel source tarball of the pinned upload
# (kernel/version.env), fetching and verifying it first when needed:
#
#   get-source.sh [VERSION_ENV]
#
# The tarball is kept as build/src/<package>_<version>.tar.xz. It comes
# from /usr/src/<package>.tar.xz when the installed package is that
# upload, else from the archive ('apt-get download', no root needed). Its
# sha256 must be DEBIAN_SOURCE_SHA256 before anything unpacks it.
#
# Exit status: 0 with the path on stdout; 3 when the archive no longer
# offers the pinned upload (one line on stderr naming 'make rebase-base');
# 1 on any other failure (a hash mismatch among them).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
env_file=${1:-$top/kernel/version.env}
. "$top/kernel/scripts/base-env.sh"
base_env "$env_file"
pkg=$DEBIAN_SOURCE_PACKAGE ver=$DEBIAN_SOURCE_VERSION
cache=${AIORING_SRC_CACHE:-$top/build/src}
out=$cache/${pkg}_$ver.tar.xz

die() { echo "get-source: $*" >&2; exit 1; }
hash_ok() { [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$DEBIAN_SOURCE_SHA256" ]; }

if [ -f "$out" ]; then
	hash_ok "$out" || die "$out does not have the sha256 of kernel/version.env; remove it to fetch it again"
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.get.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || have=
if [ "$have" = "$ver" ] && [ -f "/usr/src/$pkg.tar.xz" ]; then
	cp "/usr/src/$pkg.tar.xz" "$tmp/src.tar.xz"
else
	rc=0
	"$top/kernel/scripts/deb-extract.sh" "$pkg" "$ver" "./usr/src/$pkg.tar.xz" \
		"$tmp/src.tar.xz" || rc=$?
	if [ $rc = 3 ]; then
		echo "get-source: the archive no longer offers $pkg $ver; move to the newest upload with 'make rebase-base'" >&2
		exit 3
	fi
	[ $rc = 0 ] || exit 1
fi
hash_ok "$tmp/src.tar.xz" ||
	die "$pkg $ver: the tarball's sha256 is $(sha256sum "$tmp/src.tar.xz" | cut -d' ' -f1), kernel/version.env says $DEBIAN_SOURCE_SHA256"
mv "$tmp/src.tar.xz" "$out"
echo "$out"
