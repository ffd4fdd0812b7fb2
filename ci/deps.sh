#!/usr/bin/env bash
# Install the Debian packages a part of the project needs, if missing.
# Idempotent: prints what it installs and nothing else when all is there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Package groups; `ci/deps.sh unit vm` installs two of them.  bsdextrautils
# is column(1), which make bench-list prints through.
declare -A group=(
	[unit]="build-essential pkg-config check libibverbs-dev librdmacm-dev bsdextrautils pandoc perftest python3"
	[kernel]="linux-source-6.12 build-essential flex bison bc libelf-dev libssl-dev cpio kmod ccache xz-utils perl python3 sparse"
	[vm]="qemu-system-x86 ibverbs-providers ibverbs-utils libibverbs-dev librdmacm-dev rdmacm-utils perftest iproute2 coreutils"
	[bench]="gnuplot-nox jq"
	[fresh]="debootstrap tar"
)

usage() {
	echo "Usage: ci/deps.sh [--check] GROUP...   (groups: ${!group[*]})"
}

check_only=0
[ "${1:-}" != "--check" ] || { check_only=1; shift; }
[ $# -gt 0 ] || { usage >&2; exit 2; }

want=()
for g in "$@"; do
	[ -n "${group[$g]+x}" ] || { usage >&2; die "unknown package group '$g'"; }
	# shellcheck disable=SC2206
	want+=(${group[$g]})
done

missing=()
for p in $(printf '%s\n' "${want[@]}" | sort -u); do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

[ "$check_only" = 0 ] || die "missing Debian packages: ${missing[*]} (run ci/deps.sh $*)"
[ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]}; installing them needs root"
note "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } > "$log" 2>&1; then
	tail -n 15 "$log" >&2
	rm -f "$log"
	die "apt-get could not install: ${missing[*]} (output above)"
fi
rm -f "$log"
note "installed: ${missing[*]}"
