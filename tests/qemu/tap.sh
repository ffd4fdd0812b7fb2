# Sourced by the guest test scripts: one TAP stream on stdout made of
# shell checks and of test programs that print TAP of their own.
# The caller reads $n (tests so far) and $failed at the end.
n=0
failed=0
tap_log=$(mktemp)

# check NAME COMMAND...: one TAP line; on failure the output as diagnostics.
check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@" > "$tap_log" 2>&1; then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		sed 's/^/# /' "$tap_log"
	fi
}

# include_tap PREFIX COMMAND...: run a program that prints TAP and renumber
# its lines into this stream; other output becomes diagnostics.  A program
# that fails without reporting a failure (a crash, a setup error) adds a
# failing line of its own.
include_tap() {
	local prefix=$1 rc=0 line ok bad=0
	shift
	"$@" > "$tap_log" 2>&1 || rc=$?
	while IFS= read -r line; do
		case "$line" in
		"ok "*|"not ok "*)
			n=$((n + 1))
			ok=${line%%ok *}ok
			[ "$ok" = ok ] || { failed=$((failed + 1)); bad=1; }
			echo "$ok $n - $prefix${line#* - }" ;;
		"1.."*) ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done < "$tap_log"
	if [ "$rc" -ne 0 ] && [ "$bad" = 0 ]; then
		n=$((n + 1))
		failed=$((failed + 1))
		echo "not ok $n - ${prefix}$(basename "$1") $* exited with status $rc"
	fi
}

# tap_end: the plan line; the status says whether everything passed.
tap_end() {
	rm -f "$tap_log"
	echo "1..$n"
	[ "$failed" = 0 ]
}
