#!/bin/bash
# The tools' man pages: they render without groff warnings, have a NAME
# line whatis can read, and libaioring(3) documents every exported call.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
man=$top/tools/man

if ! command -v groff >/dev/null; then
	echo "1..0 # SKIP groff not installed"
	exit 77
fi
for page in libaioring.3 aioring-bench.1 io_setup2.2 io_ring_enter.2; do
	warn=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$man/$page" 2>&1)
	tap_ok "[ -f $man/$page ] && [ -z \"\$warn\" ]" "$page renders without warnings"
	[ -n "$warn" ] && sed 's/^/# /' <<<"$warn"
	if command -v lexgrog >/dev/null; then
		tap_ok "lexgrog $man/$page >/dev/null" "$page: whatis entry"
	fi
done
missing=
for f in $(sed -n 's/^[[:space:]]*\(aioring_[a-z_]*\);$/\1/p' "$top/tools/lib/libaioring.map"); do
	grep -q "$f" "$man/libaioring.3" || missing="$missing $f"
done
tap_ok "[ -z '$missing' ]" "libaioring(3) covers every exported call${missing:+ (missing:$missing)}"
opts=$(sed -n 's/^	{ "\([a-z-]*\)",.*/\1/p' "$top/tools/bench/options.c")
missing=
for o in $opts; do
	grep -q -- "-\\\\-$(sed 's/-/\\\\-/g' <<<"$o")" "$man/aioring-bench.1" || missing="$missing --$o"
done
tap_ok "[ -n \"\$opts\" ] && [ -z '$missing' ]" "aioring-bench(1) documents every option${missing:+ (missing:$missing)}"
tap_done
