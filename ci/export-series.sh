#!/usr/bin/env bash
# Export the phyr kernel changes as an upstream-style series against Debian's
# linux-source-6.12: a cover letter (patches/cover-letter, with the figures
# of results/bench.md), then each patch of kernel/ib_umem_phyr/patches/series
# with the new files that series line names added to it as file-creation
# diffs, numbered, From: and Signed-off-by: the exporting user's git
# identity (git config user.name and user.email).  Writes build/series/
# (and a series file), then checks that the series applies to the pristine
# tree and reproduces exactly the tree that ci/build-kernel.sh builds as
# phyr.
#
# A series line: PATCH-FILE [NEW-FILE...]  (paths relative to the kernel tree)
#
# With --build-each, also builds the tree after each patch (the phyr
# kernel's config), as upstream requires of a series: one kernel build per
# patch, several minutes each.
set -euo pipefail
build_each=0
case "${1:-}" in
--build-each) build_each=1 ;;
"") ;;
*) echo "usage: ci/export-series.sh [--build-each]" >&2; exit 2 ;;
esac
. "$(dirname "$0")/lib.sh"

kdir=$PHYR_TOP/kernel/ib_umem_phyr
out=$PHYR_TOP/build/series
name=$(git -C "$PHYR_TOP" config user.name || true)
email=$(git -C "$PHYR_TOP" config user.email || true)
[ -n "$name" ] && [ -n "$email" ] ||
	die "no git identity: set git config user.name and user.email (the series is From: and Signed-off-by: you)"
author="$name <$email>"
pristine=$PHYR_CACHE/linux-6.12
phyr_src=$PHYR_CACHE/linux-6.12-phyr
# The phyr tree to compare with, built so we know the series builds too.
"$PHYR_TOP/ci/build-kernel.sh" phyr
rm -rf "$out"
mkdir -p "$out"

claimed=""
total=$(grep -cvE '^(#|$)' "$kdir/patches/series")
i=0
while read -r patch files; do
	case "$patch" in ''|'#'*) continue ;; esac
	i=$((i + 1))
	src=$kdir/patches/$patch
	[ -f "$src" ] || die "series names $patch, which does not exist"
	{
		# The mail header and message: everything up to the --- line,
		# numbered in the series, from and signed off by the exporter
		echo "From: $author"
		sed -n '1,/^---$/p' "$src" | sed '$d' |
			sed "s|^Subject: \[PATCH[^]]*\]|Subject: [PATCH $i/$total]|"
		echo
		echo "Signed-off-by: $author"
		echo "---"
		for f in $files; do
			[ -f "$kdir/$f" ] || die "series line $patch names $f, which does not exist"
			n=$(wc -l < "$kdir/$f")
			echo "diff --git a/$f b/$f"
			echo "new file mode 100644"
			echo "--- /dev/null"
			echo "+++ b/$f"
			echo "@@ -0,0 +1,$n @@"
			sed 's/^/+/' "$kdir/$f"
			claimed+=" $f"
		done
		sed '1,/^---$/d' "$src"
	} > "$out/$patch"
	echo "$patch" >> "$out/series"
done < "$kdir/patches/series"

# The cover letter: the template, the figures of the last make bench
{
	echo "From: $author"
	echo "Subject: [PATCH 0/$total] $(sed -n '1s/^Subject: //p' "$kdir/patches/cover-letter")"
	echo
	sed '1d' "$kdir/patches/cover-letter" | while IFS= read -r line; do
		if [ "$line" = "@FIGURES@" ]; then
			if [ -f "$PHYR_TOP/results/bench.md" ]; then
				sed 's/^/    /' "$PHYR_TOP/results/bench.md"
			else
				echo "    (no results/bench.md: run make bench)"
			fi
		else
			printf '%s\n' "$line"
		fi
	done
	echo
	echo "$author"
} > "$out/0000-cover-letter.patch"

# Every overlay file must belong to a patch.
for f in $(cd "$kdir" && find . -type f ! -path './patches/*' ! -name '*.md' |
		sed 's|^\./||' | sort); do
	case " $claimed " in *" $f "*) ;; *) die "$f is in no patch of the series" ;; esac
done

# Apply to a copy of the pristine tree; compare with the phyr tree.
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
cp -al "$pristine" "$check/linux"
while read -r p; do
	patch -d "$check/linux" -p1 -s -f --no-backup-if-mismatch < "$out/$p" ||
		die "exported $p does not apply to linux-source-6.12"
done < "$out/series"
diff -r -q -x .phyr-source "$check/linux" "$phyr_src" > /dev/null ||
	die "the exported series does not reproduce the phyr tree"
note "exported $(wc -l < "$out/series") patches to $out; they apply to $(cat "$pristine/.phyr-source") and reproduce the phyr tree"

[ "$build_each" = 1 ] || exit 0
# Each prefix of the series on its own: pristine + patches 1..i, built with
# the phyr kernel's configuration (options a prefix lacks drop out).
i=0
while read -r p; do
	i=$((i + 1))
	tree=$check/prefix
	bld=$PHYR_CACHE/out-series
	rm -rf "$tree"
	cp -al "$pristine" "$tree"
	head -n "$i" "$out/series" | while read -r q; do
		patch -d "$tree" -p1 -s -f --no-backup-if-mismatch < "$out/$q"
	done
	mkdir -p "$bld"
	cp "$PHYR_CACHE/out-phyr/.config" "$bld/.config"
	note "building with patches 1-$i ($p)"
	export CCACHE_DIR=${CCACHE_DIR:-$PHYR_CACHE/ccache}
	export CCACHE_BASEDIR=$PHYR_CACHE CCACHE_NOHASHDIR=1
	if ! { make -C "$tree" O="$bld" olddefconfig &&
	       make -C "$tree" O="$bld" -j"$(($(nproc) + 1))" CC="ccache gcc" \
			KBUILD_BUILD_TIMESTAMP="2024-11-17" bzImage; } \
			> "$bld.log" 2>&1; then
		tail -n 30 "$bld.log" >&2
		die "the tree does not build with patches 1-$i (log: $bld.log)"
	fi
done < "$out/series"
note "each of the $i prefixes of the series builds"
