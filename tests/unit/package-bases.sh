#!/bin/bash
# The Debian packaging of each base, offline: debian/bin/gencontrol.sh
# writes debian/control and the ABI's files from the base's version file
# and changelog (bookworm: gcc-12 and Debian 12's relations; trixie:
# gcc-14, firmware-linux-free suggested as Debian 13's linux-image does,
# the release-specific names), refuses a changelog of another release,
# and debian/rules takes the base from its changelog's distribution.
# Runs on a copy of the files it reads, so the tree is not touched, and
# needs no git (the package build runs the unit tests).
# shellcheck disable=SC2016 # tap_ok evaluates its checks
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# the files gencontrol.sh and base.sh read, in their places, and a
# changelog of each base (the source package of a base carries only its
# own, so the real ones cannot serve here)
(cd "$top" && cp -r --parents debian/bin debian/templates kernel/version.env \
	kernel/scripts/base.sh kernel/bases/trixie/version.env "$t")
# shellcheck disable=SC1090 # a version file
changelog() {	# changelog VERSION_ENV DIST
	(. "$1" && printf '%s\n' "linux-aioring ($DEBIAN_SOURCE_VERSION+aioring$FLAVOUR_REVISION-1) $2; urgency=medium" \
		'' '  * test entry' '' \
		' -- linux-aioring developers <devel@linux-aioring.invalid>  Thu, 01 Jan 2026 00:00:00 +0000')
}
# as in the work tree: the default base's (trixie) is debian/changelog,
# bookworm's is kernel/debian/changelog
mkdir -p "$t/kernel/debian"
changelog "$t/kernel/version.env" bookworm >"$t/kernel/debian/changelog"
changelog "$t/kernel/bases/trixie/version.env" trixie >"$t/debian/changelog"
base_of() {	# base_of [BASE]: what base.sh makes of it, and its changelog
	(top=$t BASE=${1:-} && . "$t/kernel/scripts/base.sh" &&
		echo "$BASE ${base_changelog#"$t"/}")
}
gen() { (cd "$t" && BASE=$1 debian/bin/gencontrol.sh) >"$t/out" 2>&1; }
stanza() {	# stanza PACKAGE: that package's stanza of debian/control
	awk -v want="Package: $1" '$0 == want { p = 1 } p && /^$/ { exit } p' "$t/debian/control"
}

tap_ok '[ "$(base_of)" = "trixie debian/changelog" ] &&
	[ "$(base_of bookworm)" = "bookworm kernel/debian/changelog" ]' \
	"without BASE the base is trixie, debian/changelog's; bookworm's changelog is kernel/debian/changelog"

. "$top/kernel/version.env"
k12=$DEBIAN_ABI-$FLAVOUR
. "$top/kernel/bases/trixie/version.env"
k13=$DEBIAN_ABI-$FLAVOUR

gen bookworm
rc=$?
tap_ok '[ $rc = 0 ] && [ -f "$t/debian/linux-image-$k12.postinst" ] &&
	stanza "linux-headers-$k12" | matches -x "Depends: gcc-12,"' \
	"bookworm: control and scripts of $k12, the headers depend on gcc-12 (rc $rc)"
tap_ok 'stanza "linux-image-$k12" | matches -x "Recommends: firmware-linux-free, apparmor"' \
	"bookworm: the image recommends firmware-linux-free, as Debian 12's does"

gen trixie
rc=$?
tap_ok '[ $rc = 0 ] && [ -f "$t/debian/linux-image-$k13.postinst" ] &&
	[ ! -e "$t/debian/linux-image-$k12.postinst" ] &&
	stanza "linux-headers-$k13" | matches -x "Depends: gcc-14,"' \
	"trixie: control and scripts of $k13 (bookworm's gone), headers on gcc-14 (rc $rc)"
tap_ok 'stanza "linux-image-$k13" | matches -x "Recommends: apparmor" &&
	stanza "linux-image-$k13" | matches "^Suggests: firmware-linux-free, linux-doc-6\\.12,"' \
	"trixie: the image suggests firmware-linux-free, as Debian 13's does"
tap_ok '! grep -q "@[a-z_]*@" "$t/debian/control" && [ -f "$t/debian/linux-headers-$k13.lintian-overrides" ]' \
	"trixie: no placeholder left; the lintian overrides are generated"
tap_ok '[ -z "$(awk "/^ / && length(\$0) > 80" "$t/debian/control")" ]' \
	"trixie: no description line over 80 columns with its longer release name"

# a base whose changelog is another release's is refused
sed -i '1s/) bookworm;/) trixie;/' "$t/kernel/debian/changelog"
gen bookworm
rc=$?
tap_ok '[ $rc != 0 ] && matches "top entry is for .trixie., not bookworm" <"$t/out"' \
	"a bookworm changelog whose top entry says trixie is refused (rc $rc)"

# a source package of bookworm carries bookworm's changelog as
# debian/changelog: that is its base without BASE
cp "$t/kernel/debian/changelog" "$t/debian/changelog"
sed -i '1s/) trixie;/) bookworm;/' "$t/debian/changelog"
tap_ok '[ "$(base_of)" = "bookworm debian/changelog" ]' \
	"a tree whose debian/changelog is bookworm's is of the bookworm base"

# debian/rules reads the base from the distribution of debian/changelog
tap_ok 'grep -q "^export BASE := \$(shell dpkg-parsechangelog -SDistribution)" "$top/debian/rules"' \
	"debian/rules takes BASE from its changelog's distribution"
tap_done
