# The test tally of `make check`: one line per test case, "PASS name" or
# "FAIL name", in $TALLY.  Sourced by tests/check.sh and the stage scripts.
# shellcheck shell=bash

TALLY=${TALLY:-$PHYR_TOP/build/check/tally}

tally_pass() { echo "PASS $*" >> "$TALLY"; }
tally_fail() { echo "FAIL $*" >> "$TALLY"; echo "FAIL: $*" >&2; }

# tally_tap PREFIX FILE: add every TAP result line of FILE.  A missing file,
# a missing plan or fewer results than planned counts as a failure, so tests
# that did not run are never counted as passed.
tally_tap() {
	local prefix=$1 file=$2 line planned="" seen=0
	if [ ! -f "$file" ]; then
		tally_fail "$prefix: no results (the tests did not run)"
		return
	fi
	while IFS= read -r line; do
		case "$line" in
		"ok "*) seen=$((seen + 1)); tally_pass "$prefix: ${line#* - }" ;;
		"not ok "*) seen=$((seen + 1)); tally_fail "$prefix: ${line#* - }" ;;
		1..*) planned=${line#1..} ;;
		esac
	done < "$file"
	if [ -z "$planned" ]; then
		tally_fail "$prefix: results cut short (no TAP plan line)"
	elif [ "$seen" -lt "$planned" ]; then
		tally_fail "$prefix: only $seen of $planned planned tests reported"
	fi
}

tally_summary() {
	local pass fail
	pass=$(grep -c '^PASS ' "$TALLY" || true)
	fail=$(grep -c '^FAIL ' "$TALLY" || true)
	if [ "$fail" -gt 0 ]; then
		echo "Failed:"
		grep '^FAIL ' "$TALLY" | sed 's/^FAIL /  /'
	fi
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
}
