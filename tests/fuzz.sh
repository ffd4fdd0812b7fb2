#!/usr/bin/env bash
# `make fuzz`: the long form of make check's differential fuzz.  Boots the
# stock and the phyr kernel once each and runs PHYR_FUZZ_CALLS calls
# (default 1000000) on rxe and on siw, and 5000 unprivileged ones, from
# PHYR_FUZZ_SEED (default: one drawn now and printed, so that a failure
# can be replayed), then compares the two kernels' streams call by call.
# About 2 minutes per million calls and device on this machine (TCG).
# Ends with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../ci/lib.sh"
. "$PHYR_TOP/tests/tally.sh"
out=$PHYR_TOP/build/fuzz
rm -rf "$out"
mkdir -p "$out"
TALLY=$out/tally
: > "$TALLY"
calls=${PHYR_FUZZ_CALLS:-1000000}
seed=${PHYR_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
case "$calls$seed" in *[!0-9]*) die "PHYR_FUZZ_CALLS and PHYR_FUZZ_SEED are numbers" ;; esac
[ "$calls" -ge 1000 ] && [ $((calls % 1000)) = 0 ] || die "PHYR_FUZZ_CALLS: a multiple of 1000"
note "fuzz: $calls calls per device from seed $seed (PHYR_FUZZ_SEED=$seed replays them)"
"$PHYR_TOP/ci/deps.sh" unit kernel vm || die "cannot install the packages the fuzz needs"
make -s -C "$PHYR_TOP" guest-programs || die "the guest programs do not build"
for k in stock phyr; do
	"$PHYR_TOP/ci/build-kernel.sh" "$k" || die "the $k kernel does not build"
	note "fuzz: the $k kernel"
	rc=0
	"$PHYR_TOP/ci/vm.sh" --quiet -k "$k" -r "$out/vm-$k" -t $((600 + calls / 500)) \
		"$PHYR_TOP/tests/qemu/guest-fuzz.sh" "$calls" "$calls" "$seed" || rc=$?
	tally_tap "fuzz/$k" "$out/vm-$k/fuzz.tap"
	grep '^# .*calls' "$out/vm-$k/fuzz.tap" | sed "s/^# /  $k: /" >&2
	[ "$rc" = 0 ] || grep -q '^not ok' "$out/vm-$k/fuzz.tap" 2>/dev/null ||
		tally_fail "fuzz/$k: the guest run failed (status $rc, console: $out/vm-$k/console.log)"
done
"$PHYR_TOP/tests/fuzz-compare.sh" "fuzz/stock-phyr" "$out/vm-stock" "$out/vm-phyr"
tally_summary
