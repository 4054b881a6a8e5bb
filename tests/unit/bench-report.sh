#!/bin/bash
# Unit test of tools/bench/bench-report.py (make bench's report) on a
# made-up guest log: medians with min-max of the repetitions, a failed
# run kept apart, issue 15's targets as ratios of medians, fio rows,
# report.json, the charts, --baseline and --compare.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
report=$top/tools/bench/bench-report.py

# bench LABEL DEPTH REP IOPS CPU_US SPI: one aioring-bench RESULT line
# (fio's JSON shape, our figures under "aioring-bench")
bench() {
	printf '# RESULT {"kind":"bench","mode":"%s","rep":%d,"depth":%d,"result":{"jobs":[{"jobname":"x","aioring-bench":{"status":0,"depth":%d,"ios":1000,"iops":%s,"cpu":{"us_per_io":%s},"syscalls_per_io":%s,"lat_ns":{"p50":%d,"p99":%d}}}]}}\n' \
		"$1" "$3" "$2" "$2" "$4" "$5" "$6" $(( $4 / 10 )) $(( $4 / 5 ))
}

# Five repetitions: aioring is 10 % faster than io_uring and cheaper,
# except polled at depth 1 where it is slower; one run of each mode is
# an outlier that the median must ignore but min-max must show.
{
	echo "# kernel 6.1.0-1-aioring-vm"
	for rep in 1 2 3 4 5; do
		for d in 1 32; do
			out=0; [ $rep = 3 ] && out=1
			for m in irq polled polled-fixed sqpoll-polled-fixed; do
				u=100000 a=110000
				[ $m = polled ] && [ $d = 1 ] && a=90000
				[ $out = 1 ] && { u=10000; a=500000; }
				spi=0.25; [[ $m = sqpoll* ]] && spi=0
				bench "io_uring-$m" $d $rep $u 10.0 $spi
				bench "aioring-$m" $d $rep $a 9.0 $spi
			done
			bench libaio $d $rep 80000 12.0 0.5
		done
		bench psync 1 $rep 20000 30.0 1
	done
	# a run that failed: kept out of the figures, its message shown
	printf '# RESULT {"kind":"bench","mode":"aioring-irq","rep":6,"depth":128,"result":{"jobs":[{"aioring-bench":{"status":3,"message":"not supported here","ios":0}}]}}\n'
	printf '# RESULT {"kind":"fio","mode":"aioring-irq","rep":1,"depth":32,"result":{"jobs":[{"job_runtime":1000,"usr_cpu":10,"sys_cpu":40,"read":{"iops":50000,"total_ios":50000,"clat_ns":{"percentile":{"50.000000":20000,"99.000000":40000}}}}]}}\n'
	printf '# RESULT {"kind":"fio","mode":"io_uring-irq","rep":1,"depth":32,"result":{"jobs":[{"job_runtime":1000,"usr_cpu":10,"sys_cpu":50,"read":{"iops":50000,"total_ios":50000,"clat_ns":{"percentile":{"50.000000":20000,"99.000000":40000}}}}]}}\n'
	printf '# PROFILE {"mode":"aioring-polled-fixed","depth":32,"symbols":[[30.5,true,"aio_iopoll"],[5.0,false,"main"],[10.0,true,"nvme_poll"]]}\n'
	printf '# PROFILE {"mode":"io_uring-polled-fixed","depth":32,"symbols":[[25.0,true,"io_do_iopoll"]]}\n'
	printf '# RESULT {"kind":"buffered","mode":"buffered-pass2","rep":1,"depth":32,"result":{"jobs":[{"aioring-bench":{"status":0,"ios":100,"reads":100,"cache_hits":100,"iops":5000}}]}}\n'
} >"$t/tap.log"

out=$(python3 "$report" "$t/tap.log" "$t/r" 2>"$t/err")
rc=$?
tap_ok "[ $rc = 0 ]" "the report is written (exit $rc: $(tail -n 1 "$t/err"))"
md=$t/r/report.md
tap_ok "grep -q '^| aioring | irq | 32 | 5 | 110000 (110000-500000) | 9.00 (9.00-9.00) |' '$md'" \
	"median IOPS of 5 repetitions with their min-max, CPU per IO"
tap_ok "grep -q '^| io_uring | irq | 32 | 5 | 100000 (10000-100000) |' '$md'" \
	"the outlier shows in min-max only"
tap_ok "grep -q '^| aioring | irq | 32 | .* 1.10 | 0.90 |\$' '$md'" \
	"aioring vs io_uring: IOPS 1.10, CPU 0.90"
tap_ok "grep -q '^| aioring | irq | 128 | 0 | n/a: not supported here' '$md'" \
	"a failed run is reported with its message, not as a figure"
tap_ok "grep -q '^| aioring / io_uring CPU us per IO, polled-fixed, depth 32 | <= 1.00 | 0.9000 | met |' '$md'" \
	"CPU target met at 0.90"
tap_ok "grep -q '^| aioring / io_uring IOPS, polled, depth 1 | >= 1.00 | 0.9000 | NOT met |' '$md'" \
	"IOPS target not met at 0.90 (polled, depth 1)"
tap_ok "grep -q '^| aioring interrupt rings / libaio CPU us per IO, depth 32 | <= 0.80 | 0.7500 | met |' '$md'" \
	"aioring / libaio CPU 9/12 = 0.75"
tap_ok "grep -q '^| SQPOLL io_ring_enter calls per IO (worst run) | 0 | 0.0000 | met |' '$md'" \
	"SQPOLL system calls per IO 0"
tap_ok "grep -q '^| buffered second pass, cache hits % | 100 | 100.0000 | met |' '$md'" \
	"buffered second pass all hits"
tap_ok "grep -q '^| aioring | irq | 32 | 1 | 50000 (50000-50000) | 10.00 (10.00-10.00) |' '$md'" \
	"fio rows: CPU per IO from usr+sys percent of the runtime"
tap_ok "grep -q '^| 1 | aio_iopoll | 30.5 | io_do_iopoll | 25.0 |' '$md' && grep -q '^| 2 | nvme_poll | 10.0 |  | - |' '$md'" \
	"profiles: kernel symbols of aioring and io_uring side by side (user symbols left out)"
tap_ok "python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r[\"bench\"] and r[\"targets\"] and r[\"fio\"]' '$t/r/report.json'" \
	"report.json holds rows, targets and fio"
if command -v gnuplot >/dev/null; then
	for c in iops cpu latency-p50 latency-p99; do
		tap_ok "grep -q '<svg' '$t/r/$c.svg'" "chart $c.svg drawn"
	done
else
	echo "ok $((tap_n += 1)) - charts # SKIP no gnuplot"
fi
tap_ok "grep -q 'NOT met' <<<\"\$out\"" "the targets are printed too"

# a second run 10 % faster: --compare and --baseline
sed 's/"iops":110000/"iops":121000/' "$t/tap.log" >"$t/tap2.log"
python3 "$report" --baseline "$t/r/report.json" "$t/tap2.log" "$t/r2" >/dev/null 2>&1
tap_ok "grep -q '^| aioring / io_uring IOPS, irq, depth 32 | >= 1.00 | 1.1000 | 1.2100 | met |' '$t/r2/report.md'" \
	"--baseline: the earlier run's target beside this run's"
cmp=$(python3 "$report" --compare "$t/r/report.json" "$t/r2/report.json")
tap_ok "grep -q '^| aioring | irq | 32 | 110000 | 121000 | 1.10 |' <<<\"\$cmp\"" \
	"--compare: new/old IOPS ratio per row"
python3 "$report" "$t/nothing.log" "$t/r3" >/dev/null 2>&1
tap_ok "[ $? != 0 ]" "a missing log is an error"
tap_done
