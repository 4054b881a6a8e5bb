#!/bin/bash
# Add items to the %changelog of both specs (rpm/kernel-aioring.spec.in,
# rpm/aioring-tools.spec.in) for the release of kernel/version.env:
#
#   new-changelog-entry.sh MESSAGE...
#
# Each MESSAGE becomes one "- " item, wrapped at 72 columns. A new entry
# (today's date, $RPM_PACKAGER or the project's address, rpm-evr.sh's
# VERSION-RELEASE) goes on top unless the newest entry already names that
# release; then the items are added to it. 'make rebase-base' calls this.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || { echo "usage: new-changelog-entry.sh MESSAGE..." >&2; exit 2; }
evr=$("$top/rpm/scripts/rpm-evr.sh")
packager=${RPM_PACKAGER:-linux-aioring developers <devel@linux-aioring.invalid>}

# ('%' would start a macro in a spec: %%)
items=$(for m in "$@"; do
	fold -s -w 70 <<<"$m" | sed -e 's/[[:space:]]*$//' -e 's/%/%%/g' \
		-e '1s/^/- /' -e '2,$s/^/  /'
done)

for spec in "$top"/rpm/kernel-aioring.spec.in "$top"/rpm/aioring-tools.spec.in; do
	grep -q '^%changelog$' "$spec" || { echo "new-changelog-entry: no %changelog in $spec" >&2; exit 1; }
	top_evr=$(sed -n '/^%changelog$/{n;s/.* - \([^ ]*\)$/\1/p;q}' "$spec")
	# awk -v would turn the backslashes of a message into escapes
	ITEMS=$items HEADER="* $(LC_ALL=C date -u '+%a %b %d %Y') $packager - $evr" \
	SAME=$([ "$top_evr" = "$evr" ] && echo 1 || echo 0) awk '
		function flush() { print ENVIRON["ITEMS"]; done = 1 }
		/^%changelog$/ { print; inlog = 1
			if (ENVIRON["SAME"] != "1") { print ENVIRON["HEADER"]; flush(); print "" }
			next }
		# the end of the newest entry: a blank line or the next entry
		inlog && !done && seen && (/^$/ || /^\* /) { flush() }
		inlog && /^\* / { seen = 1 }
		{ print }
		END { if (inlog && !done) flush() }' "$spec" >"$spec.new"
	mv "$spec.new" "$spec"
	echo "new-changelog-entry: $evr in ${spec#"$top"/}"
done
