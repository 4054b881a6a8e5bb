#!/bin/bash
# Build a trivial module against /lib/modules/K/build (kernel-aioring-devel)
# and, when the flavour runs, load and unload it. Exit 77 when the
# flavour does not run: the build alone is then checked and reported.
set -euo pipefail
K=${AIORING_PKGTEST_KERNEL:-6.1.0-56-aioring-amd64}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cat >"$t/aioring_hello.c" <<'C'
#include <linux/module.h>
static int __init hello_init(void) { pr_info("aioring_hello: loaded\n"); return 0; }
static void __exit hello_exit(void) { }
module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
C
echo 'obj-m := aioring_hello.o' >"$t/Kbuild"
make -C "/lib/modules/$K/build" M="$t" modules
vermagic=$(modinfo -F vermagic "$t/aioring_hello.ko")
case $vermagic in "$K "*) ;; *) echo "FAIL: vermagic '$vermagic'" >&2; exit 1 ;; esac
echo "PASS: built against kernel-aioring-devel ($vermagic)"
if [ "$(uname -r)" != "$K" ]; then
	echo "SKIP: not running $K: the module is not loaded"
	exit 77
fi
insmod "$t/aioring_hello.ko"
grep -q '^aioring_hello ' /proc/modules
rmmod aioring_hello
echo "PASS: loaded and unloaded"
