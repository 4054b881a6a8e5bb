#!/bin/bash
# Run test programs and print one TAP stream: a plan, then per program an
# indented copy of its own TAP output and one "ok"/"not ok" line.
#
#   run-tests.sh [-t SECONDS] [-p PREFIX] PROGRAM|DIRECTORY...
#
# A directory stands for the executables in it, in name order. A program
# passes when it exits 0 and printed no "not ok" line; exit 77 (or a
# "1..0 # SKIP" plan) is a skip, with its reason; a timeout is a failure.
# Used by the VM harness (tests/vm) and on installed systems (autopkgtest).
set -u

timeout_s=600
prefix=
while getopts t:p: opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	p) prefix=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-p PREFIX] PROGRAM|DIR..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

progs=()
for arg in "$@"; do
	if [ -d "$arg" ]; then
		for f in "$arg"/*; do
			[ -f "$f" ] && [ -x "$f" ] && progs+=("$f")
		done
	else
		progs+=("$arg")
	fi
done

echo "1..${#progs[@]}"
n=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for prog in "${progs[@]}"; do
	n=$((n + 1))
	name="$prefix$(basename "$(dirname "$prog")")/$(basename "$prog")"
	start=$(date +%s)
	timeout -k 10 "$timeout_s" "$prog" >"$out" 2>&1 </dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	sed 's/^/    /' "$out"
	if [ $rc = 77 ]; then
		why=$(sed -n 's/^1\.\.0 *# *SKIP *//p' "$out" | head -n 1)
		echo "ok $n - $name # SKIP ${why:-exit 77}"
	elif [ $rc = 124 ] || [ $rc = 137 ]; then
		echo "not ok $n - $name # timed out after ${timeout_s}s"
		failed=$((failed + 1))
	elif [ $rc != 0 ]; then
		echo "not ok $n - $name # exit $rc (${secs}s)"
		failed=$((failed + 1))
	elif grep -q '^not ok' "$out"; then
		echo "not ok $n - $name # exit 0 but reported failures"
		failed=$((failed + 1))
	elif ! grep -q '^1\.\.[0-9]' "$out"; then
		echo "not ok $n - $name # no TAP plan in its output"
		failed=$((failed + 1))
	else
		echo "ok $n - $name (${secs}s)"
	fi
done
[ $failed = 0 ]
