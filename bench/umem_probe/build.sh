#!/usr/bin/env bash
# Build the umem probe (umem_probe.ko) out of tree against each named
# kernel flavour's build folder, with W=1 and sparse (C=1), failing on
# any warning:
#   bench/umem_probe/build.sh FLAVOUR...
# gives build/umem_probe/FLAVOUR/umem_probe.ko, which the guests insmod by
# path.  The kernels must be built (ci/build-kernel.sh).
set -euo pipefail
. "$(dirname "$0")/../../ci/lib.sh"

[ $# -gt 0 ] || die "usage: bench/umem_probe/build.sh FLAVOUR..."
src=$PHYR_TOP/bench/umem_probe
for k in "$@"; do
	check_flavour "$k"
	kb=$PHYR_CACHE/out-$k
	[ -f "$kb/Module.symvers" ] ||
		die "no $k kernel built with modules in $kb (ci/build-kernel.sh $k)"
	dir=$PHYR_TOP/build/umem_probe/$k
	mkdir -p "$dir"
	cp "$src/Kbuild" "$src/umem_probe.c" "$src/umem_probe_uapi.h" "$dir/"
	# From clean every time (two seconds): a warning leaves its objects
	# behind, and a rebuild that compiles nothing would report none
	if ! { make -s -C "$kb" M="$dir" clean &&
	       make -s -C "$kb" M="$dir" W=1 C=1 modules; } > "$dir/build.log" 2>&1 ||
	   grep -q 'warning:' "$dir/build.log"; then
		cat "$dir/build.log" >&2
		rm -f "$dir/umem_probe.ko"
		die "building the umem probe against the $k kernel failed"
	fi
done
