#!/bin/bash
# aioring.h next to the headers it must live with: the distribution's
# <linux/aio_abi.h> (with or without the aio-ring definitions),
# <linux/io_uring.h> and <liburing.h> in either order, <libaio.h>, and
# C++.  Compiled (and one program that makes no system call run) on the
# build host.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cc=${CC:-gcc}
cflags="-std=gnu11 -Wall -Wextra -Werror -I$top/tools/include"

compile() {	# compile NAME EXTRA_FLAGS <<<SOURCE
	cat >"$t/$1"
	$cc $cflags $2 -c -o "$t/$1.o" "$t/$1" 2>"$t/$1.err"
}

body='int main(void) { struct aioring r; struct io_event ev; (void)ev; r.sq_entries = 2;
	return (int)(IOCTX_FLAG_SQPOLL + IORING_SQ_NEED_WAKEUP + IOCB_FLAG_HIPRI +
		     IOEV_RES2_CACHEHIT + aioring_sq_ring_size(r.sq_entries)); }'

compile plain.c "" <<<"#include \"aioring.h\"
$body"
tap_ok "[ $? = 0 ]" "aioring.h alone, -Wall -Wextra -Werror"

compile first.c "" <<<"#include \"aioring.h\"
#include <liburing.h>
$body"
tap_ok "[ $? = 0 ]" "aioring.h, then <liburing.h> (IORING_SQ_NEED_WAKEUP spelled alike)"

compile second.c "" <<<"#include <liburing.h>
#include \"aioring.h\"
$body"
tap_ok "[ $? = 0 ]" "<liburing.h>, then aioring.h"

compile uapi.c "" <<<"#include <linux/io_uring.h>
#include \"aioring.h\"
#include <linux/aio_abi.h>
$body"
tap_ok "[ $? = 0 ]" "<linux/io_uring.h> and <linux/aio_abi.h> around aioring.h"

# a kernel header that already has the aio-ring definitions (the spec's
# uapi section): aioring.h must take them as they are
mkdir -p "$t/k/linux"
sed -e '/^#undef IFBIG/,$d' /usr/include/linux/aio_abi.h >"$t/k/linux/aio_abi.h"
cat >>"$t/k/linux/aio_abi.h" <<'EOT'
#define IOCB_FLAG_HIPRI		(1 << 2)
#define IOCTX_FLAG_IOPOLL	(1 << 0)
#define IOCTX_FLAG_SCQRING	(1 << 1)
#define IOCTX_FLAG_FIXEDBUFS	(1 << 2)
#define IOCTX_FLAG_SQTHREAD	(1 << 3)
#define IOCTX_FLAG_SQWQ		(1 << 4)
#define IOCTX_FLAG_SQPOLL	(1 << 5)
#define IORING_FLAG_SUBMIT	(1 << 0)
#define IORING_FLAG_GETEVENTS	(1 << 1)
#define IORING_SQ_NEED_WAKEUP	(1U << 0)
#define IOEV_RES2_CACHEHIT	(1 << 0)
struct aio_sq_ring {
	union {
		struct {
			__u32 head, tail, nr_events;
			__u16 sq_thread_cpu, kflags;
			__u64 iocbs;
		};
		__u32 pad[16];
	};
	__u32 array[];
};
struct aio_cq_ring {
	union {
		struct { __u32 head, tail, nr_events; };
		struct io_event pad;
	};
	struct io_event events[];
};
#undef IFBIG
#undef IFLITTLE
#endif
EOT
compile kernel.c "-I$t/k" <<<"#include \"aioring.h\"
#ifndef AIORING_KERNEL_HAS_RINGS
#error the ring structures of the kernel header were not taken
#endif
$body"
tap_ok "[ $? = 0 ]" "a <linux/aio_abi.h> that has the rings: no redefinition"

if command -v "${CXX:-g++}" >/dev/null; then
	cat >"$t/cxx.cc" <<EOT
#include "aioring.h"
#include <liburing.h>
$body
EOT
	${CXX:-g++} -Wall -Wextra -Werror -I"$top/tools/include" -c -o "$t/cxx.o" "$t/cxx.cc" 2>"$t/cxx.err"
	tap_ok "[ $? = 0 ]" "C++ (g++) with <liburing.h>"
else
	echo "ok $((tap_n += 1)) - C++ # SKIP no g++"
fi

# <libaio.h> declares its own struct iocb and struct io_event: after it
# (or with AIORING_WITH_LIBAIO) aioring.h leaves <linux/aio_abi.h> out
# and works with its twins, so both APIs live in one translation unit.
# The program preps the same read both ways and compares the bytes (no
# system call).
libaio_body='#include <stddef.h>
#include <stdio.h>
int main(void)
{
	static char buf[4096];
	struct iocb la;
	aioring_iocb_t ar;
	aioring_event_t ev;
	struct io_event lev;
	struct aioring r;

	memset(&r, 0, sizeof(r));
	io_prep_pread(&la, 7, buf, sizeof(buf), 8192);
	aioring_prep_read(&r, &ar, 7, buf, sizeof(buf), 8192);
	if (sizeof(la) != sizeof(ar) || memcmp(&la, &ar, sizeof(la)))
		return 1;
	io_prep_fsync(&la, 3);
	aioring_prep_fsync(&r, &ar, 3);
	if (memcmp(&la, &ar, sizeof(la)))
		return 2;
	if (sizeof(ev) != sizeof(lev) || offsetof(aioring_event_t, res2) !=
	    offsetof(struct io_event, res2))
		return 3;
	puts("same iocb");
	return (int)r.sq_entries + (IOCTX_FLAG_SQPOLL & AIORING_CMD_PREAD);
}'
lflags="-D_POSIX_C_SOURCE=200809L -pedantic"	# libaio.h needs sigset_t
for std in c99 c11 c17; do
	cflags="-std=$std -Wall -Wextra -Werror -I$top/tools/include" \
	compile "libaio-$std.c" "$lflags" <<<"#include <libaio.h>
#include \"aioring.h\"
$libaio_body"
	tap_ok "[ $? = 0 ]" "<libaio.h>, then aioring.h: -std=$std -pedantic"
done
$cc $cflags -o "$t/libaio" "$t/libaio-c11.c" 2>>"$t/libaio.c.err"
tap_ok "[ \"\$($t/libaio)\" = 'same iocb' ]" \
	"io_prep_pread()/io_prep_fsync() and aioring_prep_read()/_fsync() write the same bytes"
cflags="-std=c99 -Wall -Wextra -Werror -I$top/tools/include" \
compile with.c "$lflags" <<<"#define AIORING_WITH_LIBAIO 1
#include \"aioring.h\"
#include <libaio.h>
$libaio_body"
tap_ok "[ $? = 0 ]" "AIORING_WITH_LIBAIO: aioring.h first, then <libaio.h>"
compile plainlibaio.c "" <<<"#include \"aioring.h\"
#include <libaio.h>
int main(void) { return 0; }"
tap_ok "[ $? != 0 ]" "aioring.h first without AIORING_WITH_LIBAIO: two struct iocb (documented)"
if command -v clang >/dev/null; then
	cc=clang cflags="-std=c11 -Wall -Wextra -Werror -I$top/tools/include" \
	compile clang.c "$lflags" <<<"#include <libaio.h>
#include \"aioring.h\"
$libaio_body"
	tap_ok "[ $? = 0 ]" "clang: <libaio.h> and aioring.h"
fi
if command -v "${CXX:-g++}" >/dev/null; then
	cat >"$t/libaio.cc" <<EOT
#include <libaio.h>
#include "aioring.h"
$libaio_body
EOT
	${CXX:-g++} -Wall -Wextra -Werror -I"$top/tools/include" -c -o "$t/libaio.cc.o" "$t/libaio.cc" 2>"$t/libaio.cc.err"
	tap_ok "[ $? = 0 ]" "C++ (g++): <libaio.h> and aioring.h"
fi

# without <libaio.h> the API types are the kernel's own
compile kernel-types.c "" <<<"#include \"aioring.h\"
int main(void) { struct aioring r = { 0 }; struct iocb *cb = aioring_get_iocb(&r);
	struct io_event *ev = aioring_cq_peek(&r); return !cb + !ev; }"
tap_ok "[ $? = 0 ]" "alone: aioring_iocb_t is struct iocb, aioring_event_t struct io_event"

for f in "$t"/*.err; do [ -s "$f" ] && [ "$(basename "$f")" != plainlibaio.c.err ] && sed 's/^/# /' "$f"; done
tap_done
