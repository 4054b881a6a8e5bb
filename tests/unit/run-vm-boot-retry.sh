#!/bin/bash
# run-vm.sh boots a guest once more when the first boot died before init
# (a TCG guest of the 6.12 vm kernel has taken a stray int3 while a
# static key was patched at boot, "Oops: int3" then a panic, in about one
# boot of five), and judges the second boot only; a guest that dies before
# init twice, or after init, still fails. Offline: QEMU is a stand-in on
# PATH that writes the console and TAP logs of each boot from a script,
# and so are mkfs.ext4 and mkfs.xfs.
# shellcheck disable=SC2016,SC2034 # tap_ok evaluates its checks
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/bin"

# The stand-in: boot N (counted in $t/boots) plays $t/boot.N, a word:
# "panic" (Oops before init), "pass" (init runs one passing test),
# "fail-late" (init starts, then the kernel oopses).
cat >"$t/bin/qemu-system-x86_64" <<'EOF'
#!/bin/bash
console= tap=
while [ $# -gt 0 ]; do
	case $1 in
	-serial)
		case $2 in file:*console.log) console=${2#file:} ;; file:*tap.log) tap=${2#file:} ;; esac
		shift ;;
	esac
	shift
done
n=$(( $(cat "$FAKE_DIR/boots" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$FAKE_DIR/boots"
case $(cat "$FAKE_DIR/boot.$n" 2>/dev/null) in
panic)
	printf '[    1.1] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI\n[    1.2] Kernel panic - not syncing: Fatal exception\n' >"$console" ;;
pass)
	printf 'guest-init: running tests\n# guest done\n' >"$console"
	printf '1..1\nok 1 - fake\n# guest done\n' >"$tap" ;;
fail-late)
	printf 'guest-init: running tests\n[   9.0] Oops: general protection fault\n# guest done\n' >"$console"
	printf '1..1\nok 1 - fake\n# guest done\n' >"$tap" ;;
esac
exit 0
EOF
chmod +x "$t/bin/qemu-system-x86_64"
# The fake guest reads no disk, and a package build's root has no
# xfsprogs (nor, in Debian 13, e2fsprogs): the file systems are stand-ins too.
for mkfs in mkfs.ext4 mkfs.xfs; do
	printf '#!/bin/sh\nexit 0\n' >"$t/bin/$mkfs"
	chmod +x "$t/bin/$mkfs"
done
: >"$t/bzImage"
: >"$t/prog"
chmod +x "$t/prog"

# run NAME WORD... : a run-vm.sh run whose boots play the words in order
run() {
	local name=$1 i=1
	shift
	rm -f "$t"/boot.* "$t/boots"
	for w in "$@"; do
		echo "$w" >"$t/boot.$i"
		i=$((i + 1))
	done
	FAKE_DIR=$t PATH="$t/bin:$PATH" AIORING_ACCEL=tcg AIORING_VM_LOCK=none \
		"$top/tests/vm/run-vm.sh" -n "unit-retry-$name" -T 60 -k "$t/bzImage" "$t/prog" \
		>"$t/$name.out" 2>&1
}
logs=$top/build/vm

run once panic pass
rc=$?
tap_ok '[ $rc = 0 ] && [ "$(cat "$t/boots")" = 2 ] &&
	matches "died before init" <"$t/once.out" &&
	matches "Oops: int3" <"$logs/unit-retry-once/console.first-boot.log"' \
	"a boot that died before init is booted again, judged on the second (exit $rc), first console kept"

run twice panic panic
rc=$?
tap_ok '[ $rc != 0 ] && [ "$(cat "$t/boots")" = 2 ] &&
	matches "Bail out! the guest died before init, twice" <"$t/twice.out"' \
	"dying before init twice fails the run (exit $rc)"

run late fail-late pass
rc=$?
tap_ok '[ $rc != 0 ] && [ "$(cat "$t/boots")" = 1 ]' \
	"an Oops after init is not retried: the run fails (exit $rc)"

run clean pass
rc=$?
tap_ok '[ $rc = 0 ] && [ "$(cat "$t/boots")" = 1 ]' "a good boot runs once (exit $rc)"

rm -rf "$logs"/unit-retry-*
tap_done
