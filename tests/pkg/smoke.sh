# shellcheck shell=bash
# Sourced by tools-smoke.sh and fio-engine.sh after flavour.sh: run and
# has, their TAP checks of a command and its output.

# run WHAT COMMAND...: the command exits 0; output in $out, shown as comments
run() {
	local what=$1
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	# no pipe into head: with pipefail, sed's SIGPIPE would end the script
	sed -n '1,40s/^/# /p' <<<"$out"
	tap_ok "[ $rc = 0 ]" "$what (exit $rc)"
}
has() {	# has REGEX WHAT: the last output matches
	# shellcheck disable=SC2016 # tap_ok evaluates it
	tap_ok "grep -Eq -- $(printf %q "$1") <<<\"\$out\"" "$2"
}
