#!/usr/bin/env bash
# Boot a test kernel in QEMU with the host root filesystem read-only over
# virtio-9p, run one command inside, and return its exit status.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: ci/vm.sh [options] [--] COMMAND [ARG...]

Boot a kernel under QEMU (KVM where usable, TCG otherwise) with the host
root filesystem mounted read-only over virtio-9p and no network card, set up
a veth pair with Soft-RoCE devices rxe0 and rxe1 and RLIMIT_MEMLOCK
unlimited, run COMMAND (an absolute host path or one relative to the current
directory, seen at the same path in the guest) and exit with its status.

The run fails, printing the report, if the guest console shows an oops,
BUG, WARNING, KASAN or kmemleak report, if the guest does not finish within
the timeout, or if it never reports an exit status.

Options:
  -k, --kernel K     stock, phyr, debug (built by ci/build-kernel.sh) or a
                     path to a bzImage (default: phyr)
  -m, --mem SIZE     guest memory, QEMU syntax (default: 2G)
  -s, --smp N        guest CPUs (default: 2)
  -i, --iommu MODE   none, translated (intel-iommu DMA domain), passthrough
                     (intel-iommu identity) or swiotlb (bounce everything)
                     (default: none)
  -a, --append ARGS  extra kernel command line, e.g. "hugepagesz=1G hugepages=2"
      --icount       time is instructions: TCG (even where KVM works) with
                     -icount shift=0,sleep=off, so the guest's clock counts
                     one nanosecond per instruction and timings repeat
                     whatever the host's load; use with --smp 1 (with more
                     vCPUs the guest's timers misbehave)
  -t, --timeout SEC  kill the guest after SEC seconds (default: 600)
  -r, --results DIR  writable folder, /tmp/results in the guest (default: a
                     new folder under build/vm/); it receives console.log
  -w, --wire LPORT:RPORT:N
                     a virtio-net card (eth0, MAC 52:54:00:70:00:N) on a QEMU
                     dgram netdev sending from 127.0.0.1:LPORT to
                     127.0.0.1:RPORT, the loopback address only: two guests
                     started with mirrored ports share a wire.  The guest
                     gives eth0 10.0.7.N/24 and Soft-RoCE device rxe2 on it
                     (N: 1 to 254).  Dgram needs no listener, so a guest
                     whose peer never comes only sees no traffic
      --no-setup     skip the veth/rxe setup
      --allow-warn   do not fail on WARNING reports (still printed); for
                     benchmarks that drive stock into its own warnings
  -q, --quiet        do not copy the guest console to stderr
  -h, --help         this text

COMMAND finds the kernel's build folder, and so its modules, in PHYR_KBUILD.
USAGE
}

kernel=phyr mem=2G smp=2 iommu=none append="" timeout=600 results="" setup=1 quiet=0
allow_warn=0 icount=0 wire=""
while [ $# -gt 0 ]; do
	case "$1" in
	-k|--kernel) kernel=$2; shift 2 ;;
	-m|--mem) mem=$2; shift 2 ;;
	-s|--smp) smp=$2; shift 2 ;;
	-i|--iommu) iommu=$2; shift 2 ;;
	-a|--append) append=$2; shift 2 ;;
	-t|--timeout) timeout=$2; shift 2 ;;
	-r|--results) results=$2; shift 2 ;;
	-w|--wire) wire=$2; shift 2 ;;
	--no-setup) setup=0; shift ;;
	--allow-warn) allow_warn=1; shift ;;
	--icount) icount=1; shift ;;
	-q|--quiet) quiet=1; shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) usage >&2; die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { usage >&2; die "no command to run in the guest"; }
[[ "$timeout" =~ ^[0-9]+$ ]] || die "--timeout takes seconds, not '$timeout'"
if [ -n "$wire" ]; then
	[[ "$wire" =~ ^([0-9]+):([0-9]+):([0-9]+)$ ]] &&
		[ "${BASH_REMATCH[1]}" -ge 1024 ] && [ "${BASH_REMATCH[1]}" -le 65535 ] &&
		[ "${BASH_REMATCH[2]}" -ge 1024 ] && [ "${BASH_REMATCH[2]}" -le 65535 ] &&
		[ "${BASH_REMATCH[3]}" -ge 1 ] && [ "${BASH_REMATCH[3]}" -le 254 ] ||
		die "--wire takes LPORT:RPORT:N (ports 1024-65535, N 1-254), not '$wire'"
	wire_lport=${BASH_REMATCH[1]} wire_rport=${BASH_REMATCH[2]} wire_n=${BASH_REMATCH[3]}
fi

case "$kernel" in
*/*) image=$kernel ;;
*) check_flavour "$kernel"; image=$(kernel_image "$kernel") ;;
esac
[ -f "$image" ] || die "no kernel image at $image (run ci/build-kernel.sh $kernel)"
command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found (run ci/deps.sh)"

cmd=$1
shift
case "$cmd" in /*) ;; *) cmd=$PWD/$cmd ;; esac
[ -x "$cmd" ] || die "guest command $cmd is not an executable file"
# The guest has its own /tmp, /run, /proc, /sys and /dev; of the host's /tmp
# it sees only the folder holding this checkout (ci/guest-init.sh).
case "$cmd" in
"$PHYR_TOP"/*) ;;
/tmp/*|/proc/*|/sys/*|/dev/*|/run/*)
	die "guest command $cmd is hidden in the guest (/tmp, /run, /proc, /sys and /dev are its own)" ;;
esac

if [ -z "$results" ]; then
	mkdir -p "$PHYR_TOP/build/vm"
	results=$(mktemp -d "$PHYR_TOP/build/vm/run.XXXXXX")
fi
mkdir -p "$results"
results=$(cd "$results" && pwd)
rm -f "$results/exit-status" "$results/console.log" "$results/no-setup" "$results/wire"
rm -rf "$results/scratch"
mkdir "$results/scratch"
[ "$setup" = 1 ] || : > "$results/no-setup"
[ -z "$wire" ] || echo "10.0.7.$wire_n" > "$results/wire"
# The kernel's build folder, where its modules are (the guest loads them by
# path: the root it shares is read-only): the folder holding arch/x86/boot.
kbuild=$(cd "$(dirname "$image")/../../.." && pwd)
{
	echo "# written by ci/vm.sh: the command the guest runs"
	printf 'cd %q || exit 125\n' "$PWD"
	printf 'export PHYR_KBUILD=%q\n' "$kbuild"
	printf 'exec %q' "$cmd"
	[ $# -eq 0 ] || printf ' %q' "$@"
	echo
} > "$results/job.sh"

cmdline="console=ttyS0 root=hostroot rootfstype=9p ro"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose"
cmdline+=" init=$PHYR_TOP/ci/guest-init.sh panic=-1 oops=panic panic_on_warn=0"
qemu=(qemu-system-x86_64 -nographic -no-reboot -nic none -smp "$smp" -m "$mem")
# KVM where it works: /dev/kvm can be present yet unusable (nested setups
# that refuse MSRs), so a short boot to the kernel's panic must pass first.
kvm_works() {
	[ -w /dev/kvm ] && [ -z "${PHYR_NO_KVM:-}" ] || return 1
	timeout 30 qemu-system-x86_64 -machine q35,accel=kvm -cpu host -m 256 \
		-nographic -no-reboot -nic none -kernel "$image" \
		-append "console=ttyS0 panic=-1 root=/dev/nonexistent" \
		< /dev/null 2>&1 | grep -q 'Kernel panic'
}
if [ "$icount" = 1 ]; then
	qemu+=(-machine q35,accel=tcg -cpu max -icount shift=0,sleep=off)
elif kvm_works; then
	qemu+=(-machine q35,accel=kvm -cpu host)
else
	qemu+=(-machine q35,accel=tcg -cpu max)
fi
case "$iommu" in
none) ;;
translated)
	qemu+=(-device intel-iommu,intremap=off)
	cmdline+=" intel_iommu=on iommu.passthrough=0 iommu.strict=1" ;;
passthrough)
	qemu+=(-device intel-iommu,intremap=off)
	cmdline+=" intel_iommu=on iommu.passthrough=1" ;;
swiotlb)
	cmdline+=" swiotlb=force" ;;
*) die "unknown --iommu mode '$iommu' (none, translated, passthrough, swiotlb)" ;;
esac
[ -z "$append" ] || cmdline+=" $append"
qemu+=(-kernel "$image" -append "$cmdline"
	-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	-fsdev "local,id=results,path=$results,security_model=none"
	-device virtio-9p-pci,fsdev=results,mount_tag=results
	# An empty writable share for tests that need a filesystem whose
	# shared mappings are dirty-tracked (mounted with cache=mmap); the
	# kernels have no block layer, so no ext4
	-fsdev "local,id=scratch,path=$results/scratch,security_model=none"
	-device virtio-9p-pci,fsdev=scratch,mount_tag=scratch
	# QEMU's edu device: a PCI DMA engine for the dma_map_phyr() tests
	-device edu,dma_mask=0xffffffffffffffff)
if [ -n "$wire" ]; then
	# Both ends on 127.0.0.1: the wire never leaves this machine
	qemu+=(-netdev "dgram,id=wire,local.type=inet,local.host=127.0.0.1,local.port=$wire_lport,remote.type=inet,remote.host=127.0.0.1,remote.port=$wire_rport"
		-device "virtio-net-pci,netdev=wire,mac=52:54:00:70:00:$(printf %02x "$wire_n")")
fi

console=$results/console.log
[ "$quiet" = 1 ] || note "guest: $(basename "$image") ($kernel), $mem, iommu=$iommu$([ "$icount" = 0 ] || echo ", icount")$([ -z "$wire" ] || echo ", wire 10.0.7.$wire_n"), console in $console"
set +e
if [ "$quiet" = 1 ]; then
	timeout --kill-after=10 "$timeout" "${qemu[@]}" < /dev/null > "$console" 2>&1
	qemu_rc=$?
else
	timeout --kill-after=10 "$timeout" "${qemu[@]}" < /dev/null 2>&1 | tee "$console" >&2
	qemu_rc=${PIPESTATUS[0]}
fi
set -e
[ "$qemu_rc" -ne 124 ] && [ "$qemu_rc" -ne 137 ] || qemu_timed_out=1
rm -rf "$results/scratch"

# A kernel report anywhere on the console fails the run, whatever the job said.
report_re='Oops|BUG:|WARNING:|KASAN:|unreferenced object|Kernel panic|general protection fault|Call Trace:'
if [ "$allow_warn" = 1 ]; then
	warns=$(grep -c 'WARNING:' "$console" || true)
	[ "$warns" = 0 ] || echo "note: $warns WARNING report(s) on the guest console, allowed: $(grep -m1 'WARNING:' "$console" | tr -d '\r')" >&2
	# Only the WARN itself is allowed: its call trace comes with it.
	report_re='Oops|BUG:|KASAN:|unreferenced object|Kernel panic|general protection fault'
fi
if grep -qE "$report_re" "$console"; then
	line=$(grep -nE "$report_re" "$console" | head -n 1 | cut -d: -f1)
	echo "---- kernel report on the guest console (line $line of $console) ----" >&2
	tail -n "+$((line > 5 ? line - 5 : 1))" "$console" | head -n 60 >&2
	echo "----" >&2
	die "kernel report on the guest console: $(sed -n "${line}p" "$console" | tr -d '\r')"
fi
if [ -n "${qemu_timed_out:-}" ]; then
	tail -n 20 "$console" >&2
	die "guest timed out after $timeout s (console: $console)"
fi
if [ ! -s "$results/exit-status" ]; then
	tail -n 20 "$console" >&2
	die "guest reported no exit status: kernel did not boot or the job crashed (console: $console)"
fi
exit "$(cat "$results/exit-status")"
