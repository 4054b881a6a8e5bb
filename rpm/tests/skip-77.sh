#!/bin/bash
# Run a tests/pkg script as a tmt test of the installed RPMs:
#
#   skip-77.sh COMMAND [ARG]...
#
# AIORING_PKGTEST_KERNEL (the flavour's kernel release the scripts test)
# is the installed kernel-aioring's (kernel-release.sh) unless set. Exit
# 77 (not applicable here: e.g. not running the flavour) becomes a tmt
# SKIP result through tmt-report-result, never a pass. Without
# tmt-report-result the 77 stays, which tmt counts as an error.
set -uo pipefail
if [ -z "${AIORING_PKGTEST_KERNEL:-}" ]; then
	AIORING_PKGTEST_KERNEL=$("$(dirname "$0")/kernel-release.sh") || exit 1
	export AIORING_PKGTEST_KERNEL
fi
"$@"
rc=$?
if [ "$rc" = 77 ] && command -v tmt-report-result >/dev/null; then
	tmt-report-result "${TMT_TEST_NAME:-$1}" SKIP
	exit 0
fi
exit "$rc"
