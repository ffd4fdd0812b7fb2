#!/usr/bin/env bash
# `make fresh-machine-check`: the first commands of a new user, on a new
# machine.  A minimal Debian 12 root (debootstrap --variant=minbase, its
# sources listing bookworm, bookworm-updates and bookworm-security from this
# machine's mirror), with nothing in it but make, gets a copy of this
# checkout; then each of `make unit`, `make guest-programs`, `make
# bench-list` and `make help` runs as the first command in a root of its
# own, which must install what it needs and succeed.  Prints TAP; exits
# non-zero if one failed.  Needs root and the network to the mirror; about
# 10 minutes.  Not part of make check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
"$PHYR_TOP/ci/deps.sh" fresh
src_list=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
mirror=$(printf '%s\n' "$src_list" | sed -nE 's|^(deb +\|URIs: +)(https?://[^ ]*/debian)/?( .*)?$|\2|p' | head -n 1)
security=$(printf '%s\n' "$src_list" | sed -nE 's|^(deb +\|URIs: +)(https?://[^ ]*debian-security)/?( .*)?$|\2|p' | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
security=${security:-http://deb.debian.org/debian-security}

base=$PHYR_CACHE/fresh-root.tar
if [ ! -s "$base" ]; then
	note "debootstrap --variant=minbase bookworm from $mirror (a few minutes)"
	tmp=$PHYR_CACHE/fresh-root.tmp
	rm -rf "$tmp"
	debootstrap --variant=minbase bookworm "$tmp" "$mirror" > "$PHYR_CACHE/fresh-root.log" 2>&1 ||
		{ tail -n 20 "$PHYR_CACHE/fresh-root.log" >&2; die "debootstrap failed"; }
	cat > "$tmp/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SOURCES
	chroot "$tmp" sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends make' \
		>> "$PHYR_CACHE/fresh-root.log" 2>&1 || die "installing make in the root failed"
	tar -C "$tmp" -cf "$base.tmp" .
	mv "$base.tmp" "$base"
	rm -rf "$tmp"
fi

n=0 failed=0
root=""
cleanup() {
	if [ -n "$root" ]; then
		for m in dev/pts dev sys proc; do umount "$root/$m" 2>/dev/null || true; done
		rm -rf "$root"
	fi
}
trap cleanup EXIT

# first_command TARGET: a fresh root, the checkout, `make TARGET` first
first_command() {
	local target=$1 log
	cleanup
	root=$(mktemp -d "$PHYR_CACHE/fresh.XXXXXX")
	tar -C "$root" -xf "$base"
	mkdir -p "$root/src"
	(cd "$PHYR_TOP" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) |
		tar -C "$root/src" -xf -
	mount -t proc proc "$root/proc"
	mount -t sysfs sys "$root/sys"
	mount --bind /dev "$root/dev"
	mount --bind /dev/pts "$root/dev/pts"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	log=$PHYR_TOP/build/fresh-$target.log
	mkdir -p "$PHYR_TOP/build"
	n=$((n + 1))
	note "make $target, first command in a new root"
	if chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		sh -c "cd /src && make $target" > "$log" 2>&1; then
		echo "ok $n - make $target as the first command on a new Debian 12 root"
	else
		failed=$((failed + 1))
		echo "not ok $n - make $target as the first command on a new Debian 12 root"
		tail -n 15 "$log" | sed 's/^/# /'
	fi
}

for t in unit guest-programs bench-list help; do
	first_command "$t"
done
echo "1..$n"
[ "$failed" = 0 ]
