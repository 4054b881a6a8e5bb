#!/bin/bash
# tmt prepare: point dnf at the linux-aioring repository (AIORING_DNF_REPO,
# the baseurl of build/pkg/repo/dnf/BASE as this machine reaches it). The
# .repo file follows the template 'make repo' writes next to the
# repository; gpgcheck follows it too.
set -euo pipefail
repo=${AIORING_DNF_REPO:?set AIORING_DNF_REPO to the baseurl of the linux-aioring dnf repository}
gpgcheck=${AIORING_DNF_GPGCHECK:-0}
cat >/etc/yum.repos.d/linux-aioring.repo <<REPO
[linux-aioring]
name=linux-aioring
baseurl=$repo
enabled=1
gpgcheck=$gpgcheck
repo_gpgcheck=0
${AIORING_DNF_GPGKEY:+gpgkey=$AIORING_DNF_GPGKEY}
REPO
dnf -q makecache --repo linux-aioring
