#!/usr/bin/env bash
# The other half of ci/series-tree.sh: write the commits of DIR after its
# "pristine" tag back as kernel/ib_umem_phyr/patches/: changes to existing
# files to NNNN-subject.patch, the commit's message to the patch's Subject
# and body, the files it adds onto its series line.  The overlay is where
# new files are kept: a new file whose copy in DIR differs from the
# overlay's stops the refresh, unless --take-new-files copies DIR's in.
#
#   ci/series-refresh.sh [--take-new-files] DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

take=0
[ "${1:-}" != --take-new-files ] || { take=1; shift; }
[ $# = 1 ] || { echo "usage: ci/series-refresh.sh [--take-new-files] DIR" >&2; exit 2; }
dir=$(cd "$1" && pwd)
kdir=$PHYR_TOP/kernel/ib_umem_phyr
git -C "$dir" rev-parse -q --verify pristine > /dev/null || die "$dir has no tag pristine"
[ -z "$(git -C "$dir" status --porcelain --untracked-files=no)" ] ||
	die "$dir has uncommitted changes"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
i=0 all_added=" "
for c in $(git -C "$dir" rev-list --reverse pristine..HEAD); do
	i=$((i + 1))
	subject=$(git -C "$dir" log -1 --format=%s "$c")
	slug=$(printf '%s' "$subject" | tr -c 'A-Za-z0-9\n' '-' | tr -s '-' |
		sed 's/^-//; s/-$//' | cut -c1-52 | sed 's/-$//')
	name=$(printf '%04d-%s.patch' "$i" "$slug")
	added=$(git -C "$dir" diff --diff-filter=A --name-only "$c^" "$c" | sort | tr '\n' ' ')
	# A new file is whole in the patch that adds it: the overlay holds it
	for f in $(git -C "$dir" diff --diff-filter=MD --name-only "$c^" "$c"); do
		case "$all_added" in *" $f "*)
			die "$subject changes $f, which an earlier commit adds: fold the change into that commit" ;;
		esac
	done
	all_added+="$added"
	for f in $added; do
		if [ "$take" = 1 ]; then
			mkdir -p "$kdir/$(dirname "$f")"
			git -C "$dir" show "HEAD:$f" > "$kdir/$f"
		elif ! git -C "$dir" show "HEAD:$f" | cmp -s - "$kdir/$f"; then
			die "$f in $dir differs from the overlay's (copy it in, or --take-new-files)"
		fi
	done
	{
		echo "Subject: [PATCH] $subject"
		echo
		git -C "$dir" log -1 --format=%b "$c" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
		echo "---"
		git -C "$dir" diff --diff-filter=MD "$c^" "$c" | sed "/^index [0-9a-f]*\.\.[0-9a-f]* [0-7]*$/d"
	} > "$out/$name"
	echo "$name ${added% }" | sed 's/ $//' >> "$out/series"
done
rm -f "$kdir"/patches/*.patch "$kdir/patches/series"
cp "$out"/* "$kdir/patches/"
note "wrote $i patches to $kdir/patches"
