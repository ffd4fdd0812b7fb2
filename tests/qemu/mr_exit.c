// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * mr_exit: MRs of processes that end without deregistering them.
 *
 *   mr_exit [-d DEV] [-s MIB] [-n KILLS] [-t MIB] [-z]
 *
 * A child registers five MRs on DEV (default rxe0) and exits without
 * deregistering or closing anything; then KILLS (default 8) children are
 * sent SIGKILL while they register one MR of MIB MiB (default 512),
 * at delays spread evenly inside the time one registration takes, so that
 * the fatal signal lands inside ib_umem_get()'s pinning (at least one must
 * land before registration finished; a kill after it is its own case, and
 * one that came too late is tried again sooner).  After
 * each child is reaped, the pins held system-wide (nr_foll_pin_acquired -
 * nr_foll_pin_released) must be back where they were: the kernel releases
 * what a dead process registered.  Prints how many kills landed before
 * registration finished.  With -z the buffers are not faulted in first:
 * ib_umem_get()'s pinning faults them in, which is what makes an 8 GiB
 * registration affordable under TCG (and slow enough to be hit).  With -t
 * the registration timed is one of that many MiB, its time scaled up to
 * MIB's (registration takes time in proportion to its pages): one 8 GiB
 * registration fewer to wait for.  TAP on stdout; needs root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <infiniband/verbs.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_util.h"
#include "guest_verbs.h"

static const char *dev_name = "rxe0";
static bool no_fault_in;
static const int access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
				IBV_ACCESS_REMOTE_READ;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* In a child: a PD on DEV, or exit 3. */
static struct ibv_pd *child_pd(void)
{
	struct ibv_context *ctx = open_device_named(dev_name);
	struct ibv_pd *pd = ctx ? ibv_alloc_pd(ctx) : NULL;

	if (!pd)
		_exit(3);
	return pd;
}

/*
 * In a child: @len bytes faulted in as 4 KiB pages (no THP: pinning them
 * one by one takes long enough for a signal to land in it; with -z left
 * for the pinning to fault in), or exit 4.
 */
static char *child_buf(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || madvise(p, len, MADV_NOHUGEPAGE))
		_exit(4);
	if (!no_fault_in)
		memset(p, 1, len);
	return p;
}

/*
 * Pins back to @pins: the last file reference of a dead process is dropped
 * as it exits, but give deferred work a moment (at most 10 s) before
 * calling them lost.
 */
static bool pins_back(long long pins)
{
	for (int i = 0; i < 100; i++) {
		if (pins_held() == pins)
			return true;
		usleep(100000);
	}
	return false;
}

static void exit_registered(void)
{
	long long pins = pins_held();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid) {
		struct ibv_pd *pd = child_pd();
		char *buf = child_buf(64 << 20);

		for (int i = 0; i < 5; i++)
			if (!ibv_reg_mr(pd, buf + i * (8 << 20), 8 << 20, access_flags))
				_exit(5);
		_exit(0);	/* nothing deregistered, nothing closed */
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	tap(WIFEXITED(status) && !WEXITSTATUS(status),
	    "a child registers five MRs and exits without deregistering",
	    "status %#x", status);
	tap(pins_back(pins), "its pins are all released",
	    "%+lld pins still held", pins_held() - pins);
}

/*
 * One child registering @len bytes, killed @delay_us after it said it
 * starts (or, with @delay_us < 0, left to finish: the time it took in
 * @took_us).  Returns whether it had finished registering when killed.
 */
static bool killed_child(size_t len, double delay_us, double *took_us)
{
	int go[2], done[2], status;
	char c;
	pid_t pid;

	if (pipe(go) || pipe(done))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		struct ibv_pd *pd = child_pd();
		char *buf = child_buf(len);
		double t0;

		close(go[0]);
		close(done[0]);
		t0 = now_us();
		if (write(go[1], "g", 1) != 1)
			_exit(6);
		if (!ibv_reg_mr(pd, buf, len, access_flags))
			_exit(5);
		t0 = now_us() - t0;
		if (write(done[1], &t0, sizeof(t0)) != sizeof(t0))
			_exit(6);
		pause();
		_exit(0);
	}
	close(go[1]);
	close(done[1]);
	if (read(go[0], &c, 1) != 1)
		die("the child did not start registering");
	if (delay_us >= 0) {
		usleep((useconds_t)delay_us);
		kill(pid, SIGKILL);
	} else if (read(done[0], took_us, sizeof(*took_us)) != sizeof(*took_us)) {
		die("the child did not register");
	} else {
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	/* Finished if it wrote its time before it died */
	bool finished = delay_us < 0 || read(done[0], &c, 1) > 0;

	close(go[0]);
	close(done[0]);
	return finished;
}

int main(int argc, char **argv)
{
	size_t size = 512UL << 20, timed = 0;
	int kills = 8, opt, during = 0, lost = 0, attempts = 0;
	double took = 0;
	long long pins;

	while ((opt = getopt(argc, argv, "d:s:n:t:zh")) != -1) {
		switch (opt) {
		case 'd': dev_name = optarg; break;
		case 's': size = strtoull(optarg, NULL, 0) << 20; break;
		case 'n': kills = atoi(optarg); break;
		case 't': timed = strtoull(optarg, NULL, 0) << 20; break;
		case 'z': no_fault_in = true; break;
		case 'h':
			printf("Usage: mr_exit [-d DEV] [-s MIB] [-n KILLS] [-t MIB] [-z]\n"
			       "  -d DEV    the device (default rxe0)\n"
			       "  -s MIB    the MR each killed child registers (default 512)\n"
			       "  -n KILLS  children killed while registering (default 8)\n"
			       "  -t MIB    time a registration of MIB MiB and scale it (default: -s)\n"
			       "  -z        let the pinning fault the buffers in\n");
			return 0;
		default: return 2;
		}
	}
	if (!timed)
		timed = size;
	if (!size || kills < 1 || timed > size) {
		fprintf(stderr, "mr_exit: bad arguments\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	exit_registered();

	pins = pins_held();
	killed_child(timed, -1, &took);
	took *= (double)size / timed;
	tap(pins_back(pins), "a child killed after registering leaves no pin",
	    "%+lld pins still held", pins_held() - pins);
	for (int i = 0; i < kills; i++) {
		/*
		 * Spread over the registration, its ends excluded.  A later
		 * registration can be faster than the timed one (under TCG the
		 * first touch of guest memory costs the host too): a kill that
		 * came after it finished is tried again at half the delay,
		 * three times at most.
		 */
		double delay = took * (i + 1) / (kills + 1);

		for (int again = 0; again < 4; again++, delay /= 2) {
			bool finished;

			pins = pins_held();
			finished = killed_child(size, delay, NULL);
			lost += !pins_back(pins);
			attempts++;
			if (!finished) {
				during++;
				break;
			}
		}
	}
	tap(!lost, "SIGKILL while registering leaves no pin",
	    "%d of %d kills left pins held", lost, attempts);
	/* Or the signal never met ib_umem_get(), and the test tested nothing */
	tap(during > 0, "a kill landed before registration finished",
	    "all %d kills came after registering %zu MiB (%.0f us)", attempts, size >> 20, took);
	printf("# %d kills of children registering %zu MiB on %s (%.0f us the timed one%s): "
	       "%d before registration finished\n", attempts, size >> 20, dev_name, took,
	       timed == size ? "" : ", scaled", during);
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
