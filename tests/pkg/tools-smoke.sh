#!/bin/bash
# The installed tools and library, on any kernel: aioring-bench --help and
# --version, the man pages, pkg-config's aioring.pc, a program compiled and
# linked against libaioring (shared and static) that runs. Where the
# flavour is running the program also probes the kernel (elsewhere
# io_setup2 may not exist, and system call 335 is not always harmless).
# The fio engine has its own test, fio-engine.sh. TAP on stdout.
#
#   tools-smoke.sh     (AIORING_PKGTEST_KERNEL overrides K)
set -euo pipefail
# shellcheck source=tests/pkg/flavour.sh
. "$(dirname "$0")/flavour.sh"
# shellcheck source=tests/pkg/smoke.sh
. "$(dirname "$0")/smoke.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/tools-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT

run "aioring-bench --help" aioring-bench --help
has '^usage: aioring-bench' "  ... prints the usage"
has '--polled' "  ... lists --polled"
run "aioring-bench --version" aioring-bench --version
has '^aioring-bench [0-9]+\.[0-9]+' "  ... prints name and version"

for page in aioring-bench.1 io_setup2.2 io_ring_enter.2 libaioring.3; do
	name=${page%.*} sec=${page##*.}
	run "man page $name($sec) is installed" man -w "$sec" "$name"
	run "man $sec $name renders" env MANWIDTH=80 man -P cat "$sec" "$name"
	has "^NAME|^N.?NA.?AM.?ME" "  ... with a NAME section"
done

run "pkg-config --modversion aioring" pkg-config --modversion aioring
run "pkg-config --cflags aioring" pkg-config --cflags aioring
run "pkg-config --libs aioring" pkg-config --libs aioring
has '-laioring' "  ... links -laioring"

cat >"$work/smoke.c" <<'C'
/* Uses the installed aioring.h and libaioring: flag names, and with
 * "probe" what the running kernel supports. */
#include <stdio.h>
#include <string.h>
#include <aioring.h>

int main(int argc, char **argv)
{
	struct aioring_probe pr;
	char buf[128];

	if (aioring_flags_str(IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SQPOLL, buf, sizeof(buf)) < 0)
		return 1;
	printf("flags %s\n", buf);
	if (argc > 1 && !strcmp(argv[1], "probe")) {
		if (aioring_probe(&pr, NULL))
			return 2;
		printf("present %d error %d flags_ok 0x%x\n", pr.present, pr.error, pr.flags_ok);
		return pr.present && !pr.error ? 0 : 3;
	}
	return 0;
}
C
read -r -a cflags <<<"$(pkg-config --cflags aioring)"
read -r -a libs <<<"$(pkg-config --libs aioring)"
read -r -a static_libs <<<"$(pkg-config --static --libs aioring)"
run "cc against libaioring (shared)" \
	cc -Wall -Wextra -Werror "${cflags[@]}" -o "$work/smoke" "$work/smoke.c" "${libs[@]}"
run "cc against libaioring.a (static library)" \
	cc -Wall -Wextra -Werror "${cflags[@]}" -o "$work/smoke-static" "$work/smoke.c" \
	-Wl,-Bstatic "${static_libs[@]}" -Wl,-Bdynamic
# shellcheck disable=SC2016
tap_ok 'ldd "$work/smoke" | matches "libaioring\.so\.2 => /"' \
	"the shared build uses the installed libaioring.so.2"
run "the program runs" "$work/smoke"
has 'flags IOPOLL\|SQPOLL' "  ... libaioring names the flags"
run "the static build runs" "$work/smoke-static"
if [ "$running_k" = 1 ]; then
	run "the program probes the running $K" "$work/smoke" probe
	has 'present 1 error 0' "  ... io_setup2 present and usable"
else
	echo "ok $((tap_n += 1)) - probe of the kernel # SKIP $K is not running"
fi

tap_done
