#!/bin/bash
# 'make check-packages': build the packages of the base with the vm
# profile (or, for 'make release-check', the distro profile users
# install), check them, publish the local repositories, install the
# flavour through apt into a debootstrapped root of the base's Debian
# release (Debian 13; Debian 12 for BASE=bookworm), boot that root's own
# kernel and initramfs under QEMU and run the autopkgtest suite
# (debian/tests) in it. Prints TAP, one result per step, and the time of
# each step.
#
#   [BASE=bookworm|trixie] check-packages.sh [-p vm|vm-debug|distro] [-B] [-k] [-T SECONDS]
#
#   -p   the profile of the packages to build (default vm; CI: vm-debug)
#   -B   do not build: use the packages already in PKG (and the apt
#        repository, made when missing): for development, and for
#        .ci/run, which builds them first (make deb PKG_PROFILE=vm-debug)
#   -k   keep the installed root and the disk images (PKG/guest)
#   -T   timeout of the guest in seconds (default 3600)
#
# PKG is build/pkg (bookworm) or build/BASE/pkg; the apt repository of
# all bases is build/pkg/repo. Logs: PKG/autopkgtest/ (apt-install.log, console.log with the
# guest's kernel log, autopkgtest.log, out/ = autopkgtest's output
# directory with its summary). AIORING_VM_LOCK: the one-guest lock shared
# with tests/vm/run-vm.sh ('none': boot without waiting for other guests).
# AIORING_BUILD_NICE: niceness of the package builds (default 0).
# AIORING_PKG_RPM=0: no RPM build and check (two SKIP results).
# AIORING_PKGTEST_SUITES=none: the io test in the guest leaves out the ABI
# and regression suites (one SKIP result; .ci/run, whose make check runs
# them).
# shellcheck disable=SC2317 # the steps are functions called through step()
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 1
build=1 keep=0 guest_timeout=3600 profile=vm
while getopts BkT:p: opt; do
	case $opt in
	B) build=0 ;;
	p) profile=$OPTARG ;;
	k) keep=1 ;;
	T) guest_timeout=$OPTARG ;;
	*) sed -n '2,/^# shellcheck/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done

# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/pkg/splat.sh
. "$here/splat.sh"
# shellcheck source=kernel/scripts/base.sh
. "$top/kernel/scripts/base.sh"
export BASE
K=$DEBIAN_ABI-$FLAVOUR
pkg=$base_build/pkg
repo=$top/build/pkg/repo
logs=$pkg/autopkgtest
guest=$pkg/guest
root=$guest/root
install_pkgs=(linux-image-aioring-amd64 linux-headers-aioring-amd64 aioring-tools
	      libaioring-dev fio-engine-aio-ring)
dkms_name=aioring-dkms-sample dkms_ver=1.0

say() { echo "# check-packages: $*"; }
bail() { echo "Bail out! $*"; summary_times; exit 1; }
[ "$(id -u)" = 0 ] || bail "needs root (mmdebstrap, chroot, mkfs.ext4 -d with owners)"

rm -rf "$logs"
mkdir -p "$logs"
timings=()
failed_checks=()
summary_times() {
	local t i
	echo "# step times:"
	for t in "${timings[@]}"; do echo "#   $t"; done
	for ((i = 0; i < ${#failed_checks[@]}; i += 2)); do
		echo "# failed in step ${failed_checks[i]}:"
		sed 's/^/#   /' <<<"${failed_checks[i + 1]}"
	done
}

# step NAME COMMAND...: run a step with its output in PKG/autopkgtest/
# NAME.log (shown on failure), one TAP result with its time
step() {
	local name=$1 log t0 rc
	shift
	log=$logs/$name.log
	t0=$(date +%s)
	say "$name: $*"
	"$@" >"$log" 2>&1
	rc=$?
	timings+=("$(printf '%-22s %5d s' "$name" $(( $(date +%s) - t0 )))")
	if [ $rc != 0 ]; then
		tail -n 40 "$log" | sed 's/^/    /'
		# the failed checks with what they printed, kept for the end
		# of the run: CI shows only the last lines of its output
		failed_checks+=("$name (${log#"$top"/})" "$(grep -B8 -A4 '^not ok' "$log" | sed -n 1,60p)")
	fi
	tap_ok "[ $rc = 0 ]" "$name (exit $rc, $(( $(date +%s) - t0 )) s; log ${log#"$top"/})"
	return $rc
}

# in_root COMMAND...: run in the root with /proc, /sys, /dev and /run
# mounted in a private mount namespace, so nothing stays mounted.
in_root() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/bash -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount -t sysfs sysfs "$r/sys" &&
		mount --rbind /dev "$r/dev" && mount -t tmpfs tmpfs "$r/run" || exit 1
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' in_root "$root" "$@"
}

# --- packages -------------------------------------------------------------

# with_umask MASK COMMAND...: the packages must not depend on the caller's
# umask (a CI runner's may be 0); the checks below see the modes it left
with_umask() { (umask "$1" && shift && "$@"); }
build_nice=${AIORING_BUILD_NICE:-0}
rpms=${AIORING_PKG_RPM:-1}
rpm_why="AIORING_PKG_RPM=0"

if [ $build = 1 ]; then
	step make-deb with_umask 000 nice -n "$build_nice" make deb PKG_PROFILE="$profile" ||
		bail "the Debian packages did not build"
	if [ "$rpms" = 0 ]; then
		echo "ok $((tap_n += 1)) - make rpm # SKIP $rpm_why"
	elif [ -x rpm/scripts/build-rpms.sh ]; then
		step make-rpm with_umask 000 nice -n "$build_nice" make rpm PKG_PROFILE="$profile"
	else
		echo "ok $((tap_n += 1)) - make rpm # SKIP rpm/scripts/build-rpms.sh not there yet"
	fi
fi
if [ -x tests/pkg/check-debs.sh ]; then
	step check-debs tests/pkg/check-debs.sh
else
	echo "ok $((tap_n += 1)) - check-debs # SKIP tests/pkg/check-debs.sh not there yet"
fi
if [ "$rpms" = 0 ]; then
	echo "ok $((tap_n += 1)) - check-rpms # SKIP $rpm_why"
elif [ -x rpm/scripts/check-rpms.sh ]; then
	step check-rpms rpm/scripts/check-rpms.sh
else
	echo "ok $((tap_n += 1)) - check-rpms # SKIP rpm/scripts/check-rpms.sh not there yet"
fi
if [ $build = 1 ] && [ "$rpms" != 0 ]; then
	step make-repo make repo PKG_PROFILE="$profile" || bail "no local repository"
elif [ $build = 1 ]; then
	step make-apt-repo debian/bin/make-apt-repo.sh "$repo" || bail "no local apt repository"
elif [ ! -f "$repo/apt/dists/$DEBIAN_SUITE/InRelease" ]; then
	step make-apt-repo debian/bin/make-apt-repo.sh "$repo" || bail "no local apt repository"
fi
dsc=$(find "$pkg/deb" -maxdepth 1 -name 'linux-aioring_*.dsc' | sed -n 1p)
[ -n "$dsc" ] || bail "no source package (.dsc) in ${pkg#"$top"/}/deb"
# dsc_files REGEX: the paths of the source package's files whose names match
dsc_files() {
	sed -n '/^Files:/,/^[^ ]/s/^ [0-9a-f]\{32\} [0-9]* //p' "$dsc" |
		grep -E -- "$1" | sed "s|^|${dsc%/*}/|"
}
# a build without the fio engine (build-debs.sh: the archive lacked the
# source of the build's fio) leaves its package and test out, as SKIPs
fio_built=$(awk '{ print $4 }' "$pkg/deb/build-info.txt" 2>/dev/null)
if [ "$fio_built" = none ]; then
	kept=()
	for p in "${install_pkgs[@]}"; do
		[ "$p" = fio-engine-aio-ring ] || kept+=("$p")
	done
	install_pkgs=("${kept[@]}")
	echo "ok $((tap_n += 1)) - fio-engine-aio-ring built # SKIP the archive did not offer the source of the build's fio (${pkg#"$top"/}/fio-source.log)"
fi

# --- the Debian root with the flavour installed through apt -----------------

tarball=
root_tarball() { tarball=$("$here/debian-root.sh"); }
step debian-root root_tarball || bail "no Debian $DEBIAN_SUITE root"

unpack_root() {
	rm -rf "$guest"
	mkdir -p "$root"
	tar -C "$root" --numeric-owner -xpf "$tarball"
}
step unpack-root unpack_root || bail "cannot unpack $tarball"

# The local repository as users add it: copied into the root (a file: URI
# that the guest keeps), signed-by its exported keyring. The sample DKMS
# module is added before the headers arrive, so their postinst's dkms hook
# (header_postinst.d) must build and install it for the flavour.
apt_install() {
	cp -a "$repo/apt" "$root/srv/aioring-apt" &&
	cp "$repo/linux-aioring-archive-keyring.gpg" "$root/usr/share/keyrings/" &&
	echo "deb [signed-by=/usr/share/keyrings/linux-aioring-archive-keyring.gpg] file:/srv/aioring-apt $DEBIAN_SUITE main" \
		>"$root/etc/apt/sources.list.d/linux-aioring.list" &&
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" &&
	chmod 755 "$root/usr/sbin/policy-rc.d" &&
	cp -r "$here/dkms-sample" "$root/usr/src/$dkms_name-$dkms_ver" || return 1
	in_root dkms add -m "$dkms_name" -v "$dkms_ver" || return 1
	# Only the new source is fetched: the Debian lists kept in the root
	# stay as they are (the guest has no network either way).
	in_root apt-get update -o Dir::Etc::SourceList=/etc/apt/sources.list.d/linux-aioring.list \
		-o Dir::Etc::SourceParts=/dev/null -o APT::Get::List-Cleanup=0 || return 1
	in_root apt-get install -y --no-install-recommends "${install_pkgs[@]}" || return 1
	rm -f "$root/usr/sbin/policy-rc.d"
}
step apt-install apt_install || bail "apt-get install from the local repository failed"
from_mirror=$(grep -E '^Get:[0-9]+ ' "$logs/apt-install.log" | grep -v ' file:' | grep -v 'InRelease' || true)
[ -z "$from_mirror" ] || { say "taken from the Debian mirror (add them to tests/pkg/root-packages):"; sed 's/^/#   /' <<<"$from_mirror"; }

# shellcheck disable=SC2016 # a dpkg-query format
st() { in_root dpkg-query -W -f '${db:Status-Abbrev}' "$1" 2>/dev/null; }
for p in "${install_pkgs[@]}" "linux-image-$K" "linux-headers-$K" libaioring2; do
	tap_ok "[ \"\$(st $p)\" = 'ii ' ]" "apt installed $p (dpkg status '$(st "$p")')"
done
tap_ok "grep -q ' file:/srv/aioring-apt $DEBIAN_SUITE/main amd64 linux-image-$K ' '$logs/apt-install.log'" \
	"apt fetched linux-image-$K from the local repository"
tap_ok "[ -f '$root/boot/vmlinuz-$K' ] && [ -s '$root/boot/initrd.img-$K' ]" \
	"the kernel's postinst hooks made /boot/initrd.img-$K (initramfs-tools)"
# (an absolute link: follow it inside the root)
tap_ok "in_root test -f /lib/modules/$K/build/.config" \
	"/lib/modules/$K/build points to the headers (.config found)"
dkms_status=$(in_root dkms status -m "$dkms_name" -v "$dkms_ver" -k "$K" 2>&1)
echo "# dkms status after apt: $dkms_status"
tap_ok "grep -q 'installed' <<<\"\$dkms_status\" && [ -n \"\$(find '$root/lib/modules/$K' -name 'aioring_dkms_sample.ko*')\" ]" \
	"the headers' dkms hook built and installed the sample DKMS module for $K"
in_root dkms remove "$dkms_name/$dkms_ver" --all >>"$logs/apt-install.log" 2>&1
rm -rf "$root/usr/src/$dkms_name-$dkms_ver"

# --- the guest image ----------------------------------------------------------

make_image() {
	# The tests need the project's tree and debian/, not the source
	# package's linux component (Debian's kernel source: 150 MB of xz,
	# 1.5 GB unpacked, minutes on a slow disk): unpack the rest as
	# dpkg-source -x would (the format has no patches of its own).
	local src orig debian_tar comp name
	src=$root/srv/pkgtest/src/$(basename "$dsc" .dsc)
	orig=$(dsc_files '\.orig\.tar\.')
	debian_tar=$(dsc_files '\.debian\.tar\.')
	if [ ! -f "$orig" ] || [ ! -f "$debian_tar" ]; then
		echo "no orig or debian tarball in ${dsc##*/}"
		return 1
	fi
	mkdir -p "$src" &&
	tar -xf "$orig" -C "$src" --strip-components=1 &&
	tar -xf "$debian_tar" -C "$src" || return 1
	# other components (fio's source, when the engine is built) go to
	# a directory named after them
	for comp in $(dsc_files '\.orig-[a-z0-9-]+\.tar\.'); do
		name=${comp##*.orig-}
		name=${name%%.tar.*}
		[ "$name" != linux ] || continue
		mkdir -p "$src/$name" &&
		tar -xf "$comp" -C "$src/$name" --strip-components=1 || return 1
	done
	install -m 755 "$here/guest-autopkgtest.sh" "$root/usr/local/sbin/aioring-pkgtest-init"
	# the tests' environment in the guest (installed-io.sh)
	: >"$root/srv/pkgtest/env"
	[ -z "${AIORING_PKGTEST_SUITES:-}" ] ||
		echo "AIORING_PKGTEST_SUITES=$AIORING_PKGTEST_SUITES" >>"$root/srv/pkgtest/env"
	# the tests of packages not built
	: >"$root/srv/pkgtest/skip-tests"
	[ "$fio_built" != none ] || echo fio-engine >>"$root/srv/pkgtest/skip-tests"
	cp "$root/boot/vmlinuz-$K" "$root/boot/initrd.img-$K" "$root/boot/config-$K" "$guest/"
	# the root's size plus room for the tests' builds and logs
	local mb
	mb=$(( $(du -sm "$root" | cut -f1) + 2048 ))
	truncate -s "${mb}M" "$guest/root.img"
	mkfs.ext4 -q -F -L pkgtest-root -d "$root" "$guest/root.img" || return 1
	truncate -s 512M "$guest/results.img"
	truncate -s 256M "$guest/nvme.img"
}
step make-image make_image || bail "cannot make the guest's disk image"
[ $keep = 1 ] || rm -rf "$root"

# --- boot the flavour and run autopkgtest ---------------------------------------

boot_guest() {
	local accel cpu=max
	accel=$("$top/tests/vm/probe-accel.sh" "$guest/vmlinuz-$K")
	[ "$accel" = kvm ] && cpu=host
	# pci=noacpi: under emulation the ACPI PCI routing is slow and breaks
	# the NVMe poll queues (see tests/vm/run-vm.sh).
	local cmdline=(root=/dev/vda rw console=ttyS0 pci=noacpi panic=-1 loglevel=6
		init=/usr/local/sbin/aioring-pkgtest-init null_blk.nr_devices=0
		nvme.poll_queues=2)
	# A vm-debug kernel's kmemleak slows the guest by a third and nothing
	# here scans for leaks (make check's guest does, on the same kernel).
	grep -qx 'CONFIG_DEBUG_KMEMLEAK=y' "$guest/config-$K" && cmdline+=(kmemleak=off)
	local lock=${AIORING_VM_LOCK:-$top/build/vm/.lock}
	if [ "$lock" != none ]; then
		exec 9>"$lock"
		if ! flock -n 9; then
			echo "another guest is running; waiting for it"
			flock 9
		fi
	fi
	echo "booting $K ($accel), timeout ${guest_timeout}s"
	timeout -k 10 "$guest_timeout" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" \
		-smp 2 -m 2048 -nodefaults -no-reboot -display none \
		-kernel "$guest/vmlinuz-$K" -initrd "$guest/initrd.img-$K" \
		-append "${cmdline[*]}" \
		-drive "file=$guest/root.img,if=virtio,format=raw,cache=unsafe" \
		-drive "file=$guest/results.img,if=virtio,format=raw,cache=unsafe" \
		-drive "file=$guest/nvme.img,if=none,id=nvm,format=raw,cache=unsafe" \
		-device nvme,serial=pkgtest0,drive=nvm \
		-serial "file:$logs/console.log" -serial "file:$logs/autopkgtest.log" \
		</dev/null
	local rc=$?
	[ "$lock" = none ] || flock -u 9
	[ "$rc" = 124 ] && echo "the guest did not finish within ${guest_timeout}s"
	grep -q 'pkgtest-init: guest done' "$logs/console.log"
}
mkdir -p "$top/build/vm"
step boot-guest boot_guest
tar -C "$logs" -xf "$guest/results.img" 2>/dev/null
[ $keep = 1 ] || rm -f "$guest"/*.img

# --- autopkgtest's verdict ------------------------------------------------------

out=$logs/out
tap_ok "[ -s '$out/summary' ]" "autopkgtest wrote its summary (exit $(cat "$out/exitcode" 2>/dev/null || echo none))"
if [ -s "$out/summary" ]; then
	echo "# autopkgtest summary:"
	sed 's/^/#   /' "$out/summary"
fi
for t in $(sed -n 's/^Tests:[[:space:]]*//p' debian/tests/control | tr ',' ' '); do
	if [ "$t" = boot-and-io ]; then
		# guest-autopkgtest.sh skips it: in a guest already running the
		# flavour it is the io test once more
		say "autopkgtest $t: not run in the flavour guest (the io test covers it)"
		continue
	fi
	if [ "$t" = fio-engine ] && [ "$fio_built" = none ]; then
		echo "ok $((tap_n += 1)) - autopkgtest $t # SKIP fio-engine-aio-ring was not built"
		continue
	fi
	line=$(grep -E "^${t}[[:space:]]" "$out/summary" 2>/dev/null | sed -n 1p)
	result=$(awk '{print $2}' <<<"$line")
	case $result in
	PASS) echo "ok $((tap_n += 1)) - autopkgtest $t: PASS" ;;
	SKIP) echo "not ok $((tap_n += 1)) - autopkgtest $t: SKIP (${line#*SKIP }) # every test must run in the flavour guest"
	      tap_failed=$((tap_failed + 1)) ;;
	*)    echo "not ok $((tap_n += 1)) - autopkgtest $t: ${line:-no result}"
	      tap_failed=$((tap_failed + 1))
	      [ -f "$out/$t-stdout" ] && grep -E '^(not ok|Bail out)' "$out/$t-stdout" | sed -n 1,20p | sed 's/^/    /' ;;
	esac
done
skips=$(cat "$out"/*-stdout 2>/dev/null | grep -cE '^ *ok .*# *SKIP' || true)
say "$skips TAP results inside the tests were skips (see out/*-stdout)"

hits=$(grep -avE 'ommand line' "$logs/console.log" 2>/dev/null | grep -aE "$SPLAT_RE" | sed -n 1,20p || true)
[ -z "$hits" ] || sed 's/^/    /' <<<"$hits"
tap_ok "[ -z \"\$hits\" ] && [ -s '$logs/console.log' ]" \
	"guest kernel log: no BUG/WARNING/KASAN/lockdep/Oops/hung-task report"
summary_times
tap_done
