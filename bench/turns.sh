#!/usr/bin/env bash
# Registration time and perftest bandwidth for `make bench`, stock and phyr
# side by side: both kernels boot at once (4 GiB guests running
# bench/guest-turns.sh) and take every measurement in turns, one guest
# working while the other waits.  Under TCG the host's speed drifts by half
# over minutes; a turn takes seconds, so each phyr/stock pair sees the same
# host.  The kernel that goes first alternates from round to round.
#
#   bench/turns.sh RAWDIR ROUNDS [REG_ROUNDS]
#
# ROUNDS rounds of both kinds, then registration time alone up to round
# REG_ROUNDS (default ROUNDS): a registration pair takes seconds, a
# perftest round minutes, and single pairs spread by tens of percent, so
# the cheap figure gets more pairs.
#
# Writes RAWDIR/<kernel>/reg-<round>.txt (one mr_bench line per layout) and
# bw-<round>.txt ("test size gbps" lines), the files bench/report.py pairs
# by round.  Guest consoles: RAWDIR/<kernel>/turns/console.log.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: bench/turns.sh RAWDIR ROUNDS [REG_ROUNDS]"
raw=$1 rounds=$2 reg_rounds=${3:-$2}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive count"
[[ "$reg_rounds" =~ ^[1-9][0-9]*$ ]] && [ "$reg_rounds" -ge "$rounds" ] ||
	die "REG_ROUNDS must be a count of at least ROUNDS ($rounds)"
kernels=(stock phyr)
layouts=(frag_4k:256M thp:256M hugetlb_2m:256M hugetlb_1g:1G)
declare -A pid seq

stop_guests() {
	local k
	for k in "${kernels[@]}"; do
		[ -z "${pid[$k]:-}" ] || kill "${pid[$k]}" 2>/dev/null || true
	done
}
trap stop_guests EXIT

for k in "${kernels[@]}"; do
	d=$raw/$k/turns
	rm -rf "$d"
	mkdir -p "$d"
	"$PHYR_TOP/ci/vm.sh" --quiet -k "$k" -m 4G -a "hugepagesz=1G hugepages=1" \
		-t 14400 -r "$d" "$PHYR_TOP/bench/guest-turns.sh" &
	pid[$k]=$!
	seq[$k]=0
done

# await KERNEL FILE SECONDS: wait for the guest to write FILE; fails if the
# guest ends first or the time runs out.
await() {
	local k=$1 f=$raw/$1/turns/$2 deadline=$((SECONDS + $3))
	while [ ! -e "$f" ]; do
		kill -0 "${pid[$k]}" 2>/dev/null ||
			{ note "the $k guest ended early (console: $raw/$k/turns/console.log)"; return 1; }
		[ "$SECONDS" -lt "$deadline" ] ||
			{ note "no $2 from the $k guest in $3 s (console: $raw/$k/turns/console.log)"; return 1; }
		sleep 0.1
	done
}

# turn KERNEL COMMAND...: hand the command to the kernel's guest and set
# $answer to its reply; fails if the guest ends or takes over 15 minutes.
# (Not to be called in a subshell: it counts the kernel's turns.)
turn() {
	local k=$1 d=$raw/$1/turns n
	shift
	n=$((seq[$k] + 1))
	seq[$k]=$n
	answer=""
	echo "$*" > "$d/.turn-$n"
	mv "$d/.turn-$n" "$d/turn-$n"
	await "$k" "out-$n" 900 || return 1
	answer=$(cat "$d/out-$n")
}

# Neither guest measures while the other still boots.
for k in "${kernels[@]}"; do
	await "$k" ready 600 || exit 1
done

for i in $(seq "$reg_rounds"); do
	order=("${kernels[@]}")
	[ $((i % 2)) = 1 ] || order=(phyr stock)
	perftest=$((i <= rounds))
	note "round $i/$reg_rounds (${order[0]} first): registration time per layout$(
		[ "$perftest" = 0 ] || echo ", then perftest")"
	for k in "${kernels[@]}"; do
		: > "$raw/$k/reg-$i.txt"
		[ "$perftest" = 0 ] || : > "$raw/$k/bw-$i.txt"
	done
	for spec in "${layouts[@]}"; do
		lay=${spec%%:*}
		for k in "${order[@]}"; do
			turn "$k" reg "$lay" "${spec#*:}" || answer="layout=$lay error=no_answer_from_the_guest"
			echo "$answer" >> "$raw/$k/reg-$i.txt"
		done
	done
	[ "$perftest" = 1 ] || continue
	for t in write read send; do
		for size in 4096 65536 1048576; do
			for k in "${order[@]}"; do
				turn "$k" bw "$t" "$size" || answer=null
				echo "$t $size ${answer:-null}" >> "$raw/$k/bw-$i.txt"
			done
		done
	done
done

status=0
for k in "${kernels[@]}"; do
	turn "$k" quit || status=1
	wait "${pid[$k]}" || { note "the $k guest failed (console: $raw/$k/turns/console.log)"; status=1; }
	pid[$k]=""
done
exit "$status"
