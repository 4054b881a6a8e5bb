#!/bin/bash
# Write, for each test program, a wrapper that runs it with extra
# environment variables: the VM harness (tests/vm/run-vm.sh) passes no
# environment of its own, so long runs and replays go through these.
#
#   env-wrap.sh OUTDIR 'NAME=VALUE ...' PROGRAM|DIRECTORY...
#
# OUTDIR/NAME is made for every program (a directory stands for the
# executables in it); give OUTDIR to run-vm.sh. The wrappers find their
# programs relative to themselves, so they work wherever the project is
# mounted in the guest, as long as both stay inside it.
set -euo pipefail

[ $# -ge 3 ] || { sed -n '2,/^set/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
out=$1 vars=$2
shift 2
for v in $vars; do
	[[ $v =~ ^[A-Za-z_][A-Za-z0-9_]*=[A-Za-z0-9_.:/,+-]*$ ]] ||
		{ echo "env-wrap: not NAME=VALUE (plain characters): $v" >&2; exit 2; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
for w in "$@"; do
	if [ -d "$w" ]; then progs=("$w"/*); else progs=("$w"); fi
	for p in "${progs[@]}"; do
		if [ ! -f "$p" ] || [ ! -x "$p" ]; then continue; fi
		p=$(realpath "$p")
		rel=$(realpath --relative-to="$out" "$p")
		{
			echo '#!/bin/sh'
			for v in $vars; do echo "export $v"; done
			# shellcheck disable=SC2016 # expanded by the wrapper
			printf 'exec "$(dirname "$0")/%s" "$@"\n' "$rel"
		} >"$out/${p##*/}"
		chmod +x "$out/${p##*/}"
	done
done
