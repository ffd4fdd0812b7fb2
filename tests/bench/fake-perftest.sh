#!/bin/bash
# A stand-in for perftest's ib_*_bw and for ss(8), for testing
# tests/qemu/perftest-pair.sh on the host.  Installed under those names in a
# folder put first on PATH; FAKE_DIR holds its state:
#   FAKE_DIR/bad   how many client runs fail perftest's CPU frequency
#                  sampling (printing its r^2 message and 0 MB/s)
#   FAKE_DIR/avg   the average MB/s every other client run reports
# A server (no host argument) records its port for the fake ss to list.
set -u
me=$(basename "$0")
if [ "$me" = ss ]; then
	[ -f "$FAKE_DIR/port" ] && echo "LISTEN 0 1 0.0.0.0:$(cat "$FAKE_DIR/port") 0.0.0.0:*"
	exit 0
fi
size=0 port=0 host=""
while [ $# -gt 0 ]; do
	case "$1" in
	-s) size=$2; shift 2 ;;
	-p) port=$2; shift 2 ;;
	-d|-x|-n) shift 2 ;;
	-*) shift ;;
	*) host=$1; shift ;;
	esac
done
if [ -z "$host" ]; then
	echo "$port" > "$FAKE_DIR/port"
	echo " $size 100 9.00 9.00 0.000100"
	exit 0
fi
n=$(( $(cat "$FAKE_DIR/runs" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$FAKE_DIR/runs"
if [ "$n" -le "$(cat "$FAKE_DIR/bad")" ]; then
	echo "Correlation coefficient r^2: 0.85 < 0.9"
	echo " $size 100 0.00 0.00 0.000000"
else
	echo " $size 100 $(cat "$FAKE_DIR/avg") $(cat "$FAKE_DIR/avg") 0.000100"
fi
