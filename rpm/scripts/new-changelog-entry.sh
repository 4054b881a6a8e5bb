#!/bin/bash
# Add items to the RPM changelogs of a base (BASE_DIR/rpm/kernel-aioring.changelog
# and aioring-tools.changelog, kernel/scripts/base.sh; build-rpms.sh puts
# them under %changelog of each spec) for the release of its version file:
#
#   [BASE=...] new-changelog-entry.sh MESSAGE...
#
# Each MESSAGE becomes one "- " item, wrapped at 72 columns. A new entry
# (today's date, $RPM_PACKAGER or the project's address, rpm-evr.sh's
# VERSION-RELEASE) goes on top unless the newest entry already names that
# release; then the items are added to it. 'make rebase-base' calls this.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=kernel/scripts/base.sh
. "$top/kernel/scripts/base.sh"
[ $# -gt 0 ] || { echo "usage: [BASE=...] new-changelog-entry.sh MESSAGE..." >&2; exit 2; }
evr=$("$top/rpm/scripts/rpm-evr.sh" "$base_dir/version.env")
packager=${RPM_PACKAGER:-linux-aioring developers <devel@linux-aioring.invalid>}

# ('%' would start a macro in a spec: %%)
items=$(for m in "$@"; do
	fold -s -w 70 <<<"$m" | sed -e 's/[[:space:]]*$//' -e 's/%/%%/g' \
		-e '1s/^/- /' -e '2,$s/^/  /'
done)

mkdir -p "$base_dir/rpm"
for log in "$base_dir"/rpm/kernel-aioring.changelog "$base_dir"/rpm/aioring-tools.changelog; do
	touch "$log"
	top_evr=$(sed -n '1s/.* - \([^ ]*\)$/\1/p' "$log")
	# awk -v would turn the backslashes of a message into escapes
	ITEMS=$items HEADER="* $(LC_ALL=C date -u '+%a %b %d %Y') $packager - $evr" \
	SAME=$([ "$top_evr" = "$evr" ] && echo 1 || echo 0) awk '
		function flush() { print ENVIRON["ITEMS"]; done = 1 }
		NR == 1 && ENVIRON["SAME"] != "1" {
			print ENVIRON["HEADER"]; flush(); print "" }
		# the end of the newest entry: a blank line or the next entry
		!done && NR > 1 && (/^$/ || /^\* /) { flush() }
		{ print }
		END {
			if (NR == 0) { print ENVIRON["HEADER"]; flush() }
			else if (!done) flush() }' "$log" >"$log.new"
	mv "$log.new" "$log"
	echo "new-changelog-entry: $evr in ${log#"$top"/}"
done
