#!/bin/bash
# Check that every patch of a base's series builds on its own: for each
# commit base..aioring of the base's tree (BASE, kernel/scripts/base.sh:
# build/linux or build/trixie/linux), build the vm profile of that commit
# in a separate work tree (linux-each, objects in obj-each, beside it), so
# the tree itself is never touched. Incremental and ccached, so each step
# only compiles what that patch changed.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=kernel/scripts/base.sh
. "$top/kernel/scripts/base.sh"
tree=$base_build/linux
each=$base_build/linux-each
obj=$base_build/obj-each
export BASE	# configure.sh configures the same base

"$top/kernel/scripts/prepare-tree.sh"
[ -d "$each" ] || git -C "$tree" worktree add -q --detach "$each" base
mkdir -p "$obj"
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
export KBUILD_BUILD_USER=linux-aioring KBUILD_BUILD_HOST=build
export KBUILD_BUILD_TIMESTAMP="Thu, 01 Jan 2026 00:00:00 +0000"

commits=$(git -C "$tree" rev-list --reverse base..aioring)
[ -n "$commits" ] || { echo "build-each-patch: the series is empty"; exit 0; }
n=0
for c in $commits; do
	n=$((n + 1))
	subject=$(git -C "$tree" log -1 --format=%s "$c")
	git -C "$each" checkout -q --detach "$c"
	KERNEL_TREE=$each KERNEL_OBJ=$obj "$top/kernel/scripts/configure.sh" vm >/dev/null
	if make -s -C "$each" O="$obj" CC="$cc" -j"$(nproc)" bzImage >"$obj/build.log" 2>&1 &&
	   ! grep -q 'warning:' "$obj/build.log"; then
		echo "ok $n - builds: $subject"
	else
		grep -E 'error|warning' "$obj/build.log" | sed -n 1,20p | sed 's/^/    /'
		echo "not ok $n - builds: $subject"
		exit 1
	fi
done
