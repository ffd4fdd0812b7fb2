#!/bin/bash
# Smoke tests run inside the test guest after ci/guest-setup.sh: the rxe
# devices are there, perftest's three bandwidth tests complete between them,
# and data moved by RDMA WRITE and READ lands intact in registered MRs.
# Prints TAP on stdout; bandwidth figures go to $PHYR_RESULTS/bw (tab separated).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
results=${PHYR_RESULTS:-/tmp/results}
n=0
failed=0
log=$(mktemp)

# check NAME COMMAND...: one TAP line; on failure the output as diagnostics.
check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@" > "$log" 2>&1; then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		sed 's/^/# /' "$log"
	fi
}

devices_present() {
	ibv_devinfo -l && ibv_devinfo -l | grep -qx '[[:space:]]*rxe0' &&
		ibv_devinfo -l | grep -qx '[[:space:]]*rxe1' &&
		[ "$(ibv_devinfo -d rxe0 | grep -c PORT_ACTIVE)" = 1 ] &&
		[ "$(ibv_devinfo -d rxe1 | grep -c PORT_ACTIVE)" = 1 ]
}

bandwidth() {
	local gbps
	gbps=$("$here/perftest-pair.sh" "$1" "$2") || return 1
	echo "$gbps"
	printf '%s\t%s\t%s\n' "$1" "$2" "$gbps" >> "$results/bw"
}

check "ibv_devinfo sees rxe0 and rxe1, ports active" devices_present
check "ib_write_bw rxe0 -> rxe1 completes" bandwidth write 65536
check "ib_read_bw rxe0 -> rxe1 completes" bandwidth read 65536
check "ib_send_bw rxe0 -> rxe1 completes" bandwidth send 65536

# mr_rdma prints TAP of its own: renumber its lines into this stream.
"$top/build/tests/mr_rdma" > "$log" 2>&1
rc=$?
mr_failed=0
while IFS= read -r line; do
	case "$line" in
	"ok "*|"not ok "*)
		n=$((n + 1))
		ok=${line%%ok *}ok
		[ "$ok" = ok ] || { failed=$((failed + 1)); mr_failed=1; }
		echo "$ok $n - mr_rdma: ${line#* - }" ;;
	"1.."*) ;;
	*) echo "# $line" ;;
	esac
done < "$log"
if [ "$rc" -ne 0 ] && [ "$mr_failed" = 0 ]; then
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - mr_rdma exited with status $rc"
fi
rm -f "$log"
echo "1..$n"
[ "$failed" = 0 ]
