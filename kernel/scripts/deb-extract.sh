#!/bin/bash
# Write one file of a Debian package, downloaded from the configured
# archive, to OUT:
#
#   deb-extract.sh PACKAGE VERSION MEMBER OUT
#
# MEMBER is the file's path in the package (./usr/src/...). Exit 3 when
# the archive does not offer PACKAGE at VERSION, 1 on other failures.
set -euo pipefail

pkg=${1:?usage: deb-extract.sh PACKAGE VERSION MEMBER OUT} ver=${2:?} member=${3:?} out=${4:?}
tmp=$(mktemp -d "$(dirname "$out")/.deb-extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# as root, apt would warn that its _apt user cannot write to $tmp
sandbox=()
[ "$(id -u)" != 0 ] || sandbox=(-o APT::Sandbox::User=root)
if ! (cd "$tmp" && apt-get download "${sandbox[@]}" "$pkg=$ver") >"$tmp/apt.log" 2>&1; then
	grep -q "Version '$ver' for '$pkg' was not found\|Unable to locate package" "$tmp/apt.log" &&
		exit 3
	cat "$tmp/apt.log" >&2
	echo "deb-extract: apt-get download $pkg=$ver failed" >&2
	exit 1
fi
dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -O "$member" >"$tmp/out" ||
	{ echo "deb-extract: no $member in $pkg $ver" >&2; exit 1; }
mv "$tmp/out" "$out"
