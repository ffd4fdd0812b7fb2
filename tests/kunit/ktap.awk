# Extract KUnit test case results from a guest console log (KTAP).
# Prints one line per case: "ok SUITE.CASE", "not ok SUITE.CASE" or
# "skip SUITE.CASE (REASON)", and "suite SUITE ok|not ok" per suite.  Case results
# sit one level (4 spaces) inside their suite; the parameters of a
# parameterised case sit deeper and are summed up by the case's own line.
{
	sub(/\r$/, "")
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "")	# printk timestamps, if enabled
}
/^    # Subtest: / { suite = $3; next }
/^    (not )?ok [0-9]+ / && suite != "" {
	line = substr($0, 5)
	ok = (line ~ /^ok/)
	sub(/^(not )?ok [0-9]+ /, "", line)
	name = line
	sub(/ # .*/, "", name)
	if (line ~ /# SKIP/) {
		why = line
		sub(/.*# SKIP */, "", why)
		print "skip " suite "." name " (" why ")"
	}
	else
		print (ok ? "ok " : "not ok ") suite "." name
	next
}
/^(not )?ok [0-9]+ / && suite != "" {
	print "suite " suite " " ($1 == "ok" ? "ok" : "not ok")
	suite = ""
}
