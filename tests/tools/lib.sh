# shellcheck shell=bash
# Shared by the tests/tools scripts (sourced): TAP helpers and a runner
# for aioring-bench.  The scripts run in the test guest (tests/vm), on an
# aio-ring kernel, with the targets guest-init.sh sets up; on another
# kernel they skip.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
bench=${AIORING_BENCH:-$top/build/tools/bench/aioring-bench}

if [ ! -x "$bench" ]; then
	echo "1..0 # SKIP aioring-bench not built (make tools)"
	exit 77
fi

# run RC WHAT ARGS...: aioring-bench ARGS must exit with RC; its output is
# shown as diagnostics and kept in $out
run() {
	local want=$1 what=$2
	shift 2
	out=$(timeout -k 5 "${RUN_TIMEOUT:-120}" "$bench" "$@" 2>&1)
	rc=$?
	comment <<<"$out"
	tap_ok "[ $rc = $want ]" "$what (exit $rc): aioring-bench $*"
}

# Builtins instead of sed and grep below: each external command costs
# about a second in the test guest (TCG and a KASAN kernel).

# comment: stdin as TAP diagnostics ("# " before every line)
comment() {
	local l
	while IFS= read -r l || [ -n "$l" ]; do printf '# %s\n' "$l"; done
}

# out_has REGEX: a line of $out matches the extended regular expression
out_has() {
	local l
	while IFS= read -r l || [ -n "$l" ]; do
		[[ $l =~ $1 ]] && return 0
	done <<<"$out"
	return 1
}

# has REGEX [WHAT]: the last run's output matches
has() {
	# shellcheck disable=SC2034 # tap_ok evaluates $pat
	local pat=$1

	# shellcheck disable=SC2016 # tap_ok evaluates it
	tap_ok 'out_has "$pat"' "${2:-output shows '$1'}"
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

# --- the fio engine (tests/tools/fio-*.sh) ---------------------------------

engine=$top/build/tools/fio/fio-aioring.so

# skip the whole script unless fio and the engine are there
require_fio_engine() {
	if [ ! -f "$engine" ] || ! command -v fio >/dev/null; then
		echo "1..0 # SKIP the fio engine is not built (make -C tools fio) or fio is missing"
		exit 77
	fi
}

# fio_run WHAT FIO-ARGS...: a job on the engine, JSON output in $out;
# $err, $rios, $wios: fio's error and the reads and writes done
fio_run() {
	local what=$1
	shift
	out=$(timeout -k 5 120 fio --output-format=json --name=job \
		--ioengine=external:"$engine" "$@" 2>&1)
	rc=$?
	grep -v '^[[:space:]{}]' <<<"$out" | sed 's/^/# /' | head -n 20
	tap_ok "[ $rc = 0 ]" "fio $what (exit $rc)"
	sum=$(sed -n '/^{/,$p' <<<"$out" | python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0]
print(j["error"], j["read"]["total_ios"], j["write"]["total_ios"], int(j["read"]["iops"]), int(j["write"]["iops"]))' 2>/dev/null)
	read -r err rios wios riops wiops <<<"${sum:-x 0 0 0 0}"
	echo "# $what: error $err, reads $rios ($riops IOPS), writes $wios ($wiops IOPS)"
}
