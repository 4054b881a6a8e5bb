#!/bin/bash
# 'make rebase-base [BASE=...] [VERSION=...]': move a base of the flavour
# to another upload of Debian's kernel (default: the newest that the
# archive of the base's Debian release offers).
#
#   BASE=bookworm|trixie rebase-base.sh [VERSION]
#
# The base's files are where kernel/scripts/base.sh says (bookworm:
# kernel/version.env, kernel/config/debian/, build/linux; trixie: the same
# under kernel/bases/trixie/ and build/trixie/).
#  1. fetch that upload's source tarball, record its sha256 (apt checked
#     the package against the archive's signed index);
#  2. take the ABI name from Debian's own linux-image-amd64 of that version
#     (X.Y.Z-N in Debian 12, X.Y.Z+debN in Debian 13);
#  3. vendor that upload's amd64 config in the base's config/debian/;
#  4. rewrite the base's version.env (flavour revision 1);
#  5. re-apply the base's patches at fuzz 0 (make kernel-tree); a patch
#     that does not apply stops here with its name, and git am is left
#     stopped at it in the base's tree to fix it;
#  6. require an empty 'listnewconfig' for the distro profile;
#  7. add the changelog entries: the project's, the base's Debian
#     changelog (base.sh's base_changelog) and its RPM changelogs
#     (BASE_DIR/rpm/*.changelog);
#  8. run 'make check' (NOCHECK=1 skips it).
# Nothing is committed: 'git diff' shows the rebase.
set -euo pipefail

die() { echo "rebase-base: $*" >&2; exit 1; }
say() { echo "rebase-base: $*"; }

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=kernel/scripts/base.sh
. kernel/scripts/base.sh
env_file=${base_dir#"$top"/}/version.env
config_file=${base_dir#"$top"/}/config/debian/amd64_none_amd64.config
tree=${base_build#"$top"/}/linux
# shellcheck source=kernel/scripts/base-env.sh
. kernel/scripts/base-env.sh
# the base's version file, and apt pointed at its Debian release
base_env "$env_file" || die "no apt configuration for $DEBIAN_SUITE"
src_pkg=$DEBIAN_SOURCE_PACKAGE
cfg_pkg=${src_pkg/source/config}
old_version=$DEBIAN_SOURCE_VERSION old_abi=$DEBIAN_ABI
export BASE	# prepare-tree.sh and configure.sh work on the same base

if [ "$(id -u)" = 0 ]; then
	apt-get update -qq || die "apt-get update failed"
else
	say "not root: using apt's lists as they are (run 'apt-get update' for the newest)"
fi
version=${1:-}
[ -n "$version" ] || version=$(kernel/scripts/newest-upload.sh "$src_pkg")
work=build/rebase
# The project's changelog entry of a finished rebase
msg="Rebase $([ "$BASE" = bookworm ] || echo "the $BASE base ")onto Debian's linux $version"
# A rebase that stopped at a patch left the version file moved and the
# changelogs not: run again, it goes on from the series.
resume=0
if [ "$version" = "$old_version" ]; then
	top_entry=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$base_changelog")
	if [ "${top_entry%-*}" = "$version+aioring$FLAVOUR_REVISION" ]; then
		say "already on $src_pkg $version (ABI $old_abi); nothing to do"
		exit 0
	fi
	resume=1
	abi=$old_abi
	# shellcheck disable=SC1090 # the version file as last committed
	eval "$(git show HEAD:"$env_file" | grep -E '^DEBIAN_(SOURCE_VERSION|ABI)=' |
		sed 's/^DEBIAN_SOURCE_VERSION=/old_version=/; s/^DEBIAN_ABI=/old_abi=/')"
	if git diff --quiet HEAD -- "$config_file"; then
		config_note="Debian's amd64 config is unchanged"
	else
		config_note="Debian's amd64 config refreshed"
	fi
	say "resuming the rebase $old_version -> $version (ABI $abi) at the series"
fi
if [ $resume = 0 ]; then
	dpkg --compare-versions "$version" gt "$old_version" || [ "${FORCE:-0}" = 1 ] ||
		die "$version is older than the pinned $old_version (FORCE=1 to go back)"

	# 1.-3.: the packages of that upload
	rm -rf "$work"
	mkdir -p "$work" build/src
	# Debian 12: linux-image-X.Y.Z-N-amd64; Debian 13: linux-image-X.Y.Z+debN-amd64
	abi=$(apt-cache show "linux-image-amd64=$version" 2>/dev/null |
		sed -n 's/^Depends:.*linux-image-\([0-9][0-9.]*[-+][0-9a-z]*\)-amd64\( .*\)\{0,1\}$/\1/p' | sed -n 1p)
	[[ $abi =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+|\+deb[0-9]+)$ ]] ||
		die "no ABI name from linux-image-amd64 $version (its Depends names no linux-image-ABI-amd64)"

	kernel/scripts/deb-extract.sh "$src_pkg" "$version" "./usr/src/$src_pkg.tar.xz" \
		"$work/src.tar.xz" || die "the archive does not offer $src_pkg $version"
	sha=$(sha256sum "$work/src.tar.xz" | cut -d' ' -f1)
	mv "$work/src.tar.xz" "build/src/${src_pkg}_$version.tar.xz"
	kernel/scripts/deb-extract.sh "$cfg_pkg" "$version" \
		"./usr/src/$cfg_pkg/config.amd64_none_amd64.xz" "$work/config.xz" ||
		die "the archive does not offer $cfg_pkg $version"
	xz -dc "$work/config.xz" >"$work/config"
	if cmp -s "$work/config" "$config_file"; then
		config_note="Debian's amd64 config is unchanged"
	else
		config_note="Debian's amd64 config refreshed"
		cp "$work/config" "$config_file"
	fi

	# 4. the version file
	sed -i -e "s/^DEBIAN_SOURCE_VERSION=.*/DEBIAN_SOURCE_VERSION=$version/" \
		-e "s/^DEBIAN_SOURCE_SHA256=.*/DEBIAN_SOURCE_SHA256=$sha/" \
		-e "s/^DEBIAN_ABI=.*/DEBIAN_ABI=$abi/" \
		-e "s/^FLAVOUR_REVISION=.*/FLAVOUR_REVISION=1/" "$env_file"
	say "$src_pkg $old_version (ABI $old_abi) -> $version (ABI $abi); $config_note"
fi

# 5. the series, exactly
if ! kernel/scripts/prepare-tree.sh; then
	die "the series does not apply to $version: fix the patch named above in $tree
(git am is stopped at it: edit, git add, git am --continue), then 'make kernel-export BASE=$BASE'
and run 'make rebase-base BASE=$BASE VERSION=$version' again; 'git checkout kernel/' abandons the rebase"
fi

# 6. every new symbol of the upload's config is decided
kernel/scripts/configure.sh distro ||
	die "decide the symbols above in kernel/config/aioring.config, then run 'make rebase-base BASE=$BASE VERSION=$version' again"

# 7. changelogs
# (the ABI is named in the version file only)
msg="$msg: $config_note."
debian/bin/new-changelog-entry.sh "$msg"
rpm/scripts/new-changelog-entry.sh "$msg"
entry=$(echo "- $msg" | fold -s -w 72 | sed -e 's/ *$//' -e '2,$s/^/  /')
awk -v entry="$entry" 'skip && /^$/ { skip = 0; next } { skip = 0; print }
	!done && /^## Unreleased$/ { print ""; print entry; print ""; done = skip = 1 }' \
	CHANGELOG >CHANGELOG.new && mv CHANGELOG.new CHANGELOG
rm -rf "$work"

git --no-pager diff --stat
if [ "${NOCHECK:-0}" = 1 ]; then
	say "NOCHECK=1: tests not run; run 'make check' before committing"
	exit 0
fi
make check BASE="$BASE"
