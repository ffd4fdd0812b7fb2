#!/bin/sh
# Standard RDMA setup inside the test guest: a veth pair, Soft-RoCE devices
# rxe0 on veth0 and rxe1 on veth1, and a wait until both have their IPv6
# link-local GID (index 0).  No IP addresses are configured: RoCEv2 between
# the two link-local GIDs stays inside the guest.  And Soft-iWARP siw0 on
# veth2 (a second pair), address 10.0.9.1: TCP underneath, both ends of a
# connection at that address through rdma_cm, which finds siw0 by it (on
# lo, rdma_cm would bind 127.0.0.1 to whichever device comes first).
set -e
ip link set lo up
# Skip duplicate address detection so the link-local GIDs appear at once.
echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad
ip link add veth0 type veth peer name veth1
ip link set veth0 up
ip link set veth1 up
rdma link add rxe0 type rxe netdev veth0
rdma link add rxe1 type rxe netdev veth1
ip link add veth2 type veth peer name veth3
ip addr add 10.0.9.1/24 dev veth2
ip link set veth2 up
ip link set veth3 up
rdma link add siw0 type siw netdev veth2

zero_gid=0000:0000:0000:0000:0000:0000:0000:0000
for dev in rxe0 rxe1; do
	gid=/sys/class/infiniband/$dev/ports/1/gids/0
	tries=0
	while [ "$(cat "$gid" 2>/dev/null || echo $zero_gid)" = "$zero_gid" ]; do
		tries=$((tries + 1))
		if [ "$tries" -gt 200 ]; then
			echo "phyr-guest: $dev has no link-local GID after 20 s" >&2
			exit 1
		fi
		sleep 0.1
	done
done
# ci/vm.sh --wire: eth0 joins another guest; rxe2 on it, address 10.0.7.N
if [ -s /tmp/results/wire ]; then
	addr=$(cat /tmp/results/wire)
	ip addr add "$addr/24" dev eth0
	ip link set eth0 up
	rdma link add rxe2 type rxe netdev eth0
	echo "phyr-guest: rxe2 on eth0 ($addr), the wire to the other guest"
fi
echo "phyr-guest: rxe0 and rxe1 ready on veth0/veth1, siw0 on veth2 (10.0.9.1)"
