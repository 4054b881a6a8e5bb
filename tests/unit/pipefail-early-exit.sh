#!/bin/bash
# The package tests' shell checks under `set -o pipefail` must not pipe
# into a reader that may stop early (grep -q, grep -m, head): the writer
# then dies of SIGPIPE, and pipefail turns a match into a failure, or, under
# `!`, a found forbidden line into a pass. CI's autopkgtest tools-smoke
# failed so ("ldd smoke | grep -q libaioring.so.2", ldd's cat was still
# writing). The checks read the whole output instead (matches(), tap.sh).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
cd "$top" || exit 1

# The mechanism, deterministic: a writer longer than the pipe buffer.
tap_ok '! (set -o pipefail; seq 1 200000 | grep -q "^1$")' \
	"under pipefail, grep -q on a long writer's first line fails (SIGPIPE)"
tap_ok '(set -o pipefail; seq 1 200000 | matches "^1$")' \
	"tap.sh's matches() reads everything and succeeds"

# Every shell script of the project that sets pipefail (but this one, whose first
# check does it on purpose), its lines that pipe into an early-exiting
# reader (comments left out)
early='\|[[:space:]]*(grep[[:space:]]+(-[a-zA-Z]*[qm]|--quiet|--max-count)|head\b)'
# A source package is no git tree of its own, but it may be unpacked
# inside one (CI builds it under the clone's build/): then the project's
# own directories, less debian/build, where the package build puts its
# kernel tree (whose scripts are not ours).
# pipefail_scripts DIR: those scripts of the project in DIR
pipefail_scripts() (
	cd "$1" || exit 1
	if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(pwd -P)" ]; then
		git ls-files -z
	else
		find .ci Makefile debian kernel rpm tests tools -path debian/build -prune -o -type f -print0
	fi | xargs -0 grep -lE 'set -[a-z]*o pipefail' -- 2>/dev/null |
		xargs -r grep -lE '^#!.*(ba)?sh' -- | grep -vx tests/unit/pipefail-early-exit.sh
)

# the listing itself, on a package tree unpacked inside a git clone,
# with a kernel tree built in it (as in CI's package build)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pkg=$t/clone/build/src/pkg
mkdir -p "$pkg/tests" "$pkg/debian/build/linux/scripts" "$pkg/kernel" "$pkg/rpm" "$pkg/tools" "$pkg/.ci"
printf '#!/bin/bash\nset -euo pipefail\necho ours\n' >"$pkg/tests/ours.sh"
printf '#!/bin/sh\nset -o pipefail\nls | head -1\n' >"$pkg/debian/build/linux/scripts/theirs.sh"
: >"$pkg/Makefile"
git init -q "$t/clone" 2>/dev/null
found=$(pipefail_scripts "$pkg")
# shellcheck disable=SC2016 # tap_ok evaluates it
tap_ok '[ "$found" = tests/ours.sh ]' \
	"a package tree inside a git clone: its own scripts, not debian/build's (found: ${found//$'\n'/ })"

scripts=$(pipefail_scripts "$top")
# shellcheck disable=SC2016 # tap_ok evaluates it
tap_ok '[ "$(wc -w <<<"$scripts")" -ge 10 ]' "the pipefail scripts are found ($(wc -w <<<"$scripts"))"
hits=$(for f in $scripts; do grep -nE "$early" "$f" | grep -vE '^[0-9]+:[[:space:]]*#' | sed "s|^|$f:|"; done)
# shellcheck disable=SC2016 # tap_ok evaluates it
tap_ok '[ -z "$hits" ]' "no pipe into grep -q/-m or head in pipefail scripts"
[ -n "$hits" ] && sed -n '1,40s/^/#   /p' <<<"$hits"
tap_done
