# TAP helpers for shell test scripts (sourced). tap_ok 'CONDITION' 'WHAT'
# evaluates CONDITION and prints one result; tap_done prints the plan and
# returns the status the results call for.
tap_n=0
tap_failed=0
tap_ok() {
	tap_n=$((tap_n + 1))
	if eval "$1"; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		# what was checked, so that a log tail alone says why
		printf '%s\n' "$1" | sed -n '1,5s/^/#   check: /p'
		tap_failed=$((tap_failed + 1))
	fi
}
# ... | matches [GREP-OPTION...] PATTERN: grep -q that reads its whole input.
# grep -q stops at the first match, so the writer may die of SIGPIPE, and
# under pipefail a match then fails (or passes a negated check).
matches() {
	grep "$@" >/dev/null
}
# make_plan ARG...: what 'make -n ARG...' would run in the project
# (only recursive makes run, and print). A test run from make check must
# not inherit its variables, which make passes down in MAKEFLAGS and in
# the environment (CI's CHECK_OTHER=0 once emptied a plan read here), so
# make runs with an empty environment but PATH and HOME. Needs $top.
make_plan() {
	(cd "${top:?make_plan needs top}" && env -i PATH="$PATH" HOME="${HOME:-/}" make -n "$@") 2>&1
}
tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ] || echo "# $tap_failed of $tap_n failed"
	exit $((tap_failed ? 1 : 0))
}
