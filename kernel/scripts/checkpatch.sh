#!/bin/bash
# checkpatch.pl --strict on every patch of the series; fails on any
# ERROR, WARNING or CHECK.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/kernel/scripts/base.sh"
tree=${KERNEL_TREE:-$base_build/linux}
cd "$base_dir/patches"
mapfile -t series < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' series)
[ ${#series[@]} -gt 0 ] || { echo "checkpatch: the series is empty"; exit 0; }
bad=0
for p in "${series[@]}"; do
	if out=$("$tree/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
			--root="$tree" "$p" 2>&1); then
		echo "checkpatch: $p: clean"
	else
		echo "$out"
		bad=1
	fi
done
exit $bad
