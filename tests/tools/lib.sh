# Shared by the tests/tools scripts (sourced): TAP helpers and a runner
# for aioring-bench.  The scripts run in the test guest (tests/vm), on an
# aio-ring kernel, with the targets guest-init.sh sets up; on another
# kernel they skip.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
bench=$top/build/tools/bench/aioring-bench

if [ ! -x "$bench" ]; then
	echo "1..0 # SKIP aioring-bench not built (make tools)"
	exit 77
fi

# run RC WHAT ARGS...: aioring-bench ARGS must exit with RC; its output is
# shown as diagnostics and kept in $out
run() {
	local want=$1 what=$2
	shift 2
	out=$(timeout -k 5 ${RUN_TIMEOUT:-120} "$bench" "$@" 2>&1)
	rc=$?
	sed 's/^/# /' <<<"$out"
	tap_ok "[ $rc = $want ]" "$what (exit $rc): aioring-bench $*"
}

# has REGEX [WHAT]: the last run's output matches
has() {
	local pat=$1

	tap_ok "grep -Eq -- \"\$pat\" <<<\"\$out\"" "${2:-output shows '$1'}"
}

# the last run's JSON (stdout only: run with 2>/dev/null) parses
json_ok() {
	tap_ok "python3 -m json.tool >/dev/null <<<\"\$out\"" "${1:-the JSON output parses}"
}

skip() {
	echo "ok $((tap_n += 1)) - $* # SKIP"
}

io_poll() {
	cat "/sys/block/$1/queue/io_poll" 2>/dev/null || echo -
}

# skip the whole script unless the kernel has aio rings and nullb0 polls
require_aioring() {
	"$bench" --ios 8 -q /dev/nullb0 >/dev/null 2>&1
	case $? in
	0) ;;
	77) echo "1..0 # SKIP the kernel has no aio-ring interface"; exit 77 ;;
	*) echo "1..0 # SKIP aioring-bench cannot run on /dev/nullb0"; exit 77 ;;
	esac
}
