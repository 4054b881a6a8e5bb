#!/bin/bash
# Judge one guest run from its two logs and print its results as TAP:
#   check-results.sh TAP_LOG CONSOLE_LOG
# The guest's own results come first (with the output of each failed
# program), then two results of the harness: every planned program reported
# and the guest finished, and the kernel log holds no bug report. Exits
# non-zero on any failure.
set -u
tap=${1:?usage: check-results.sh TAP_LOG CONSOLE_LOG}
console=${2:?usage: check-results.sh TAP_LOG CONSOLE_LOG}

# What the kernel prints when something is wrong: BUG/WARNING/Oops, KASAN,
# lockdep, hung tasks, kmemleak, UBSAN, panics.
splat='BUG:|WARNING:|Oops|KASAN|UBSAN|general protection fault|Kernel panic'
splat+='|possible circular locking|possible recursive locking|inconsistent lock state'
splat+='|DEBUG_LOCKS_WARN_ON|hung_task|INFO: task .* blocked for more than'
splat+='|unreferenced object|suspected memory leak'

n=0 failed=0
result() {	# result PASS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# The serial line turns "\n" into "\r\n" and may start with a stray byte
# from the UART's reset: keep tabs, newlines and printable ASCII only.
tap_text=$(LC_ALL=C tr -cd '\11\12\40-\176' <"$tap" 2>/dev/null)
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' <<<"$tap_text" | head -n 1)
block=()
while IFS= read -r line; do
	case $line in
	"    "*) block+=("$line") ;;
	"ok "*|"not ok "*)
		desc=$(sed -E 's/^(not )?ok [0-9]+( -)? ?//' <<<"$line")
		if [ "${line#not }" != "$line" ]; then
			printf '%s\n' "${block[@]}"
			result 0 "$desc"
		else
			result 1 "$desc"
		fi
		block=() ;;
	"Bail out!"*) echo "# $line" ;;
	esac
done <<<"$tap_text"

got=$n
if [ -z "$plan" ]; then
	result 0 "harness: the guest printed no test plan (boot failed? see the console log)"
elif [ "$got" != "$plan" ] || ! grep -q '^# guest done' <<<"$tap_text"; then
	result 0 "harness: $got of $plan programs reported and the guest did not finish cleanly"
else
	result 1 "harness: all $plan programs reported, guest finished"
fi

# The command line is echoed in the log; it is not a report.
hits=$(grep -avE 'ommand line' "$console" 2>/dev/null | grep -aE "$splat" | head -n 20)
if [ -n "$hits" ]; then
	printf '    %s\n' "${hits//$'\n'/$'\n'    }"
	result 0 "kernel log: bug reports found (first ones above; full log $console)"
else
	result 1 "kernel log: no BUG/WARNING/KASAN/lockdep/hung-task/kmemleak report"
fi
echo "1..$n"
[ $failed = 0 ]
