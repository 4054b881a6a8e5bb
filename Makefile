# linux-aioring: the one entry point. 'make help' lists the targets.
#
# The real work is in small scripts under kernel/scripts, tests/vm and
# tests; this file says what depends on what.

PROFILE ?= vm-debug
NPROC := $(shell nproc)
BUILD := build
# BASE picks the base: trixie (kernel/bases/trixie, Debian 13's linux
# 6.12; trees and objects in build/trixie/) or bookworm (kernel/version.env,
# Debian 12's linux 6.1; build/). Every kernel, test and package target
# takes it. The default is the distribution of debian/changelog, the
# default base's package changelog (kernel/scripts/base.sh): trixie.
BASE ?= $(shell head -n 1 debian/changelog | cut -d ' ' -f 3 | tr -d ';')
BASE := $(BASE)
export BASE
BASE_BUILD = $(if $(filter bookworm,$(BASE)),$(BUILD),$(BUILD)/$(BASE))
OBJ = $(BASE_BUILD)/obj-$(PROFILE)
BZIMAGE = $(OBJ)/arch/x86/boot/bzImage
DEBUG_BZIMAGE = $(BASE_BUILD)/obj-vm-debug/arch/x86/boot/bzImage
# guests of another base log to build/vm/NAME-BASE
VM_SUFFIX = $(if $(filter bookworm,$(BASE)),,-$(BASE))

CC ?= gcc
CFLAGS ?= -O2 -g
TEST_CFLAGS = $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
              -Itests/lib -Itools/include

# Debian 12 packages that testing needs besides the source package's
# Build-Depends ('make deps' installs both; debian/control, generated from
# debian/templates, is the one list of what the build needs).
DEPS = build-essential git ccache python3 xz-utils \
       qemu-system-x86 e2fsprogs xfsprogs util-linux procps gnuplot-nox linux-perf

.PHONY: help deps kernel kernel-tree kernel-export kernel-config kernel-each tests \
        unit-check vm-check other-kernel other-check check vm-shell checkpatch clean distclean \
        tools fio-engine unit-tests tools-vm-check bench

help:
	@echo "linux-aioring targets:"
	@echo "  make deps            install the Debian packages the build and tests need (root)"
	@echo "  make check           build what is needed and run every test suite"
	@echo "                      (CHECK_KERNEL=IMAGE|DEB: boot that kernel, e.g. a vm-debug package's)"
	@echo "  make other-check     only make check's second guest: the other base's regress, ABI, fuzz-check"
	@echo "  make kernel          build the kernel (PROFILE=vm-debug|vm|distro, default $(PROFILE))"
	@echo "  make base-status     the pinned Debian upload and the newest offered (exit 1: behind)"
	@echo "  make rebase-base     move to the newest Debian upload (VERSION=... for another)"
	@echo "  make kernel-tree     prepare build/linux: Debian source + kernel/patches as git commits"
	@echo "  make kernel-export   write the commits of build/linux back to kernel/patches"
	@echo "  make checkpatch      run checkpatch.pl --strict on kernel/patches"
	@echo "  make kernel-each     build every patch of the series on its own"
	@echo "  make vm-shell        interactive shell in a guest running the PROFILE kernel"
	@echo "  make tools           build libaioring and aioring-bench (build/tools)"
	@echo "  make tools-vm-check  run the aioring-bench checks (tests/tools) in a guest"
	@echo "  make bench           benchmark matrix on null_blk in a vm-kernel guest: build/bench/report.md"
	@echo "  make bench-compare   two runs side by side (OLD=.../report.json NEW=.../report.json)"
	@echo "  make deb             Debian packages of BASE in build/pkg/deb or build/BASE/pkg/deb (PKG_PROFILE=distro|vm|vm-debug)"
	@echo "  make rpm             RPMs of BASE in build/pkg/rpm or build/BASE/pkg/rpm (PKG_PROFILE=distro|vm|vm-debug)"
	@echo "  make repo            packages plus apt and dnf repositories in build/pkg/repo"
	@echo "  make check-packages  vm-profile packages: lint, contents, apt install, boot, autopkgtest"
	@echo "  make release-check   the same for the distro-profile packages users install (hours)"
	@echo "  make fuzz            syscall fuzzer on vm-debug (DURATION=seconds, FUZZ_SEED=N)"
	@echo "  make fault           fault-injection suite on vm-debug"
	@echo "  make stress          verified stress run on vm-debug (DURATION=seconds)"
	@echo "  make reliability-report  build/reliability/report.md from the last runs"
	@echo "  make clean           remove build products (keeps the unpacked source)"

# Debian's kernel source of each base's pinned upload is fetched (and its
# sha256 checked) into build/src; when the archive no longer offers it, deps says
# so in one line and still installs everything else. The machine is
# Debian 12: the Build-Depends installed are the bookworm base's (the
# trixie packages build in a Debian 13 root, debian/bin/build-root.sh). The installed fio's
# source goes to build/fio (the fio engine and the source package use it).
deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEPS)
	BASE=bookworm debian/bin/gencontrol.sh
	DEBIAN_FRONTEND=noninteractive apt-get build-dep -y --no-install-recommends ./
	for env in kernel/version.env kernel/bases/*/version.env; do \
		kernel/scripts/get-source.sh $$env >/dev/null || [ $$? = 3 ] || exit; \
	done
	tools/fio/fetch-fio-source.sh $(BUILD)/fio >/dev/null

# --- the base: Debian's upload the flavour is built on (kernel/version.env) --

# make base-status: pinned vs newest upload; exit 0 current, 1 behind.
# make rebase-base [BASE=...] [VERSION=...]: move the base to that upload (default the newest),
# re-apply the series, refresh the config and changelogs, run make check.
.PHONY: base-status rebase-base
base-status:
	@kernel/scripts/base-status.sh

rebase-base:
	kernel/scripts/rebase-base.sh $(VERSION)

# --- kernel -------------------------------------------------------------

kernel-tree:
	kernel/scripts/prepare-tree.sh

kernel-export:
	kernel/scripts/export-series.sh

kernel-config: kernel-tree
	kernel/scripts/configure.sh $(PROFILE)

kernel:
	kernel/scripts/build.sh $(PROFILE)

checkpatch: kernel-tree
	kernel/scripts/checkpatch.sh

# Every patch of the series builds on its own (vm profile, incremental).
kernel-each: kernel-tree
	kernel/scripts/build-each-patch.sh

# --- test programs --------------------------------------------------------

# One program per .c file: build/tests/SUITE/NAME.
TEST_SRC := $(wildcard tests/regress/*.c tests/abi/*.c tests/fuzz/*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_HDRS := $(wildcard tests/lib/*.h tests/*/*.h tools/include/*.h)

# aioring.h declares the raw system calls, libaioring has them
TEST_LIB = $(BUILD)/tools/lib/libaioring.a

$(BUILD)/tests/%: tests/%.c $(TEST_HDRS) $(TEST_LIB)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(TEST_LIB) -lpthread

$(TEST_LIB): $(wildcard tools/lib/*.c tools/lib/*.map tools/include/*.h)
	+$(TOOLS_MAKE) lib

tests: $(TEST_BIN)

# --- tools: libaioring, aioring-bench (rules in tools/Makefile) ---------------

TOOLS_MAKE = $(MAKE) -C tools O=$(abspath $(BUILD)) CC="$(CC)" CFLAGS="$(CFLAGS)"

tools:
	+$(TOOLS_MAKE) all
# fio with the project's engine, for the guests (fails without fio's source)
fio-engine:
	+$(TOOLS_MAKE) fio

# host-safe unit tests of the tools: build/tests/unit
unit-tests:
	+$(TOOLS_MAKE) all unit

# --- checks -----------------------------------------------------------------

CHECK := $(BUILD)/check

unit-check: unit-tests
	@mkdir -p $(CHECK)
	tests/run-tests.sh -t 120 -p unit: tests/unit $(BUILD)/tests/unit | tee $(CHECK)/unit.tap

# The fio engine needs fio's source (apt-get source): without it the
# engine's suite reports a skip, with its reason.
# VM_TESTS picks a subset, e.g. make check VM_TESTS=build/tests/abi/ring-irq
# make check runs the short forms of the reliability suites: every fault
# program once (make fault for more rounds) and four fuzz seeds
# (tests/fuzz/fuzz-check.sh; make fuzz for a long run).
# The suites that look for leaks run first, under kmemleak; then
# tests/vm/kmemleak-off.sh reports what kmemleak found and switches it
# off, and the others run without its cost (a stack trace recorded per
# allocation: a third of the guest's time in process creation).
CHECK_FAULT = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/fault/*.c))
VM_TESTS ?= $(CHECK_FAULT) tests/fuzz/fuzz-check.sh tests/stress/run.sh \
            tests/vm/kmemleak-off.sh $(BUILD)/tests/regress $(BUILD)/tests/abi tests/tools

# VM_PROFILE: the kernel of the guest (vm-debug; vm for a quicker run)
VM_PROFILE ?= vm-debug
# CHECK_KERNEL=IMAGE|DEB: the guest of BASE boots that kernel instead of
# building VM_PROFILE's: a bzImage, or a linux-image .deb (make deb
# PKG_PROFILE=vm-debug builds one with the vm-debug config; CI runs
# make check on its package build's kernel, tests/vm/kernel-image.sh).
CHECK_KERNEL ?=
VM_KERNEL = $(if $(CHECK_KERNEL),$(CHECK)/vmlinuz$(VM_SUFFIX),$(BASE_BUILD)/obj-$(VM_PROFILE)/arch/x86/boot/bzImage)
vm-check: tests tools
	@mkdir -p $(CHECK)
	-@$(MAKE) --no-print-directory fio-engine
ifeq ($(CHECK_KERNEL),)
	$(MAKE) kernel PROFILE=$(VM_PROFILE)
else
	tests/vm/kernel-image.sh $(CHECK_KERNEL) $(VM_KERNEL)
endif
	tests/vm/run-vm.sh -n check$(VM_SUFFIX) -T 3000 -k $(VM_KERNEL) \
		$(VM_TESTS) | tee $(CHECK)/vm$(VM_SUFFIX).tap

# make check runs every suite on BASE and, in a second guest, the
# regression, ABI and fuzz-check suites on the other base (OTHER_BASE,
# its kernel OTHER_PROFILE; CHECK_OTHER=0 leaves it out). The other
# base's kernel builds at nice 19 while the first guest runs (log:
# build/check/kernel-OTHER_BASE.log). Every suite runs even when an
# earlier one failed; the summary line decides.
OTHER_BASE ?= $(if $(filter bookworm,$(BASE)),trixie,bookworm)
OTHER_PROFILE ?= vm-debug
CHECK_OTHER ?= 1
OTHER_TESTS = $(BUILD)/tests/regress $(BUILD)/tests/abi tests/fuzz/fuzz-check.sh
OTHER_TAP = $(CHECK)/vm$(if $(filter bookworm,$(OTHER_BASE)),,-$(OTHER_BASE)).tap
# the kernel of make check's second guest (CI starts it early)
other-kernel:
	$(MAKE) --no-print-directory kernel BASE=$(OTHER_BASE) PROFILE=$(OTHER_PROFILE)
OTHER_VM_CHECK = --no-print-directory vm-check BASE=$(OTHER_BASE) CHECK_KERNEL= \
	VM_PROFILE=$(OTHER_PROFILE) VM_TESTS="$(OTHER_TESTS)"
# make check's second guest alone, with its summary (CI runs it beside
# make check CHECK_OTHER=0, with another CHECK directory)
other-check:
	@mkdir -p $(CHECK)
	-@$(MAKE) $(OTHER_VM_CHECK)
	@tests/summarize.sh $(OTHER_TAP)

check:
	@rm -rf $(CHECK); mkdir -p $(CHECK)
	-@$(MAKE) --no-print-directory unit-check
	-@$(if $(CHECK_KERNEL),:,$(MAKE) --no-print-directory kernel PROFILE=$(VM_PROFILE))
ifeq ($(CHECK_OTHER),1)
	-@nice -n 19 $(MAKE) --no-print-directory other-kernel \
		>$(CHECK)/kernel-$(OTHER_BASE).log 2>&1 & \
	$(MAKE) --no-print-directory vm-check; wait
	-@$(MAKE) $(OTHER_VM_CHECK)
else
	-@$(MAKE) --no-print-directory vm-check
endif
	@tests/summarize.sh $(CHECK)/unit.tap $(CHECK)/vm$(VM_SUFFIX).tap \
		$(if $(filter 1,$(CHECK_OTHER)),$(OTHER_TAP))

# aioring-bench against the PROFILE kernel in a guest
tools-vm-check: tools
	$(MAKE) kernel
	tests/vm/run-vm.sh -n tools$(VM_SUFFIX) -k $(BZIMAGE) tests/tools

# The benchmark matrix (tools/bench/vm-bench.sh) on the vm kernel, then
# build/bench/report.md, report.json, iops.svg and the ratio table; the
# report is written even when a run failed, the exit status says so.
BENCH_BZIMAGE = $(BASE_BUILD)/obj-vm/arch/x86/boot/bzImage

# BENCH_BASELINE=OLD/report.json puts an earlier run's targets beside
# this run's; make bench-compare OLD=a/report.json NEW=b/report.json
# prints two runs' medians side by side.
BENCH_BASELINE ?=
bench: tools
	-@$(MAKE) --no-print-directory fio-engine
	$(MAKE) kernel PROFILE=vm
	tests/vm/run-vm.sh -n bench$(VM_SUFFIX) -T 4200 -t 3600 -k $(BENCH_BZIMAGE) tools/bench/vm-bench.sh; \
	rc=$$?; tools/bench/bench-report.py $(if $(BENCH_BASELINE),--baseline $(BENCH_BASELINE)) \
		$(BUILD)/vm/bench$(VM_SUFFIX)/tap.log $(BUILD)/bench$(VM_SUFFIX) || rc=1; \
	exit $$rc

.PHONY: bench-compare
bench-compare:
	tools/bench/bench-report.py --compare $(OLD) $(NEW)

# --- packages: make deb, make rpm, make repo, make check-packages ----------

# (debian/bin, rpm/scripts and tests/pkg hold the scripts)
# PKG_PROFILE=distro builds what users install (hours on 2 CPUs); vm the
# same packages from the small vm config, without the -dbg package;
# vm-debug from the vm-debug config (KASAN, lockdep), as CI does.
PKG_PROFILE ?= distro
DEPS += dpkg-dev lintian apt-utils gnupg rsync

.PHONY: deb repo
deb:
	debian/bin/build-debs.sh --profile $(PKG_PROFILE)

# apt and dnf repositories of the packages (apt: a distribution per base,
# dnf: a repository per base, of the bases with packages); the BASE's
# are built first when there are none ('make deb' and 'make rpm' rebuild
# them)
repo: $(if $(wildcard $(BASE_BUILD)/pkg/deb/*.changes),,deb) \
      $(if $(wildcard $(BASE_BUILD)/pkg/rpm/RPMS/*/*.rpm),,rpm)
	debian/bin/make-apt-repo.sh $(BUILD)/pkg/repo
	rpm/scripts/make-dnf-repo.sh

# RPMs with rpmbuild on this Debian host: build/pkg/rpm/{RPMS,SRPMS}, or
# build/BASE/pkg/rpm (rpm/scripts/build-rpms.sh: the kernel of a base of
# another Debian release builds in a root of that release, with its
# compiler; PKG_PROFILE=vm is rpmbuild --with vm)
DEPS += rpm rpm2cpio rpmlint createrepo-c python3-yaml elfutils
.PHONY: rpm
rpm:
	rpm/scripts/build-rpms.sh -p $(PKG_PROFILE)

# vm-profile packages (pkg.linux-aioring.nodbg), their checks, make repo,
# then apt install into a root of the base's Debian release (cached in
# build/pkg/cache), its own kernel booted under QEMU, autopkgtest there:
# build/pkg/autopkgtest/
DEPS += mmdebstrap autopkgtest e2fsprogs dpkg-dev
.PHONY: check-packages
check-packages:
	tests/pkg/check-packages.sh

# The same for what users install: the distro-profile packages (Debian's
# full config, hours on two CPUs), their kernel booted in the test root.
# It takes up the kernel tree of the last distro build, finished or
# interrupted, compiling only what changed since (RESUME=0: from scratch).
RESUME ?= 1
.PHONY: release-check
release-check:
	AIORING_PKG_RESUME=$(RESUME) AIORING_LINT_FULL_SOURCE=1 \
		tests/pkg/check-packages.sh -p distro -T 7200

# --- reliability: make fuzz, make stress, make reliability-report -----------

# (tests/fuzz, tests/fault, tests/stress hold the programs)

# make fuzz DURATION=seconds: the syscall fuzzer (tests/fuzz/aioring-fuzz.c)
# on the vm-debug kernel for DURATION seconds; FUZZ_SEED=N replays a seed.
# Logs and the "# figure: fuzz.*" lines: build/vm/fuzz/. FUZZ_BZIMAGE runs
# an already built kernel instead of building the vm-debug one.
FUZZ_DURATION = $(or $(DURATION),1800)
FUZZ_SEED ?=
FUZZ_BZIMAGE ?=
FUZZ_RUN = $(BUILD)/fuzz/aioring-fuzz-run

.PHONY: fuzz
fuzz: tests
ifeq ($(FUZZ_BZIMAGE),)
	$(MAKE) kernel PROFILE=vm-debug
endif
	@mkdir -p $(BUILD)/fuzz
	@printf '#!/bin/sh\n# written by make fuzz\nexec %s --duration %s %s\n' \
		"$(CURDIR)/$(BUILD)/tests/fuzz/aioring-fuzz" "$(FUZZ_DURATION)" \
		"$(if $(FUZZ_SEED),--seed $(FUZZ_SEED))" >$(FUZZ_RUN)
	@chmod +x $(FUZZ_RUN)
	tests/vm/run-vm.sh -n fuzz$(VM_SUFFIX) -T $$(( $(FUZZ_DURATION) + 1200 )) -t $$(( $(FUZZ_DURATION) + 600 )) \
		-k $(or $(FUZZ_BZIMAGE),$(DEBUG_BZIMAGE)) $(FUZZ_RUN)

# The fault and stress programs build with the other test programs.
RELIABILITY_SRC := $(wildcard tests/fault/*.c tests/stress/*.c)
tests: $(RELIABILITY_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: fault stress reliability-report

# make fault [FAULT_ROUNDS=N] [FAULT_SEED=S] [FAULT_PROGRAMS="kill-random ..."]
# [FAULT_SECONDS=S]: the fault suite (or the named programs of tests/fault)
# alone, on the vm-debug kernel (make check runs its short form); the
# guest gets FAULT_SECONDS for the programs. The wrappers of
# build/fault/bin hand the knobs to the programs in the guest.
FAULT_ROUNDS ?=
FAULT_SEED ?=
FAULT_PROGRAMS ?= $(notdir $(basename $(wildcard tests/fault/*.c)))
FAULT_SECONDS ?= 3600
fault: tests
	$(MAKE) kernel PROFILE=vm-debug
	rm -rf $(BUILD)/fault/bin
	tests/lib/env-wrap.sh $(BUILD)/fault/bin \
		"$(if $(FAULT_ROUNDS),AIORING_FAULT_ROUNDS=$(FAULT_ROUNDS)) $(if $(FAULT_SEED),AIORING_FAULT_SEED=$(FAULT_SEED))" \
		$(addprefix $(BUILD)/tests/fault/,$(FAULT_PROGRAMS))
	tests/vm/run-vm.sh -n fault$(VM_SUFFIX) -T $$(( $(FAULT_SECONDS) + 3600 )) -t $(FAULT_SECONDS) \
		-k $(DEBUG_BZIMAGE) $(BUILD)/fault/bin

# make stress DURATION=SECONDS [STRESS_PROCESSES=N STRESS_CONTEXTS=N]:
# verified IO next to the looping regression suite on the vm-debug kernel.
STRESS_SECONDS = $(or $(DURATION),600)
STRESS_PROCESSES ?= 4
STRESS_CONTEXTS ?= 3
stress: tests
	$(MAKE) kernel PROFILE=vm-debug
	rm -rf $(BUILD)/stress/bin
	tests/lib/env-wrap.sh $(BUILD)/stress/bin \
		"AIORING_STRESS_SECONDS=$(STRESS_SECONDS) AIORING_STRESS_PROCESSES=$(STRESS_PROCESSES) AIORING_STRESS_CONTEXTS=$(STRESS_CONTEXTS)" \
		tests/stress/run.sh
	tests/vm/run-vm.sh -n stress$(VM_SUFFIX) -T $$(( $(STRESS_SECONDS) + 1800 )) -t $$(( $(STRESS_SECONDS) + 900 )) \
		-k $(DEBUG_BZIMAGE) $(BUILD)/stress/bin

# One page from the logs of the last fuzz, fault and stress runs (and of
# make check): build/reliability/report.md; fails on leaks, splats,
# mismatches or a missing run.
reliability-report:
	tests/reliability-report.sh $(BUILD)/vm $(BUILD)/reliability

vm-shell: tests
	$(MAKE) kernel
	tests/vm/run-vm.sh -s -k $(BZIMAGE)

clean:
	rm -rf $(BUILD)/obj-* $(BUILD)/tests $(BUILD)/vm $(BUILD)/check $(BUILD)/tools

distclean:
	rm -rf $(BUILD)
