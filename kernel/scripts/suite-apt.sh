#!/bin/bash
# Print the path of an apt configuration (for APT_CONFIG) whose sources
# are the Debian suite SUITE and its -updates and -security suites, on the
# same archive as this machine's sources, refreshing its lists first:
#
#   suite-apt.sh [--src] SUITE
#
# --src: source packages too (deb-src twins of the entries, for 'apt-get
# source'), in a configuration of their own (build/apt/SUITE-src). SUITE
# may be the machine's own release (its fio's source, for example).
#
# A base of another Debian release than the machine's (Debian 13's
# kernel on a Debian 12 machine) is fetched through it. The sources are
# derived at run time from the machine's own: every suite name of theirs
# becomes SUITE with the same suffix, so neither /etc/apt nor this
# repository names a mirror, and no root is needed. The configuration
# lives in build/apt/SUITE; the lists are refreshed once an hour at most.
# (tests/unit/suite-apt.sh sets AIORING_APT_ETC to sample sources and
# AIORING_APT_OFFLINE=1 to write the configuration without updating.)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
src=0
[ "${1:-}" != --src ] || { src=1; shift; }
suite=${1:?usage: suite-apt.sh [--src] SUITE}
case $suite in
*[!a-z]*) echo "suite-apt: '$suite' is not a Debian suite name" >&2; exit 1 ;;
esac
dir=$(realpath -m "${AIORING_APT_DIR:-$top/build/apt}/$suite$([ $src = 0 ] || echo -src)")
conf=$dir/apt.conf

mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
rm -f "$dir"/sources.list.d/*

etc=${AIORING_APT_ETC:-/etc/apt}
# the machine's codename: the suites of its sources are named after it
host=${AIORING_HOST_CODENAME:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}
[ -n "$host" ] || { echo "suite-apt: no VERSION_CODENAME in /etc/os-release" >&2; exit 1; }

# deb822 files: 'Suites:' lines; one-line files: the third field of
# 'deb'. With --src, deb822 entries list deb-src in 'Types:' and each
# one-line entry is printed again as deb-src.
types='' twin=''
if [ $src = 1 ]; then
	types='/^Types:.*\bdeb\b/s/.*/Types: deb deb-src/'
	twin=';T;p;s/^deb/deb-src/;'	# (T: no renamed suite, next line)
fi
n=0
for f in "$etc/sources.list" "$etc"/sources.list.d/*.sources \
	 "$etc"/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	case $f in
	*.sources)
		sed -E -e "/^Suites:/s/\\b$host(-[a-z]+)?\\b/$suite\\1/g" \
			-e "$types" \
			"$f" >"$dir/sources.list.d/$suite-$n.sources" ;;
	*)
		sed -nE "s/^(deb[[:space:]]+(\\[[^]]*\\][[:space:]]+)?[^[:space:]]+[[:space:]]+)$host(-[a-z]+)?([[:space:]])/\\1$suite\\3\\4/${twin}p" \
			"$f" >"$dir/sources.list.d/$suite-$n.list" ;;
	esac
	n=$((n + 1))
done
# only sources of the machine's own suites are kept: others (a PPA, a
# vendor's repository) name no Debian suite to rename
grep -l -E "\\b$suite\\b" "$dir"/sources.list.d/* >/dev/null 2>&1 ||
	{ echo "suite-apt: no Debian source of '$host' among this machine's apt sources" >&2; exit 1; }
for f in "$dir"/sources.list.d/*; do
	grep -q -E "\\b$suite\\b" "$f" || rm -f "$f"
done

cat >"$conf" <<EOF
// written by kernel/scripts/suite-apt.sh: Debian $suite
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$dir/sources.list.d";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "/dev/null";
Dir::State::Lists "$dir/lists";
Dir::State::Status "/dev/null";
Dir::Cache "$dir/cache";
Debug::NoLocking "1";
APT::Sandbox::User "$(id -un)";
EOF

stamp=$dir/lists/.updated
if [ "${AIORING_APT_OFFLINE:-0}" != 1 ] && [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
	APT_CONFIG=$conf apt-get -q update >"$dir/update.log" 2>&1 || {
		cat "$dir/update.log" >&2
		echo "suite-apt: apt-get update of $suite failed" >&2
		exit 1
	}
	touch "$stamp"
fi
echo "$conf"
