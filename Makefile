# SPDX-License-Identifier: GPL-2.0
#
# rvm: recoverable virtual memory.
#
#   make            build rvm.ko for every installed kernel, librvm, rvmctl
#                   and the tests (make KVER=6.1 for one kernel)
#   make deps       install what is missing with apt-get (a no-op when all is there)
#   make check      every test: userspace, then the selftests in a QEMU VM
#                   on each kernel; ends with "N passed, N failed"
#   make run        the main job: a real workload through a crash and a recovery
#   make crash-soak kill the VM in the bank workload for MINUTES per kernel
#   make powercut-soak  power-cut crash states of the bank for MINUTES per kernel
#   make fuzz-soak  the fuzzer (vm-tests/fuzz) for MINUTES per kernel, SEED=
#   make basher-soak    the classic API basher for MINUTES per kernel, split
#                   over the protection modes and declaration slots on/off
#   make bigmem-soak SIZE=2G MEM=256   the bigmem scenario at other sizes
#                   (make check runs 1 GiB in a 256 MiB VM), both kernels
#   make style      checkpatch --strict, clang-format, sparse
#   make bench      the benchmark in the test VM (not part of check): writes
#                   build/bench/results.{md,csv} and throughput.png
#   make install    rvm.ko (kbuild modules_install, then depmod) for every
#                   kernel built, librvm, headers, rvm.pc, rvmctl, man pages;
#                   PREFIX=/usr/local, DESTDIR= (a staging root)
#   make uninstall  the same files removed (same PREFIX, DESTDIR)
#   make dkms-install  the module's sources to /usr/src/rvm-VERSION, then
#                   dkms add/build/install for every installed kernel
#   make deb        the Debian packages (dpkg-buildpackage -us -uc -b) in build/deb
#   make clean

B := $(CURDIR)/build
export B

# The release: VERSION is its one place (modinfo, rvmctl --version,
# rvm_version(), rvm.pc, the packages).
VERSION := $(shell cat $(CURDIR)/VERSION)
export VERSION

ifneq ($(KVER),)
KVERS := $(shell vm-tests/kver $(KVER) 2>/dev/null)
KVERS_ERR := $(if $(KVERS),,$(shell vm-tests/kver $(KVER) 2>&1 >/dev/null))
else
KVERS := $(shell vm-tests/kver all 2>/dev/null)
endif

PREFIX ?= /usr/local
export PREFIX DESTDIR

.PHONY: all deps kmod ulib selftests progs check run crash-soak powercut-soak fuzz-soak basher-soak bigmem-soak style clean
.PHONY: install uninstall install-kmod uninstall-kmod dkms-install dkms-uninstall deb

all: kmod ulib selftests progs

deps:
	@vm-tests/install-deps

# One build directory per kernel: a tree of symlinks to the sources, so the
# objects of one kernel never mix with another's. W=1, and any warning
# (compiler, modpost or kernel-doc) fails the build.
kmod:
	@[ -n "$(KVERS)" ] || { echo "$(or $(KVERS_ERR),no kernel headers installed: run 'make deps')" >&2; exit 1; }
	@set -e; for k in $(KVERS); do \
		mkdir -p $(B)/$$k; \
		find $(B)/$$k/kmod -xtype l -delete 2>/dev/null || true; \
		cp -rsf $(CURDIR)/kmod $(CURDIR)/Kbuild $(CURDIR)/VERSION $(B)/$$k/; \
		echo "  KMOD    $$k"; \
		$(MAKE) -s -C /lib/modules/$$k/build M=$(B)/$$k W=1 \
			KCFLAGS=-Werror $(if $(C),C=$(C) CF="$(CF)") modules \
			>$(B)/$$k/build.log 2>&1 || { cat $(B)/$$k/build.log; exit 1; }; \
		if grep -v 'Skipping BTF generation' $(B)/$$k/build.log | \
				grep -iE 'warning|error'; then \
			echo "kmod: warnings building for $$k (see above)" >&2; exit 1; \
		fi; \
	done

ulib:
	@$(MAKE) -s -C ulib O=$(B)/ulib

selftests: ulib
	@$(MAKE) -s -C selftests O=$(B)/selftests ULIB=$(B)/ulib

progs: ulib
	@$(MAKE) -s -C vm-tests O=$(B)/progs ULIB=$(B)/ulib

check: deps
	@$(MAKE) -s all
	@vm-tests/check $(KVER)

run: deps
	@$(MAKE) -s all
	@vm-tests/run

# A long crash soak: make crash-soak SEED=... MINUTES=... (both kernels).
crash-soak: deps
	@$(MAKE) -s all
	@set -e; for k in 6.1 6.12; do \
		vm-tests/crash $$k --minutes $${MINUTES:-10} --seed $${SEED:-$$(date +%s)}; \
	done

# Power cuts: make powercut-soak SEED=... MINUTES=... [TXNS=...] (both kernels).
powercut-soak: deps
	@$(MAKE) -s all
	@set -e; for k in 6.1 6.12; do \
		vm-tests/powercut $$k --minutes $${MINUTES:-10} --txns $${TXNS:-1500} \
			--seed $${SEED:-$$(date +%s)}; \
	done

# The fuzzer: make fuzz-soak SEED=... MINUTES=... (both kernels, one seed).
fuzz-soak: deps
	@$(MAKE) -s all
	@set -e; seed=$${SEED:-$$(date +%s)}; for k in 6.1 6.12; do \
		vm-tests/fuzz/run $$k --minutes $${MINUTES:-10} --seed $$seed; \
	done

# The basher: make basher-soak SEED=... MINUTES=... (both kernels; MINUTES
# per kernel, shared by its 6 runs: strict, auto, off, each with slots on/off).
basher-soak: deps
	@$(MAKE) -s all
	@set -e; for k in 6.1 6.12; do \
		vm-tests/scenarios/classic-threads $$k \
			--seconds $$(( $${MINUTES:-10} * 60 / 6 )) \
			--seed $${SEED:-$$(date +%s)}; \
	done

# Recoverable memory larger than the VM's at other sizes than make check's
# (issue 15): SIZE (default 2G) in a VM of MEM MiB (default 256).
bigmem-soak: deps
	@$(MAKE) -s all
	@set -e; for k in 6.1 6.12; do \
		RVM_BIGMEM_MEM=$(or $(MEM),256) RVM_BIGMEM_SIZE=$(or $(SIZE),2G) \
		vm-tests/scenarios/bigmem $$k; \
	done

style:
	@vm-tests/style

# The benchmark: one VM boot on the newest kernel, about 9 minutes, then the
# memory sweep in a VM of its own, about 45 minutes (BENCH_MEMSWEEP=0: not run).
.PHONY: bench
bench: deps
	@vm-tests/bench/install-deps
	@$(MAKE) -s all
	@$(MAKE) -s -C vm-tests/bench O=$(B)/bench/bin ULIB=$(B)/ulib
	@vm-tests/bench/run

# Installation. The module goes where kbuild puts external modules
# (/lib/modules/KVER/updates by default; INSTALL_MOD_DIR changes it),
# under DESTDIR when one is given; depmod then runs against that root.
install: all install-kmod
	@$(MAKE) -s -C ulib O=$(B)/ulib install

uninstall: uninstall-kmod
	@$(MAKE) -s -C ulib O=$(B)/ulib uninstall

INSTALL_MOD_DIR ?= updates
install-kmod: kmod
	@set -e; for k in $(KVERS); do \
		echo "  INSTALL rvm.ko for $$k in $(DESTDIR)/lib/modules/$$k/$(INSTALL_MOD_DIR)"; \
		$(MAKE) -s -C /lib/modules/$$k/build M=$(B)/$$k \
			INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
			DEPMOD=true modules_install >$(B)/$$k/install.log 2>&1 || \
			{ cat $(B)/$$k/install.log; exit 1; }; \
		/sbin/depmod $(if $(DESTDIR),-b $(DESTDIR)) $$k; \
	done

uninstall-kmod:
	@set -e; for k in $(KVERS); do \
		rm -f $(DESTDIR)/lib/modules/$$k/$(INSTALL_MOD_DIR)/kmod/rvm.ko*; \
		rmdir $(DESTDIR)/lib/modules/$$k/$(INSTALL_MOD_DIR)/kmod 2>/dev/null || true; \
		[ ! -e $(DESTDIR)/lib/modules/$$k/modules.dep ] || \
			/sbin/depmod $(if $(DESTDIR),-b $(DESTDIR)) $$k; \
	done

# DKMS: the files dkms.conf names, under /usr/src/rvm-VERSION, then dkms
# builds and installs the module for every installed kernel (and again
# for each kernel installed later). As root; make dkms-uninstall undoes it.
DKMS_FILES := dkms.conf Kbuild VERSION kmod
dkms-install:
	@command -v dkms >/dev/null || { echo "dkms is not installed (apt-get install dkms)" >&2; exit 1; }
	rm -rf $(DESTDIR)/usr/src/rvm-$(VERSION)
	mkdir -p $(DESTDIR)/usr/src/rvm-$(VERSION)
	cp -r $(DKMS_FILES) $(DESTDIR)/usr/src/rvm-$(VERSION)/
	sed -i 's/#MODULE_VERSION#/$(VERSION)/' $(DESTDIR)/usr/src/rvm-$(VERSION)/dkms.conf
	dkms add -m rvm -v $(VERSION)
	for k in $(KVERS); do dkms install -m rvm -v $(VERSION) -k $$k; done

dkms-uninstall:
	-dkms remove -m rvm -v $(VERSION) --all
	rm -rf $(DESTDIR)/usr/src/rvm-$(VERSION)

# The Debian packages, built from a copy of the tree so that the tree
# stays clean: build/deb/*.deb.
deb:
	@vm-tests/build-debs $(B)/deb

clean:
	rm -rf $(B)
