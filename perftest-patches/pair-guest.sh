#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# Copyright (c) 2026 The phyr-umem authors
#
# Inside one of the two guests phyr-perftest-pair starts: rxe2 on eth0 at
# 10.0.7.ME (ci/vm.sh --wire), the other guest at the other end of the wire.
#   pair-guest.sh ME PLAN
# PLAN has one step per line, the same file in both guests:
#   NAME SERVER KIND ARG...
# SERVER is the wire number (1 or 2) of the guest that serves the step; the
# other guest is its client.  KIND is
#   perftest  ARG... is a perftest command (ib_write_bw -s 65536 ...): run
#             through phyr-perftest (the footprint extension) on both ends,
#             connected by rdma_cm (-R) on port 18515 + step number
#   xk        ARG... are xk_rdma's client options (-l LAYOUT -s SIZE ...):
#             the cross-kernel data-integrity test, server on SERVER
# Both guests walk the plan in order.  A client waits for its server (which
# may still be booting, or finishing the step before) up to PAIR_WAIT
# seconds (default 90); every run is bounded by PAIR_STEP_TIMEOUT (240).
# Per step the results folder gets NAME.out (perftest's or xk_rdma's
# output), NAME.json (the footprint block's JSON, perftest steps) and
# NAME.status (exit status; 124: timed out, 200: no server came).
set -u
me=$1 plan=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=/tmp/results
wait_s=${PAIR_WAIT:-90}
step_timeout=${PAIR_STEP_TIMEOUT:-240}
pp=$top/build/perftest-patches/phyr-perftest
xk=$top/build/tests/xk_rdma

# The wire's Soft-RoCE device has its IPv4 GID once eth0 has the address.
for _ in $(seq 100); do
	grep -qs '0000:0000:0000:0000:0000:ffff:0a00:07' /sys/class/infiniband/rxe2/ports/1/gids/* && break
	sleep 0.1
done
echo 64 > /proc/sys/vm/nr_hugepages

# client_loop CMD...: run CMD until it connects or PAIR_WAIT passes.  A
# run that failed within 10 s on connecting (perftest exits at once when
# nobody listens: rdma_cm's connect or address resolution fails) found no
# server yet; anything else, a bad device say, is the step's result.
no_server_re="rdma_connect failed|Unable to perform rdma_client function|Couldn't connect|rdma_resolve_(addr|route)|RDMA_CM_EVENT_(REJECTED|UNREACHABLE|ADDR_ERROR|ROUTE_ERROR)"
client_loop() {
	local start=$SECONDS t0 rc
	while :; do
		t0=$SECONDS
		timeout "$step_timeout" "$@" > "$out/$name.out" 2>&1
		rc=$?
		if [ "$rc" = 0 ] || [ $((SECONDS - t0)) -ge 10 ] ||
		   grep -qE '^ *#bytes' "$out/$name.out" ||
		   ! grep -qE "$no_server_re" "$out/$name.out"; then
			return "$rc"
		fi
		if [ $((SECONDS - start)) -ge "$wait_s" ]; then
			echo "pair-guest: no server at 10.0.7.$server after $wait_s s" >> "$out/$name.out"
			return 200
		fi
		sleep 1
	done
}

step=0
while read -r name server kind args; do
	case "$name" in ''|'#'*) continue ;; esac
	step=$((step + 1))
	port=$((18515 + step))
	peer=10.0.7.$server
	# shellcheck disable=SC2086
	set -- $args
	rm -f "$out/$name.json"
	case "$kind" in
	perftest)
		bin=$1
		shift
		cmd=("$pp" --json "$out/$name.json" "$bin" -R -F -p "$port" "$@")
		if [ "$server" = "$me" ]; then
			timeout "$step_timeout" "${cmd[@]}" > "$out/$name.out" 2>&1
		else
			client_loop "${cmd[@]}" "$peer"
		fi ;;
	xk)
		if [ "$server" = "$me" ]; then
			timeout "$step_timeout" "$xk" -L -p "$port" > "$out/$name.out" 2>&1
		else
			# xk_rdma waits for its server itself
			timeout "$step_timeout" "$xk" -c "$peer" -p "$port" -w "$wait_s" "$@" \
				> "$out/$name.out" 2>&1
		fi ;;
	*)
		echo "pair-guest: step $name: unknown kind '$kind'" > "$out/$name.out"
		false ;;
	esac
	echo $? > "$out/$name.status"
done < "$plan"
echo 0 > /proc/sys/vm/nr_hugepages
exit 0
