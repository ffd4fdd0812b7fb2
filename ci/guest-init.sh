#!/bin/sh
# PID 1 of the test guest (started by ci/vm.sh with init=this file).
#
# The root filesystem is the host's, read-only over virtio-9p; the runner's
# results folder is mounted writable at /tmp/results.  This script mounts the
# usual pseudo filesystems, runs the standard RDMA setup unless the job asks
# not to, runs /tmp/results/job.sh, records its exit status in
# /tmp/results/exit-status and resets the machine (QEMU runs -no-reboot, so
# the reset ends it).  It never returns: init exiting would panic the kernel.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8

top=$(cd "$(dirname "$0")/.." && pwd)

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
# The guest's /tmp is its own tmpfs.  A checkout that lives under the host's
# /tmp (CI clones may) is bound back in, read-only like the rest of the host.
mkdir -p /run/host-tmp
mount --bind /tmp /run/host-tmp
mount -t tmpfs tmp /tmp
case "$top" in
/tmp/*)
	first=${top#/tmp/}
	first=${first%%/*}
	mkdir -p "/tmp/$first"
	mount --bind "/run/host-tmp/$first" "/tmp/$first" ;;
esac
mkdir -p /dev/shm /dev/hugepages /tmp/results
mount -t tmpfs shm /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
mount -t hugetlbfs hugetlbfs /dev/hugepages

finish() {
	echo "$1" > /tmp/results/exit-status
	sync
	echo "phyr-guest: job exit status $1"
	echo b > /proc/sysrq-trigger
	sleep 10
}

if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /tmp/results; then
	echo "phyr-guest: cannot mount the results folder"
	finish 125
fi

ulimit -l unlimited
ulimit -c 0
echo 1 > /proc/sys/kernel/sysrq

status=0
if [ ! -e /tmp/results/no-setup ]; then
	/bin/sh "$top/ci/guest-setup.sh" || status=$?
fi
if [ "$status" -eq 0 ]; then
	cd /tmp || finish 125
	/bin/bash /tmp/results/job.sh
	status=$?
fi

# On a kernel with kmemleak, scan twice (objects freed late are not leaks)
# and print whatever is still unreferenced so the runner sees it.
if [ -e /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > /dev/console
fi
finish "$status"
