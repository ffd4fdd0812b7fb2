#!/usr/bin/env bash
# `make drivers-build`: compile coverage of the series for every in-tree
# RDMA driver that builds on x86-64.  Both trees get the same configuration
# of their own (tinyconfig + ci/kernel.config + ci/kernel-drivers.config,
# + ci/kernel-phyr.config for phyr) and build vmlinux and all modules
# with W=1 (modpost needs vmlinux to link the modules against); the
# phyr tree may show no warning in drivers/infiniband/ or in the files the
# series touches that the stock tree does not also show (compared without
# line numbers).  The phyr tree also builds its modules with
# INFINIBAND_USER_ACCESS off (ci/kernel-drivers-nouser.config), where
# drivers still walk umems.  With --each-prefix, the tree after each patch of the
# series also builds drivers/infiniband/, with W=1 and no error.
#
#   ci/build-drivers.sh [--each-prefix]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

each=0
case "${1:-}" in
--each-prefix) each=1 ;;
"") ;;
-h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "usage: ci/build-drivers.sh [--each-prefix]" >&2; exit 2 ;;
esac

"$PHYR_TOP/ci/deps.sh" kernel
srcs=$("$PHYR_TOP/ci/build-kernel.sh" --prepare-only stock phyr)
stock_src=$(sed -n 1p <<< "$srcs")
phyr_src=$(sed -n 2p <<< "$srcs")
[ -d "$stock_src" ] && [ -d "$phyr_src" ] || die "no source trees from ci/build-kernel.sh --prepare-only"
kdir=$PHYR_TOP/kernel/ib_umem_phyr
export CCACHE_DIR=${CCACHE_DIR:-$PHYR_CACHE/ccache}
export CCACHE_BASEDIR=$PHYR_CACHE CCACHE_NOHASHDIR=1
kmake() {
	make -C "$1" O="$2" -j"$(($(nproc) + 1))" CC="ccache gcc" \
		KBUILD_BUILD_TIMESTAMP="2024-11-17" "${@:3}"
}

# configure SRC OUT FRAGMENT...: the drivers' configuration, every line of
# the fragments kept
configure() {
	local src=$1 out=$2 bad
	shift 2
	mkdir -p "$out"
	{ kmake "$src" "$out" tinyconfig &&
	  "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$@" &&
	  kmake "$src" "$out" olddefconfig; } > "$out/config.log" 2>&1 ||
		{ tail -n 20 "$out/config.log" >&2; die "configuring $out failed"; }
	bad=$(config_lost "$out/.config" "$@")
	[ -z "$bad" ] || die "the drivers' configuration lost options:$bad"
}

# The files the series touches: what its patches change, what it adds
touched() {
	{ grep -h '^+++ b/' "$kdir"/patches/*.patch | sed 's|^+++ b/||'
	  (cd "$kdir" && find . -name '*.[ch]' ! -path './patches/*' | sed 's|^\./||'); } |
		sort -u
}

# Warnings of a build log in drivers/infiniband/ or the touched files,
# without line and column numbers, relative to the tree
warnings() {
	local re
	re=$(touched | sed 's/[.]/[.]/g' | paste -sd'|')
	grep -E ': warning: ' "$1" | sed -E 's|^(\.\./)*[^ :]*linux-6\.12(-phyr)?/||' |
		sed -E 's|^([^:]+):[0-9]+:[0-9]+: |\1: |' |
		grep -E "^(drivers/infiniband/|$re)" | sort -u || true
}

frags=("$PHYR_TOP/ci/kernel.config" "$PHYR_TOP/ci/kernel-drivers.config")
start=$(date +%s)
for t in stock phyr; do
	src=$stock_src
	f=("${frags[@]}")
	if [ "$t" = phyr ]; then
		src=$phyr_src
		f+=("$PHYR_TOP/ci/kernel-phyr.config")
	fi
	out=$PHYR_CACHE/out-drivers-$t
	note "[$(($(date +%s) - start)) s] $t: configuring, then every module with W=1 (log: $out/build.log)"
	configure "$src" "$out" "${f[@]}"
	# What the comparison reads must compile now (ccache replays warnings)
	rm -rf "$out/drivers/infiniband"
	touched | sed -n 's/[.]c$/.o/p' | (cd "$out" && xargs -r rm -f)
	kmake "$src" "$out" W=1 vmlinux modules > "$out/build.log" 2>&1 ||
		{ grep -E 'error' "$out/build.log" | head -n 20 >&2; die "the $t tree does not build its modules"; }
	warnings "$out/build.log" > "$out/warnings"
	note "$t: $(find "$out/drivers/infiniband" -name '*.ko' | wc -l) RDMA modules, $(wc -l < "$out/warnings") distinct warnings in the files that matter"
done
find "$PHYR_CACHE/out-drivers-phyr/drivers/infiniband" -name '*.ko' -printf '%P\n' | sort |
	sed 's/^/  built: /' >&2
new=$(comm -13 "$PHYR_CACHE/out-drivers-stock/warnings" "$PHYR_CACHE/out-drivers-phyr/warnings")
if [ -n "$new" ]; then
	echo "$new" | sed 's/^/  /' >&2
	die "the phyr tree has W=1 warnings the stock tree does not"
fi
note "no W=1 warning in the phyr tree that the stock tree does not have"

# Drivers use the umem's iterators without user access too: the phyr tree
# must build and link its modules with INFINIBAND_USER_ACCESS off
out=$PHYR_CACHE/out-drivers-phyr-nouser
note "[$(($(date +%s) - start)) s] phyr without INFINIBAND_USER_ACCESS: every module (log: $out/build.log)"
mkdir -p "$out"
# (efa, erdma and usnic need user access: they are not built here)
{ grep -hvE '^CONFIG_INFINIBAND_(USER_ACCESS|EFA|ERDMA|USNIC)=' "${frags[@]}"
  cat "$PHYR_TOP/ci/kernel-drivers-nouser.config"; } > "$out/fragment.config"
configure "$phyr_src" "$out" "$out/fragment.config"
grep -q '^# CONFIG_INFINIBAND_USER_ACCESS is not set' "$out/.config" &&
	grep -q '^CONFIG_DMA_PHYR=y' "$out/.config" && ! grep -q '^CONFIG_GUP_PHYR=y' "$out/.config" ||
	die "without user access the configuration should have DMA_PHYR and no GUP_PHYR"
kmake "$phyr_src" "$out" vmlinux modules > "$out/build.log" 2>&1 ||
	{ grep -E 'error|undefined' "$out/build.log" | head -n 20 >&2; die "the phyr tree without user access does not build its modules"; }
note "phyr without user access: $(find "$out/drivers/infiniband" -name '*.ko' | wc -l) RDMA modules build and link"

[ "$each" = 1 ] || exit 0
# drivers/infiniband/ after each patch of the series
tree=$PHYR_CACHE/linux-6.12-prefix
out=$PHYR_CACHE/out-drivers-prefix
mkdir -p "$out"
cp "$PHYR_CACHE/out-drivers-phyr/.config" "$out/.config"
i=0
total=$(grep -cvE '^(#|$)' "$kdir/patches/series")
while read -r p files; do
	case "$p" in ''|'#'*) continue ;; esac
	i=$((i + 1))
	rm -rf "$tree"
	cp -al "$stock_src" "$tree"
	rm -f "$tree/.phyr-source"
	head -n "$i" <(grep -vE '^(#|$)' "$kdir/patches/series") | while read -r q qfiles; do
		patch -d "$tree" -p1 -s -f --no-backup-if-mismatch < "$kdir/patches/$q"
		for nf in $qfiles; do
			mkdir -p "$tree/$(dirname "$nf")"
			cp --remove-destination "$kdir/$nf" "$tree/$nf"
		done
	done
	note "[$(($(date +%s) - start)) s] patches 1-$i of $total ($p): drivers/infiniband/ with W=1"
	{ kmake "$tree" "$out" olddefconfig && kmake "$tree" "$out" W=1 drivers/infiniband/; } \
		> "$out/build-$i.log" 2>&1 ||
		{ grep -E 'error' "$out/build-$i.log" | head -n 20 >&2; die "drivers/infiniband/ does not build with patches 1-$i"; }
done < "$kdir/patches/series"
rm -rf "$tree"
note "drivers/infiniband/ builds after each of the $i patches"
