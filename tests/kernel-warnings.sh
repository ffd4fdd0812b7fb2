#!/usr/bin/env bash
# Part of `make check`: sparse (Debian's) and W=1 on every C file the series
# touches, in the stock and in the phyr tree, each configured as
# ci/build-drivers.sh configures it (so that every touched driver builds).
# A touched file passes if the phyr tree shows no warning of W=1 or sparse
# in it that the stock tree does not also show (compared without line
# numbers: stock files may carry warnings of their own).  One tally entry
# per file.
set -uo pipefail
. "$(dirname "$0")/../ci/lib.sh"
. "$PHYR_TOP/tests/tally.sh"

kdir=$PHYR_TOP/kernel/ib_umem_phyr
command -v sparse > /dev/null || { tally_fail "warnings: sparse is not installed (ci/deps.sh kernel)"; exit 0; }
srcs=$("$PHYR_TOP/ci/build-kernel.sh" --prepare-only stock phyr) ||
	{ tally_fail "warnings: cannot prepare the source trees"; exit 0; }
stock_src=$(sed -n 1p <<< "$srcs") phyr_src=$(sed -n 2p <<< "$srcs")
export CCACHE_DIR=${CCACHE_DIR:-$PHYR_CACHE/ccache}
export CCACHE_BASEDIR=$PHYR_CACHE CCACHE_NOHASHDIR=1
kmake() {
	make -C "$1" O="$2" -j"$(($(nproc) + 1))" CC="ccache gcc" \
		KBUILD_BUILD_TIMESTAMP="2024-11-17" "${@:3}"
}

files=$({ grep -h '^+++ b/' "$kdir"/patches/*.patch | sed 's|^+++ b/||'
	  (cd "$kdir" && find . -name '*.c' ! -path './patches/*' | sed 's|^\./||'); } |
	grep '\.c$' | sort -u)

# W=1 and sparse on the touched files of one tree; warnings without line
# numbers, one "file: message" per line
warnings() {
	local t=$1 src=$2 out=$PHYR_CACHE/out-warn-$1 objs=() f inputs
	local frags=("$PHYR_TOP/ci/kernel.config" "$PHYR_TOP/ci/kernel-drivers.config")
	[ "$t" = stock ] || frags+=("$PHYR_TOP/ci/kernel-phyr.config")
	inputs=$(cat "${frags[@]}" "$src/.phyr-source" 2>/dev/null | sha256sum)
	mkdir -p "$out"
	if [ "$(cat "$out/.phyr-inputs" 2>/dev/null)" != "$inputs" ]; then
		rm -f "$out/.phyr-inputs"
		{ kmake "$src" "$out" tinyconfig &&
		  "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" &&
		  kmake "$src" "$out" olddefconfig && kmake "$src" "$out" prepare; } \
			> "$out/prepare.log" 2>&1 || return 1
		echo "$inputs" > "$out/.phyr-inputs"
	fi
	for f in $files; do
		[ -f "$src/$f" ] || continue
		# A .c file another file of its folder includes (a KUnit suite
		# that reaches static helpers) builds as part of that file
		grep -qs "^#include \"${f##*/}\"" "$src/${f%/*}"/*.c && continue
		objs+=("${f%.c}.o")
	done
	# C=2: sparse on every file named, built or not
	kmake "$src" "$out" W=1 C=2 "${objs[@]}" > "$out/warn.log" 2>&1 || return 1
	grep -E ': (warning|error): ' "$out/warn.log" |
		sed -E 's|^(\.\./)*[^ :]*linux-6\.12(-phyr)?/||; s|^([^:]+):[0-9]+(:[0-9]+)?: |\1: |' |
		sort -u
}

stock=$(mktemp) phyr=$(mktemp)
trap 'rm -f "$stock" "$phyr"' EXIT
if ! warnings stock "$stock_src" > "$stock" || ! warnings phyr "$phyr_src" > "$phyr"; then
	tally_fail "warnings: the touched files do not build with W=1 and sparse (logs: $PHYR_CACHE/out-warn-*/)"
	exit 0
fi
for f in $files; do
	new=$(comm -13 <(grep -F "$f: " "$stock" || true) <(grep -F "$f: " "$phyr" || true))
	if [ -z "$new" ]; then
		tally_pass "warnings: sparse and W=1 add nothing in $f"
	else
		printf '%s\n' "$new" | sed 's/^/  /' >&2
		tally_fail "warnings: sparse or W=1 warn in $f where the stock tree does not"
	fi
done
