#!/bin/bash
# Boot a kernel under QEMU with the host root read-only over virtio-9p and
# tests/vm/guest-init.sh as init, run test programs in the guest, and judge
# the run (check-results.sh).
#
#   run-vm.sh [-k BZIMAGE] [-n NAME] [-T SECONDS] [-t SECONDS] [-s] WHAT...
#
#   WHAT      test programs or directories of them (paths on the host)
#   -k        kernel (default build/obj-vm-debug/arch/x86/boot/bzImage)
#   -n        name of the run: logs go to build/vm/NAME/ (default "check")
#   -T        timeout of the whole boot in seconds (default 1800)
#   -t        timeout of one test program in seconds (default 600)
#   -s        interactive shell on this terminal instead of tests
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
kernel=$top/build/obj-vm-debug/arch/x86/boot/bzImage
name=check total=1800 each=600 shell=0
while getopts k:n:T:t:s opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	n) name=$OPTARG ;;
	T) total=$OPTARG ;;
	t) each=$OPTARG ;;
	s) shell=1 ;;
	*) sed -n '2,/^set/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

die() { echo "run-vm: $*" >&2; exit 1; }
[ -f "$kernel" ] || die "no kernel at $kernel (make kernel PROFILE=vm-debug)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: apt-get install qemu-system-x86"
command -v mkfs.xfs >/dev/null || die "mkfs.xfs missing: apt-get install xfsprogs"

run=
for w in "$@"; do
	w=$(realpath -e "$w") || die "no such test program or directory: $w"
	case $w in *[[:space:]:]*) die "test paths must not hold spaces or ':' ($w)" ;; esac
	run=${run:+$run:}$w
done
[ $shell = 1 ] && run=shell
[ -n "$run" ] || die "nothing to run"

# One guest at a time: two emulated guests on two cores slow each other
# down until timeouts fire in the guests' kernels. Several work trees of
# the project can share one lock through AIORING_VM_LOCK; 'none' boots
# without waiting (.ci/run's package guest beside the check guest, each
# about one CPU).
mkdir -p "$top/build/vm"
lock=${AIORING_VM_LOCK:-$top/build/vm/.lock}
if [ "$lock" != none ]; then
	exec 9>"$lock"
	if ! flock -n 9; then
		echo "run-vm: another guest is running; waiting for it" >&2
		flock 9
	fi
fi

out=$top/build/vm/$name
disks=$out/disks
rm -rf "$out"
mkdir -p "$disks"

# Fresh disks every run: ext4 and xfs images for file IO, a raw disk with no
# poll queues, and the NVMe namespace.
truncate -s 512M "$disks/ext4.img" "$disks/xfs.img"
truncate -s 64M "$disks/scratch.img"
truncate -s 256M "$disks/nvme.img"
mkfs.ext4 -q -F "$disks/ext4.img" || die "mkfs.ext4 failed"
mkfs.xfs -q -f "$disks/xfs.img" || die "mkfs.xfs failed"

accel=$("$top/tests/vm/probe-accel.sh" "$kernel")
# No 5-level paging under TCG: with it, an interrupt taken while
# identify_boot_cpu() runs early in boot made KASAN report its access to
# an irq descriptor in the 5-level direct map as wild ("BUG: KASAN:
# wild-memory-access in do_raw_spin_lock", 2 of 12 boots of the vm-debug
# kernel; 0 of 12 with 4-level paging). Nothing the tests check depends
# on the paging depth.
cpu=max,la57=off
[ "$accel" = kvm ] && cpu=host

# pci=noacpi: under emulation (and KASAN) the ACPI interpreter is so slow
# that evaluating the PCI interrupt routing times out its loops and boot
# takes minutes; the BIOS's PIRQ table gives the same routing at once.
# ACPI itself stays on: it tells the kernel about the second CPU.
cmdline=(console=ttyS0 loglevel=7 panic=-1 pci=noacpi
	 root=hostroot rootfstype=9p ro
	 rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose
	 init="$top/tests/vm/guest-init.sh"
	 null_blk.nr_devices=0 nvme.poll_queues=2
	 AIORING_TOP="$top" AIORING_RUN="$run" AIORING_TIMEOUT="$each")

qemu=(qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -smp 2 -m 2048
      -nodefaults -no-reboot -display none
      -kernel "$kernel" -append "${cmdline[*]}"
      -fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
      -device virtio-9p-pci,fsdev=root,mount_tag=hostroot
      -drive "file=$disks/ext4.img,if=virtio,format=raw,cache=unsafe"
      -drive "file=$disks/xfs.img,if=virtio,format=raw,cache=unsafe"
      -drive "file=$disks/scratch.img,if=virtio,format=raw,cache=unsafe"
      -drive "file=$disks/nvme.img,if=none,id=nvm,format=raw,cache=unsafe"
      -device nvme,serial=aioring0,drive=nvm)
# AIORING_QEMU_ARGS: more QEMU options, e.g. "-icount shift=0": guest time
# is then the count of instructions run (1 ns each, one host thread for
# both CPUs), so CPU time per IO no longer depends on the host's load
# shellcheck disable=SC2206 # words, as given
[ -n "${AIORING_QEMU_ARGS:-}" ] && qemu+=(${AIORING_QEMU_ARGS})

if [ $shell = 1 ]; then
	exec "${qemu[@]}" -serial mon:stdio -serial "file:$out/tap.log"
fi

# A TCG guest on a loaded host has, rarely, hung in early boot, long before
# init and any aio code ran (console's last line "Running RCU-tasks wait
# API self tests", 18% of a CPU for minutes). A boot that has not reached
# init after AIORING_BOOT_LIMIT seconds is killed and tried once more; its
# console log is kept as console.first-boot.log. So is a boot that died
# before init: the 6.12 vm kernel under TCG has taken a stray int3 in
# sched_clock_cpu() while a static key was patched at boot ("Oops: int3",
# then a panic; 2 of 6 boots of one session), an emulator's fault, not
# the kernel's. A second death before init fails the run.
boot_limit=${AIORING_BOOT_LIMIT:-600}
boot() {	# 200: no init within the limit; 201: died before init
	local qpid waited=0

	timeout -k 10 "$total" "${qemu[@]}" -serial "file:$out/console.log" \
		-serial "file:$out/tap.log" </dev/null >"$out/qemu.log" 2>&1 &
	qpid=$!
	while kill -0 "$qpid" 2>/dev/null; do
		if grep -q '^guest-init:' "$out/console.log" 2>/dev/null; then
			wait "$qpid"
			return
		fi
		if [ "$waited" -ge "$boot_limit" ]; then
			kill "$qpid"
			wait "$qpid"
			return 200
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait "$qpid" || return
	grep -q '^guest-init:' "$out/console.log" 2>/dev/null || return 201
}

echo "run-vm: booting ${kernel#"$top"/} with $accel; logs in build/vm/$name/" >&2
start=$(date +%s)
boot && rc=0 || rc=$?
if [ $rc = 200 ] || [ $rc = 201 ]; then
	if [ $rc = 200 ]; then
		echo "run-vm: no init after ${boot_limit}s (console: $(tail -n 1 "$out/console.log")); booting again" >&2
	else
		echo "run-vm: the guest died before init (console: $(grep -m 1 -E 'Oops|BUG:|panic' \
			"$out/console.log")); booting again" >&2
	fi
	mv "$out/console.log" "$out/console.first-boot.log"
	: >"$out/tap.log"
	boot && rc=0 || rc=$?
	[ $rc = 200 ] && echo "Bail out! the guest did not reach init in ${boot_limit}s, twice" >>"$out/tap.log"
	[ $rc = 201 ] && echo "Bail out! the guest died before init, twice" >>"$out/tap.log"
fi
echo "run-vm: guest ran $(( $(date +%s) - start )) s" >&2
[ $rc = 124 ] && echo "Bail out! the guest did not finish within ${total}s" >>"$out/tap.log"
rm -rf "$disks"
exec "$top/tests/vm/check-results.sh" "$out/tap.log" "$out/console.log"
