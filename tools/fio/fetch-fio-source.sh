#!/bin/bash
# Fetch and unpack the Debian source of the installed fio (apt-get source)
# into DIR (default build/fio), for building the aio-ring engine against
# the fio this system runs.
#
# The system's apt sources usually carry only binary ('deb') entries.
# This derives 'deb-src' entries from them at run time into a private
# apt configuration under DIR, so neither /etc/apt nor this repository
# gains a mirror name, and no root is needed.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${1:-$top/build/fio}")
ver=$(dpkg-query -W -f '${Version}' fio 2>/dev/null) || {
	echo "fetch-fio-source: fio is not installed (apt-get install fio)" >&2
	exit 1
}
upstream=${ver%-*}
src=$out/fio-$upstream

if [ -f "$src/fio.h" ]; then
	echo "$src"
	exit 0
fi

apt=$out/apt
rm -rf "$apt"
mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial"

# deb822 files: every 'Types:' line that lists deb gets deb-src instead;
# one-line files: every 'deb ' line becomes 'deb-src '.
n=0
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
	 /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	case $f in
	*.sources)
		sed -e '/^Types:.*\bdeb\b/s/.*/Types: deb-src/' "$f" \
			>"$apt/sources.list.d/src-$n.sources"
		;;
	*)
		sed -n 's/^deb[[:space:]]/deb-src /p' "$f" >"$apt/sources.list.d/src-$n.list"
		;;
	esac
	n=$((n + 1))
done

aptopts=(-o "Dir::Etc::SourceList=/dev/null"
	 -o "Dir::Etc::SourceParts=$apt/sources.list.d"
	 -o "Dir::State::Lists=$apt/lists"
	 -o "Dir::Cache=$apt/cache"
	 -o "Debug::NoLocking=1"
	 -o "APT::Sandbox::User=$(id -un)")
apt-get "${aptopts[@]}" -q update >&2
mkdir -p "$out"
cd "$out"
apt-get "${aptopts[@]}" -q source "fio=$ver" >&2
[ -f "$src/fio.h" ] || {
	echo "fetch-fio-source: no $src/fio.h after apt-get source fio=$ver" >&2
	exit 1
}
echo "$src"
