#!/bin/bash
# Add a top entry to the Debian changelog of a base's packages
# (kernel/scripts/base.sh: debian/changelog for the default base, trixie;
# BASE_DIR/debian/changelog for the others) for its version file
# ('make rebase-base' calls it after moving the base):
#
#   [BASE=bookworm|trixie] debian/bin/new-changelog-entry.sh MESSAGE...
#
# The version is DEBIAN_SOURCE_VERSION+aioringFLAVOUR_REVISION-1, or the
# top entry's revision plus one when the top entry already has that
# upstream part (a packaging-only change). Each MESSAGE is one "*" item,
# wrapped at 72 columns. The distribution and the maintainer are the top
# entry's (DEBFULLNAME and DEBEMAIL override the maintainer); the date is
# now, or SOURCE_DATE_EPOCH. Plain shell: dch need not be installed.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)

die() { echo "new-changelog-entry: $*" >&2; exit 1; }
case ${1:-} in
''|-h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; [ $# -gt 0 ]; exit ;;
esac

# shellcheck source=kernel/scripts/base.sh
. "$top/kernel/scripts/base.sh"
changelog=$base_changelog
upstream=$DEBIAN_SOURCE_VERSION+aioring$FLAVOUR_REVISION

# "linux-aioring (VERSION) DIST; urgency=medium" and " -- NAME <MAIL>  DATE"
head=$(head -n 1 "$changelog")
source=${head%% *}
old=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$changelog")
dist=$(sed -n '1s/^[^)]*) \([^;]*\);.*/\1/p' "$changelog")
maint=$(sed -n '/^ -- /{s/^ -- \(.*>\)  .*/\1/p;q}' "$changelog")
if [ -z "$old" ] || [ -z "$dist" ] || [ -z "$maint" ]; then
	die "cannot parse the top entry of ${changelog#"$top"/}"
fi
if [ -n "${DEBFULLNAME:-}" ] && [ -n "${DEBEMAIL:-}" ]; then
	maint="$DEBFULLNAME <$DEBEMAIL>"
fi

old_upstream=${old#*:}
old_upstream=${old_upstream%-*}
if [ "$old_upstream" = "$upstream" ]; then
	rev=$(( ${old##*-} + 1 ))
else
	rev=1
fi
date=$(LC_ALL=C date -u -R ${SOURCE_DATE_EPOCH:+-d "@$SOURCE_DATE_EPOCH"})

tmp=$(mktemp "$changelog.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
	echo "$source ($upstream-$rev) $dist; urgency=medium"
	echo
	for msg in "$@"; do
		printf '%s\n' "$msg" | fold -s -w 68 | sed -e 's/ *$//' -e '1s/^/  * /' -e '2,$s/^/    /'
	done
	echo
	echo " -- $maint  $date"
	echo
	cat "$changelog"
} >"$tmp"
chmod 644 "$tmp"
mv "$tmp" "$changelog"
trap - EXIT
echo "new-changelog-entry: ${changelog#"$top"/}: $upstream-$rev $dist"
