# shellcheck shell=bash
# Sourced by the kernel scripts: which base they work on. BASE names it
# (the Makefile's BASE=): trixie, Debian 13's linux 6.12, under
# kernel/bases/trixie and build/trixie; bookworm, Debian 12's linux 6.1,
# kept at the top of kernel/ and build/ (it came first); another Debian
# release would go under kernel/bases/BASE and build/BASE. Without BASE,
# the base is the distribution of debian/changelog: the default base in
# the work tree (trixie), the base of a source package (which carries that
# base's changelog as debian/changelog). Each base's package changelog is
# debian/changelog when its distribution is the base, else
# BASE_DIR/debian/changelog (kernel/debian/changelog for bookworm). Sets
# base_dir (its version.env and patches/), base_build (its tree and
# objects; its packages in base_build/pkg), base_changelog (that
# changelog) and host_suite (this machine's Debian release), and reads
# its version file. Needs $top, the top of the tree.

# shellcheck disable=SC2154 # $top is the sourcing script's
changelog_dist=$(sed -n '1s/^[^)]*) \([^;]*\);.*/\1/p' "$top/debian/changelog" 2>/dev/null)
if [ -z "${BASE:-}" ]; then
	BASE=trixie
	case $changelog_dist in
	'' | *[!a-z]*) ;;
	bookworm) BASE=bookworm ;;
	*) [ ! -f "$top/kernel/bases/$changelog_dist/version.env" ] || BASE=$changelog_dist ;;
	esac
fi
# shellcheck disable=SC2034 # the sourcing scripts use the names
case $BASE in
bookworm)
	base_dir=$top/kernel
	base_build=$top/build ;;
*[!a-z]* | '')
	echo "${0##*/}: BASE '$BASE' is not a base name" >&2
	exit 2 ;;
*)
	base_dir=$top/kernel/bases/$BASE
	base_build=$top/build/$BASE ;;
esac
# shellcheck disable=SC2034
if [ "$changelog_dist" = "$BASE" ]; then
	base_changelog=$top/debian/changelog
else
	base_changelog=$base_dir/debian/changelog
fi
# shellcheck disable=SC2034
host_suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -f "$base_dir/version.env" ] ||
	{ echo "${0##*/}: no base '$BASE' ($base_dir/version.env)" >&2; exit 2; }
# shellcheck source=kernel/version.env
. "$base_dir/version.env"
