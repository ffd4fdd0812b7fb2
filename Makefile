# phyr-umem: see README.md.  The two commands for a new user are
# `make demo` and `make check`; the rest are their parts.

CC      ?= gcc
B       := build
CSTD    := -std=c11 -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Werror
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer
# The phyr list compiles in userspace from the kernel sources through a thin
# compat header (tests/user/kcompat/).
KSRC    := kernel/ib_umem_phyr
# Check's flags are read when the unit tests build, after deps-unit has
# installed it: never at parse time, when a new machine has no Check yet.
UNIT_CFLAGS := $(CSTD) $(WARN) -g -O1 $(SAN) -Itests/user/kcompat/include \
           -I$(KSRC)/include -Itests/user

PHYR_SRCS := $(KSRC)/lib/phyr_store.c $(KSRC)/lib/phyr_append.c $(KSRC)/lib/phyr_iter.c
UNIT_SRCS := $(wildcard tests/user/*.c) $(PHYR_SRCS) \
             $(KSRC)/lib/phyr_kunit.c tests/user/kcompat/phyr_compat.c
UNIT_HDRS := $(wildcard tests/user/*.h) $(wildcard $(KSRC)/include/linux/*.h) \
             $(wildcard $(KSRC)/lib/*.h) \
             $(wildcard tests/user/kcompat/include/*.h tests/user/kcompat/include/*/*.h)

.PHONY: help demo check check-debug fuzz unit bench bench-wall bench-list series series-build deps-unit deps-guest \
        deps-kernel unit-build guest-programs kernels debug-kernel drivers-build drivers-build-each \
        fresh-machine-check clean rdma-core-ext perftest-patches bench-pair

help:
	@echo "make demo    stock vs phyr kernel: MR footprint and bandwidth in guests"
	@echo "make check   every test (Check, KUnit in the guest, VM tests)"
	@echo "make check-debug  the same on the debug kernel"
	@echo "make fuzz    the long differential fuzz, stock vs phyr (PHYR_FUZZ_CALLS, PHYR_FUZZ_SEED)"
	@echo "make unit    userspace unit tests only"
	@echo "make bench   footprints and instruction-time figures, phyr vs stock, and the pair rounds (about 28 min)"
	@echo "make bench-wall  the wall-clock rounds, added to make bench's report (about 20 min)"
	@echo "make bench-list  the phyr list alone: bytes/page and rates per layout"
	@echo "make bench-pair  only the pair rounds: perftest between two guests on one wire, phyr pair vs stock pair (about 6 min)"
	@echo "make kernels build the stock and phyr kernels (debug-kernel: the debug flavour)"
	@echo "make series  export the kernel changes as an upstream-style series"
	@echo "make series-build  the same, and build the tree after each patch"
	@echo "make drivers-build every RDMA driver as a module, W=1, phyr vs stock (drivers-build-each: and after each patch)"
	@echo "make fresh-machine-check  the first commands of a new user, in a minimal Debian 12 root (debootstrap)"

demo: guest-programs
	@bench/demo.sh

check:
	@tests/check.sh

# The same on the debug kernel (KASAN, kmemleak, lockdep): slow under TCG.
fuzz:
	@tests/fuzz.sh

check-debug:
	@PHYR_CHECK_KERNELS=debug tests/check.sh

unit: deps-unit unit-build rdma-core-ext perftest-patches
	@cd $(B) && CK_TAP_LOG_FILE_NAME=$(CURDIR)/$(B)/unit.tap ./tests/unit
	@$(MAKE) -s -C rdma-core-ext B=$(CURDIR)/$(B)/rdma-core-ext \
		CK_TAP_LOG_FILE_NAME=$(CURDIR)/$(B)/rdma-core-ext.tap check
	@$(MAKE) -s -C perftest-patches B=$(CURDIR)/$(B)/perftest-patches \
		IBPHYR_B=$(CURDIR)/$(B)/rdma-core-ext \
		CK_TAP_LOG_FILE_NAME=$(CURDIR)/$(B)/perftest-patches.tap check

# libibphyr, ibphyr and their man pages (rdma-core-ext/README.md)
rdma-core-ext: | deps-unit
	@$(MAKE) -C rdma-core-ext B=$(CURDIR)/$(B)/rdma-core-ext all

# Packages first: every target that compiles waits for them (order-only)
deps-unit:
	@ci/deps.sh unit

deps-guest:
	@ci/deps.sh unit vm

deps-kernel:
	@ci/deps.sh kernel

unit-build: $(B)/tests/unit

$(B)/tests/unit: $(UNIT_SRCS) $(UNIT_HDRS) Makefile | deps-unit
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $$(pkg-config --cflags check) -o $@ $(UNIT_SRCS) \
		$$(pkg-config --libs check)

# TAP, pin counters and fail-nth for the guest test programs
GUEST_UTIL := tests/qemu/guest_util.c tests/qemu/guest_util.h
GUEST_VERBS := tests/qemu/guest_verbs.c tests/qemu/guest_verbs.h

guest-programs: $(B)/tests/mr_rdma $(B)/tests/reg_errors $(B)/bench/mr_bench $(B)/tests/phyr_dma_test \
		$(B)/tests/umem_probe_test $(B)/tests/mr_exit $(B)/tests/mr_fuzz \
		$(B)/tests/mr_pressure $(B)/tests/mr_footprint $(B)/tests/xk_rdma perftest-patches

$(B)/tests/mr_rdma: tests/qemu/mr_rdma.c bench/layout.c bench/layout.h $(GUEST_UTIL) Makefile | deps-guest
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -Ibench -o $@ tests/qemu/mr_rdma.c tests/qemu/guest_util.c bench/layout.c \
		-lrdmacm -libverbs -lpthread

# The data-integrity test between two guests (perftest-patches/phyr-perftest-pair)
$(B)/tests/xk_rdma: tests/qemu/xk_rdma.c bench/layout.c bench/layout.h $(GUEST_UTIL) Makefile | deps-guest
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -Ibench -o $@ tests/qemu/xk_rdma.c tests/qemu/guest_util.c bench/layout.c \
		-lrdmacm -libverbs -lpthread

# The footprint extension for Debian's perftest (perftest-patches/README.md)
perftest-patches: rdma-core-ext | deps-unit
	@$(MAKE) -C perftest-patches B=$(CURDIR)/$(B)/perftest-patches \
		IBPHYR_B=$(CURDIR)/$(B)/rdma-core-ext all

$(B)/tests/mr_exit: tests/qemu/mr_exit.c $(GUEST_UTIL) $(GUEST_VERBS) Makefile | deps-guest
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -o $@ tests/qemu/mr_exit.c tests/qemu/guest_util.c tests/qemu/guest_verbs.c -libverbs

$(B)/tests/mr_fuzz: tests/qemu/mr_fuzz.c $(GUEST_UTIL) $(GUEST_VERBS) Makefile | deps-guest
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -o $@ tests/qemu/mr_fuzz.c tests/qemu/guest_util.c tests/qemu/guest_verbs.c -libverbs

# Against libibphyr, statically: rdma-core-ext's build, which also makes
# the ibphyr CLI the guest tests run
$(B)/tests/mr_footprint: tests/qemu/mr_footprint.c bench/layout.c bench/layout.h $(GUEST_UTIL) \
		$(GUEST_VERBS) Makefile rdma-core-ext | deps-guest
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -Ibench -Irdma-core-ext/include -I$(KSRC)/include/uapi -o $@ \
		tests/qemu/mr_footprint.c tests/qemu/guest_util.c tests/qemu/guest_verbs.c bench/layout.c \
		$(B)/rdma-core-ext/libibphyr.a -libverbs -lpthread

$(B)/tests/mr_pressure: tests/qemu/mr_pressure.c $(GUEST_UTIL) $(GUEST_VERBS) Makefile | deps-guest
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -o $@ tests/qemu/mr_pressure.c tests/qemu/guest_util.c tests/qemu/guest_verbs.c -libverbs

$(B)/tests/reg_errors: tests/qemu/reg_errors.c $(GUEST_UTIL) $(GUEST_VERBS) Makefile | deps-guest
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -o $@ tests/qemu/reg_errors.c tests/qemu/guest_util.c tests/qemu/guest_verbs.c -libverbs

$(B)/bench/mr_bench: bench/mr_bench.c bench/layout.c bench/layout.h \
		kernel/ib_umem_phyr/lib/test_phyr_dma_uapi.h bench/umem_probe/umem_probe_uapi.h \
		Makefile rdma-core-ext | deps-guest
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -Ikernel/ib_umem_phyr/lib -Irdma-core-ext/include -o $@ \
		bench/mr_bench.c bench/layout.c $(B)/rdma-core-ext/libibphyr.a -libverbs -lm -lpthread

# The DMA tests: the test driver's ioctls, from its uapi header
$(B)/tests/phyr_dma_test: tests/qemu/phyr_dma_test.c bench/layout.c bench/layout.h \
		$(GUEST_UTIL) kernel/ib_umem_phyr/lib/test_phyr_dma_uapi.h Makefile | deps-guest
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -Ibench -Ikernel/ib_umem_phyr/lib -o $@ \
		tests/qemu/phyr_dma_test.c tests/qemu/guest_util.c bench/layout.c

# The hardware path's umem through bench/umem_probe's ioctls
$(B)/tests/umem_probe_test: tests/qemu/umem_probe_test.c bench/layout.c bench/layout.h \
		$(GUEST_UTIL) bench/umem_probe/umem_probe_uapi.h Makefile | deps-guest
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -o $@ tests/qemu/umem_probe_test.c tests/qemu/guest_util.c \
		bench/layout.c

# The phyr list alone, optimised: the same sources as the unit tests.
$(B)/bench/phyr_list_bench: bench/phyr_list_bench.c $(PHYR_SRCS) \
		tests/user/kcompat/phyr_compat.c $(UNIT_HDRS) Makefile | deps-unit
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -Itests/user/kcompat/include -I$(KSRC)/include \
		-o $@ $< $(PHYR_SRCS) tests/user/kcompat/phyr_compat.c

bench: guest-programs
	@bench/run.sh

bench-wall: guest-programs
	@bench/wall.sh

bench-pair: guest-programs
	@bench/pair.sh

bench-list: $(B)/bench/phyr_list_bench
	@$(B)/bench/phyr_list_bench | column -t -s "$$(printf '\t')"

kernels: deps-kernel
	@ci/build-kernel.sh stock phyr

debug-kernel: deps-kernel
	@ci/build-kernel.sh debug

series: deps-kernel
	@ci/export-series.sh

# The same, then a kernel build after each patch (slow: one build per patch)
series-build: deps-kernel
	@ci/export-series.sh --build-each

drivers-build:
	@ci/build-drivers.sh

drivers-build-each:
	@ci/build-drivers.sh --each-prefix

fresh-machine-check:
	@ci/fresh-machine.sh

clean:
	rm -rf $(B) rdma-core-ext/build perftest-patches/build
