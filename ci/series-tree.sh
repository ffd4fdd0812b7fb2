#!/usr/bin/env bash
# For working on the kernel series: make DIR a git tree of the pristine
# linux-source-6.12 with one commit per patch of kernel/ib_umem_phyr/patches/
# (the new files a series line names come from the overlay), tagged
# "pristine" at the base.  Edit, commit or rebase there; then
# ci/series-refresh.sh DIR writes the commits back as the series.
#
#   ci/series-tree.sh DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# = 1 ] || { echo "usage: ci/series-tree.sh DIR" >&2; exit 2; }
dir=$1
kdir=$PHYR_TOP/kernel/ib_umem_phyr
[ ! -e "$dir" ] || die "$dir exists"
"$PHYR_TOP/ci/build-kernel.sh" --prepare-only
cp -a "$PHYR_CACHE/linux-6.12" "$dir"
cd "$dir"
rm -f .phyr-source
git init -q
git add -f -A .
git -c user.name=pristine -c user.email=pristine@localhost commit -qm "linux-source-6.12 $(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null)"
git tag pristine
while read -r p files; do
	case "$p" in ''|'#'*) continue ;; esac
	patch -p1 -s -f --no-backup-if-mismatch < "$kdir/patches/$p" ||
		die "$p does not apply"
	for f in $files; do
		mkdir -p "$(dirname "$f")"
		cp "$kdir/$f" "$f"
	done
	git add -f -A .
	# The message: the Subject without its [PATCH] tag, the body up to ---
	sed -n '/^Subject: /,/^---$/p' "$kdir/patches/$p" | sed '$d' |
		sed '1s/^Subject: \(\[PATCH[^]]*\] \)\{0,1\}//' > .git/phyr-msg
	git commit -q -F .git/phyr-msg
done < "$kdir/patches/series"
note "$dir: $(git rev-list --count pristine..HEAD) commits on top of tag pristine"
