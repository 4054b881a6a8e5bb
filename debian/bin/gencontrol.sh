#!/bin/bash
# Write the files of debian/ that carry the kernel release, from the
# templates in debian/templates and kernel/version.env, the way Debian's
# linux package generates its control file:
#
#   debian/bin/gencontrol.sh [--check]
#
#   templates/control.in         -> control
#   templates/image.SCRIPT.in    -> linux-image-KREL.SCRIPT
#   templates/headers.SCRIPT.in  -> linux-headers-KREL.SCRIPT
#
# Placeholders: @abiname@ (DEBIAN_ABI), @flavour@ (FLAVOUR), @krel@
# (ABINAME-FLAVOUR, the uname -r of the flavour), @source@
# (DEBIAN_SOURCE_PACKAGE) and @version@ (the kernel series, the end of
# that name: linux-source-X.Y -> X.Y).
#
# The generated files are git-ignored; the source package carries them.
# Fails when debian/changelog's top version is not
# DEBIAN_SOURCE_VERSION+aioringFLAVOUR_REVISION-N. --check writes
# nothing and fails when a generated file is missing or out of date.
# Needs only sed: 'make deps' runs it before build-dep installs dpkg-dev.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
deb=$top/debian
check=0

die() { echo "gencontrol: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; }

case ${1:-} in
--check)   check=1 ;;
'')        ;;
-h|--help) usage; exit 0 ;;
*)         usage >&2; exit 2 ;;
esac

# shellcheck source=kernel/version.env
. "$top/kernel/version.env"
for v in DEBIAN_SOURCE_PACKAGE DEBIAN_SOURCE_VERSION DEBIAN_ABI FLAVOUR FLAVOUR_REVISION; do
	[ -n "${!v:-}" ] || die "kernel/version.env sets no $v"
done
krel=$DEBIAN_ABI-$FLAVOUR
series=${DEBIAN_SOURCE_PACKAGE##*-}

# The upstream part of the version names the Debian upload the flavour
# is built on, so a rebase must come with a changelog entry.
want=$DEBIAN_SOURCE_VERSION+aioring$FLAVOUR_REVISION
version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$deb/changelog")
upstream=${version#*:}
upstream=${upstream%-*}
[ "$upstream" = "$want" ] ||
	die "debian/changelog's top version ${version:-(none)} is not $want-N as kernel/version.env says; add an entry with debian/bin/new-changelog-entry.sh"

subst() {
	sed -e "s/@abiname@/$DEBIAN_ABI/g" -e "s/@flavour@/$FLAVOUR/g" \
	    -e "s/@krel@/$krel/g" -e "s/@source@/$DEBIAN_SOURCE_PACKAGE/g" \
	    -e "s/@version@/$series/g" "$1"
}

# template -> generated name, one pair a line
outputs() {
	local t name
	echo "control.in control"
	for t in "$deb"/templates/image.*.in "$deb"/templates/headers.*.in; do
		[ -f "$t" ] || continue
		name=${t##*/}
		name=${name%.in}
		echo "${t##*/} linux-${name%%.*}-$krel.${name#*.}"
	done
}

tmp=$(mktemp -d "$deb/.gencontrol.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stale=0
while read -r tpl out; do
	subst "$deb/templates/$tpl" >"$tmp/$out"
	! grep -n '@[a-z]*@' "$tmp/$out" >&2 || die "templates/$tpl: unknown placeholder"
	if [ $check = 1 ]; then
		cmp -s "$tmp/$out" "$deb/$out" || { echo "gencontrol: debian/$out is out of date" >&2; stale=1; }
	fi
done < <(outputs)

if [ $check = 1 ]; then
	[ $stale = 0 ] || die "run 'debian/rules debian/control' (or debian/bin/gencontrol.sh)"
	exit 0
fi

# scripts of an earlier ABI would be installed into nothing; drop them
for f in "$deb"/linux-image-[0-9]*-"$FLAVOUR".* "$deb"/linux-headers-[0-9]*-"$FLAVOUR".*; do
	[ -f "$f" ] && [ ! -f "$tmp/${f##*/}" ] && rm -f "$f"
done
for f in "$tmp"/*; do
	cmp -s "$f" "$deb/${f##*/}" || mv "$f" "$deb/${f##*/}"
done
echo "gencontrol: debian/control and the scripts of $krel for $want"
