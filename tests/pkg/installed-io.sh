#!/bin/bash
# The IO test of an installed linux-aioring system, shared by the Debian
# (debian/tests/io, boot-and-io) and RPM (tmt) test wrappers. Run as root
# on a machine booted into the flavour; prints TAP.
#
#   installed-io.sh [-h]
#
# It makes its own block targets with null_blk (configfs, memory backed;
# two with poll queues, one without, two carrying ext4 and xfs) and runs
# with the INSTALLED aioring-bench:
#   - polled O_DIRECT IO (--polled, --polled --fixedbufs, --sqpoll), each
#     with --verify (pattern written, read back, compared);
#   - real NVMe namespaces with poll queues: polled random reads (never a
#     write, unless the namespace is named in AIORING_PKGTEST_NVME_WRITE);
#   - buffered IO through the rings (--buffered --sqwq) on an ext4 file,
#     whose second pass must be 100 % page-cache hits;
#   - the ABI and classic-aio regression suites (tests/abi, tests/regress);
# and fails on any new kernel bug report in the kernel log.
#
# Exit: 0 all passed, 1 something failed, 77 not applicable here (not
# running the flavour, no aio-ring interface, not root).
#
# Environment:
#   AIORING_PKGTEST_KERNEL   the release to require (default: the flavour's,
#                            DEBIAN_ABI-FLAVOUR of the base's version file)
#   AIORING_BENCH            aioring-bench to use (default: the one in PATH)
#   AIORING_PKGTEST_SUITES   directory with built abi/ and regress/ programs
#                            (default: 'make tests' of this source tree);
#                            'none': not run, one SKIP result says so (CI,
#                            whose make check runs them on the same series)
#   AIORING_PKGTEST_NVME_WRITE  NVMe namespaces (e.g. /dev/nvme0n1) whose
#                            data may be overwritten: they also get polled
#                            writes with --verify and join the ABI suite
#   AIORING_PKGTEST_TIMEOUT  timeout of one suite program (default 600 s)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

case ${1:-} in
-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
"") ;;
*) echo "installed-io: no arguments expected (see --help)" >&2; exit 2 ;;
esac

# shellcheck source=tests/pkg/flavour.sh
. "$here/flavour.sh"
# shellcheck source=tests/pkg/splat.sh
. "$here/splat.sh"

skip_all() { echo "1..0 # SKIP $*"; exit 77; }
bail() { echo "Bail out! $*"; exit 1; }
note() { echo "# $*"; }

[ "$(id -u)" = 0 ] || skip_all "needs root (null_blk, mount, the kernel log)"
[ "$running_k" = 1 ] || skip_all "running kernel $(uname -r), not the flavour $K"
bench=${AIORING_BENCH:-$(command -v aioring-bench || echo aioring-bench)}
[ -x "$bench" ] || bail "aioring-bench not installed (package aioring-tools)"

probe=$("$bench" --probe 2>&1) && prc=0 || prc=$?
if [ "$prc" = 77 ]; then
	sed 's/^/# /' <<<"$probe"
	skip_all "kernel $K has no usable aio-ring interface (aioring-bench --probe)"
fi
[ "$prc" = 0 ] || { sed 's/^/# /' <<<"$probe"; bail "aioring-bench --probe failed (exit $prc)"; }
note "kernel $(uname -r); $bench"
note "$(sed -n 1p /proc/version)"

# The suites' unprivileged cases (as nobody) open files on the test file
# systems mounted in here: the directory must be reachable by every user,
# so it is in /tmp itself (autopkgtest's TMPDIR is private) and 0755.
work=$(mktemp -d /tmp/installed-io.XXXXXX)
chmod 755 "$work"
nullb_dirs=() mounts=()
loaded_null_blk=0
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local m d
	for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done
	for d in "${nullb_dirs[@]}"; do
		echo 0 >"$d/power" 2>/dev/null || true
		rmdir "$d" 2>/dev/null || true
	done
	[ "$loaded_null_blk" = 0 ] || modprobe -r null_blk 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# Everything the kernel logs from here on is judged at the end.
mark="installed-io: start $$-$RANDOM"
echo "$mark" >/dev/kmsg

# --- targets ------------------------------------------------------------

# null_blk: modular on the distro flavour (nr_devices=0: only configfs
# devices), built in on the vm profile.
if [ ! -d /sys/module/null_blk ]; then
	modprobe null_blk nr_devices=0 || bail "cannot load null_blk"
	loaded_null_blk=1
fi
mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
[ -d /sys/kernel/config/nullb ] || bail "null_blk has no configfs interface"

# nullb NAME MIB POLL_QUEUES: a memory-backed null_blk device, its /dev
# path in $dev (6.1's null_blk names the disk after the configfs
# directory; older ones nullb<index>). A device with poll queues gets every
# page written once here: memory_backed allocates a page on the first
# write, from ->poll() on a poll queue, where that is an atomic context
# (stock 6.1 null_blk; see tests/lib/target.h).
nullb() {
	local d=/sys/kernel/config/nullb/$1
	dev=
	mkdir "$d" || return 1
	nullb_dirs+=("$d")
	echo 2 >"$d/queue_mode" && echo "$2" >"$d/size" &&
		echo 1 >"$d/memory_backed" && echo "$3" >"$d/poll_queues" &&
		echo 1 >"$d/power" || return 1
	dev=/dev/nullb$(cat "$d/index")
	[ -b "/dev/$1" ] && dev=/dev/$1
	udevadm settle -t 10 2>/dev/null || true
	[ -b "$dev" ] || return 1
	[ "$3" = 0 ] || dd if=/dev/zero of="$dev" bs=1M count="$2" oflag=direct status=none
}

# shellcheck disable=SC2317 # called from tap_ok conditions
io_poll() { cat "/sys/block/${1##*/}/queue/io_poll" 2>/dev/null || echo -; }

# Some ABI programs look for the polled nullb0 of tests/vm by name: use the
# names nullb0 and nullb1 when they are free.
free_name() {
	if [ -e "/sys/kernel/config/nullb/$1" ] || [ -e "/dev/$1" ]; then
		echo "$2"
	else
		echo "$1"
	fi
}
nullb "$(free_name nullb0 pkgtest-poll)" 128 2 ||
	bail "cannot create a null_blk device with poll queues"
poll_dev=$dev
nullb "$(free_name nullb1 pkgtest-test)" 128 2 ||
	bail "cannot create a second null_blk device with poll queues"
test_dev=$dev
nullb pkgtest-nopoll 64 0 || bail "cannot create a null_blk device without poll queues"
nopoll_dev=$dev
nullb pkgtest-ext4 256 0 || bail "cannot create the null_blk device for ext4"
ext4_dev=$dev
# shellcheck disable=SC2016 # tap_ok evaluates its condition
tap_ok '[ "$(io_poll "$poll_dev")" = 1 ] && [ "$(io_poll "$test_dev")" = 1 ]' \
	"null_blk devices with poll queues: $poll_dev, $test_dev (queue/io_poll 1)"
# shellcheck disable=SC2016
tap_ok '[ "$(io_poll "$nopoll_dev")" = 0 ]' \
	"null_blk device without poll queues: $nopoll_dev (queue/io_poll 0)"

# Files for the suites that want no block device (tmpfs, as in tests/vm).
mkdir -p "$work/ext4" "$work/xfs" "$work/tmp"
mount -t tmpfs -o mode=1777 tmpfs "$work/tmp" || bail "cannot mount a tmpfs"
mounts+=("$work/tmp")
if ! { mkfs.ext4 -q -F "$ext4_dev" && mount -t ext4 "$ext4_dev" "$work/ext4"; }; then
	bail "cannot make and mount ext4 on $ext4_dev"
fi
mounts+=("$work/ext4")
test_dirs=$work/ext4
if command -v mkfs.xfs >/dev/null && nullb pkgtest-xfs 320 0 &&
	mkfs.xfs -q -f "$dev" && mount -t xfs "$dev" "$work/xfs"; then
	mounts+=("$work/xfs")
	test_dirs+=:$work/xfs
else
	note "no xfs target (mkfs.xfs or xfs missing): file tests use ext4 only"
fi

# run RC WHAT ARGS...: the installed aioring-bench must exit with RC
run() {
	local want=$1 what=$2
	shift 2
	out=$(timeout -k 5 180 "$bench" "$@" 2>&1) && rc=0 || rc=$?
	sed 's/^/# /' <<<"$out"
	tap_ok "[ $rc = $want ]" "$what (exit $rc): aioring-bench $*"
}
has() {	# has REGEX [WHAT]: the last run's output matches
	# shellcheck disable=SC2016
	tap_ok "grep -Eq -- $(printf %q "$1") <<<\"\$out\"" "${2:-output shows '$1'}"
}
verified() {	# verified BLOCKS: the last run read back BLOCKS blocks, no mismatch
	has "verify +$1 blocks read back, 0 mismatches" "  ... $1 blocks read back, 0 mismatches"
}

# --- polled O_DIRECT on null_blk ------------------------------------------------

run 0 "probe of the polled device" --probe "$poll_dev"
has 'IOCTX_FLAG_IOPOLL +yes' "  ... the kernel takes IOCTX_FLAG_IOPOLL"
has 'poll queues yes' "  ... $poll_dev has poll queues"
run 0 "polled O_DIRECT verify" --polled --verify --size 32m "$poll_dev"
has '\(IOPOLL\|SCQRING\)' "  ... the context is IOPOLL|SCQRING"
verified 8192
run 0 "polled O_DIRECT with fixed buffers, verify" --polled --fixedbufs --verify --size 32m "$poll_dev"
has 'FIXEDBUFS' "  ... the context has FIXEDBUFS"
verified 8192
run 0 "SQPOLL submission thread, verify" --sqpoll --verify --size 32m "$poll_dev"
has 'SQPOLL' "  ... the context has SQPOLL"
verified 8192
run 0 "SQPOLL with polled completions, verify" --sqpoll --polled --verify --size 32m "$poll_dev"
verified 8192
run 3 "--polled on a device without poll queues is refused" --polled --runtime 1 "$nopoll_dev"

# --- real NVMe ------------------------------------------------------------

nvme_write=" ${AIORING_PKGTEST_NVME_WRITE:-} "
poll_bdevs="$poll_dev"
nvme_seen=0
for q in /sys/block/nvme*n*/queue/io_poll; do
	[ -f "$q" ] || continue
	dev=/dev/$(basename "$(dirname "$(dirname "$q")")")
	nvme_seen=1
	if [ "$(cat "$q")" != 1 ]; then
		echo "ok $((tap_n += 1)) - $dev: polled IO # SKIP no poll queues (nvme.poll_queues=0)"
		continue
	fi
	if [ "${nvme_write#* "$dev" }" != "$nvme_write" ]; then
		run 0 "$dev: polled O_DIRECT verify (AIORING_PKGTEST_NVME_WRITE)" \
			--polled --verify --size 16m "$dev"
		verified 4096
		poll_bdevs+=" $dev"
	else
		run 0 "$dev: polled O_DIRECT random reads (read-only)" \
			--polled --rw randread --runtime 2 -q "$dev"
		has 'IOPOLL' "  ... the context is IOPOLL"
	fi
done
[ $nvme_seen = 1 ] || echo "ok $((tap_n += 1)) - NVMe polled IO # SKIP no NVMe namespace here"

# --- buffered IO through the rings ------------------------------------------------

f=$work/ext4/buffered.dat
run 0 "buffered write+verify with SQWQ on ext4" --buffered --sqwq --verify --size 16m "$f"
has 'SQWQ' "  ... the context has SQWQ"
verified 4096
run 0 "buffered random reads of the cached file with SQWQ" --buffered --sqwq --runtime 2 -q "$f"
has 'cache hits +100\.0%' "  ... second pass: 100 % page-cache hits (IOEV_RES2_CACHEHIT)"
sync
echo 3 >/proc/sys/vm/drop_caches
run 0 "buffered reads after drop_caches with SQWQ" --buffered --sqwq --ios 256 --depth 4 -q "$f"
has 'cache hits +[0-9.]+%' "  ... cache-hit percentage reported"
rm -f "$f"

# --- the ABI and classic-aio suites -------------------------------------------------

suites=${AIORING_PKGTEST_SUITES:-}
if [ "$suites" = none ]; then
	echo "ok $((tap_n += 1)) - ABI and regression suites # SKIP AIORING_PKGTEST_SUITES=none"
else
	if [ -z "$suites" ]; then
		build=$src/build
		[ -w "$src" ] || build=$work/build
		note "building the suites: make -C $src BUILD=$build tests"
		if make -s -C "$src" BUILD="$build" tests >"$work/make.log" 2>&1; then
			suites=$build/tests
		else
			sed 's/^/# /' "$work/make.log"
		fi
	fi
	# shellcheck disable=SC2016
	tap_ok '[ -n "$suites" ] && [ -d "$suites/abi" ] && [ -d "$suites/regress" ]' \
		"ABI and regression suite programs built (${suites:-make tests failed})"

	export AIORING_TEST_BDEV=$test_dev AIORING_POLL_BDEVS=$poll_bdevs
	export AIORING_NOPOLL_BDEV=$nopoll_dev AIORING_TEST_DIRS=$test_dirs
	export TMPDIR=$work/tmp
	for suite in abi regress; do
		[ -d "${suites:-/nonexistent}/$suite" ] || continue
		"$src/tests/run-tests.sh" -t "${AIORING_PKGTEST_TIMEOUT:-600}" "$suites/$suite" \
			>"$work/$suite.tap" 2>&1 && src_rc=0 || src_rc=$?
		sed 's/^/    /' "$work/$suite.tap"
		counts=$(grep -E '^(not )?ok ' "$work/$suite.tap" |
			awk '/^not ok/ {f++; next} /# *SKIP/ {s++; next} {p++}
			     END {printf "%d passed, %d failed, %d skipped", p, f, s}')
		tap_ok "[ $src_rc = 0 ]" "$suite suite: $counts"
	done
fi

# --- the kernel log -----------------------------------------------------------------

klog=$(dmesg)
if grep -q "$mark" <<<"$klog"; then
	klog=$(sed -n "/$mark/,\$p" <<<"$klog")
else
	note "the start mark left the kernel log buffer: judging all of it"
fi
hits=$(grep -avE 'ommand line' <<<"$klog" | grep -aE "$SPLAT_RE" | sed -n 1,20p || true)
[ -z "$hits" ] || sed 's/^/# /' <<<"$hits"
# shellcheck disable=SC2016
tap_ok '[ -z "$hits" ]' "kernel log: no new BUG/WARNING/KASAN/lockdep/Oops/hung-task report"
tap_done
