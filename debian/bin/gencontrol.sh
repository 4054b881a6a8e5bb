#!/bin/bash
# Write the files of debian/ that carry the kernel release, from the
# templates in debian/templates and the version file of the base (BASE,
# kernel/scripts/base.sh: kernel/version.env for bookworm), the way
# Debian's linux package generates its control file:
#
#   [BASE=bookworm|trixie] debian/bin/gencontrol.sh [--check]
#
#   templates/control.in         -> control
#   templates/image.SCRIPT.in    -> linux-image-KREL.SCRIPT
#   templates/headers.SCRIPT.in  -> linux-headers-KREL.SCRIPT
#
# Placeholders: @abiname@ (DEBIAN_ABI), @flavour@ (FLAVOUR), @krel@
# (ABINAME-FLAVOUR, the uname -r of the flavour), @source@
# (DEBIAN_SOURCE_PACKAGE), @version@ (the kernel series, the end of
# that name: linux-source-X.Y -> X.Y), @gcc@ (DEBIAN_GCC) and
# @firmware_recommends@/@firmware_suggests@ (where the release's own
# linux-image puts firmware-linux-free).
#
# The generated files are git-ignored; the source package carries them.
# Fails when the top version of the base's changelog (debian/changelog
# for bookworm) is not DEBIAN_SOURCE_VERSION+aioringFLAVOUR_REVISION-N or
# its distribution is not the base. --check writes nothing and fails
# when a generated file is missing or out of date. Needs only sed: 'make
# deps' runs it before build-dep installs dpkg-dev.
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

# shellcheck source=kernel/scripts/base.sh
. "$top/kernel/scripts/base.sh"
for v in DEBIAN_SOURCE_PACKAGE DEBIAN_SOURCE_VERSION DEBIAN_ABI DEBIAN_GCC FLAVOUR FLAVOUR_REVISION; do
	[ -n "${!v:-}" ] || die "the version file of $BASE sets no $v"
done
changelog=${base_changelog#"$top"/}
krel=$DEBIAN_ABI-$FLAVOUR
series=${DEBIAN_SOURCE_PACKAGE##*-}

# The upstream part of the version names the Debian upload the flavour
# is built on, so a rebase must come with a changelog entry.
want=$DEBIAN_SOURCE_VERSION+aioring$FLAVOUR_REVISION
version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$top/$changelog")
dist=$(sed -n '1s/^[^)]*) \([^;]*\);.*/\1/p' "$top/$changelog")
upstream=${version#*:}
upstream=${upstream%-*}
[ "$upstream" = "$want" ] ||
	die "$changelog's top version ${version:-(none)} is not $want-N as the version file of $BASE says; add an entry with BASE=$BASE debian/bin/new-changelog-entry.sh"
[ "$dist" = "$BASE" ] ||
	die "$changelog's top entry is for '$dist', not $BASE"

# As Debian's linux-image of each release: Debian 12's recommends
# firmware-linux-free, Debian 13's suggests it.
fw_rec='firmware-linux-free, ' fw_sug=''
[ "$DEBIAN_SUITE" = bookworm ] || { fw_rec='' fw_sug='firmware-linux-free, '; }

subst() {
	sed -e "s/@firmware_recommends@/$fw_rec/g" -e "s/@firmware_suggests@/$fw_sug/g" \
	    -e "s/@abiname@/$DEBIAN_ABI/g" -e "s/@flavour@/$FLAVOUR/g" \
	    -e "s/@krel@/$krel/g" -e "s/@source@/$DEBIAN_SOURCE_PACKAGE/g" \
	    -e "s/@version@/$series/g" -e "s/@gcc@/$DEBIAN_GCC/g" "$1"
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
