#!/bin/bash
# One-page reliability summary from the logs of the last fuzz, fault and
# stress runs in the test VM (make fuzz, make fault, make stress, or the
# short forms inside make check):
#
#   reliability-report.sh [VM_LOG_DIR [OUT_DIR]]   (default build/vm build/reliability)
#
# For each kind the newest run whose TAP log (VM_LOG_DIR/NAME/tap.log)
# holds its "# figure:" lines is used. Writes OUT_DIR/report.md: fuzz
# iterations and duration, faults injected per mode, IO verified by the
# stress run, leaks (fault.leaks plus kmemleak reports in the kernel logs)
# and kernel splats (BUG/WARNING/KASAN/lockdep/hung-task lines, the
# patterns of tests/vm/check-results.sh), with the dates and kernel
# releases of the runs. Exits 1 when a run is missing or leaks, splats,
# data mismatches, fuzz failures or failed programs are not zero.
set -euo pipefail

vm=${1:-build/vm}
out=${2:-build/reliability}
case ${1:-} in -h|--help) sed -n '2,/^set/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
[ -d "$vm" ] || { echo "reliability-report: no run logs in $vm (make fuzz, make fault, make stress)" >&2; exit 1; }
mkdir -p "$out"
report=$out/report.md

# What check-results.sh counts as a kernel bug report, without kmemleak's
# lines (counted as leaks) and without the echoed command line.
splat='BUG:|WARNING:|Oops|KASAN|UBSAN|general protection fault|Kernel panic'
splat+='|possible circular locking|possible recursive locking|inconsistent lock state'
splat+='|DEBUG_LOCKS_WARN_ON|hung_task|INFO: task .* blocked for more than'
leak='unreferenced object|suspected memory leak'
# the hung-task report's second line names the sysctl; one report, not two
noise='disables this message'

# Printable text of a serial log (the UART adds CRs and may add a stray byte).
text() { LC_ALL=C tr -cd '\11\12\40-\176' <"$1" 2>/dev/null || true; }

# figures LOG: "name value" per figure line, at any indentation.
figures() { text "$1" | sed -n 's/^[[:space:]]*# figure: \([A-Za-z0-9_.]*\) \([-0-9.]*\).*/\1 \2/p'; }

# The newest run directory whose tap.log has figures starting with $1.
pick() {
	local prefix=$1 best='' bt=0 d t
	for d in "$vm"/*/; do
		d=${d%/}
		[ -f "$d/tap.log" ] || continue
		figures "$d/tap.log" | grep "^$prefix" >/dev/null || continue
		t=$(stat -c %Y "$d/tap.log")
		if [ "$t" -gt "$bt" ]; then
			best=$d bt=$t
		fi
	done
	echo "$best"
}

# sum LOG NAME: the sum of every value of figure NAME in LOG (empty if none).
sum() { figures "$1" | awk -v n="$2" '$1 == n { s += $2; f = 1 } END { if (f) printf "%.0f\n", s }'; }
# last LOG NAME: the last value of figure NAME.
last() { figures "$1" | awk -v n="$2" '$1 == n { v = $2 } END { if (v != "") print v }'; }

fuzz=$(pick 'fuzz\.')
fault=$(pick 'fault\.')
stress=$(pick 'stress\.')

fail=()
declare -A seen=()
runs=()
for r in "$fuzz" "$fault" "$stress"; do
	[ -n "$r" ] || continue
	[ -n "${seen[$r]:-}" ] && continue
	seen[$r]=1
	runs+=("$r")
done
[ -n "$fuzz" ] || fail+=("no fuzz run (make fuzz)")
[ -n "$fault" ] || fail+=("no fault run (make fault or make check)")
[ -n "$stress" ] || fail+=("no stress run (make stress)")

# Per run: date, kernel, programs, splats, kmemleak reports.
splats=0 kleaks=0 failed_total=0
run_rows='' splat_lines=''
for r in "${runs[@]}"; do
	date=$(date -u -r "$r/tap.log" '+%Y-%m-%d %H:%M UTC')
	kernel=$(text "$r/console.log" | sed -n 's/^guest-init: kernel \([^ ,]*\).*/\1/p' | sed -n 1p)
	tap=$(text "$r/tap.log")
	okn=$(grep -c '^ok ' <<<"$tap" || true)
	notok=$(grep -c '^not ok ' <<<"$tap" || true)
	done_=yes
	grep -q '^# guest done' <<<"$tap" || done_=no
	s=$(text "$r/console.log" | grep -v 'ommand line' | grep -E "$splat" |
		grep -vE "$leak|$noise" | grep -c . || true)
	k=$(text "$r/console.log" | grep -cE 'unreferenced object' || true)
	splats=$((splats + s))
	kleaks=$((kleaks + k))
	failed_total=$((failed_total + notok))
	[ "$done_" = yes ] || fail+=("run ${r##*/}: the guest did not finish")
	if [ "$s" != 0 ]; then
		splat_lines+=$(text "$r/console.log" | grep -v 'ommand line' | grep -E "$splat" |
			grep -vE "$leak|$noise" | sed -n 1,5p | sed "s|^|    ${r##*/}: |")$'\n'
	fi
	run_rows+="| ${r##*/} | $r | $date | ${kernel:-?} | $okn ok, $notok not ok | $s | $k |"$'\n'
done

val() { [ -n "$1" ] && echo "$1" || echo "-"; }

fault_leaks=
[ -n "$fault" ] && fault_leaks=$(sum "$fault/tap.log" fault.leaks)
leaks=$(( ${fault_leaks:-0} + kleaks ))
mism=
[ -n "$stress" ] && mism=$(sum "$stress/tap.log" stress.mismatches)
ffail=
[ -n "$fuzz" ] && ffail=$(sum "$fuzz/tap.log" fuzz.failures)

[ "$leaks" = 0 ] || fail+=("$leaks leaks")
[ "$splats" = 0 ] || fail+=("$splats kernel splats")
[ "${mism:-0}" = 0 ] || fail+=("$mism data mismatches in the stress run")
[ "${ffail:-0}" = 0 ] || fail+=("$ffail fuzz failures")
[ "$failed_total" = 0 ] || fail+=("$failed_total failed programs or harness checks")
if [ -n "$stress" ] && [ -z "$mism" ]; then fail+=("the stress run printed no stress.mismatches"); fi

{
	echo "# Reliability report"
	echo
	echo "Generated $(date -u '+%Y-%m-%d %H:%M UTC') by tests/reliability-report.sh from the"
	echo "newest test-VM runs with fuzz, fault and stress figures (vm-debug kernel:"
	echo "KASAN, lockdep, kmemleak, hung-task detection)."
	echo
	echo "| run | logs | date | kernel | top-level results | splats | kmemleak |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s' "$run_rows"
	echo
	echo "| figure | value |"
	echo "|---|---|"
	if [ -n "$fuzz" ]; then
		f=$fuzz/tap.log
		echo "| fuzz iterations | $(val "$(sum "$f" fuzz.iterations)") |"
		echo "| fuzz duration (s) | $(val "$(sum "$f" fuzz.seconds)") |"
		echo "| fuzz syscalls | $(val "$(sum "$f" fuzz.syscalls)") |"
		echo "| fuzz ring corruptions | $(val "$(sum "$f" fuzz.ring_corruptions)") |"
		echo "| fuzz seed | $(val "$(last "$f" fuzz.seed)") |"
		echo "| fuzz failures (must be 0) | $(val "$ffail") |"
	else
		echo "| fuzz | **no run** |"
	fi
	if [ -n "$fault" ]; then
		total=0
		for m in inline iopoll sqthread sqpoll sqwq fixedbufs; do
			v=$(sum "$fault/tap.log" "fault.$m.injected")
			total=$((total + ${v:-0}))
			echo "| faults injected: $m | $(val "$v") |"
		done
		echo "| faults injected: all modes | $total |"
	else
		echo "| faults | **no run** |"
	fi
	if [ -n "$stress" ]; then
		f=$stress/tap.log
		bv=$(sum "$f" stress.bytes_verified)
		echo "| stress duration (s) | $(val "$(sum "$f" stress.seconds)") |"
		echo "| stress processes | $(val "$(sum "$f" stress.processes)") |"
		echo "| stress IOs verified | $(val "$(sum "$f" stress.ios_verified)") |"
		echo "| stress bytes verified | $(val "$bv")${bv:+ ($((bv >> 20)) MiB)} |"
		echo "| stress regression-suite passes alongside | $(val "$(sum "$f" stress.regress_passes)") |"
		echo "| stress mismatches (must be 0) | $(val "$mism") |"
	else
		echo "| stress | **no run** |"
	fi
	echo "| leaks (must be 0): fault.leaks + kmemleak | $leaks (${fault_leaks:-0} + $kleaks) |"
	echo "| kernel splats (must be 0) | $splats |"
	echo
	if [ -n "$splat_lines" ]; then
		echo "First splat lines:"
		echo
		printf '%s' "$splat_lines"
		echo
	fi
	if [ ${#fail[@]} = 0 ]; then
		echo "**Verdict: pass.**"
	else
		why=$(printf '%s; ' "${fail[@]}")
		echo "**Verdict: FAIL** — ${why%; }."
	fi
} >"$report"

cat "$report"
[ ${#fail[@]} = 0 ]
