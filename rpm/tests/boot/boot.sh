#!/bin/bash
# First test of /rpm/plans/installed: reboot into the flavour, then prove
# it runs. Every other test needs the flavour running.
set -euo pipefail
K=${AIORING_PKGTEST_KERNEL:-6.1.0-56-aioring-amd64}
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
rpm -q --whatprovides "kernel-uname-r = $K"
echo "PASS: running $K"
