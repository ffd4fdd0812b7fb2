#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# Copyright (c) 2026 The phyr-umem authors
#
# ibphyr run without RDMA hardware: exit statuses, the report, -o, --json.
set -u
B=$1
I=$B/ibphyr
fail=0
t() {	# want-status description command...
	want=$1; what=$2; shift 2
	"$@" >/dev/null 2>&1
	got=$?
	if [ "$got" = "$want" ]; then echo "ok - $what"; else echo "not ok - $what (exit $got, want $want)"; fail=1; fi
}
t 0 "run true" "$I" run -- true
t 7 "run passes the exit status" "$I" run -- sh -c 'exit 7'
t 137 "run: 128+signal" "$I" run -- sh -c 'kill -9 $$'
t 127 "run: no such command" "$I" run -- /nonexistent/cmd
t 2 "run without a command" "$I" run
t 2 "bad option" "$I" --bogus
t 0 "--help" "$I" --help
t 0 "--version" "$I" --version
tmp=$(mktemp -d)
t 0 "run -o FILE --json" "$I" run --json -o "$tmp/out.json" -- sh -c 'true'
if grep -q '"mrs":\[\]' "$tmp/out.json" 2>/dev/null; then echo "ok - report in FILE"; else echo "not ok - report in FILE"; fail=1; fi
# The reporter is preloaded into the command, and found through the environment
out=$("$I" run -- sh -c 'echo "$LD_PRELOAD"')
case $out in *libibphyr-report.so*) echo "ok - reporter preloaded";; *) echo "not ok - reporter preloaded"; fail=1;; esac
IBPHYR_REPORT_LIB=$tmp/none t 1 "missing reporter" "$I" run -- true
rm -rf "$tmp"
exit $fail
