#!/bin/bash
# Print the newest version of a package that apt's configured archive
# offers (apt's lists as they are), or fail with one line on stderr.
#
#   newest-upload.sh PACKAGE
set -euo pipefail

pkg=${1:?usage: newest-upload.sh PACKAGE}
best=
# dpkg's order, not sort -V: "1.2-3~deb12u1" < "1.2-3".
for v in $(apt-cache madison "$pkg" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }'); do
	if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then
		best=$v
	fi
done
[ -n "$best" ] || { echo "newest-upload: the archive offers no $pkg (apt-get update?)" >&2; exit 1; }
echo "$best"
