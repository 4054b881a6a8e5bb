#!/bin/bash
# Build (once) a Debian root of the base's release for the package tests
# (trixie: Debian 13; bookworm: Debian 12) and print the path of its
# tarball. The root is cached in build/pkg/cache/, keyed by a hash of
# root-packages, the base's compiler (DEBIAN_GCC, which the headers
# package depends on), the apt sources and this script, so a second run
# costs nothing; a changed key builds a new one and removes that
# release's old tarballs.
#
#   [BASE=bookworm|trixie] debian-root.sh [CACHE_DIR]
#
# Mirrors come from the host's apt sources (debian-sources.py), renamed
# to the base's release when it is not this machine's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=kernel/scripts/base.sh
. "$top/kernel/scripts/base.sh"
cache=$(realpath -m "${1:-$top/build/pkg/cache}")
mkdir -p "$cache"

die() { echo "debian-root: $*" >&2; exit 1; }
command -v mmdebstrap >/dev/null || die "mmdebstrap missing: apt-get install mmdebstrap"

# one builder at a time (.ci/run builds it early, in the background)
exec 8>"$cache/.lock"
flock 8

suite=$DEBIAN_SUITE
sources=$cache/sources-$suite.deb822
"$here/debian-sources.py" --as "$suite" >"$sources.new"
mv "$sources.new" "$sources"
packages=$( (sed 's/#.*//' "$here/root-packages"; echo "$DEBIAN_GCC") | xargs | tr ' ' ,)

key=$( (cat "$here/root-packages" "$sources" "${BASH_SOURCE[0]}"; echo "$DEBIAN_GCC") | sha256sum | cut -c1-16)
tarball=$cache/$suite-root-$key.tar
if [ -s "$tarball" ]; then
	echo "debian-root: cached root $tarball" >&2
	echo "$tarball"
	exit 0
fi

echo "debian-root: building a Debian $suite root ($(wc -w <<<"${packages//,/ }") packages)" >&2
start=$(date +%s)
# Recommends stay out (mmdebstrap's default): the package list is complete.
# The package lists stay in the root: installing the flavour later can take
# a dependency this list lacks from the mirror without a fresh update.
nice -n 10 mmdebstrap --variant=apt --format=tar --include="$packages" \
	--aptopt='Acquire::Retries "3"' --skip=cleanup/apt/lists \
	"$suite" "$tarball.part" "$sources" >&2 ||
	{ rm -f "$tarball.part"; die "mmdebstrap failed"; }
mv "$tarball.part" "$tarball"
find "$cache" -maxdepth 1 -name "$suite-root-*.tar" ! -name "${tarball##*/}" -delete
echo "debian-root: built $tarball in $(( $(date +%s) - start )) s" >&2
echo "$tarball"
