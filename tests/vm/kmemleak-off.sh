#!/bin/bash
# A step of make check's first guest, run like a test program between the
# suites that look for leaks (fault, fuzz-check, stress) and the others:
# it has kmemleak scan what the programs before it left, reports that as
# TAP, and switches kmemleak off for the rest of the boot. kmemleak
# records a stack trace with every allocation; under TCG that made
# process creation a third slower, and only those suites look for leaks.
# A kmemleak report also shows in the kernel log ("suspected memory
# leaks"), which the host's check of the console fails on.
#
# AIORING_KMEMLEAK: kmemleak's control file (the unit test passes a
# plain file).
set -u
k=${AIORING_KMEMLEAK:-/sys/kernel/debug/kmemleak}
if [ ! -w "$k" ]; then
	echo "1..0 # SKIP this kernel has no kmemleak ($k)"
	exit 77
fi
echo "1..2"
# An object is reported once two scans in a row, 5 s apart (its minimum
# age), found no reference to it.
scan_ok=1
echo scan >>"$k" || scan_ok=0
sleep 5
echo scan >>"$k" || scan_ok=0
leaks=0
while IFS= read -r line; do
	echo "# $line"
	case $line in *"unreferenced object"*) leaks=$((leaks + 1)) ;; esac
done <"$k"
if [ $scan_ok = 1 ] && [ $leaks = 0 ]; then
	echo "ok 1 - kmemleak: no unreferenced object after the leak-checking suites"
else
	echo "not ok 1 - kmemleak: $leaks unreferenced objects (scan $([ $scan_ok = 1 ] && echo ran || echo failed))"
fi
if echo off >>"$k"; then
	echo "ok 2 - kmemleak is off for the programs after this one"
else
	echo "not ok 2 - kmemleak could not be switched off"
fi
[ $scan_ok = 1 ] && [ $leaks = 0 ]
