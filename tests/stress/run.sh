#!/bin/bash
# The stress run in the test VM: build/tests/stress/stress (verified
# aio-ring IO from several processes x contexts x modes) while the classic
# regression suite (build/tests/regress) runs over and over next to it.
# One TAP stream: the stress program's result, then the regression
# loops' (every pass must pass, and at least one must complete).
#
#   run.sh [-t SECONDS] [-p PROCESSES] [-c CONTEXTS] [-s SEED]
#
# Defaults: 60 s, 4 processes x 3 contexts (the short form of make check),
# or AIORING_STRESS_SECONDS, _PROCESSES, _CONTEXTS, _SEED from the
# environment (tests/lib/env-wrap.sh; make stress sets them).
# Only in the test VM (tests/vm/run-vm.sh): the programs use syscalls 335/336.
set -euo pipefail

secs=${AIORING_STRESS_SECONDS:-60} procs=${AIORING_STRESS_PROCESSES:-4}
ctxs=${AIORING_STRESS_CONTEXTS:-3} seed=${AIORING_STRESS_SEED:-}
while getopts t:p:c:s:h opt; do
	case $opt in
	t) secs=$OPTARG ;;
	p) procs=$OPTARG ;;
	c) ctxs=$OPTARG ;;
	s) seed=$OPTARG ;;
	h) sed -n '2,/^set/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [-t SECONDS] [-p PROCESSES] [-c CONTEXTS] [-s SEED]" >&2; exit 2 ;;
	esac
done

top=$(cd "$(dirname "$0")/../.." && pwd)
stress=$top/build/tests/stress/stress
regress=$top/build/tests/regress
[ -x "$stress" ] || { echo "1..0 # SKIP $stress not built (make tests)"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The regression loop: whole passes until told to stop; a failed pass's
# TAP is kept for the report below.
regress_loop() {
	local n=0 failed=0
	local t0
	while [ ! -e "$work/stop" ]; do
		n=$((n + 1))
		t0=$(date +%s)
		if ! "$top/tests/run-tests.sh" -t 300 "${regress_progs[@]}" >"$work/regress.$n" 2>&1; then
			failed=$((failed + 1))
			mv "$work/regress.$n" "$work/failed.$n"
		else
			rm -f "$work/regress.$n"
		fi
		echo "regression pass $n: $(( $(date +%s) - t0 )) s" >>"$work/times"
	done
	echo "$n $failed" >"$work/regress.result"
}

# regress/aio-nr and regress/exit-inflight assert exact system-wide
# fs.aio-nr values, which the stress contexts change all the time: they
# cannot run next to them (make check runs them on their own).
regress_progs=()
for p in "$regress"/*; do
	case ${p##*/} in aio-nr|exit-inflight) continue ;; esac
	[ -x "$p" ] && regress_progs+=("$p")
done
have_regress=0
if [ ${#regress_progs[@]} -gt 0 ]; then
	have_regress=1
	regress_loop &
	loop_pid=$!
fi

args=(-t "$secs" -p "$procs" -c "$ctxs")
[ -n "$seed" ] && args+=(-s "$seed")
echo "1..2"
rc=0
"$stress" "${args[@]}" >"$work/stress.tap" 2>&1 || rc=$?
sed 's/^/    /' "$work/stress.tap"
if [ $rc = 0 ] && ! grep -q '^not ok' "$work/stress.tap"; then
	echo "ok 1 - stress: ${procs} processes x ${ctxs} contexts for ${secs} s, every read verified"
else
	echo "not ok 1 - stress: exit $rc (see above)"
fi

if [ $have_regress = 0 ]; then
	echo "ok 2 - regression suite next to it # SKIP $regress not built"
	exit $rc
fi
touch "$work/stop"
wait "$loop_pid" || true
[ -f "$work/regress.result" ] || echo "0 1" >"$work/regress.result"
read -r loops failed <"$work/regress.result"
# the pass that was still running when the stress ended counts as well
for f in "$work"/failed.*; do
	[ -e "$f" ] || continue
	echo "    # regression pass ${f##*.} failed:"
	sed 's/^/    /' "$f"
done
sed 's/^/# /' "$work/times" 2>/dev/null || true
echo "# figure: stress.regress_passes $loops"
if [ "$failed" = 0 ] && [ "$loops" -ge 1 ]; then
	echo "ok 2 - regression suite: $loops passes next to the stress, all passed"
else
	echo "not ok 2 - regression suite: $failed of $loops passes failed next to the stress"
	rc=1
fi
exit $rc
