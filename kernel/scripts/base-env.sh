# shellcheck shell=bash
# Sourced (bash) by the scripts that ask the archive about a base:
# base_env VERSION_ENV reads the base's version file and, when its
# DEBIAN_SUITE is not this machine's Debian release, points apt at that
# suite (APT_CONFIG from suite-apt.sh), so that Debian 13's kernel is
# found from a Debian 12 machine. Needs $top, the top of the tree.

base_env() {
	local host

	# shellcheck source=kernel/version.env
	. "$1"
	host=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	if [ -n "${DEBIAN_SUITE:-}" ] && [ "$DEBIAN_SUITE" != "$host" ]; then
		# shellcheck disable=SC2154 # $top is the sourcing script's
		APT_CONFIG=$("$top/kernel/scripts/suite-apt.sh" "$DEBIAN_SUITE") || return 1
		export APT_CONFIG
	fi
}
