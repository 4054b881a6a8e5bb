#!/bin/bash
# Print one hash over the pinned source version and the patch series
# (names and contents, in order): it says whether build/linux is current.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/kernel/scripts/base.sh"
patches=$base_dir/patches
{
	echo "$DEBIAN_SOURCE_VERSION"
	[ -f "$patches/series" ] &&
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$patches/series" | while read -r p; do
		echo "$p"
		cat "$patches/$p"
	done
} | sha256sum | cut -d' ' -f1
