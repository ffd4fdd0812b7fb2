#!/bin/bash
# Inside a benchmark guest that runs beside the other kernel's guest (4 GiB,
# booted with hugepagesz=1G hugepages=1).  bench/turns.sh hands both guests
# the same measurements in turns, one guest at a time, so that each phyr
# figure is taken seconds after or before its stock counterpart: under TCG
# the host's speed drifts by half over minutes, which boot-by-boot pairs
# could not tell from the kernels.
#
# The guest says it is up with /tmp/results/ready.  Turn N arrives as the
# file /tmp/results/turn-N holding one command; its answer goes to
# /tmp/results/out-N, renamed into place when complete:
#   reg LAYOUT SIZE   registration time, mr_bench -l LAYOUT -s SIZE -r 7 (a
#                     huge-page MR deregisters in well under a millisecond:
#                     3 repeats left ratios spread from 0.1 to 8); its output
#                     line, or "layout=LAYOUT error=REASON"
#   bw TEST SIZE      perftest's TEST (write, read, send) at SIZE bytes between
#                     rxe0 and rxe1, 256 MiB moved: Gb/s, or "null".  Seven
#                     runs of each, alternating in one guest (write, 64 KiB):
#                     64 MiB runs spread from 0.87 to 1.54 times their
#                     median, 256 MiB runs from 0.94 to 1.05 but one (1.35)
#   quit              end the job
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
res=/tmp/results

. "$top/bench/guest-lib.sh"
guest_setup

# Waiting polls the results folder (9p, uncached) every 0.1 s; read -t on a
# FIFO sleeps without forking, so the idle guest costs the busy one nothing
# to speak of.
mkfifo /tmp/tick
exec 9<> /tmp/tick
: > "$res/ready"

answer() {
	echo "$2" > "$res/.out-$1"
	mv "$res/.out-$1" "$res/out-$1"
}

n=1
while :; do
	while [ ! -e "$res/turn-$n" ]; do
		read -r -t 0.1 -u 9 _
	done
	read -r cmd a b < "$res/turn-$n"
	echo "bench: turn $n: $cmd ${a:-} ${b:-}" >&2
	case "$cmd" in
	reg)
		out=$(measure_reg "$a" "$b" 7) ;;
	bw)
		iters=$(( (256 << 20) / b ))
		[ "$iters" -ge 64 ] || iters=64
		out=$(measure_bw "$a" "$b" "$iters") ;;
	quit)
		answer "$n" bye
		exit 0 ;;
	*)
		out="error=unknown_turn_$cmd" ;;
	esac
	answer "$n" "$out"
	n=$((n + 1))
done
