#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# Copyright (c) 2026 The phyr-umem authors
#
# phyr-perftest and libperftest-phyr.so on a host without RDMA devices, as
# TAP: the wrapper's options, exit statuses, signals and environment;
# Debian's ib_write_bw on a device that does not exist; and, end to end,
# the library in a stand-in "perftest" (fake_reg) over a stand-in
# libibverbs (libfakeverbs.so, whose ibv_reg_mr() registers through
# ibv_reg_mr_iova2() as libibverbs' does): each MR once, the block after
# the program's own last line, every exit() path, fork, the JSON files;
# `ibphyr run` over the same interposer; the unit tests' JSON parsed.
#   check-preload.sh HERE B IBPHYR_B
# The checks are functions run through check(); the single-quoted $ are
# the commands' own.
# shellcheck disable=SC2317,SC2016
set -u
H=$1 B=$2 X=$3
pp=$B/phyr-perftest lib=$B/libperftest-phyr.so fake=$B/tests/fake_reg
ps=$(getconf PAGESIZE)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# check NAME COMMAND... and tap_end, as the guest scripts have them
# shellcheck source-path=SCRIPTDIR source=../../tests/qemu/tap.sh
. "$H/../tests/qemu/tap.sh"

# status_is WANT COMMAND...: COMMAND exits with WANT; its output in $tmp/out
# and $tmp/err
status_is() {
	local want=$1 rc=0
	shift
	"$@" > "$tmp/out" 2> "$tmp/err" < /dev/null || rc=$?
	cat "$tmp/out" "$tmp/err"
	echo "exit status $rc, want $want"
	[ "$rc" = "$want" ]
}

# no_crash FILE...: nothing in the output that a crash leaves
no_crash() {
	! grep -E 'Segmentation|AddressSanitizer|runtime error|core dumped|Aborted|killed by signal' "$@"
}

# running PID: PID is a process that has not ended (a zombie has: PID 1 of
# a container may not reap)
running() {
	grep -q '^State:[[:space:]]*[^Z[:space:]]' "/proc/$1/status" 2>/dev/null
}

# --- the wrapper -----------------------------------------------------------

help_ok() {
	status_is 0 "$pp" --help && grep -q '^Usage: phyr-perftest \[--lib PATH\] \[--json FILE\] PERFTEST_BINARY' "$tmp/out" &&
		status_is 0 "$pp" -h
}
check "phyr-perftest --help" help_ok
check "no command: usage error" status_is 2 "$pp"
check "unknown option: usage error" status_is 2 "$pp" --bogus true
check "--lib without its argument: usage error" status_is 2 "$pp" --lib
check "a missing library: status 1" status_is 1 "$pp" --lib "$tmp/none.so" true
check "the command's exit status" status_is 7 "$pp" sh -c 'exit 7'
check "a command that does not exist: 127" status_is 127 "$pp" "$tmp/no-such-perftest"

killed() {
	status_is 143 "$pp" sh -c 'kill -TERM $$' &&
		[ "$(cat "$tmp/err")" = "phyr-perftest: sh killed by signal 15: no footprint block" ]
}
check "a command killed by a signal: 128+N and one line on stderr" killed

# forwarded SIG STATUS: the wrapper, signalled, passes SIG on to a command
# that waits for it, and reports its end
forwarded() {
	local sig=$1 want=$2 wrapper rc=0
	# As from a terminal: the signals not ignored in the wrapper
	( trap - INT QUIT; exec "$pp" sh -c "echo \$\$ > $tmp/child; exec sleep 20" ) \
		> "$tmp/out" 2> "$tmp/err" &
	wrapper=$!
	for _ in $(seq 100); do
		[ -s "$tmp/child" ] && grep -q sleep "/proc/$(cat "$tmp/child")/cmdline" 2>/dev/null && break
		sleep 0.05
	done
	kill -s "$sig" "$wrapper"
	wait "$wrapper" || rc=$?
	cat "$tmp/err"
	echo "exit status $rc, want $want"
	[ "$rc" = "$want" ] && ! running "$(cat "$tmp/child")" &&
		grep -q "^phyr-perftest: sh killed by signal $((want - 128)): no footprint block$" "$tmp/err"
}
rm -f "$tmp/child"
check "SIGTERM to phyr-perftest reaches the command" forwarded TERM 143
rm -f "$tmp/child"
check "SIGINT to phyr-perftest reaches the command" forwarded INT 130

env_set() {
	local got want
	got=$(LD_PRELOAD=$B/tests/libfakeverbs.so PHYR_PERFTEST_JSON='' "$pp" --json rel.json sh -c \
		'echo "$LD_PRELOAD|$PHYR_PERFTEST_FOOTPRINT|$PHYR_PERFTEST_JSON"')
	want="$(readlink -f "$lib") $B/tests/libfakeverbs.so|1|$PWD/rel.json"
	echo "got  $got"
	echo "want $want"
	[ "$got" = "$want" ]
}
check "LD_PRELOAD prepended, PHYR_PERFTEST_FOOTPRINT=1, --json absolute" env_set

found_from_source() {
	local got
	got=$("$H/phyr-perftest" sh -c 'echo "$LD_PRELOAD"')
	echo "LD_PRELOAD=$got"
	case "$got" in */libperftest-phyr.so) ;; *) return 1 ;; esac
}
if [ "$B" = "$H/build" ] || [ "$(readlink -f "$B")" = "$(readlink -f "$H/../build/perftest-patches")" ]; then
	check "the source tree's phyr-perftest finds the built library" found_from_source
else
	n=$((n + 1))
	echo "ok $n - the source tree's phyr-perftest finds the built library # SKIP B is elsewhere"
fi

# --- Debian's perftest, no device -----------------------------------------

no_device() {
	command -v ib_write_bw || { echo "ib_write_bw is not installed (Debian's perftest)"; return 1; }
	(cd "$tmp" && status_is 1 "$pp" ib_write_bw -d nosuchdev --out_json \
		--out_json_file="$tmp/nd.json") || return 1
	grep -q 'Unable to find the Infiniband/RoCE device' "$tmp/err" &&
		! grep -q 'MR footprint' "$tmp/out" "$tmp/err" &&
		no_crash "$tmp/out" "$tmp/err" && [ ! -e "$tmp/nd.footprint.json" ]
}
check "ib_write_bw -d nosuchdev: perftest's error and status, no block, no JSON" no_device

# --- end to end over the stand-in libibverbs ------------------------------

# block FILE: the block's figures, "MRS BYTES KERNEL" per block, in order
block() {
	"$H/tests/fp-block.py" "$1"
}

not_active() {
	LD_PRELOAD=$lib PHYR_PERFTEST_FOOTPRINT='' status_is 0 "$fake" two && ! grep -q 'MR footprint' "$tmp/out"
}
check "preloaded without PHYR_PERFTEST_FOOTPRINT=1: no block" not_active

two_mrs() {
	local pages=$(( (100 + 1048576 - 1) / ps + 1 ))
	rm -f "$tmp/two.json"
	status_is 0 "$pp" --json "$tmp/two.json" "$fake" two || return 1
	no_crash "$tmp/out" "$tmp/err" || return 1
	# Perftest's report first, the block after it, the block last
	sed -n '1p' "$tmp/out" | grep -qx 'fake_reg: end of report' || return 1
	tail -n 1 "$tmp/out" | grep -qx -- '-\{87\}' || return 1
	[ "$(block "$tmp/out")" = "2 $((4 * ps + 1048576)) not_reported" ] || return 1
	grep -q '^ kernel\[B\]: not reported: the footprint query failed' "$tmp/out" || return 1
	python3 -m json.tool "$tmp/two.json" > /dev/null || return 1
	"$H/tests/fp-block.py" "$tmp/out" --json "$tmp/two.json" --mrs 2 --min-length "$((4 * ps))" ||
		return 1
	python3 - "$tmp/two.json" "$ps" "$pages" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
ps, pages = int(sys.argv[2]), int(sys.argv[3])
print(j)
assert j["program"] == "fake_reg" and j["mrs"] == 2 and len(j["mr"]) == 2
a, b = j["mr"]
assert (a["call"], a["deregistered"], a["length"], a["pages"]) == ("ibv_reg_mr", True, 4 * ps, 4)
assert (b["call"], b["deregistered"], b["length"], b["pages"]) == ("ibv_reg_mr_iova2", False, 1 << 20, pages)
assert j["bytes_registered"] == a["length"] + b["length"]
assert j["pages"] == 4 + pages and j["page_size"] == ps
assert j["reported"] is False and j["kernel_bytes"] is None and j["error"]
assert a["pages_from"] == "range" and a["kernel_bytes"] is None
assert j["stock_estimate_bytes"] == a["stock_estimate_bytes"] + b["stock_estimate_bytes"] > 0
assert j["estimate_upper_bound"] and j["estimate_driver_unknown"]
assert j["pid"] == a["pid"] == b["pid"]
EOF
}
check "two MRs, ibv_reg_mr through ibv_reg_mr_iova2: counted once each, block after the report, JSON" two_mrs

out_json() {
	mkdir -p "$tmp/w"
	(cd "$tmp/w" && status_is 0 "$pp" "$fake" two --out_json) || return 1
	python3 -m json.tool "$tmp/w/perftest_out.footprint.json" > /dev/null || return 1
	(cd "$tmp/w" && status_is 0 "$pp" "$fake" two --out_json_file "$tmp/q.json" --out_json) || return 1
	python3 -m json.tool "$tmp/q.footprint.json" > /dev/null || return 1
	(cd "$tmp/w" && status_is 0 "$pp" "$fake" two --out_json_file="$tmp/r.json") || return 1
	[ ! -e "$tmp/r.footprint.json" ] && [ "$(ls "$tmp/w")" = perftest_out.footprint.json ]
}
check "--out_json: perftest_out.footprint.json, --out_json_file F: F's sibling; not without --out_json" out_json

exit_paths() {
	status_is 3 "$pp" "$fake" exit || return 1
	grep -qx 'fake_reg: end of report' "$tmp/out" && [ "$(block "$tmp/out")" = "1 $ps not_reported" ] &&
		tail -n 1 "$tmp/out" | grep -qx -- '-\{87\}' || return 1
	status_is 4 "$pp" "$fake" _exit && ! grep -q 'MR footprint' "$tmp/out" || return 1
	rm -f "$tmp/none.json"
	status_is 0 "$pp" --json "$tmp/none.json" "$fake" none && ! grep -q 'MR footprint' "$tmp/out" &&
		[ ! -e "$tmp/none.json" ]
}
check "exit(3): the block; _exit(4): none; no MR: no block, no JSON" exit_paths

forked() {
	rm -f "$tmp/fork.json"
	status_is 0 "$pp" --json "$tmp/fork.json" "$fake" fork || return 1
	# The child's block (its own MR), then the parent's (its two)
	[ "$(block "$tmp/out" | tr '\n' ' ')" = "1 $ps not_reported 2 $((4 * ps + 1048576)) not_reported " ] ||
		return 1
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); assert j["mrs"] == 2, j' "$tmp/fork.json"
}
check "fork: the child reports its own MR, the parent its two" forked

# A child that ends after its parent writes no JSON over the parent's
orphaned() {
	local child parent
	rm -f "$tmp/orphan.json" "$tmp/orphan.pid"
	status_is 0 "$pp" --json "$tmp/orphan.json" "$fake" orphan "$tmp/orphan.pid" || return 1
	# Ended: gone, or a zombie of an init that does not reap
	for _ in $(seq 200); do
		[ -s "$tmp/orphan.pid" ] && child=$(cat "$tmp/orphan.pid") && ! running "$child" && break
		sleep 0.05
	done
	if [ -z "${child:-}" ] || running "$child"; then
		echo "the child did not end"
		return 1
	fi
	cat "$tmp/out"
	[ "$(block "$tmp/out" | tr '\n' ' ')" = "2 $((4 * ps + 1048576)) not_reported 1 $ps not_reported " ] ||
		return 1
	parent=$(sed -n 's/^ MR footprint of fake_reg (pid \([0-9]*\)).*/\1/p' "$tmp/out" | head -n 1)
	python3 - "$tmp/orphan.json" "$parent" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["mrs"] == 2 and j["pid"] == int(sys.argv[2]), j
EOF
}
check "a child outliving its parent: its own block, the JSON stays the parent's" orphaned

ibphyr_run() {
	"$X/ibphyr" run --json -o "$tmp/run.json" -- "$fake" fork > /dev/null || return 1
	python3 - "$tmp/run.json" "$ps" <<'EOF'
import json, sys
mrs = json.load(open(sys.argv[1]))["mrs"]
ps = int(sys.argv[2])
print(mrs)
assert len(mrs) == 3, mrs
pids = sorted({m["pid"] for m in mrs}, key=lambda p: -sum(m["pid"] == p for m in mrs))
par, kid = ([m for m in mrs if m["pid"] == p] for p in pids)
assert [(m["call"], m["deregistered"], m["seq"]) for m in par] == \
    [("ibv_reg_mr", True, 0), ("ibv_reg_mr_iova2", False, 1)], par
assert [(m["call"], m["length"], m["seq"]) for m in kid] == [("ibv_reg_mr_iova2", ps, 0)], kid
assert not any(m["reported"] for m in mrs)
EOF
}
check "ibphyr run over the same interposer: each MR once, per process" ibphyr_run

unit_json() {
	local f
	for f in "$B"/check-phyr.json "$B"/check-stock.json "$B"/check-mixed.json; do
		python3 -m json.tool "$f" > /dev/null || { echo "$f does not parse"; return 1; }
	done
	# The guest test's reader: a phyr and a stock kernel's figures as
	# the library prints them pass its checks, and not the other way round
	"$H/tests/fp-block.py" "$B/check-phyr.out" --json "$B/check-phyr.json" --mrs 1 --kernel phyr &&
		"$H/tests/fp-block.py" "$B/check-stock-rxe.out" --json "$B/check-stock-rxe.json" \
			--mrs 2 --kernel stock &&
		! "$H/tests/fp-block.py" "$B/check-phyr.out" --json "$B/check-phyr.json" --kernel stock &&
		! "$H/tests/fp-block.py" "$B/check-stock-rxe.out" --json "$B/check-stock-rxe.json" --kernel phyr &&
		! "$H/tests/fp-block.py" "$B/check-stock-rxe.out" --json "$B/check-phyr.json"
}
check "the unit tests' JSON parses and agrees with their blocks (fp-block.py)" unit_json

# fp-block.py finds a JSON that says otherwise than its block, field by field
disagree() {
	python3 - "$B/check-phyr.json" "$tmp/bad.json" <<'EOF' || return 1
import json, sys
j = json.load(open(sys.argv[1]))
bad = []
for path, f in [("mrs", lambda v: v + 1), ("bytes_registered", lambda v: v + 1),
                ("kernel_bytes", lambda v: v + 1), ("bytes_per_page", lambda v: v + 0.001),
                ("stock_estimate_bytes", lambda v: v + 1), ("estimate_upper_bound", lambda v: not v),
                ("stock_estimate_bytes_per_page", lambda v: v + 0.001), ("pid", lambda v: v + 1),
                ("program", lambda v: v + "x"), ("pages", lambda v: v + 1),
                ("mr.length", lambda v: v + 1), ("mr.kernel_bytes", lambda v: v + 1),
                ("mr.bytes_per_page", lambda v: v + 1), ("mr.stock_estimate_bytes", lambda v: v + 1)]:
    k = json.loads(json.dumps(j))
    d, key = (k["mr"][0], path[3:]) if path.startswith("mr.") else (k, path)
    d[key] = f(d[key])
    bad.append((path, k))
with open(sys.argv[2], "w") as out:
    for path, k in bad:
        out.write(path + " " + json.dumps(k) + "\n")
EOF
	while read -r path doc; do
		printf '%s\n' "$doc" > "$tmp/one.json"
		if "$H/tests/fp-block.py" "$B/check-phyr.out" --json "$tmp/one.json" > /dev/null 2>&1; then
			echo "a JSON with another $path passes"
			return 1
		fi
	done < "$tmp/bad.json"
}
check "fp-block.py: a JSON that disagrees with its block, in any figure, fails" disagree

# --- the man page ------------------------------------------------------------

man_ok() {
	local o help
	[ -s "$B/man/phyr-perftest.1" ] || { echo "not rendered"; return 1; }
	help=$("$pp" --help)
	for o in $(sed 's/\\//g' "$H/man/phyr-perftest.1.md" | grep -o '\*\*--*[a-z][a-z_-]*\*\*' | tr -d '*' | sort -u); do
		case "$o" in --out_json*) continue ;; esac	# perftest's, not ours
		printf '%s\n' "$help" | grep -q -- "^  \(-[a-z], \)\?$o\b" ||
			{ echo "--help lacks $o"; return 1; }
	done
	for o in $(printf '%s\n' "$help" | grep -o -- '^  -[a-z-]*\(, --[a-z]*\)\?' | tr ',' '\n' | tr -d ' '); do
		grep -q -- "\*\*\\\\\?$o\*\*" "$H/man/phyr-perftest.1.md" || { echo "the man page lacks $o"; return 1; }
	done
}
check "the man page is rendered and lists --help's options, and the reverse" man_ok

# --- phyr-perftest-pair's command line (no guest boots for these) ----------

pair=$H/phyr-perftest-pair
pair_help() {
	"$pair" --help | grep -q -- '--plan FILE' && "$pair" --help | grep -q -- '--kernels K1,K2'
}
check "phyr-perftest-pair --help" pair_help
# usage_error WORDS ARG...: status 2 and the error names WORDS
usage_error() {
	local words=$1 rc=0 err
	shift
	err=$("$pair" "$@" 2>&1 >/dev/null) || rc=$?
	echo "status $rc: $err"
	[ "$rc" = 2 ] && printf '%s\n' "$err" | grep -q -- "$words"
}
check "phyr-perftest-pair: an unknown kernel is a usage error" \
	usage_error "unknown kernel 'nosuch'" -k stock,nosuch ib_write_bw
check "phyr-perftest-pair: a command that is not perftest is a usage error" \
	usage_error "'ls' is not a perftest benchmark" -k stock,stock ls
check "phyr-perftest-pair: a floor that is not a number is a usage error" \
	usage_error "--floor takes a number" -w fast ib_write_bw
check "phyr-perftest-pair: a plan and a command at once are a usage error" \
	usage_error "exclusive" --plan /dev/null ib_write_bw
report_reads_failure() {
	local d=$tmp/pair-report
	mkdir -p "$d/g1" "$d/g2"
	echo "w 1 perftest ib_write_bw -s 65536" > "$d/plan"
	# The server ran and printed nothing; the client found no server
	echo 0 > "$d/g1/w.status"
	echo 200 > "$d/g2/w.status"
	echo "pair-guest: no server at 10.0.7.1 after 90 s" > "$d/g2/w.out"
	local rc=0 out
	out=$(python3 "$H/pair-report.py" "$d" stock phyr 0 0 "$d/tap") || rc=$?
	printf '%s\n' "$out"
	[ "$rc" = 1 ] && printf '%s\n' "$out" | grep -q 'FAILED: client (phyr): pair-guest: no server at 10.0.7.1 after 90 s' &&
		grep -q '^not ok 1 - ' "$d/tap" && grep -q "^not ok 2 - w: the server's footprint block" "$d/tap"
}
check "pair-report.py: a client that found no server fails the step, in one line, and its TAP" report_reads_failure

tap_end
