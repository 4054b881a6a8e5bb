#!/bin/bash
# PID 1 (init=) of the package-test guest that check-packages.sh boots:
# the Debian root (of the base's release) with the flavour installed through apt,
# started by its own /boot/vmlinuz and initrd.img. It runs autopkgtest
# on the unpacked source package in /srv/pkgtest/src, writes the results
# as a tar archive to the raw disk /dev/vdb and powers the guest off.
#
# ttyS0 carries the kernel log and these messages, ttyS1 autopkgtest's
# log. The guest has no network: the test dependencies are installed.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive

say() { echo "pkgtest-init: $*" >/dev/console; }

# QEMU runs with -no-reboot: a reboot request ends it.
poweroff_now() {
	sync
	echo b >/proc/sysrq-trigger
	sleep 60
}

# initramfs-tools moved /proc, /sys, /dev and /run here; anything missing
# is mounted now.
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mountpoint -q /run || mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /dev/pts /dev/shm /run/lock
mountpoint -q /dev/pts || mount -t devpts devpts /dev/pts
mountpoint -q /dev/shm || mount -t tmpfs tmpfs /dev/shm
mount -o remount,rw /
mount -t configfs configfs /sys/kernel/config 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
hostname pkgtest
ip link set lo up 2>/dev/null
say "kernel $(uname -r), $(nproc) CPUs, $(sed -n 's/MemTotal: *//p' /proc/meminfo)"
say "$(cat /proc/version)"

base=/srv/pkgtest
out=$base/out
src=$(find "$base/src" -mindepth 1 -maxdepth 1 -type d | head -n 1)
rm -rf "$out"
if [ -z "$src" ] || [ ! -f "$src/debian/tests/control" ]; then
	say "no unpacked source package with debian/tests/control in $base/src"
	mkdir -p "$out"
	echo 20 >"$out/exitcode"
else
	say "autopkgtest on ${src#"$base"/}"
	# NAME=value lines that check-packages.sh passes to the tests, and
	# the tests whose packages were not built (one name a line)
	envs=() skips=()
	if [ -f "$base/env" ]; then
		while IFS= read -r l; do
			[ -n "$l" ] && envs+=("--env=$l")
		done <"$base/env"
	fi
	if [ -f "$base/skip-tests" ]; then
		while IFS= read -r l; do
			[ -n "$l" ] && skips+=("--skip-test=$l")
		done <"$base/skip-tests"
	fi
	# The QEMU NVMe disk is scratch space: the io test may write to it.
	# The guest already runs the flavour, where boot-and-io would only
	# run the io test a second time (check-packages.sh knows this list).
	autopkgtest --no-built-binaries --no-auto-control \
		--ignore-restrictions=isolation-machine,needs-reboot \
		--skip-test=boot-and-io "${skips[@]}" \
		--timeout-test=2400 --output-dir="$out" \
		--env=AIORING_PKGTEST_NVME_WRITE=/dev/nvme0n1 "${envs[@]}" \
		"$src" -- null >/dev/ttyS1 2>&1
	echo $? >"$out/exitcode"
	say "autopkgtest finished (exit $(cat "$out/exitcode"))"
fi
dmesg >"$out/dmesg.txt" 2>&1
dpkg-query -W -f '${db:Status-Abbrev} ${Package} ${Version}\n' >"$out/packages.txt" 2>&1
dkms status >"$out/dkms-status.txt" 2>&1
if tar -C "$base" -cf /dev/vdb out; then
	say "results written to /dev/vdb"
else
	say "cannot write the results to /dev/vdb"
fi
say "guest done"
poweroff_now
