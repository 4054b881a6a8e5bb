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

# Each external command costs about half a second to a second in the
# test guest (TCG and a KASAN kernel), so the loop below runs only the
# program (under timeout) and uses shell builtins for the rest.
echo "1..${#progs[@]}"
n=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for prog in "${progs[@]}"; do
	n=$((n + 1))
	dir=${prog%/*}
	[ "$dir" = "$prog" ] && dir=.
	name="$prefix${dir##*/}/${prog##*/}"
	start=$EPOCHSECONDS
	timeout -k 10 "$timeout_s" "$prog" >"$out" 2>&1 </dev/null
	rc=$?
	secs=$((EPOCHSECONDS - start))
	mapfile -t lines <"$out"
	why='' reported_fail=0 plan=0
	for l in "${lines[@]}"; do
		printf '    %s\n' "$l"
		case $l in
		"not ok"*) reported_fail=1 ;;
		1..0*"#"*SKIP*)
			plan=1
			if [ -z "$why" ]; then
				why=${l#*SKIP}
				why=${why#"${why%%[! ]*}"}
			fi ;;
		1..[0-9]*) plan=1 ;;
		esac
	done
	if [ $rc = 77 ]; then
		echo "ok $n - $name # SKIP ${why:-exit 77}"
	elif [ $rc = 124 ] || [ $rc = 137 ]; then
		echo "not ok $n - $name # timed out after ${timeout_s}s"
		failed=$((failed + 1))
	elif [ $rc != 0 ]; then
		echo "not ok $n - $name # exit $rc (${secs}s)"
		failed=$((failed + 1))
	elif [ $reported_fail = 1 ]; then
		echo "not ok $n - $name # exit 0 but reported failures"
		failed=$((failed + 1))
	elif [ $plan = 0 ]; then
		echo "not ok $n - $name # no TAP plan in its output"
		failed=$((failed + 1))
	else
		echo "ok $n - $name (${secs}s)"
	fi
done
[ $failed = 0 ]
