#!/bin/bash
# Run one perftest benchmark between rxe1 (server) and rxe0 (client) inside
# the test guest and print the client's average bandwidth in Gb/s, to four
# decimals: perftest's own Gb/s report has two, which at the 0.2-0.3 Gb/s of
# a TCG guest is a 3-5 % step, so this reads its MB/s (2^20 bytes) instead.
#   perftest-pair.sh [--siw] write|read|send SIZE [ITERATIONS]
# --siw: both ends on siw0 (Soft-iWARP, 10.0.9.1), connected by rdma_cm (-R).
# Exit status is non-zero, with perftest's output on stderr, if either side
# fails or the result line is missing.
set -u
server_dev=rxe1 client_dev=rxe0 cm=() addr=127.0.0.1
if [ "${1:-}" = --siw ]; then
	server_dev=siw0 client_dev=siw0 cm=(-R) addr=10.0.9.1
	shift
fi
test=$1 size=$2 iters=${3:-500}
case "$test" in
write|read|send) ;;
*) echo "perftest-pair.sh: unknown test '$test' (write, read, send)" >&2; exit 2 ;;
esac
bin=ib_${test}_bw
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# One run of the pair; the client's output is left in $dir/client.
run_pair() {
	local port=$((18515 + RANDOM % 1000)) server
	local common=(-s "$size" -n "$iters" -p "$port" -F "${cm[@]}")

	[ ${#cm[@]} -gt 0 ] || common+=(-x 0)
	timeout 120 "$bin" -d "$server_dev" "${common[@]}" > "$dir/server" 2>&1 &
	server=$!
	# Wait for the server's TCP listener (the out-of-band exchange).
	for _ in $(seq 100); do
		ss -ltn 2>/dev/null | grep -q ":$port " && break
		sleep 0.1
	done
	timeout 120 "$bin" -d "$client_dev" "${common[@]}" "$addr" > "$dir/client" 2>&1
	client_rc=$?
	wait "$server"
	server_rc=$?
}

# perftest converts TSC cycles to seconds with a CPU frequency it samples
# against gettimeofday() at start-up; when the host stalls the guest during
# that sampling the fit fails ("Correlation coefficient r^2: ... < 0.9"),
# the frequency becomes 0 and the client reports 0 MB/s for a transfer that
# went through.  That run measured nothing: run it again, up to 3 times.
for attempt in 1 2 3; do
	run_pair
	grep -q '^Correlation coefficient' "$dir/client" || break
	echo "perftest-pair.sh: $bin $size: perftest could not sample the CPU" \
		"frequency (attempt $attempt), running again" >&2
done

# The result line: "bytes iterations peak average msgrate", numbers only;
# the average in MB/s becomes Gb/s.  An average of 0 is no measurement: it
# fails, with both sides' output.
result=$(awk -v s="$size" '$1 == s && NF >= 5 && $4 ~ /^[0-9.]+$/ && $4 > 0 {
	printf "%.4f\n", $4 * 1048576 * 8 / 1e9 }' "$dir/client")
if [ "$client_rc" -ne 0 ] || [ "$server_rc" -ne 0 ] || [ -z "$result" ]; then
	echo "perftest-pair.sh: $bin $size failed (client $client_rc, server $server_rc)" >&2
	sed 's/^/client: /' "$dir/client" >&2
	sed 's/^/server: /' "$dir/server" >&2
	exit 1
fi
echo "$result"
