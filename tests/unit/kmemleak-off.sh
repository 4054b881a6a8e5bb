#!/bin/bash
# make check's first guest runs the suites that look for leaks (fault,
# fuzz-check, stress) under kmemleak, then tests/vm/kmemleak-off.sh, which
# reports what kmemleak found and switches it off, then the other suites.
# Offline: the step on a stand-in control file, and the order make check
# asks for.
# shellcheck disable=SC2016,SC2034 # tap_ok evaluates its checks
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
off=$top/tests/vm/kmemleak-off.sh

: >"$t/clean"
AIORING_KMEMLEAK=$t/clean "$off" >"$t/clean.out" 2>&1
rc=$?
tap_ok '[ $rc = 0 ] && matches "^ok 1 - kmemleak: no unreferenced" <"$t/clean.out"' \
	"nothing reported: the step passes (exit $rc)"
tap_ok '[ "$(grep -c "^scan$" "$t/clean")" = 2 ] && [ "$(tail -n 1 "$t/clean")" = off ]' \
	"it scans twice, then switches kmemleak off"

printf 'unreferenced object 0xffff888004a1c000 (size 64):\n  comm "x", pid 1\n' >"$t/leak"
AIORING_KMEMLEAK=$t/leak "$off" >"$t/leak.out" 2>&1
rc=$?
tap_ok '[ $rc = 1 ] && matches "^not ok 1 - kmemleak: 1 unreferenced objects" <"$t/leak.out" &&
	matches "^# unreferenced object 0xffff888004a1c000" <"$t/leak.out"' \
	"a reported object fails the step and is shown (exit $rc)"
tap_ok '[ "$(tail -n 1 "$t/leak")" = off ]' "kmemleak is switched off after a failure too"

AIORING_KMEMLEAK=$t/none "$off" >"$t/none.out" 2>&1
rc=$?
tap_ok '[ $rc = 77 ] && matches "^1..0 # SKIP this kernel has no kmemleak" <"$t/none.out"' \
	"without kmemleak the step is a skip (exit $rc)"

# The order of make check's first guest: every program that scans for
# leaks before the step, the rest after it.
make_plan check BASE=trixie OTHER_PROFILE=vm-debug CHECK="$t/check" \
	CHECK_KERNEL="$t/none.deb" >"$t/plan"
# the first guest's command, its continued lines joined
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$t/plan" | sed -n 's/.*run-vm.sh -n check-trixie //p' |
	sed 's/|.*//' | tr -s '[:blank:]' '\n' | sed '/^$/d; /^-/d' >"$t/list"
sed 's/^/# /' "$t/list"
last_leak=$( (grep -n -E 'tests/fault/|fuzz-check|stress/' "$t/list" || true) | tail -n 1 | cut -d: -f1)
first_other=$( (grep -n -E 'tests/(regress|abi|tools)$' "$t/list" || true) | head -n 1 | cut -d: -f1)
step=$( (grep -n -F kmemleak-off.sh "$t/list" || true) | head -n 1 | cut -d: -f1)
tap_ok '[ -n "$step" ] && [ -n "$last_leak" ] && [ -n "$first_other" ] &&
	[ "$last_leak" -lt "$step" ] && [ "$step" -lt "$first_other" ]' \
	"make check: fault, fuzz-check and stress, then the step, then regress, abi and tools"
tap_ok '[ "$(grep -c -E "tests/fault/" "$t/list")" -ge 8 ] &&
	matches -E "build/tests/regress$" "$t/list" && matches -E "build/tests/abi$" "$t/list" &&
	matches -E "^tests/tools$" "$t/list"' \
	"every suite is still in the list"
tap_done
