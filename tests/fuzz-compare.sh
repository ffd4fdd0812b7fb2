#!/usr/bin/env bash
# fuzz-compare.sh PREFIX REF OTHER: compare the differential fuzz streams
# (tests/qemu/mr_fuzz.c) of two guest runs, REF/fuzz/*.stream against
# OTHER/fuzz/*.stream, over the calls both made (a longer run is compared
# by its prefix).  Between a stock and a phyr kernel the errno after a
# "siw-chunks" mark is not compared (the one deliberate difference, named
# in mr_fuzz.c).  One tally line per stream; a difference shows the first
# call where the two kernels answered differently.
set -uo pipefail
. "$(dirname "$0")/../ci/lib.sh"
. "$PHYR_TOP/tests/tally.sh"
prefix=$1 ref=$2 other=$3
# The stream up to the checkpoint after call N, siw's mark kept, its
# errno dropped when $4 says so.
cut_stream() {
	awk -v n="$2" -v mark="$3" '
		mark && / -> siw-chunks / { sub(/ -> siw-chunks .*/, " -> siw-chunks") }
		{ print }
		$1 == n && $2 == "check" { exit }' "$1"
}
# The calls a stream's loop made: its last checkpoint before the final deregistrations
calls_of() { awk '$2 == "check" && !/ last/ { n = $1 } / last / { exit } END { print n + 0 }' "$1"; }
mark=0
case "$prefix" in *stock*) mark=1 ;; esac
found=0
for s in "$ref"/fuzz/*.stream; do
	[ -e "$s" ] || continue
	found=1
	name=$(basename "$s" .stream)
	o=$other/fuzz/$name.stream
	if [ ! -s "$o" ]; then
		tally_fail "$prefix: $name: no stream from $(basename "$other")"
		continue
	fi
	n=$(calls_of "$s")
	m=$(calls_of "$o")
	[ "$m" -lt "$n" ] && n=$m
	if [ "$n" -le 0 ]; then
		tally_fail "$prefix: $name: a stream without a checkpoint"
		continue
	fi
	if d=$(diff <(cut_stream "$s" "$n" "$mark") <(cut_stream "$o" "$n" "$mark")); then
		tally_pass "$prefix: $name: the same $n calls give the same results"
	else
		tally_fail "$prefix: $name: the kernels differ over $n calls, first at: $(echo "$d" | sed -n '2p;4p' | tr '\n' '|')"
	fi
done
[ "$found" = 1 ] || tally_fail "$prefix: no fuzz streams in $ref"
