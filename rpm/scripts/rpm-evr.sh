#!/bin/bash
# Print the VERSION-RELEASE of the linux-aioring RPMs for a base's version
# file (default: BASE's, kernel/scripts/base.sh):
#
#   [BASE=...] rpm-evr.sh [VERSION_ENV]        e.g. UPSTREAM-DEBREV.aioringN
#
# Version is the upstream kernel version of Debian's upload; Release is
# Debian's revision of that upload and the flavour revision, so a new
# Debian upload or a new flavour build of the same upload sorts above the
# last one (and above the first packaging's bare "aioring1").
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -gt 0 ]; then
	# shellcheck source=kernel/version.env
	. "$1"
else
	# shellcheck source=kernel/scripts/base.sh
	. "$top/kernel/scripts/base.sh"
fi
die() { echo "rpm-evr: $*" >&2; exit 1; }

deb=${DEBIAN_SOURCE_VERSION:?}
case $deb in *-*) ;; *) die "DEBIAN_SOURCE_VERSION '$deb' has no Debian revision" ;; esac
version=${deb%-*}
release=${deb##*-}.aioring${FLAVOUR_REVISION:?}
# rpm forbids '-' in either, and ':' (an epoch) is not Debian's here
for v in "$version" "$release"; do
	[[ $v =~ ^[A-Za-z0-9._+~^]+$ ]] || die "'$v' (from '$deb') is not an RPM version or release"
done
echo "$version-$release"
