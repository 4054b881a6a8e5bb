#!/bin/bash
# The short fuzz run of 'make check' (in the test guest): three fixed
# seeds, so that a change of behaviour shows up the same way every time,
# and one seed from the time, so that every run also tries something new.
# About 35 s each; the seeds and figures are in the TAP output.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
fuzz=$top/build/tests/fuzz/aioring-fuzz
[ -x "$fuzz" ] || { echo "1..0 # SKIP $fuzz not built (make tests)"; exit 77; }
exec "$fuzz" --seed 1 --seed 2 --seed 3 --random --duration "${AIORING_FUZZ_SECONDS:-35}"
