#!/bin/bash
# kernel/scripts/suite-apt.sh derives the sources of another Debian suite
# from the machine's: every suite name of the machine's release becomes
# the base's, with its suffix (-updates, -security); sources of other
# repositories are left out; no mirror name is invented. Offline: sample
# sources, no apt-get update.
# shellcheck disable=SC2016,SC2034 # tap_ok evaluates its checks
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/etc/sources.list.d"
cat >"$tmp/etc/sources.list.d/debian.sources" <<'S'
Types: deb
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
S
cat >"$tmp/etc/sources.list" <<'S'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://other.example/debian bookworm-backports main
# deb http://commented.example/debian bookworm main
deb-src http://other.example/debian bookworm main
S
cat >"$tmp/etc/sources.list.d/vendor.list" <<'S'
deb http://vendor.example/apt stable main
S

conf=$(AIORING_APT_ETC=$tmp/etc AIORING_HOST_CODENAME=bookworm AIORING_APT_OFFLINE=1 \
	AIORING_APT_DIR=$tmp/apt "$top/kernel/scripts/suite-apt.sh" trixie)
rc=$?
tap_ok '[ $rc = 0 ] && [ "$conf" = "$tmp/apt/trixie/apt.conf" ] && [ -f "$conf" ]' \
	"suite-apt.sh trixie prints the path of its apt.conf (rc $rc: $conf)"
all=$(cat "$tmp/apt/trixie/sources.list.d/"* 2>/dev/null)
tap_ok 'printf "%s\n" "$all" | matches "^Suites: trixie trixie-updates$"' \
	"deb822: 'bookworm bookworm-updates' becomes 'trixie trixie-updates'"
tap_ok 'printf "%s\n" "$all" | matches "^Suites: trixie-security$"' \
	"deb822: bookworm-security becomes trixie-security"
tap_ok 'printf "%s\n" "$all" | matches "^deb \[signed-by=[^]]*\] http://other.example/debian trixie-backports main$"' \
	"one-line: a deb line with options keeps them, its suite renamed"
tap_ok '! printf "%s\n" "$all" | matches -E "bookworm|vendor.example|commented.example|^deb-src"' \
	"nothing of bookworm, no vendor repository, comment or deb-src is kept"
tap_ok 'matches "^Dir::State::Status \"/dev/null\";$" <"$conf" && matches "^Dir::Etc::SourceList \"/dev/null\";$" <"$conf"' \
	"the configuration reads none of the machine's sources or dpkg status"

# --src: the same sources with their deb-src twins (apt-get source)
conf=$(AIORING_APT_ETC=$tmp/etc AIORING_HOST_CODENAME=bookworm AIORING_APT_OFFLINE=1 \
	AIORING_APT_DIR=$tmp/apt "$top/kernel/scripts/suite-apt.sh" --src trixie)
rc=$?
src=$(cat "$tmp/apt/trixie-src/sources.list.d/"* 2>/dev/null)
tap_ok '[ $rc = 0 ] && [ "$conf" = "$tmp/apt/trixie-src/apt.conf" ] &&
	[ "$(printf "%s\n" "$src" | grep -c "^Types: deb deb-src$")" = 2 ] &&
	printf "%s\n" "$src" | matches "^Suites: trixie trixie-updates$"' \
	"--src: its own configuration, each deb822 entry with Types: deb deb-src (rc $rc)"
tap_ok 'printf "%s\n" "$src" | matches "^deb-src \[signed-by=[^]]*\] http://other.example/debian trixie-backports main$" &&
	printf "%s\n" "$src" | matches "^deb \[signed-by=[^]]*\] http://other.example/debian trixie-backports main$"' \
	"--src: a one-line deb entry gets a deb-src twin"
tap_ok '! printf "%s\n" "$src" | matches -E "bookworm|vendor.example|commented.example"' \
	"--src: nothing of bookworm, no vendor repository or comment either"
tap_ok '! printf "%s\n" "$all" | matches "deb-src"' \
	"without --src, no deb-src entry"

rc=0
AIORING_APT_ETC=$tmp/etc AIORING_HOST_CODENAME=buster AIORING_APT_OFFLINE=1 \
	AIORING_APT_DIR=$tmp/apt2 "$top/kernel/scripts/suite-apt.sh" trixie \
	>/dev/null 2>"$tmp/err" || rc=$?
tap_ok '[ $rc = 1 ] && matches "no Debian source of .buster." <"$tmp/err"' \
	"with no source of the machine's release, it fails and says so (rc $rc)"
rc=0
"$top/kernel/scripts/suite-apt.sh" 'trixie/../x' >/dev/null 2>"$tmp/err" || rc=$?
tap_ok '[ $rc = 1 ] && matches "is not a Debian suite name" <"$tmp/err"' \
	"a suite name with other characters is refused (rc $rc)"
tap_done
