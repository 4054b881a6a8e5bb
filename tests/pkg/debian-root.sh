#!/bin/bash
# Build (once) a Debian 12 root for the package tests and print the path of
# its tarball. The root is cached in build/pkg/cache/, keyed by a hash of
# root-packages, the apt sources and this script, so a second run costs
# nothing; a changed key builds a new one and removes the old tarballs.
#
#   debian-root.sh [CACHE_DIR]
#
# Mirrors come from the host's apt sources (debian-sources.py).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=$(realpath -m "${1:-$top/build/pkg/cache}")
mkdir -p "$cache"

die() { echo "debian-root: $*" >&2; exit 1; }
command -v mmdebstrap >/dev/null || die "mmdebstrap missing: apt-get install mmdebstrap"

# one builder at a time (.ci/run builds it early, in the background)
exec 8>"$cache/.lock"
flock 8

sources=$cache/sources.deb822
"$here/debian-sources.py" >"$sources.new"
mv "$sources.new" "$sources"
packages=$(sed 's/#.*//' "$here/root-packages" | xargs | tr ' ' ,)

key=$(cat "$here/root-packages" "$sources" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)
tarball=$cache/debian12-root-$key.tar
if [ -s "$tarball" ]; then
	echo "debian-root: cached root $tarball" >&2
	echo "$tarball"
	exit 0
fi

echo "debian-root: building a Debian 12 root ($(wc -w <<<"${packages//,/ }") packages)" >&2
start=$(date +%s)
# Recommends stay out (mmdebstrap's default): the package list is complete.
# The package lists stay in the root: installing the flavour later can take
# a dependency this list lacks from the mirror without a fresh update.
nice -n 10 mmdebstrap --variant=apt --format=tar --include="$packages" \
	--aptopt='Acquire::Retries "3"' --skip=cleanup/apt/lists \
	bookworm "$tarball.part" "$sources" >&2 ||
	{ rm -f "$tarball.part"; die "mmdebstrap failed"; }
mv "$tarball.part" "$tarball"
find "$cache" -maxdepth 1 -name 'debian12-root-*.tar' ! -name "${tarball##*/}" -delete
echo "debian-root: built $tarball in $(( $(date +%s) - start )) s" >&2
echo "$tarball"
