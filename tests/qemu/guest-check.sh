#!/bin/bash
# The VM part of `make check`, run inside the guest by ci/vm.sh: the smoke
# tests, with their TAP in /tmp/results/smoke.tap.
here=$(cd "$(dirname "$0")" && pwd)
"$here/smoke.sh" > /tmp/results/smoke.tap
status=$?
cat /tmp/results/smoke.tap
exit "$status"
