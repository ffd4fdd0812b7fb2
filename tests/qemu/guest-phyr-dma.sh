#!/bin/bash
# Inside the guest, on kernels with the phyr test driver: pin_user_pages_phyr()
# and dma_map_phyr() under the DMA regime this guest was booted with, plus
# the fault-injection sweep where the kernel has fail-nth (debug kernel).
# TAP in /tmp/results/phyr_dma.tap; exits non-zero if a test failed.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tap=/tmp/results/phyr_dma.tap
if [ ! -e /dev/test_phyr_dma ]; then
	printf 'not ok 1 - /dev/test_phyr_dma exists (CONFIG_TEST_PHYR_DMA)\n1..1\n' > "$tap"
	cat "$tap"
	exit 1
fi
regime=$("$here/dma-regime.sh")
cmds=(pin dma "$regime")
if [ -e /proc/self/fail-nth ]; then
	cmds+=(faults "$regime")
	# dma-debug allocates with GFP_ATOMIC as it records a mapping; a fault
	# injected there turns it off for the rest of the boot.  Keep the
	# sweep's faults out of it: reject any whose stack passes through
	# kernel/dma/debug.o's debug_dma_*() entry points (the first of them
	# to the symbol after the last; CONFIG_FAULT_INJECTION_STACKTRACE_FILTER).
	range=$(awk '$2 ~ /^[tT]$/ && NF == 3 {
			a[++n] = $1
			if ($3 ~ /^debug_dma_/) { if (!s) s = n; l = n }
		} END { if (s && l < n) print a[s], a[l + 1] }' /proc/kallsyms)
	for f in failslab fail_page_alloc; do
		d=/sys/kernel/debug/$f
		[ -n "$range" ] && [ -e "$d/reject-start" ] || break
		echo "0x${range% *}" > "$d/reject-start"
		echo "0x${range#* }" > "$d/reject-end"
	done
fi
"$top/build/tests/phyr_dma_test" "${cmds[@]}" > "$tap" 2>&1
status=$?
cat "$tap"
exit "$status"
