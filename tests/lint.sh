#!/usr/bin/env bash
# Kernel style checks of `make check`, one tally entry per file:
# checkpatch.pl --strict on every kernel source file and on every patch of
# the series, kernel-doc -Wall on every file with kernel-doc.  Uses the
# scripts of the extracted 6.12 tree (ci/build-kernel.sh extracts it).
set -uo pipefail
. "$(dirname "$0")/../ci/lib.sh"
. "$PHYR_TOP/tests/tally.sh"

scripts=$PHYR_CACHE/linux-6.12/scripts
[ -x "$scripts/checkpatch.pl" ] || [ -f "$scripts/checkpatch.pl" ] ||
	{ tally_fail "lint: no kernel tree with scripts/checkpatch.pl under $PHYR_CACHE"; exit 0; }
kdir=$PHYR_TOP/kernel/ib_umem_phyr
log=$(mktemp)
trap 'rm -f "$log"' EXIT

cd "$PHYR_TOP" || exit 1
# The kernel's files, and the out-of-tree umem probe of make bench
for f in $(find "$kdir" "$PHYR_TOP/bench/umem_probe" -name '*.[ch]' | sort); do
	rel=${f#"$PHYR_TOP"/}
	if perl "$scripts/checkpatch.pl" --strict --no-tree --terse -q -f "$f" > "$log" 2>&1 &&
	   ! grep -qE ': (ERROR|WARNING|CHECK):' "$log"; then
		tally_pass "lint: checkpatch --strict $rel"
	else
		sed 's/^/  /' "$log" >&2
		tally_fail "lint: checkpatch --strict $rel"
	fi
	if grep -q '^/\*\*' "$f"; then
		if perl "$scripts/kernel-doc" -none -Wall "$f" > "$log" 2>&1 && [ ! -s "$log" ]; then
			tally_pass "lint: kernel-doc $rel"
		else
			sed 's/^/  /' "$log" >&2
			tally_fail "lint: kernel-doc $rel"
		fi
	fi
done
while read -r p _; do
	case "$p" in ''|'#'*) continue ;; esac
	# Signed-off-by: is the exporting user's, added by ci/export-series.sh;
	# the source tree is a tarball without history, so checkpatch cannot
	# look up the commit a Fixes: tag names
	if perl "$scripts/checkpatch.pl" --strict --no-tree --terse -q \
		--ignore MISSING_SIGN_OFF,UNKNOWN_COMMIT_ID "$kdir/patches/$p" > "$log" 2>&1 &&
	   ! grep -qE ': (ERROR|WARNING|CHECK):' "$log"; then
		tally_pass "lint: checkpatch --strict patches/$p"
	else
		sed 's/^/  /' "$log" >&2
		tally_fail "lint: checkpatch --strict patches/$p"
	fi
done < "$kdir/patches/series"
