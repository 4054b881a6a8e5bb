# shellcheck shell=bash
# What the kernel prints when something is wrong (sourced): BUG/WARNING/
# Oops, KASAN, UBSAN, lockdep, hung tasks, kmemleak, panics. The same list
# as tests/vm/check-results.sh; a line naming the kernel command line is
# not a report (callers drop lines matching 'ommand line').
# shellcheck disable=SC2034
SPLAT_RE='BUG:|WARNING:|Oops|KASAN|UBSAN|general protection fault|Kernel panic'
SPLAT_RE+='|possible circular locking|possible recursive locking|inconsistent lock state'
SPLAT_RE+='|DEBUG_LOCKS_WARN_ON|hung_task|INFO: task .* blocked for more than'
SPLAT_RE+='|unreferenced object|suspected memory leak'
