#!/bin/bash
# aioring.h alone under the language standards a client may use: C99, C11
# and C17 with gcc and clang, C++17 with g++ (and clang++), each with
# -Wall -Wextra -pedantic -Werror and without _GNU_SOURCE.  The program
# uses every inline helper, and checks the ring header layout of the spec
# (SQ header 64 bytes, CQ header one io_event) at compile time.  Compiled
# only, on the build host.  A compiler that is not installed is a skip
# line, never a pass.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
warn=(-Wall -Wextra -pedantic -Werror)

cat >"$t/use.c" <<'EOT'
#include "aioring.h"

#define LAYOUT(name, cond) typedef char name[(cond) ? 1 : -1]
LAYOUT(sq_header, offsetof(struct aio_sq_ring, array) == 64);
LAYOUT(sq_iocbs, offsetof(struct aio_sq_ring, iocbs) == 16);
LAYOUT(sq_kflags, offsetof(struct aio_sq_ring, kflags) == 14);
LAYOUT(cq_header, offsetof(struct aio_cq_ring, events) == 32);
LAYOUT(cq_nr, offsetof(struct aio_cq_ring, nr_events) == 8);

int use(struct aioring *r, struct io_event *evs);

int use(struct aioring *r, struct io_event *evs)
{
	struct io_event *e;
	int n = 0;

	aioring_prep_pread(aioring_iocb(r, 0), 3, evs, 4096, 0, 1);
	aioring_prep_pwrite(aioring_iocb(r, 1), 3, evs, 4096, 4096, 2);
	if (aioring_sq_space(r) > 1) {
		aioring_sq_queue(r, 0);
		aioring_sq_publish(r);
	}
	if (aioring_sq_needs_wakeup(r))
		n += aioring_enter(r, 1, 0, IORING_FLAG_SUBMIT);
	e = aioring_cq_peek(r);
	if (e && (e->res2 & IOEV_RES2_CACHEHIT))
		n++;
	aioring_cq_advance(r, aioring_cq_ready(r));
	n += (int)aioring_reap(r, evs, 4);
	return n + (int)(aioring_sq_ring_size(8) + aioring_iocbs_size(8) +
			 aioring_cq_ring_size(8)) + aioring_submit(r) +
	       (int)aioring_io_setup2(0, IOCTX_FLAG_SQPOLL, NULL, NULL, NULL) +
	       (int)aioring_io_ring_enter(0, 0, 0, IORING_FLAG_GETEVENTS);
}
EOT
cp "$t/use.c" "$t/use.cc"

# std LANGUAGE COMPILER: one line of the matrix
std() {
	local std=$1 cc=$2 src=$t/use.c
	local what="$cc -std=$std ${warn[*]}: aioring.h alone"

	case $std in c++*) src=$t/use.cc ;; esac
	if ! command -v "$cc" >/dev/null; then
		echo "ok $((tap_n += 1)) - $what # SKIP $cc not installed"
		return
	fi
	"$cc" -std="$std" "${warn[@]}" -I"$top/tools/include" -c -o "$t/use.o" "$src" \
		>"$t/err" 2>&1
	tap_ok "[ $? = 0 ]" "$what"
	sed 's/^/# /' "$t/err" | head -n 20
}

for cc in gcc clang; do
	for s in c99 c11 c17; do
		std $s $cc
	done
done
std c++17 g++
std c++17 clang++

# the header declares no system call: no syscall() and no <unistd.h>
tap_ok "! grep -Eq 'syscall\\(__NR|#include <(unistd|sys/syscall)\\.h>' '$top/tools/include/aioring.h'" \
	"aioring.h neither calls nor declares syscall()"
tap_done
