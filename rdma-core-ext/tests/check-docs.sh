#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# Copyright (c) 2026 The phyr-umem authors
#
# Every exported symbol has a man page; ibphyr --help lists every option
# ibphyr(1) lists, and the reverse.
set -u
H=$1 B=$2
fail=0
syms=$(sed -n 's/^[[:space:]]*\(ibphyr_[a-z_]*\);$/\1/p' "$H/src/libibphyr.map")
[ -n "$syms" ] || { echo "not ok - no symbols in libibphyr.map"; exit 1; }
for s in $syms; do
	if [ -f "$H/man/$s.3.md" ] || [ -f "$H/man/$s.3" ]; then
		echo "ok - man page for $s"
	else
		echo "not ok - no man page for $s"; fail=1
	fi
	if [ -f "$B/man/$s.3" ]; then :; else echo "not ok - $s.3 not rendered"; fail=1; fi
done
help=$("$B/ibphyr" --help)
man_opts=$(sed 's/\\//g' "$H/man/ibphyr.1.md" | grep -o '\*\*--*[a-zA-Z][a-z-]*\*\*' | tr -d '*' | sort -u)
for o in $man_opts; do
	if printf '%s\n' "$help" | grep -q -- "$o\b"; then echo "ok - --help lists $o"; else echo "not ok - --help lacks $o"; fail=1; fi
done
help_opts=$(printf '%s\n' "$help" | grep -o -- '^  -[a-zA-Z], --[a-z-]*' | tr ',' '\n' | tr -d ' ')
for o in $help_opts; do
	if printf '%s\n' "$man_opts" | grep -qx -- "$o"; then echo "ok - ibphyr.1 lists $o"; else echo "not ok - ibphyr.1 lacks $o"; fail=1; fi
done
exit $fail
