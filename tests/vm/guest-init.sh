#!/bin/bash
# PID 1 of the test guest (see run-vm.sh). The host's root is mounted
# read-only over 9p; this script makes the writable places, sets up the
# block targets, runs the requested test programs with their TAP output on
# the second serial port (ttyS1) and powers the guest off. The kernel log
# stays on the console (ttyS0), where the host scans it.
#
# Settings come as environment variables from the kernel command line:
#   AIORING_TOP    the project's directory (same path as on the host)
#   AIORING_RUN    what to run: a ':'-separated list of programs or
#                  directories (given to tests/run-tests.sh), or "shell"
#   AIORING_TIMEOUT  per-program timeout in seconds
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TMPDIR=/tmp LANG=C.UTF-8

say() { echo "guest-init: $*" >/dev/console; }

# Without ACPI there is no power-off: reboot instead, which QEMU
# (-no-reboot) turns into its exit.
poweroff_now() {
	sync
	echo b >/proc/sysrq-trigger
	sleep 60
}

# The host's /proc, /sys and /dev show through the 9p root (QEMU exports
# them as plain directories), so mount the guest's own over them; only
# devtmpfs may already be mounted, by the kernel itself.
mount_writable() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	grep -q '^devtmpfs /dev ' /proc/mounts || mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts /dev/shm 2>/dev/null
	mount -t devpts devpts /dev/pts
	mount -t tmpfs tmpfs /dev/shm
	local d
	mount -t tmpfs -o mode=1777 tmpfs /run
	# The project may live below one of the directories that get a tmpfs
	# (a CI clone can be anywhere): keep it visible at the same path.
	mkdir -p /run/aioring-top
	mount --bind "${AIORING_TOP:-/}" /run/aioring-top
	for d in /tmp /var/tmp /var/lib /var/log /root /mnt /media /srv; do
		mount -t tmpfs -o mode=1777 tmpfs "$d"
	done
	if [ -n "${AIORING_TOP:-}" ] && [ ! -x "$AIORING_TOP/tests/run-tests.sh" ]; then
		mkdir -p "$AIORING_TOP"
		mount --bind /run/aioring-top "$AIORING_TOP"
	fi
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	mount -t configfs configfs /sys/kernel/config 2>/dev/null
	mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
}

# Block targets (run-vm.sh attaches them in this order):
#   /dev/nullb0, nullb1  null_blk, memory backed, 2 poll queues, 128 MiB
#   /dev/nvme0n1         QEMU NVMe, nvme.poll_queues=2
#   /dev/vda, vdb        ext4 and xfs images (virtio, no poll queues)
#   /dev/vdc             raw scratch disk without poll queues
# Two memory-backed null_blk devices with poll queues, 128 MiB each.
# null_blk allocates a backing page on the first write to it with
# GFP_NOIO, even from its ->poll(), where the block layer holds
# rcu_read_lock(): a "sleeping function called from invalid context"
# report. Writing every page once here keeps that allocation out of the
# polled path.
setup_nullb() {
	local i d
	for i in 0 1; do
		d=/sys/kernel/config/nullb/nullb$i
		mkdir "$d" || { say "cannot create null_blk device $i"; continue; }
		echo 2 >"$d/queue_mode"
		echo 128 >"$d/size"
		echo 1 >"$d/memory_backed"
		echo 2 >"$d/poll_queues"
		echo 1 >"$d/power"
		dd if=/dev/zero of=/dev/nullb$i bs=1M count=128 oflag=direct status=none ||
			say "cannot fill /dev/nullb$i"
	done
}

setup_targets() {
	setup_nullb
	mkdir -p /run/aioring/ext4 /run/aioring/xfs
	mount -t ext4 /dev/vda /run/aioring/ext4 || say "cannot mount ext4 image"
	mount -t xfs /dev/vdb /run/aioring/xfs || say "cannot mount xfs image"
	chmod 1777 /run/aioring/ext4 /run/aioring/xfs
	export AIORING_TEST_BDEV=/dev/nullb1
	export AIORING_POLL_BDEVS="/dev/nullb0 /dev/nvme0n1"
	export AIORING_NOPOLL_BDEV=/dev/vdc
	export AIORING_TEST_DIRS=/run/aioring/ext4:/run/aioring/xfs
	local dev
	for dev in nullb0 nullb1 nvme0n1 vda vdb vdc; do
		say "$dev: $(cat /sys/block/$dev/size 2>/dev/null || echo missing) sectors, io_poll=$(cat /sys/block/$dev/queue/io_poll 2>/dev/null || echo -)"
	done
}

# kmemleak reports leaks found by a scan; two scans, as it advises. A
# scan fails once kmemleak is off (tests/vm/kmemleak-off.sh).
kmemleak_scan() {
	local k=/sys/kernel/debug/kmemleak
	[ -w $k ] || return 0
	{ echo scan >$k; } 2>/dev/null || return 0
	sleep 1
	echo scan >$k
	cat $k >/dev/console
}

mount_writable
say "kernel $(uname -r), $(nproc) CPUs"
setup_targets
cd "${AIORING_TOP:-/}" || say "no project directory ${AIORING_TOP:-}"

if [ "${AIORING_RUN:-}" = shell ]; then
	say "interactive shell; 'exit' ends the guest"
	setsid -c bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
	poweroff_now
fi

IFS=: read -r -a what <<<"${AIORING_RUN:-}"
"$AIORING_TOP/tests/run-tests.sh" -t "${AIORING_TIMEOUT:-600}" "${what[@]}" >/dev/ttyS1 2>&1
say "test programs finished (status $?)"
kmemleak_scan
echo "# guest done" >/dev/ttyS1
poweroff_now
