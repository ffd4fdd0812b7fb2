#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# Copyright (c) 2026 The phyr-umem authors
#
# perftest's binaries as Debian ships them with the footprint extension
# (perftest-patches/: phyr-perftest, libperftest-phyr.so) on both ends,
# inside a test guest with rxe0 and rxe1 up on a veth pair (ci/guest-setup.sh):
# server on rxe1, client on rxe0 over 127.0.0.1.  TAP on stdout and in
# /tmp/results/perftest-fp.tap.
#   guest-perftest-fp.sh phyr|stock
# The argument is the kernel: phyr reports footprints, stock does not.
# Each end's block is read back (perftest-patches/tests/fp-block.py)
# against its JSON.  MR counts, from perftest's create_mr(): one MR per
# process for the buffer of every QP, one per QP with --mr_per_qp.
# ib_write_bw, ib_read_bw, ib_send_bw, ib_write_lat: both ends print a
# block of 1 MR after perftest's report, its JSON agrees with it; phyr:
# the kernel's bytes (0 for a list that fits the umem's inline head),
# B/page within the MRs' and below the stock estimate's; stock: "not
# reported by this kernel" and the estimate an upper bound.
# --mr_per_qp -q 2: 2 MRs.  -a: 1 MR of at least 8 MiB (perftest's
# largest size, 2^23).  -b with perftest's --out_json: the sibling JSON
# files.  --use_hugepages with 2 MiB pages reserved (phyr: no more bytes
# per page than the same test in small pages), and with none (perftest's
# error, no MR so no block, no hang).  A device that does not exist,
# rxe0's port down (veth0 down; brought back up after), a client whose
# server never comes, a server whose client never comes (SIGTERM to
# phyr-perftest once perftest listens): their status, no crash, no hang.
# About 2 minutes of guest time under TCG (98 s measured on stock, 118 s
# on phyr); under KASAN a shorter list (all of it took 406 s there).
# The checks are functions run through check().
# shellcheck disable=SC2317
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tap=/tmp/results/perftest-fp.tap
pp=$top/build/perftest-patches/phyr-perftest
fpb=$top/perftest-patches/tests/fp-block.py
kern=${1:-}
# Under KASAN (the debug kernel) perftest is slow: the kernel-side paths
# (registration through the extension, the bad input) only
short=0
! grep -q ' kasan_report' /proc/kallsyms 2>/dev/null || short=1
case "$kern" in
phyr|stock) ;;
*) echo "usage: guest-perftest-fp.sh phyr|stock" >&2; exit 2 ;;
esac
# shellcheck source-path=SCRIPTDIR source=tap.sh
. "$here/tap.sh"
dir=$(mktemp -d)
port=19100
unset PHYR_PERFTEST_JSON

# run_side DIR JSON BIN ARG...: in DIR, phyr-perftest BIN ARG... (with
# --json DIR/fp.json when JSON is 1), its output in DIR/out, its status in
# DIR/status
run_side() {
	local d=$1 json=$2 opt=()
	shift 2
	[ "$json" = 0 ] || opt=(--json "$d/fp.json")
	mkdir -p "$d" && cd "$d" || return 1
	timeout 90 "$pp" "${opt[@]}" "$@" > out 2>&1
	echo $? > status
}

# pair NAME [--no-json] BIN ARG...: BIN ARG... between rxe1 (server) and
# rxe0 (client), both through phyr-perftest, in $dir/NAME.server/ and
# $dir/NAME.client/ (run_side)
pair() {
	local name=$1 json=1 bin server
	shift
	[ "$1" != --no-json ] || { json=0; shift; }
	bin=$1
	shift
	port=$((port + 1))
	(run_side "$dir/$name.server" "$json" "$bin" -d rxe1 -x 0 -p "$port" -F "$@") &
	server=$!
	# The server's TCP listener: the out-of-band exchange
	for _ in $(seq 150); do
		ss -ltn 2>/dev/null | grep -q ":$port " && break
		sleep 0.1
	done
	(run_side "$dir/$name.client" "$json" "$bin" -d rxe0 -x 0 -p "$port" -F "$@" 127.0.0.1)
	wait "$server"
}

# side_ok NAME SIDE MRS [fp-block.py options]: SIDE ran, exited 0, printed
# its block last, of MRS MRs, agreeing with its JSON and with the kernel
side_ok() {
	local d=$dir/$1.$2 mrs=$3 json
	shift 3
	json=$d/fp.json
	[ -f "$json" ] || json=$d/perftest_out.footprint.json
	cat "$d/out"
	[ "$(cat "$d/status")" = 0 ] || { echo "exit status $(cat "$d/status")"; return 1; }
	no_crash "$d/out" || return 1
	tail -n 1 "$d/out" | grep -qx -- '-\{87\}' || { echo "the block is not last"; return 1; }
	python3 -m json.tool "$json" > /dev/null || return 1
	"$fpb" "$d/out" --json "$json" --mrs "$mrs" --kernel "$kern" "$@"
}

# both_ok NAME DESCRIPTION MRS [fp-block.py options]: side_ok on both ends
both_ok() {
	local name=$1 what=$2 side
	shift 2
	for side in server client; do
		check "$what: the $side's block" side_ok "$name" "$side" "$@"
	done
}

no_crash() {
	! grep -E 'Segmentation|AddressSanitizer|core dumped|Aborted|[Bb]acktrace' "$@"
}

# failed_cleanly FILE STATUS PATTERN: a non-zero status that is not
# timeout's, PATTERN in the output, no crash, no block
failed_cleanly() {
	local out=$1 rc=$2 pattern=$3
	cat "$out"
	echo "exit status $rc"
	[ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -q -- "$pattern" "$out" && no_crash "$out" &&
		! grep -q 'MR footprint' "$out"
}

# bpp NAME: the server's kernel B/page, from its JSON
bpp() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["bytes_per_page"])' \
		"$dir/$1.server/fp.json"
}

hugepages_fewer_bytes() {
	local small huge
	small=$(bpp write) && huge=$(bpp huge) || return 1
	echo "B/page: $small in small pages, $huge in 2 MiB pages"
	python3 -c 'import sys; sys.exit(not float(sys.argv[2]) <= float(sys.argv[1]))' "$small" "$huge"
}

nohuge_failed() {
	local side
	for side in server client; do
		failed_cleanly "$dir/nohuge.$side/out" "$(cat "$dir/nohuge.$side/status")" \
			'Failed to allocate hugepages' || return 1
	done
}

bad_device() {
	local rc=0
	timeout 30 "$pp" ib_write_bw -d nosuch -x 0 > "$dir/nodev" 2>&1 || rc=$?
	failed_cleanly "$dir/nodev" "$rc" 'Unable to find the Infiniband/RoCE device'
}

# rxe0's port down (its netdev down): perftest's own error, at once; then
# the port comes back with its GID, for the tests after this script
port_down() {
	local rc=0 gid=/sys/class/infiniband/rxe0/ports/1/gids/0 ok=0
	ip link set veth0 down
	for _ in $(seq 50); do
		grep -q DOWN /sys/class/infiniband/rxe0/ports/1/state && break
		sleep 0.1
	done
	cat /sys/class/infiniband/rxe0/ports/1/state
	timeout 30 "$pp" ib_write_bw -d rxe0 -x 0 -p 19097 -F 127.0.0.1 > "$dir/portdown" 2>&1 || rc=$?
	failed_cleanly "$dir/portdown" "$rc" . || ok=1
	ip link set veth0 up
	for _ in $(seq 100); do
		grep -q ACTIVE /sys/class/infiniband/rxe0/ports/1/state &&
			! grep -q '^0000:0000:0000:0000' "$gid" && break
		sleep 0.1
	done
	grep -q ACTIVE /sys/class/infiniband/rxe0/ports/1/state || { echo "rxe0 did not come back"; ok=1; }
	return "$ok"
}

# Nothing listens on the port: perftest's connect is refused at once
no_server() {
	local rc=0
	timeout 30 "$pp" ib_write_bw -d rxe0 -x 0 -p 19099 -F 127.0.0.1 > "$dir/noserver" 2>&1 || rc=$?
	cat "$dir/noserver"
	echo "exit status $rc"
	[ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -q "Couldn't connect" "$dir/noserver" &&
		no_crash "$dir/noserver"
}

# A server left waiting: SIGTERM to phyr-perftest once perftest listens
# (as timeout(1) would send it) reaches perftest, which dies of it
no_client() {
	local rc=0 w
	"$pp" ib_write_bw -d rxe1 -x 0 -p 19098 -F > "$dir/noclient" 2>&1 &
	w=$!
	for _ in $(seq 600); do
		ss -ltn 2>/dev/null | grep -q ':19098 ' && break
		sleep 0.1
	done
	kill -TERM "$w"
	wait "$w" || rc=$?
	cat "$dir/noclient"
	echo "exit status $rc"
	[ "$rc" = 143 ] && grep -qx 'phyr-perftest: ib_write_bw killed by signal 15: no footprint block' \
		"$dir/noclient" && no_crash "$dir/noclient" &&
		! grep -qx ib_write_bw /proc/[0-9]*/comm 2>/dev/null
}

# 2 MiB pages as SHM_HUGETLB takes them: N reserved, no surplus
set_hugepages() {
	echo "$2" > /proc/sys/vm/nr_overcommit_hugepages
	echo "$1" > /proc/sys/vm/nr_hugepages
}

{
	pair write ib_write_bw -s 65536 -n 20
	both_ok write "ib_write_bw" 1
	if [ "$short" = 0 ]; then
		pair read ib_read_bw -s 65536 -n 20
		both_ok read "ib_read_bw" 1
		pair send ib_send_bw -s 65536 -n 20
		both_ok send "ib_send_bw" 1
		pair lat ib_write_lat -s 65536 -n 20
		both_ok lat "ib_write_lat" 1
	fi
	pair perqp ib_write_bw -s 65536 -n 20 -q 2 --mr_per_qp
	both_ok perqp "ib_write_bw --mr_per_qp -q 2: one MR more than -q 1" 2
	if [ "$short" = 0 ]; then
		pair all ib_write_bw -a -n 5
		both_ok all "ib_write_bw -a" 1 --min-length $((1 << 23))
		pair bidir --no-json ib_write_bw -b -s 65536 -n 20 --out_json
		both_ok bidir "ib_write_bw -b --out_json: perftest_out.footprint.json" 1
	else
		echo "# KASAN kernel: ib_read_bw, ib_send_bw, ib_write_lat, -a and -b left to the stock and phyr guests (about 7 minutes here)"
	fi

	if [ -w /proc/sys/vm/nr_hugepages ]; then
		huge0=$(cat /proc/sys/vm/nr_hugepages)
		over0=$(cat /proc/sys/vm/nr_overcommit_hugepages)
		set_hugepages $((huge0 < 8 ? 8 : huge0)) 0
		pair huge ib_write_bw -s 65536 -n 20 --use_hugepages
		both_ok huge "ib_write_bw --use_hugepages, $(cat /proc/sys/vm/nr_hugepages) reserved" 1
		[ "$kern" != phyr ] ||
			check "phyr: no more bytes per page in 2 MiB pages than in small ones" \
				hugepages_fewer_bytes
		set_hugepages 0 0
		pair nohuge ib_write_bw -s 65536 -n 20 --use_hugepages
		check "ib_write_bw --use_hugepages, none reserved: perftest's error, no block, no hang" \
			nohuge_failed
		set_hugepages "$huge0" "$over0"
	else
		check "hugetlb pages: /proc/sys/vm/nr_hugepages" false
	fi

	check "ib_write_bw -d nosuch: perftest's error, no block" bad_device
	check "rxe0's port down: perftest's error, no block, no hang; the port back after" port_down
	check "a client whose server never comes: refused, no hang" no_server
	check "a server whose client never comes, sent SIGTERM: stopped, said so" no_client
} > "$tap"
tap_end >> "$tap"
status=$?
cat "$tap"
rm -rf "$dir"
exit "$status"
