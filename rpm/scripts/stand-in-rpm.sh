#!/bin/bash
# Build a tiny RPM that stands in for a kernel package in the transaction
# tests of check-kernel-upgrade.sh: NAME-VERSION-RELEASE.x86_64, owning
# /lib/modules/K and a vmlinuz in it (its own content) and providing
# kernel-uname-r = K, as the real package does ($STAND_IN_PROVIDES adds
# a Provides: line).
#
#   stand-in-rpm.sh OUTDIR NAME VERSION RELEASE K
#
# Prints the path of the RPM.
set -euo pipefail
[ $# = 5 ] || { echo "usage: stand-in-rpm.sh OUTDIR NAME VERSION RELEASE K" >&2; exit 2; }
out=$(realpath -m "$1") name=$2 version=$3 release=$4 k=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/stand-in.spec" <<SPEC
Name:      $name
Version:   $version
Release:   $release
Summary:   Stand-in for a kernel package in transaction tests
License:   MIT
Provides:  kernel-uname-r = $k
${STAND_IN_PROVIDES:+Provides:  $STAND_IN_PROVIDES}
%description
Stand-in for $name in transaction tests (rpm/scripts/check-kernel-upgrade.sh).
%install
mkdir -p %{buildroot}/lib/modules/$k
echo "$name-$version-$release" >%{buildroot}/lib/modules/$k/vmlinuz
%files
%dir /lib/modules/$k
/lib/modules/$k/vmlinuz
SPEC
mkdir -p "$out"
rpmbuild -bb --quiet --target x86_64 --define "_topdir $tmp" --define "_rpmdir $out" \
	--define '_build_id_links none' --define 'debug_package %{nil}' \
	--define '_wrong_version_format_terminate_build 0' \
	"$tmp/stand-in.spec" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
echo "$out/x86_64/$name-$version-$release.x86_64.rpm"
