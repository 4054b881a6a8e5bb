#!/bin/bash
# Prepare build/linux: Debian's source of the pinned upload
# (kernel/version.env, fetched and verified by get-source.sh), as a git tree whose
# tag "base" is the pristine Debian source and whose HEAD is base plus the
# series in kernel/patches (one commit per patch, applied at fuzz 0 by
# git am, which rejects any hunk whose context does not match exactly).
# BASE=trixie: the same with kernel/bases/trixie and build/trixie/linux.
#
# Re-running after the series changed re-applies it, and restores the
# modification time of every file whose content ended up unchanged, so an
# incremental kernel build recompiles only what the change touched.
# Local commits or edits that were not exported stop the script (nothing is
# thrown away) unless FORCE=1.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/kernel/scripts/base.sh"
tree=${KERNEL_TREE:-$base_build/linux}
patches=$base_dir/patches
state=$tree/.git/aioring-applied

die() { echo "prepare-tree: $*" >&2; exit 1; }

git_t() { git -C "$tree" "$@"; }

unpack_base() {
	local tmp=$tree.unpack tarball
	tarball=$("$top/kernel/scripts/get-source.sh" "$base_dir/version.env") || exit
	echo "prepare-tree: unpacking $DEBIAN_SOURCE_PACKAGE $DEBIAN_SOURCE_VERSION"
	rm -rf "$tmp"
	mkdir -p "$tmp" "$(dirname "$tree")"
	tar -xf "$tarball" -C "$tmp" --strip-components=1
	git -C "$tmp" init -q
	git -C "$tmp" config user.name "linux-aioring build"
	git -C "$tmp" config user.email "linux-aioring@localhost"
	git -C "$tmp" config core.autocrlf false
	git -C "$tmp" config gc.auto 0
	# -f: the Debian tarball holds files that the kernel's .gitignore
	# lists (e.g. generated-looking names); the base must be complete.
	git -C "$tmp" add -A -f .
	git -C "$tmp" commit -q -m "Debian $DEBIAN_SOURCE_PACKAGE $DEBIAN_SOURCE_VERSION"
	git -C "$tmp" tag base
	git -C "$tmp" tag "debian/$DEBIAN_SOURCE_VERSION"
	rm -rf "$tree"
	mv "$tmp" "$tree"
}

series_files() {
	[ -f "$patches/series" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$patches/series"
}

apply_series() {
	local old_head=$1 mtimes p n=0
	mtimes=$(mktemp)
	# Remember when every file the current series touches was last written.
	git_t diff --name-only base "$old_head" | while read -r p; do
		[ -e "$tree/$p" ] && printf '%s\t%s\n' "$(stat -c %Y "$tree/$p")" "$p"
	done >"$mtimes"

	git_t checkout -q --detach base
	while read -r p; do
		[ -f "$patches/$p" ] || die "series names $p, which is not in kernel/patches"
		n=$((n + 1))
		if ! git_t am -q --keep-cr "$patches/$p"; then
			die "patch $p does not apply to $DEBIAN_SOURCE_PACKAGE $DEBIAN_SOURCE_VERSION at fuzz 0.
${tree#"$top"/} is at base plus the patches before it, with git am stopped at $p:
fix it there (git am --show-current-patch=diff; edit; git add; git am --continue),
then 'make kernel-export'"
		fi
	done < <(series_files)
	git_t checkout -q -B aioring

	# Files whose content did not change get their old time back.
	local new_head
	new_head=$(git_t rev-parse HEAD)
	while IFS=$'\t' read -r t p; do
		git_t diff --quiet "$old_head" "$new_head" -- "$p" 2>/dev/null &&
			touch -d "@$t" "$tree/$p"
	done <"$mtimes"
	rm -f "$mtimes"
	echo "prepare-tree: applied $n patch(es) from ${patches#"$top"/}/series"
}

record_state() {
	printf '%s %s\n' "$("$top/kernel/scripts/series-hash.sh")" "$(git_t rev-parse HEAD)" >"$state"
}

# Work in build/linux that is not in kernel/patches: uncommitted edits, a
# stopped git am, commits since the last apply or export.
unexported() {
	local had_series had_head
	[ -z "$(git_t status --porcelain --untracked-files=no)" ] ||
		{ echo "${tree#"$top"/} has uncommitted changes"; return; }
	[ ! -d "$tree/.git/rebase-apply" ] ||
		{ echo "${tree#"$top"/} has a git am in progress"; return; }
	read -r had_series had_head 2>/dev/null <"$state" || had_head=
	[ "$(git_t rev-parse HEAD)" = "$had_head" ] ||
		echo "${tree#"$top"/} has commits that are not in ${patches#"$top"/}"
}
keep_work() {
	local why
	[ "${FORCE:-0}" != 1 ] || { git_t am --abort 2>/dev/null || true; return 0; }
	why=$(unexported)
	[ -z "$why" ] || die "$why; run 'make kernel-export' (after 'git am --continue'), or rerun with FORCE=1 to discard them"
}

if [ ! -d "$tree/.git" ] || ! git_t rev-parse -q --verify "refs/tags/debian/$DEBIAN_SOURCE_VERSION" >/dev/null; then
	# a new base replaces the tree: nothing unexported may be lost
	[ ! -d "$tree/.git" ] || keep_work
	unpack_base
	apply_series base
	record_state
	exit 0
fi

want=$("$top/kernel/scripts/series-hash.sh")
head=$(git_t rev-parse HEAD)
read -r had_series had_head 2>/dev/null <"$state" || had_series= had_head=

if [ "$want" = "$had_series" ] && [ "$head" = "$had_head" ] &&
   [ -z "$(git_t status --porcelain --untracked-files=no)" ]; then
	exit 0	# up to date
fi

keep_work
git_t reset -q --hard
apply_series "$head"
record_state
