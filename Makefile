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
#   make basher-soak    the classic API basher for MINUTES per kernel, split
#                   over the protection modes and declaration slots on/off
#   make style      checkpatch --strict, clang-format, sparse
#   make bench      the benchmark in the test VM (not part of check): writes
#                   build/bench/results.{md,csv} and throughput.png
#   make clean

B := $(CURDIR)/build
export B

ifneq ($(KVER),)
KVERS := $(shell vm-tests/kver $(KVER))
else
KVERS := $(shell vm-tests/kver all 2>/dev/null)
endif

.PHONY: all deps kmod ulib selftests progs check run crash-soak powercut-soak basher-soak style clean

all: kmod ulib selftests progs

deps:
	@vm-tests/install-deps

# One build directory per kernel: a tree of symlinks to the sources, so the
# objects of one kernel never mix with another's. W=1, and any warning
# (compiler, modpost or kernel-doc) fails the build.
kmod:
	@[ -n "$(KVERS)" ] || { echo "no kernel headers installed: run 'make deps'" >&2; exit 1; }
	@set -e; for k in $(KVERS); do \
		mkdir -p $(B)/$$k; \
		find $(B)/$$k/kmod -xtype l -delete 2>/dev/null || true; \
		cp -rsf $(CURDIR)/kmod $(CURDIR)/Kbuild $(B)/$$k/; \
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

# The basher: make basher-soak SEED=... MINUTES=... (both kernels; MINUTES
# per kernel, shared by its 6 runs: strict, auto, off, each with slots on/off).
basher-soak: deps
	@$(MAKE) -s all
	@set -e; for k in 6.1 6.12; do \
		vm-tests/scenarios/classic-threads $$k \
			--seconds $$(( $${MINUTES:-10} * 60 / 6 )) \
			--seed $${SEED:-$$(date +%s)}; \
	done

style:
	@vm-tests/style

# The benchmark: one VM boot on the newest kernel, about 5 minutes.
.PHONY: bench
bench: deps
	@vm-tests/bench/install-deps
	@$(MAKE) -s all
	@$(MAKE) -s -C vm-tests/bench O=$(B)/bench/bin ULIB=$(B)/ulib
	@vm-tests/bench/run

clean:
	rm -rf $(B)
