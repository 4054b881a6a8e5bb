#!/bin/bash
# Fetch and unpack the Debian source of a fio (apt-get source) into DIR
# (default build/fio), for building the aio-ring engine against the fio
# it will be loaded into, and print the unpacked tree's path:
#
#   fetch-fio-source.sh [DIR [VERSION SUITE]]
#
# Default: the installed fio, from this machine's Debian release; a
# package build for another release passes the fio of its build root
# (VERSION) and that release (SUITE). The sources come from a private
# apt configuration that kernel/scripts/suite-apt.sh --src derives from
# the machine's own at run time, so neither /etc/apt nor this repository
# gains a mirror name, and no root is needed.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${1:-$top/build/fio}")
ver=${2:-}
suite=${3:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}
if [ -z "$ver" ]; then
	ver=$(dpkg-query -W -f '${Version}' fio 2>/dev/null) || {
		echo "fetch-fio-source: fio is not installed (apt-get install fio)" >&2
		exit 1
	}
fi
upstream=${ver%-*}
upstream=${upstream#*:}
src=$out/fio-$upstream

if [ -f "$src/fio.h" ]; then
	echo "$src"
	exit 0
fi

conf=$("$top/kernel/scripts/suite-apt.sh" --src "$suite")
mkdir -p "$out"
cd "$out"
APT_CONFIG=$conf apt-get -q source "fio=$ver" >&2
[ -f "$src/fio.h" ] || {
	echo "fetch-fio-source: no $src/fio.h after apt-get source fio=$ver" >&2
	exit 1
}
echo "$src"
