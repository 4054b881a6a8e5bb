#!/bin/bash
# Count the top-level results of TAP files and print the one closing line
# of 'make check':  N passed, N failed, N skipped
# A file that is missing or holds no result counts as a failure.
set -u
pass=0 fail=0 skipped=0
for f in "$@"; do
	if ! grep -qE '^(not )?ok ' "$f" 2>/dev/null; then
		echo "summarize: no results in ${f##*/build/}" >&2
		fail=$((fail + 1))
		continue
	fi
	p=$(grep -E '^ok ' "$f" | grep -vciE '# *skip')
	s=$(grep -E '^ok ' "$f" | grep -ciE '# *skip')
	x=$(grep -cE '^not ok ' "$f")
	pass=$((pass + p)) skipped=$((skipped + s)) fail=$((fail + x))
done
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
