#!/bin/bash
# The tools' man pages: a page per libaioring call (the calls of one
# family may share one through ".so man3/PAGE"), libaioring(3) the
# overview naming them all; each renders without groff or man warnings
# where it is installed, has a NAME line whatis can read, and every page
# is installed and packaged.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
man=$top/tools/man
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

if ! command -v groff >/dev/null; then
	echo "1..0 # SKIP groff not installed"
	exit 77
fi

# the target page of a ".so man3/PAGE" link, empty for a page of its own
so_target() {
	sed -n '1s|^\.so man3/\([^/ ]*\)$|\1|p' "$1"
}

pages=
links=
for f in "$man"/*.[123]; do
	if [ -n "$(so_target "$f")" ]; then
		links="$links ${f##*/}"
	else
		pages="$pages ${f##*/}"
	fi
done

for page in $pages; do
	warn=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$man/$page" 2>&1)
	tap_ok "[ -z \"\$warn\" ]" "$page renders without groff warnings"
	[ -n "$warn" ] && sed 's/^/# /' <<<"$warn"
	if command -v lexgrog >/dev/null; then
		tap_ok "lexgrog $man/$page >/dev/null" "$page: whatis entry"
	fi
done

bad=
for l in $links; do
	to=$(so_target "$man/$l")
	{ [ "$(wc -l <"$man/$l")" = 1 ] && [ -f "$man/$to" ] && [ -z "$(so_target "$man/$to")" ] &&
	  sed -n '/^\.SH NAME/{n;p;q}' "$man/$to" | grep -qw "${l%.3}"; } || bad="$bad $l"
done
tap_ok "[ -z '$bad' ]" "every .so link is one line naming a page whose NAME lists it${bad:+ (not:$bad)}"

# every call of the API: exported (libaioring.map) or inline (aioring.h)
calls=$( { sed -n 's/^[[:space:]]*\(aioring_[a-z0-9_]*\);$/\1/p' "$top/tools/lib/libaioring.map"
	   grep '^static inline' "$top/tools/include/aioring.h" | grep -o 'aioring_[a-z0-9_]*(' | tr -d '('
	 } | sort -u)
missing=
nosyn=
unlisted=
for f in $calls; do
	page=$man/$f.3
	[ -f "$page" ] || { missing="$missing $f"; continue; }
	to=$(so_target "$page")
	[ -n "$to" ] && page=$man/$to
	grep -q "^\\.BI \".*[ *]$f(" "$page" || nosyn="$nosyn $f"
	grep -q "$f\" (3)\\|^\\.BR $f (3)" "$man/libaioring.3" || unlisted="$unlisted $f"
done
tap_ok "[ -n \"\$calls\" ] && [ -z '$missing' ]" \
	"each of the $(wc -w <<<"$calls") calls has its page aioring_CALL.3${missing:+ (missing:$missing)}"
tap_ok "[ -z '$nosyn' ]" "each call's page has it in its SYNOPSIS${nosyn:+ (not:$nosyn)}"
tap_ok "[ -z '$unlisted' ]" "libaioring(3) lists each call's page${unlisted:+ (not:$unlisted)}"

# installed: every page, the links as symlinks, and man renders each
# one without a warning from where it is installed
make -s -C "$top/tools" install-man DESTDIR="$t/root" PREFIX=/usr >"$t/install.log" 2>&1
tap_ok "[ $? = 0 ]" "make -C tools install-man"
mandir=$t/root/usr/share/man
notinst=
for f in "$man"/*.[123]; do
	s=${f##*.}
	[ -e "$mandir/man$s/${f##*/}" ] || notinst="$notinst ${f##*/}"
done
tap_ok "[ -z '$notinst' ]" "every page is installed${notinst:+ (not:$notinst)}"
notlink=
for l in $links; do
	[ "$(readlink "$mandir/man3/$l")" = "$(so_target "$man/$l")" ] || notlink="$notlink $l"
done
tap_ok "[ -z '$notlink' ]" "the .so links are installed as symlinks${notlink:+ (not:$notlink)}"
if command -v man >/dev/null; then
	warned=
	for f in "$mandir"/man[123]/*; do
		rel=${f#"$mandir"/}
		out=$(cd "$mandir" && LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$rel" 2>&1 >/dev/null)
		[ -n "$out" ] && { warned="$warned $rel"; sed "s|^|# $rel: |" <<<"$out"; }
	done
	tap_ok "[ -z '$warned' ]" "MANWIDTH=80 man --warnings -l renders all $(ls "$mandir"/man[123] | grep -c '\.[123]$') installed pages cleanly${warned:+ (not:$warned)}"
else
	echo "ok $((tap_n += 1)) - man --warnings # SKIP man not installed"
fi

# packaged: libaioring-dev and aioring-devel carry every section-3 page
# (aioring-tools the others)
match() {	# match FILE PATTERN...: does one of the globs match FILE?
	local f=$1 p
	shift
	for p in "$@"; do
		# shellcheck disable=SC2053 # a glob on purpose
		[[ $f == $p ]] && return 0
	done
	return 1
}
mapfile -t deb < <(sed -n 's|^\(usr/share/man/.*\)|/\1|p' "$top"/debian/*.install)
mapfile -t rpm < <(sed -n 's|^%{_mandir}\(/.*\)|/usr/share/man\1|p' "$top/rpm/aioring-tools.spec.in")
nodeb=
norpm=
for f in "$man"/*.[123]; do
	inst=/usr/share/man/man${f##*.}/${f##*/}
	match "$inst" "${deb[@]}" || nodeb="$nodeb ${f##*/}"
	match "$inst.gz" "${rpm[@]}" || norpm="$norpm ${f##*/}"
done
tap_ok "[ -z '$nodeb' ]" "debian/*.install packages every page${nodeb:+ (not:$nodeb)}"
tap_ok "[ -z '$norpm' ]" "rpm/aioring-tools.spec.in %files has every page${norpm:+ (not:$norpm)}"

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
