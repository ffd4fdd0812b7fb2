#!/usr/bin/env bash
# Build a test kernel from Debian's linux-source-6.12 tarball.
#
#   stock  the tarball unmodified: the anchor every figure is compared with
#   phyr   this project's kernel/ib_umem_phyr/ files copied in and its patch
#          series (kernel/ib_umem_phyr/patches/series) applied
#   debug  the phyr tree with ci/kernel-debug.config on top (KASAN, kmemleak,
#          lockdep, DEBUG_VM, fault injection)
#
# Config: tinyconfig + ci/kernel.config (+ ci/kernel-phyr.config for phyr
# and debug, + ci/kernel-debug.config for debug).  A tree
# is rebuilt only when its inputs change: the tarball's package version, the
# config fragments, this script and, for phyr and debug, the overlay files
# and patches.  Compiles go through ccache.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: ci/build-kernel.sh [--print-image] FLAVOUR...
       ci/build-kernel.sh --prepare-only [FLAVOUR...]
Build the named kernel flavours ($PHYR_FLAVOURS) under $PHYR_CACHE
unless they are up to date.  --print-image prints each bzImage path.
--prepare-only builds nothing: it extracts the pristine tree
($PHYR_CACHE/linux-6.12) and prints the source tree of each flavour named,
prepared (the phyr tree: overlay copied in, series applied).
USAGE
}

print=0 prepare_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	--print-image) print=1; shift ;;
	--prepare-only) prepare_only=1; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) usage >&2; die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || [ "$prepare_only" = 1 ] || { usage >&2; exit 2; }
for f in "$@"; do check_flavour "$f"; done

overlay=$PHYR_TOP/kernel/ib_umem_phyr
[ -f "$PHYR_LINUX_TARBALL" ] ||
	die "$PHYR_LINUX_TARBALL is missing (Debian package linux-source-6.12: run ci/deps.sh kernel)"
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
mkdir -p "$PHYR_CACHE"

need_space() {
	local avail_mb
	avail_mb=$(df -Pm "$PHYR_CACHE" | awk 'NR == 2 { print $4 }')
	[ "$avail_mb" -ge "$1" ] ||
		die "only $avail_mb MiB free under $PHYR_CACHE; $2 needs $1 MiB"
}

# The pristine tree, extracted once per package version.
pristine=$PHYR_CACHE/linux-6.12
if [ "$(cat "$pristine/.phyr-source" 2>/dev/null)" != "$pkgver" ]; then
	need_space 2500 "extracting the kernel source"
	note "extracting $PHYR_LINUX_TARBALL ($pkgver)"
	rm -rf "$pristine" "$pristine.tmp"
	mkdir -p "$pristine.tmp"
	tar -xf "$PHYR_LINUX_TARBALL" -C "$pristine.tmp" --strip-components=1 ||
		die "cannot extract $PHYR_LINUX_TARBALL"
	echo "$pkgver" > "$pristine.tmp/.phyr-source"
	mv "$pristine.tmp" "$pristine"
fi
[ "$prepare_only" = 0 ] || [ $# -gt 0 ] || exit 0

# Overlay files: everything under kernel/ib_umem_phyr/ that mirrors a kernel
# path; patches/ and documentation are not.
overlay_files() {
	(cd "$overlay" && find . -type f ! -path './patches/*' ! -name '*.md' | sort)
}

overlay_hash() {
	(cd "$overlay" && overlay_files | xargs -r sha256sum
	 [ ! -d patches ] || find patches -type f | sort | xargs -r sha256sum) |
		sha256sum | cut -d' ' -f1
}

# The phyr source: a hard-linked copy of the pristine tree, the overlay copied
# over it and the series applied.  patch(1) and cp --remove-destination
# replace files instead of writing through the links, so the pristine tree
# stays pristine.
prepare_phyr_source() {
	local src=$PHYR_CACHE/linux-6.12-phyr
	local want
	want="$pkgver $(overlay_hash)"
	if [ "$(cat "$src/.phyr-source" 2>/dev/null)" = "$want" ]; then
		echo "$src"
		return
	fi
	note "preparing the phyr source tree"
	rm -rf "$src"
	cp -al "$pristine" "$src"
	rm -f "$src/.phyr-source"
	local f
	for f in $(overlay_files); do
		mkdir -p "$src/$(dirname "$f")"
		cp --remove-destination "$overlay/$f" "$src/$f"
	done
	if [ -f "$overlay/patches/series" ]; then
		local p files
		# A series line: the patch, then the new files it adds (for
		# ci/export-series.sh); the new files come from the overlay.
		while read -r p files; do
			case "$p" in ''|'#'*) continue ;; esac
			patch -d "$src" -p1 -s -f --no-backup-if-mismatch \
				< "$overlay/patches/$p" >&2 ||
				die "patch $p does not apply to linux-source-6.12 $pkgver"
		done < "$overlay/patches/series"
	fi
	echo "$want" > "$src/.phyr-source"
	echo "$src"
}

if [ "$prepare_only" = 1 ]; then
	for f in "$@"; do
		case "$f" in
		stock) echo "$pristine" ;;
		*) prepare_phyr_source ;;
		esac
	done
	exit 0
fi

build_one() {
	local flavour=$1 src out frags inputs log start
	case "$flavour" in
	stock) src=$pristine; frags=("$PHYR_TOP/ci/kernel.config") ;;
	phyr) src=$(prepare_phyr_source)
		frags=("$PHYR_TOP/ci/kernel.config" "$PHYR_TOP/ci/kernel-phyr.config") ;;
	debug) src=$(prepare_phyr_source)
		frags=("$PHYR_TOP/ci/kernel.config" "$PHYR_TOP/ci/kernel-phyr.config"
		       "$PHYR_TOP/ci/kernel-debug.config") ;;
	esac
	out=$PHYR_CACHE/out-$flavour
	inputs=$({ cat "$src/.phyr-source"; cat "${frags[@]}" "$0"; } | sha256sum | cut -d' ' -f1)
	if [ -f "$out/arch/x86/boot/bzImage" ] &&
	   [ "$(cat "$out/.phyr-inputs" 2>/dev/null)" = "$inputs" ]; then
		note "$flavour kernel is up to date"
		return
	fi
	need_space 3000 "building the $flavour kernel"
	mkdir -p "$out"
	rm -f "$out/.phyr-inputs"
	log=$out/build.log
	start=$(date +%s)
	note "building the $flavour kernel (log: $log)"

	local -a kmake=(make -C "$src" O="$out" -j"$(($(nproc) + 1))"
		CC="ccache gcc" KBUILD_BUILD_TIMESTAMP="2024-11-17"
		KBUILD_BUILD_USER=phyr KBUILD_BUILD_HOST=phyr-umem)
	export CCACHE_DIR=${CCACHE_DIR:-$PHYR_CACHE/ccache}
	export CCACHE_BASEDIR=$PHYR_CACHE CCACHE_NOHASHDIR=1
	{
		"${kmake[@]}" tinyconfig &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" &&
		"${kmake[@]}" olddefconfig
	} > "$log" 2>&1 || { tail -n 20 "$log" >&2; die "configuring the $flavour kernel failed (log: $log)"; }

	# Every option the fragments ask for must survive olddefconfig.
	local bad
	bad=$(config_lost "$out/.config" "${frags[@]}")
	[ -z "$bad" ] || die "the $flavour kernel config lost options (missing dependencies?):$bad"

	"${kmake[@]}" bzImage modules >> "$log" 2>&1 ||
		{ grep -E 'error|Error' "$log" | head -n 20 >&2; die "the $flavour kernel does not build (log: $log)"; }
	echo "$inputs" > "$out/.phyr-inputs"
	note "built the $flavour kernel in $(($(date +%s) - start)) s"
}

for f in "$@"; do
	build_one "$f"
	[ "$print" = 0 ] || kernel_image "$f"
done
