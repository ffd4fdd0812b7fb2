#!/usr/bin/env bash
# `make check`: every test.  Userspace unit tests (Check), then the stock,
# phyr and debug kernels (built if their inputs changed), each booted once in
# QEMU for the VM tests; the phyr and debug boots also run the project's KUnit
# suites.  Ends with "N passed, N failed"; exits non-zero if anything failed
# or did not run.  PHYR_CHECK_KERNELS picks the kernels (`make check-debug`:
# debug only).
set -uo pipefail
. "$(dirname "$0")/../ci/lib.sh"
. "$PHYR_TOP/tests/tally.sh"

out=$PHYR_TOP/build/check
rm -rf "$out"
mkdir -p "$out"
: > "$TALLY"
start=$(date +%s)
stage() { note "[$(($(date +%s) - start)) s] $*"; }

stage "installing missing packages"
"$PHYR_TOP/ci/deps.sh" unit kernel vm || die "cannot install the packages the tests need"

stage "unit tests (Check, ASan + UBSan)"
if make -s -C "$PHYR_TOP" unit-build > "$out/unit-build.log" 2>&1; then
	(cd "$out" && CK_TAP_LOG_FILE_NAME="$out/unit.tap" "$PHYR_TOP/build/tests/unit" > "$out/unit.log" 2>&1)
	tail -n 1 "$out/unit.log" >&2
	tally_tap unit "$out/unit.tap"
else
	cat "$out/unit-build.log" >&2
	tally_fail "unit: the unit tests do not build (log: $out/unit-build.log)"
fi

stage "rdma-core-ext: libibphyr, ibphyr, man pages, install (Check, ASan + UBSan)"
# The Check suite's TAP, then the shell checks (man pages, ibphyr run,
# install) as TAP of their own; make's status catches a check that stops.
ext_rc=0
make -s -C "$PHYR_TOP/rdma-core-ext" B="$PHYR_TOP/build/rdma-core-ext" \
	CK_TAP_LOG_FILE_NAME="$out/rdma-core-ext.tap" check > "$out/rdma-core-ext.log" 2>&1 || ext_rc=$?
tally_tap rdma-core-ext "$out/rdma-core-ext.tap"
awk '/^(not )?ok - /{n++; sub(/ok - /, "ok " n " - "); print} /^install-check: ok/{n++; print "ok " n " - make install, a program built with pkg-config"} END{print "1.." n}' \
	"$out/rdma-core-ext.log" > "$out/rdma-core-ext-sh.tap"
tally_tap rdma-core-ext "$out/rdma-core-ext-sh.tap"
[ "$ext_rc" = 0 ] || { tail -n 20 "$out/rdma-core-ext.log" >&2
	tally_fail "rdma-core-ext: make check failed (log: $out/rdma-core-ext.log)"; }

stage "perftest-patches: the footprint extension for perftest (Check, ASan + UBSan; the preload on the host)"
pp_rc=0
make -s -C "$PHYR_TOP/perftest-patches" B="$PHYR_TOP/build/perftest-patches" \
	IBPHYR_B="$PHYR_TOP/build/rdma-core-ext" CK_TAP_LOG_FILE_NAME="$out/perftest-patches.tap" \
	check > "$out/perftest-patches.log" 2>&1 || pp_rc=$?
tally_tap perftest-patches "$out/perftest-patches.tap"
tally_tap perftest-patches "$PHYR_TOP/build/perftest-patches/check-sh.tap"
[ "$pp_rc" = 0 ] || { tail -n 20 "$out/perftest-patches.log" >&2
	tally_fail "perftest-patches: make check failed (log: $out/perftest-patches.log)"; }

stage "guest test programs"
make -s -C "$PHYR_TOP" guest-programs > "$out/guest-build.log" 2>&1 ||
	{ cat "$out/guest-build.log" >&2; tally_fail "vm: the guest test programs do not build"; }

stage "benchmark tools on the host (report.py, mr_bench's command line)"
"$PHYR_TOP/tests/bench/host.sh" > "$out/bench-host.tap" 2>&1
tally_tap bench "$out/bench-host.tap"

# The KUnit suites the phyr kernel must run, one name per line.
kunit_suites=$(grep -vE '^(#|$)' "$PHYR_TOP/tests/kunit/suites" || true)
# kunit.filter_glob takes one glob: every suite of this project ends in
# "phyr", and each listed suite must match.
kunit_glob='*phyr'
for s in $kunit_suites; do
	# shellcheck disable=SC2053
	[[ $s == $kunit_glob ]] || die "tests/kunit/suites: $s does not match kunit.filter_glob=$kunit_glob"
done

for k in ${PHYR_CHECK_KERNELS:-stock phyr debug}; do
	stage "$k kernel"
	if ! "$PHYR_TOP/ci/build-kernel.sh" "$k"; then
		tally_fail "vm/$k: the kernel does not build"
		continue
	fi
	# The hardware path's probe module, from one source for every kernel
	if "$PHYR_TOP/bench/umem_probe/build.sh" "$k"; then
		tally_pass "build/$k: bench/umem_probe builds out of tree, W=1 and sparse clean"
	else
		tally_fail "build/$k: bench/umem_probe builds out of tree, W=1 and sparse clean"
	fi
	append=""
	# Hugetlb pages for the KUnit suites (2 MiB for ib_umem_phyr's, which
	# runs before any script could reserve them, and one of 1 GiB for
	# mlx5_ib_mr_phyr's; the guest gives that one back after the suite).
	[ "$k" = stock ] || [ -z "$kunit_glob" ] ||
		append="kunit.enable=1 kunit.filter_glob=$kunit_glob hugepagesz=2M hugepages=16 hugepagesz=1G hugepages=1"
	stage "VM tests on the $k kernel"
	vm_rc=0
	timeout=900
	iommu=none
	mem=2G
	guest_args=()
	case "$k" in
	# The phyr kernel gets the memory for a 1.5 GiB MR, which stock rxe
	# cannot register.
	phyr) guest_args=(phyr big); mem=4G ;;
	# The debug kernel runs under a translating IOMMU, so its fault
	# injection sweep covers dma_map_phyr()'s IOMMU path.
	# 3 GiB: room beside the 1 GiB hugetlb page it boots with.
	# 100 000 fuzz calls on rxe (about a minute under KASAN), the rest as elsewhere
	debug) guest_args=(phyr "" 100000); timeout=2400; iommu=translated; mem=3G ;;	# KASAN under TCG
	esac
	"$PHYR_TOP/ci/vm.sh" --quiet -k "$k" -i "$iommu" -m "$mem" -r "$out/vm-$k" -t "$timeout" -a "$append" \
		"$PHYR_TOP/tests/qemu/guest-check.sh" "${guest_args[@]}" || vm_rc=$?
	tally_tap "vm/$k/mlx5" "$out/vm-$k/mlx5.tap"
	tally_tap "vm/$k" "$out/vm-$k/smoke.tap"
	tally_tap "vm/$k/footprint" "$out/vm-$k/footprint.tap"
	tally_tap "vm/$k/perftest-fp" "$out/vm-$k/perftest-fp.tap"
	tally_tap "vm/$k/umem_probe" "$out/vm-$k/umem_probe.tap"
	tally_tap "vm/$k/integrity" "$out/vm-$k/integrity.tap"
	tally_tap "vm/$k/fuzz" "$out/vm-$k/fuzz.tap"
	[ "$k" = stock ] || tally_tap "vm/$k/phyr_dma" "$out/vm-$k/phyr_dma.tap"
	if [ "$vm_rc" != 0 ] && ! cat "$out/vm-$k/"{mlx5,smoke,footprint,perftest-fp,umem_probe,phyr_dma,integrity,fuzz}.tap 2>/dev/null | grep -q '^not ok'; then
		tally_fail "vm/$k: the guest run failed (status $vm_rc, console: $out/vm-$k/console.log)"
	fi
	[ -s "$out/vm-$k/footprint-vs-free" ] &&
		sed "s/^/  $k 256 MiB fragmented rxe MR, /" "$out/vm-$k/footprint-vs-free" >&2
	[ -s "$out/vm-$k/bw" ] && sed "s/^/  $k bandwidth (Gb\/s): /" "$out/vm-$k/bw" >&2
	[ -s "$out/vm-$k/times" ] && sed "s/^/  $k guest, seconds: /" "$out/vm-$k/times" >&2

	# A second boot with a movable zone and room for an 8 GiB MR: memory
	# pressure and SIGKILL while registering 8 GiB (not on debug: KASAN
	# under TCG would take a quarter of an hour for it)
	if [ "$k" != debug ]; then
		stage "memory pressure and an 8 GiB kill on the $k kernel"
		vm_rc=0
		"$PHYR_TOP/ci/vm.sh" --quiet -k "$k" -m 10G -a movablecore=1G -r "$out/vm-$k-pressure" -t 900 \
			"$PHYR_TOP/tests/qemu/guest-pressure.sh" "$([ "$k" = stock ] || echo phyr)" || vm_rc=$?
		tally_tap "vm/$k/pressure" "$out/vm-$k-pressure/pressure.tap"
		[ "$vm_rc" = 0 ] || grep -q '^not ok' "$out/vm-$k-pressure/pressure.tap" 2>/dev/null ||
			tally_fail "vm/$k/pressure: the guest run failed (status $vm_rc, console: $out/vm-$k-pressure/console.log)"
	fi

	if [ -n "$append" ]; then
		awk -f "$PHYR_TOP/tests/kunit/ktap.awk" "$out/vm-$k/console.log" > "$out/kunit.results"
		while read -r verdict name; do
			case "$verdict" in
			ok) tally_pass "kunit/$k: $name" ;;
			not) tally_fail "kunit/$k: ${name#ok }" ;;
			# make check runs every case: one that skipped did not run
			skip) tally_fail "kunit/$k: $name skipped" ;;
			esac
		done < "$out/kunit.results"
		for s in $kunit_suites; do
			grep -q "^suite $s " "$out/kunit.results" ||
				tally_fail "kunit/$k: suite $s did not run (console: $out/vm-$k/console.log)"
		done
	fi
done

# Two kernels on one wire (perftest-patches/): a stock and a phyr guest
# joined over 127.0.0.1, perftest WRITE, READ and SEND both ways and the
# data-integrity test across them; then two phyr guests.
want_kernels=" ${PHYR_CHECK_KERNELS:-stock phyr debug} "
if [[ "$want_kernels" == *" stock "* && "$want_kernels" == *" phyr "* ]]; then
	for pair in stock,phyr phyr,phyr; do
		stage "two guests on one wire: $pair"
		pair_rc=0
		"$PHYR_TOP/perftest-patches/phyr-perftest-pair" --quiet -k "$pair" -t 900 \
			--plan "$PHYR_TOP/tests/pair/${pair/,/-}.plan" -o "$out/pair-${pair/,/-}" \
			--tap "$out/pair-${pair/,/-}.tap" > "$out/pair-${pair/,/-}.txt" 2>&1 || pair_rc=$?
		tail -n 1 "$out/pair-${pair/,/-}.txt" >&2
		tally_tap "pair/$pair" "$out/pair-${pair/,/-}.tap"
		[ "$pair_rc" = 0 ] || grep -q '^not ok' "$out/pair-${pair/,/-}.tap" 2>/dev/null ||
			tally_fail "pair/$pair: the run failed (status $pair_rc, report: $out/pair-${pair/,/-}.txt)"
	done
fi

# The differential fuzz: the same seed's calls must get the same answers
# from stock and phyr, and from phyr and debug (over the calls both made).
stage "the differential fuzz's streams, kernel against kernel"
for pair in "stock phyr" "phyr debug"; do
	set -- $pair
	if [ -d "$out/vm-$1/fuzz" ] && [ -d "$out/vm-$2/fuzz" ]; then
		"$PHYR_TOP/tests/fuzz-compare.sh" "fuzz/$1-$2" "$out/vm-$1" "$out/vm-$2"
	else
		note "fuzz: $1 against $2 not compared: one of them was not booted"
	fi
done

# dma_regime KERNEL MODE TIMEOUT: boot KERNEL with the DMA regime MODE in
# effect, the rxe devices up and an MR moving data, then the DMA tests.
dma_regime() {
	local k=$1 mode=$2 res rc=0
	res=$out/iommu-$([ "$k" = phyr ] || echo "$k-")$mode
	stage "DMA regime $mode on the $k kernel"
	"$PHYR_TOP/ci/vm.sh" --quiet -k "$k" -i "$mode" -r "$res" -t "$3" \
		"$PHYR_TOP/tests/qemu/guest-iommu.sh" "$mode" || rc=$?
	tally_tap "vm/$k/iommu=$mode" "$res/iommu.tap"
	tally_tap "vm/$k/iommu=$mode/phyr_dma" "$res/phyr_dma.tap"
	tally_tap "vm/$k/iommu=$mode/umem_probe" "$res/umem_probe.tap"
	[ "$rc" = 0 ] || cat "$res/"{iommu,phyr_dma,umem_probe}.tap 2>/dev/null | grep -q '^not ok' ||
		tally_fail "vm/$k/iommu=$mode: the guest run failed (status $rc, console: $res/console.log)"
}

# Every regime on the phyr kernel but none, which its own run above was
# booted with (the same DMA tests ran there); on the debug kernel none and
# swiotlb (its own run was under the translating IOMMU), so that the DMA
# tests also run under the DMA-API checker, KASAN and the fault-injection
# sweep without an IOMMU and bounced.  Passthrough on debug (90 s) only in
# make check-debug: on phyr it maps as none does.
if [ -f "$(kernel_image phyr)" ] && [[ " ${PHYR_CHECK_KERNELS:-phyr} " == *" phyr "* ]]; then
	for mode in translated passthrough swiotlb; do
		dma_regime phyr "$mode" 600
	done
fi
if [ -f "$(kernel_image debug)" ] && [[ " ${PHYR_CHECK_KERNELS:-debug} " == *" debug "* ]]; then
	debug_modes="none swiotlb"
	[ "${PHYR_CHECK_KERNELS:-}" != debug ] || debug_modes="none passthrough swiotlb"
	for mode in $debug_modes; do
		dma_regime debug "$mode" 1800
	done
fi

stage "kernel style: checkpatch --strict, kernel-doc"
"$PHYR_TOP/tests/lint.sh"

stage "sparse and W=1 on the files the series touches, phyr against stock"
"$PHYR_TOP/tests/kernel-warnings.sh"

stage "done"
tally_summary
