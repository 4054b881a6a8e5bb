#!/bin/bash
# tmt prepare: make the flavour the default boot entry (kernel-install
# added it when kernel-aioring was installed) so the reboot of
# /rpm/tests/boot lands in it.
set -euo pipefail
K=${AIORING_PKGTEST_KERNEL:-6.1.0-56-aioring-amd64}
[ -e "/lib/modules/$K/vmlinuz" ] || { echo "kernel-aioring $K is not installed" >&2; exit 1; }
if command -v grubby >/dev/null; then
	grubby --set-default "/boot/vmlinuz-$K"
	grubby --default-kernel
elif command -v bootctl >/dev/null && bootctl is-installed >/dev/null 2>&1; then
	bootctl set-default "$(bootctl list --json=short | python3 -c '
import json, sys
k = sys.argv[1]
print(next(e["id"] for e in json.load(sys.stdin) if k in (e.get("version") or "") + (e.get("linux") or "")))' "$K")"
else
	echo "neither grubby nor systemd-boot: cannot choose the default kernel" >&2
	exit 1
fi
