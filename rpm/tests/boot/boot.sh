#!/bin/bash
# First test of /rpm/plans/installed: reboot into the flavour, then prove
# it runs. Every other test needs the flavour running. The flavour's
# kernel release is the installed packages' (../kernel-release.sh) unless
# AIORING_PKGTEST_KERNEL names one.
set -euo pipefail
K=${AIORING_PKGTEST_KERNEL:-$("$(dirname "$0")/../kernel-release.sh")}
if [ "$(uname -r)" != "$K" ]; then
	if [ "${TMT_REBOOT_COUNT:-0}" = 0 ]; then
		echo "running $(uname -r); rebooting into $K"
		tmt-reboot
	fi
	echo "FAIL: rebooted, but running $(uname -r), not $K" >&2
	exit 1
fi
grep -q 'linux-aioring' /proc/version || { echo "FAIL: /proc/version does not name linux-aioring: $(cat /proc/version)" >&2; exit 1; }
cat /proc/version
# The package that owns the running kernel. Not a versioned query for
# "kernel-uname-r = K": K has three '-' and rpm 4.18 never matches it.
rpm -qf "/lib/modules/$K/vmlinuz"
echo "PASS: running $K"
