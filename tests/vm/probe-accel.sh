#!/bin/bash
# Print the QEMU accelerator to use with KERNEL: "kvm" if a KVM guest gets
# past kernel decompression within a few seconds, else "tcg". On the
# project's build machines /dev/kvm exists but a guest hangs there, so the
# probe boots for real instead of trusting the device node. The answer is
# cached per boot of the host in build/vm/accel; AIORING_ACCEL overrides.
set -u
kernel=${1:?usage: probe-accel.sh BZIMAGE}
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/vm/accel

if [ -n "${AIORING_ACCEL:-}" ]; then
	echo "$AIORING_ACCEL"
	exit 0
fi
boot_id=$(cat /proc/sys/kernel/random/boot_id)
if [ -f "$cache" ] && [ "$(sed -n 2p "$cache")" = "$boot_id" ]; then
	sed -n 1p "$cache"
	exit 0
fi

accel=tcg
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	log=$(mktemp)
	# (the braces also silence the shell's "Aborted" note when QEMU dies)
	{ timeout 8 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nodefaults \
		-display none -no-reboot -serial "file:$log" -kernel "$kernel" \
		-append "console=ttyS0 panic=-1 init=/nonexistent" >/dev/null 2>&1; } 2>/dev/null
	grep -q 'Linux version' "$log" && accel=kvm
	rm -f "$log"
fi
mkdir -p "${cache%/*}"
printf '%s\n%s\n' "$accel" "$boot_id" >"$cache"
echo "$accel"
