#!/bin/bash
# Print the kernel release (uname -r) of the flavour installed from the
# RPMs: the kernel-uname-r of the kernel-aioring-ABI package that the
# kernel-aioring metapackage pulls in. The tmt plan and tests take the
# release from here, so no version is written into them.
set -euo pipefail
die() { echo "kernel-release: $*" >&2; exit 1; }

abi_pkg=$(rpm -q --qf '[%{REQUIRENAME}\n]' kernel-aioring 2>/dev/null |
	grep -x 'kernel-aioring-[0-9].*' | sed -n 1p) ||
	die "kernel-aioring (the metapackage) is not installed"
k=$(rpm -q --provides "$abi_pkg" | sed -n 's/^kernel-uname-r = //p')
[ -n "$k" ] || die "$abi_pkg is not installed or provides no kernel-uname-r"
echo "$k"
