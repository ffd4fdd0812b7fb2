# Shared by the ci/ and tests/ scripts: paths, messages, the kernel flavours.
# shellcheck shell=bash

PHYR_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Kernel sources, build trees and ccache live outside the checkout so that a
# fresh clone on the same machine reuses them; override with PHYR_CACHE.
PHYR_CACHE=${PHYR_CACHE:-$HOME/.cache/phyr-umem}
PHYR_LINUX_TARBALL=${PHYR_LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
PHYR_FLAVOURS="stock phyr debug"

die() {
	echo "error: $*" >&2
	exit 1
}

note() {
	echo "==> $*" >&2
}

# The bzImage of a flavour, whether built or not.
kernel_image() {
	echo "$PHYR_CACHE/out-$1/arch/x86/boot/bzImage"
}

check_flavour() {
	case " $PHYR_FLAVOURS " in
	*" $1 "*) ;;
	*) die "unknown kernel flavour '$1' (one of: $PHYR_FLAVOURS)" ;;
	esac
}

# config_lost CONFIG FRAGMENT...: the fragments' CONFIG_ lines that CONFIG
# (a .config after olddefconfig) did not keep, with what it has instead;
# nothing when it kept them all.  "=n" is kept by an unset option.  Where
# fragments set one option twice, the later one counts, as merge_config.sh
# merges them.
config_lost() {
	local config=$1 line key val got
	shift
	while read -r line; do
		key=${line%%=*} val=${line#*=}
		got=$(grep -E "^$key=" "$config" || true)
		if [ "$val" = n ]; then
			[ -z "$got" ] || printf ' %s(got %s)' "$line" "${got#*=}"
		elif [ "$got" != "$line" ]; then
			printf ' %s(got %s)' "$line" "${got:-unset}"
		fi
	done < <(grep -hE '^CONFIG_' "$@" |
		 awk -F= '!($1 in v) { order[++n] = $1 } { v[$1] = $0 }
			  END { for (i = 1; i <= n; i++) print v[order[i]] }')
}
