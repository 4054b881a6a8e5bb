#!/bin/bash
# Unit test of the test harness itself: tests/run-tests.sh and
# tests/vm/check-results.sh must turn every kind of trouble into a failure
# (and a skip into a skip), or a broken kernel would pass 'make check'.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# --- run-tests.sh on small fake programs ---
prog() { printf '#!/bin/bash\n%s\n' "$2" >"$t/$1"; chmod +x "$t/$1"; }
prog pass 'echo 1..1; echo ok 1 - fine'
prog fail 'echo 1..1; echo not ok 1 - broken; exit 1'
prog liar 'echo 1..1; echo not ok 1 - broken; exit 0'
prog noplan 'echo ok 1 - fine'
prog skip77 'echo "1..0 # SKIP no poll queues"; exit 77'
prog slow 'echo 1..1; sleep 30'

out=$("$top/tests/run-tests.sh" -t 2 "$t/pass" "$t/fail" "$t/liar" "$t/noplan" "$t/skip77" "$t/slow")
rc=$?
tap_ok "[ $rc != 0 ]" "run-tests exits non-zero when a program fails"
tap_ok "grep -qx '1\.\.6' <<<\"\$out\"" "run-tests prints the plan first"
tap_ok "grep -q '^ok 1 - .*/pass' <<<\"\$out\"" "a passing program is ok"
tap_ok "grep -q '^not ok 2 - .*/fail' <<<\"\$out\"" "a program exiting 1 is not ok"
tap_ok "grep -q '^not ok 3 - .*/liar' <<<\"\$out\"" "'not ok' with exit 0 is not ok"
tap_ok "grep -q '^not ok 4 - .*/noplan' <<<\"\$out\"" "a program without a plan is not ok"
tap_ok "grep -q '^ok 5 - .*/skip77 # SKIP no poll queues' <<<\"\$out\"" "exit 77 is a skip with its reason"
tap_ok "grep -q '^not ok 6 - .*/slow # timed out' <<<\"\$out\"" "a timeout is not ok"
tap_ok "grep -q '^    not ok 1 - broken' <<<\"\$out\"" "program output is kept, indented"
"$top/tests/run-tests.sh" "$t/pass" "$t/skip77" >/dev/null
tap_ok "[ $? = 0 ]" "run-tests exits 0 for passes and skips"

# --- check-results.sh on fake guest logs ---
good_tap=$'1..2\n    1..1\n    ok 1 - a\nok 1 - regress/a\nok 2 - regress/b # SKIP why\n# guest done'
clean=$'[    0.000000] Linux version 6.1.0-aioring-vm-debug\n[    1.0] kmemleak: Kernel memory leak detector initialized (mem pool available: 15000)'
judge() {	# judge TAP CONSOLE -> exit status of check-results
	printf '%s\n' "$1" >"$t/tap.log"
	printf '%s\n' "$2" >"$t/console.log"
	"$top/tests/vm/check-results.sh" "$t/tap.log" "$t/console.log" >"$t/out" 2>&1
}
judge "$good_tap" "$clean"
tap_ok "[ $? = 0 ]" "check-results: clean run passes"
tap_ok "[ \$(grep -c '^ok' $t/out) = 4 ] && grep -q '^1\.\.4' $t/out" "check-results: 2 programs + 2 harness results"
for bad in 'WARNING: CPU: 0 PID: 1 at fs/aio.c:100 io_setup+0x1' \
	   'BUG: KASAN: slab-out-of-bounds in aio_read+0x10' \
	   'BUG: unable to handle page fault for address: 0000' \
	   'WARNING: possible circular locking dependency detected' \
	   'INFO: task aio:77 blocked for more than 120 seconds.' \
	   'unreferenced object 0xffff888001 (size 64):' \
	   'kmemleak: 3 new suspected memory leaks (see /sys/kernel/debug/kmemleak)' \
	   'general protection fault, probably for non-canonical address' \
	   'UBSAN: shift-out-of-bounds in fs/aio.c:10:5'; do
	judge "$good_tap" "$clean"$'\n'"[   5.0] $bad"
	tap_ok "[ $? != 0 ] && grep -q '^not ok .*kernel log' $t/out" "check-results fails on: ${bad:0:40}"
done
judge $'\3771..2\r\nok 1 - regress/a\r\nok 12 - regress/b (3s)\r\n# guest done\r' "$clean"
tap_ok "[ $? = 0 ] && grep -qx 'ok 2 - regress/b (3s)' $t/out" "check-results: a stray UART byte, serial CRs and two-digit numbers"
judge $'1..2\nok 1 - regress/a\nnot ok 2 - regress/b\n# guest done' "$clean"
tap_ok "[ $? != 0 ]" "check-results: a failed program fails the run"
judge $'ok 1 - regress/a' "$clean"
tap_ok "[ $? != 0 ] && grep -q 'no test plan' $t/out" "check-results: no plan (boot failure) fails"
judge $'1..3\nok 1 - regress/a\nok 2 - regress/b\n# guest done' "$clean"
tap_ok "[ $? != 0 ]" "check-results: fewer results than planned fails"
judge $'1..2\nok 1 - regress/a\nok 2 - regress/b' "$clean"
tap_ok "[ $? != 0 ]" "check-results: a guest that did not finish fails"

# --- summarize.sh: the closing line ---
printf 'ok 1 - a\nnot ok 2 - b\nok 3 - c # SKIP x\nok 4 - d\n    not ok 1 - nested\n' >"$t/s.tap"
line=$("$top/tests/summarize.sh" "$t/s.tap")
tap_ok "[ $? != 0 ] && [ \"$line\" = '2 passed, 1 failed, 1 skipped' ]" "summarize counts top-level results ($line)"
line=$("$top/tests/summarize.sh" "$t/s.tap" "$t/missing.tap" 2>/dev/null)
tap_ok "[ \"$line\" = '2 passed, 2 failed, 1 skipped' ]" "summarize counts a missing file as a failure"
tap_done
