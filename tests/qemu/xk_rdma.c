// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Copyright (c) 2026 The phyr-umem authors
 *
 * xk_rdma: data integrity between two machines, two kernels.  One QEMU
 * guest runs the stock kernel, the other the phyr kernel; a wire joins
 * them (ci/vm.sh --wire: eth0, 10.0.7.N, a Soft-RoCE device on it).
 *
 *   xk_rdma -L [-b BIND_ADDR] [-p PORT] [-k N] [-w SECONDS]
 *   xk_rdma -c SERVER_ADDR [-p PORT] [-l LAYOUT] [-s SIZE] [-n OPS]
 *           [-S SEED] [-w SECONDS]
 *
 * The client connects to the server through rdma_cm (an RC QP) and tells
 * it, in the connect request's private data, the layout, size, operation
 * count and seed of the run.  Each side then maps SIZE bytes of LAYOUT
 * (bench/layout.c, checked through pagemap), fills them with its own
 * pattern (every byte a function of the seed, the side and its offset),
 * registers one MR over them and sends the other its address and rkey.
 * Everything after is derived from the seed on both sides with the same
 * generator, so each side knows what the other did to it without being
 * told, and checks every byte of its own MR against that:
 *
 *  1. the client RDMA READs OPS ranges of the server's MR (random offsets
 *     and lengths up to 128 KiB, always the first and the last byte of the
 *     MR, ranges across page and 2 MiB boundaries): each holds the server's
 *     pattern, bytes the other kernel's MR holds;
 *  2. the client RDMA WRITEs OPS such ranges from its MR into the same
 *     offsets of the server's MR, then SENDs "done"; the server checks
 *     every byte of its MR: the client's bytes where the ranges fall, its
 *     own pattern everywhere else;
 *  3. the reverse: the server RDMA WRITEs OPS ranges from its MR (holding
 *     by now some of the client's bytes, which so make a round trip) into
 *     the client's MR, which the client checks byte by byte; then the
 *     server RDMA READs OPS ranges back from the client's MR;
 *  4. when both devices have atomics (atomic_cap not IBV_ATOMIC_NONE),
 *     each side sends min(OPS, 1000) atomics to random 8-byte words of the
 *     other's MR, the first and the last word among them: a third
 *     fetch-and-adds, a third compare-and-swaps that match, a third that
 *     do not; each returns the word the issuer computed, and the target
 *     finds every byte of its MR as computed; else these lines say
 *     "# SKIP" and which device has none;
 *  5. after deregistering its MRs, each side has every pin back (the
 *     pin counters of /proc/vmstat, system-wide: run one side per
 *     machine), and again once the connection is closed.
 *
 * Defaults: -l frag_4k -s 16M -n 200 -S 1 (fit for a 2 GiB guest under
 * TCG).  Whichever side makes a check sends its outcome to the other, so
 * both print the same TAP lines in the same order, one per check, but for
 * the last (each side's own pins after closing).  The client
 * waits up to -w SECONDS (default 60) for the server, trying again while
 * the address does not resolve, nothing listens or nothing answers (the
 * other guest may still be booting); the server waits up to -w SECONDS
 * (default 600) for each client, serves one connection or, with -k, N in
 * turn (one client run after another, each with its own layout and size).
 * Every wait is bounded: CQs and the rdma_cm channel are polled with
 * poll(), a peer that disconnects ends the wait at once, one that goes
 * silent after a timeout (90 s for one operation's completion, 120 s
 * plus 0.5 s per MiB of SIZE for the peer's next message).  RC retries
 * are set for TCG, whose wire drops packets in bursts of READ responses:
 * ACK timeout 17 (0.54 s; the default 4.3 s of some setups made a lost
 * packet cost seconds), 7 retries.  Exit status 0 when every check passed, 1 when
 * one failed, 2 on a setup error (one line on stderr says which).  Needs
 * root (pagemap, the pin counters).
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <infiniband/verbs.h>
#include <netdb.h>
#include <poll.h>
#include <rdma/rdma_cma.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "guest_util.h"
#include "layout.h"

#define MAGIC		0x786b7264U	/* "xkrd" */
#define DEF_PORT	"7471"
#define RANGE_MAX	(128 * 1024)	/* longest RDMA READ or WRITE */
#define MAX_ATOMICS	1000
#define MAX_OPS		1000000
#define NR_RECV		4		/* receive slots, one send slot after them */
#define OP_MS		90000		/* one completion: far beyond 8 RC retries of 0.54 s */
#define GRACE_MS	2000		/* what may still arrive once the peer left */
#define ACK_TIMEOUT	17		/* 4.096 us << 17: 0.54 s, a lost packet costs no more under TCG */

enum side { CLIENT, SERVER };
static const char *const side_name[] = { "client", "server" };

/* What a run is made of: the client's options, sent to the server */
struct params {
	char layout[16];
	uint64_t size, seed;
	uint32_t ops;
};

/* The connect request's private data (56 bytes at most on IB/RoCE) */
struct hello {
	uint32_t magic, ops;
	uint64_t size, seed;
	char layout[16];
};

/* The server's reject private data: why it refused the run */
struct refusal {
	uint32_t magic;
	char why[80];
};

enum msg_type { MSG_INFO = 1, MSG_DONE, MSG_RESULT };

/* Every SEND: integers big-endian on the wire */
struct msg {
	uint32_t magic, type, check, ok;
	uint64_t addr, size;
	uint32_t rkey, atomics;
	char text[200];
};

/* A byte range [start, end) of an MR */
struct span {
	uint64_t start, end;
};

/* An 8-byte word an atomic left, at @off, as the target's memory holds it */
struct word {
	uint64_t off, val;
};

/*
 * What an MR holds: byte o is the pattern of @key at o, except where a
 * span says another MR's bytes were written there (what @src holds at o),
 * and except the @words atomics left last.
 */
struct model {
	uint64_t key;
	const struct span *spans;
	size_t nspans;
	const struct model *src;
	const struct word *words;
	size_t nwords;
};

struct atomic_op {
	uint64_t off, a, b, old;	/* add or compare, swap, the word before */
	bool cas;
};

/* Random streams, one per use, the same on both sides */
enum stream { ST_READ_C, ST_WRITE_C, ST_WRITE_S, ST_READ_S, ST_ATOM_C, ST_ATOM_S };

/* What the seed makes of a run, worked out alike on both sides */
struct plan {
	struct span *cw, *sw;		/* merged: where each side's WRITEs land */
	size_t ncw, nsw;
	struct atomic_op *at[2];	/* each side's atomics, on the other's MR */
	struct word *words[2];		/* what they leave there */
	size_t nwords[2];
	unsigned int nat;
	/* s0, c0: as filled; s2: after the client's WRITEs; c3: after the
	 * server's; s4, c5: after the atomics */
	struct model s0, c0, s2, c3, s4, c5;
};

enum action { READS, WRITES, CHECK_MR, ATOMICS, PINS };

/*
 * The run, step by step, the same on both sides: who acts, on which
 * stream, against which model of struct plan (what the MR read or checked
 * holds), and the TAP line of the check the step makes (%u: how many
 * operations; none for WRITES, which the other side checks next).  The
 * side that does not act waits for the message the step ends with.
 */
static const struct step {
	enum side by;
	enum action act;
	enum stream st;
	size_t model;
	bool atomics;		/* skipped unless both devices have atomics */
	const char *what;
} script[] = {
	{ CLIENT, READS, ST_READ_C, offsetof(struct plan, s0), false,
	  "client RDMA READs %u ranges of the server's MR: the server's bytes" },
	{ CLIENT, WRITES, ST_WRITE_C, 0, false, NULL },
	{ SERVER, CHECK_MR, 0, offsetof(struct plan, s2), false,
	  "client RDMA WRITEs %u ranges into the server's MR: every byte of it as written or as it was" },
	{ SERVER, WRITES, ST_WRITE_S, 0, false, NULL },
	{ CLIENT, CHECK_MR, 0, offsetof(struct plan, c3), false,
	  "server RDMA WRITEs %u ranges into the client's MR: every byte of it as written or as it was" },
	{ SERVER, READS, ST_READ_S, offsetof(struct plan, c3), false,
	  "server RDMA READs %u ranges back from the client's MR: what was written there" },
	{ CLIENT, ATOMICS, ST_ATOM_C, 0, true,
	  "client: %u atomics (fetch-and-add, compare-and-swap) on the server's MR return the old words" },
	{ SERVER, CHECK_MR, 0, offsetof(struct plan, s4), true,
	  "the client's %u atomics leave every byte of the server's MR as computed" },
	{ SERVER, ATOMICS, ST_ATOM_S, 0, true,
	  "server: %u atomics (fetch-and-add, compare-and-swap) on the client's MR return the old words" },
	{ CLIENT, CHECK_MR, 0, offsetof(struct plan, c5), true,
	  "the server's %u atomics leave every byte of the client's MR as computed" },
	{ CLIENT, PINS, 0, 0, false, "client: deregistering its MRs gives every pin back" },
	{ SERVER, PINS, 0, 0, false, "server: deregistering its MRs gives every pin back" },
};

/* One connection and the run on it */
struct conn {
	/* the connection's resources, first: conn_close() clears them */
	struct rdma_event_channel *cm_ch;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_comp_channel *cq_ch;
	struct ibv_cq *scq, *rcq;
	struct ibv_mr *msg_mr;
	struct msg *msgs;		/* NR_RECV receive slots, then the send slot */
	bool dev_atomics, gone;
	/* the run */
	enum side side;
	struct params p;
	const struct layout *lay;
	unsigned char *buf, *stage, *want;
	struct ibv_mr *mr, *smr;
	uint64_t peer_addr;
	uint32_t peer_rkey;
	bool atomics, peer_atomics;
	int64_t step_ms;		/* longest wait for the peer's next message */
	long long pins;			/* held before this side's MRs registered */
	char what[40];			/* "frag_4k 16M" */
	char prefix[44];		/* "frag_4k 16M: " */
	struct plan pl;
};

/* One line on stderr; returns -1 for the caller to return */
static int __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	fputs("xk_rdma: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- patterns, ranges and models: the same on both sides ---- */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* splitmix64: one stream of @seed per use */
struct rng {
	uint64_t s;
};

static struct rng rng_of(uint64_t seed, enum stream st)
{
	return (struct rng){ mix64(seed) ^ mix64(0x5eed0000ULL + st) };
}

static uint64_t rng_next(struct rng *r)
{
	return mix64(r->s += 0x9e3779b97f4a7c15ULL);
}

static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

static uint64_t side_key(uint64_t seed, enum side s)
{
	return mix64(seed * 2 + s + 0xc0ffee);
}

/* The pattern of @key at [@off, @off + @len): byte o is byte o % 8 of
 * mix64(key + o / 8), little-endian: no period an offset error could hide in */
static void pattern_fill(unsigned char *dst, uint64_t off, size_t len, uint64_t key)
{
	for (size_t i = 0; i < len;) {
		uint64_t o = off + i, w = mix64(key + o / 8);

		for (unsigned int b = o % 8; b < 8 && i < len; b++, i++)
			dst[i] = (unsigned char)(w >> 8 * b);
	}
}

/* The first span of @m that ends after @off */
static size_t span_after(const struct model *m, uint64_t off)
{
	size_t lo = 0, hi = m->nspans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->spans[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* What @m holds at [@off, @off + @len), into @dst */
static void model_fill(const struct model *m, unsigned char *dst, uint64_t off, size_t len)
{
	uint64_t o = off, end = off + len;

	for (size_t i = span_after(m, off); o < end;) {
		const struct span *s = i < m->nspans ? &m->spans[i] : NULL;
		uint64_t to;

		if (s && s->start <= o) {
			to = s->end < end ? s->end : end;
			model_fill(m->src, dst + (o - off), o, to - o);
			i++;
		} else {
			to = s && s->start < end ? s->start : end;
			pattern_fill(dst + (o - off), o, to - o, m->key);
		}
		o = to;
	}
	for (size_t k = 0; k < m->nwords; k++) {
		const unsigned char *v = (const unsigned char *)&m->words[k].val;

		for (uint64_t b = 0, at = m->words[k].off; b < 8; b++)
			if (at + b >= off && at + b < end)
				dst[at + b - off] = v[b];
	}
}

/* A range across the boundary at @b (@b - 1 and @b both in it) */
static struct span across(struct rng *r, uint64_t b, uint64_t max, uint64_t size)
{
	uint64_t len = 2 + rng_below(r, max - 1);
	uint64_t lim = len - 1 < b ? len - 1 : b;
	uint64_t at = b - 1 - rng_below(r, lim);

	if (at + len > size)
		len = size - at;
	return (struct span){ at, at + len };
}

/*
 * Range @i of a stream over an MR of @size bytes: the first holds the
 * MR's first byte, the second its last, the third crosses a page
 * boundary, the fourth a 2 MiB one (a page one in MRs of 2 MiB or less);
 * then a mix of short ranges, page crossings and any lengths anywhere.
 */
static struct span pick_range(struct rng *r, uint64_t size, unsigned int i)
{
	uint64_t max = size < RANGE_MAX ? size : RANGE_MAX, len, at;
	uint64_t pages = size / PG, huge = (size - 1) / (2 * MIB);

	switch (i < 4 ? i : 4 + rng_below(r, 4)) {
	case 0:
		return (struct span){ 0, 1 + rng_below(r, max) };
	case 1:
		len = 1 + rng_below(r, max);
		return (struct span){ size - len, size };
	case 3:
		if (huge)
			return across(r, (1 + rng_below(r, huge)) * 2 * MIB, max, size);
		/* fall through */
	case 2: case 5:
		return across(r, (1 + rng_below(r, pages - 1)) * PG, max, size);
	case 4:
		len = 1 + rng_below(r, max < 64 ? max : 64);
		break;
	default:
		len = 1 + rng_below(r, max);
		break;
	}
	at = rng_below(r, size - len + 1);
	return (struct span){ at, at + len };
}

/* The @n ranges of stream @st, in the order they are moved */
static struct span *ranges(const struct params *p, enum stream st)
{
	struct span *s = calloc(p->ops, sizeof(*s));
	struct rng r = rng_of(p->seed, st);

	for (unsigned int i = 0; s && i < p->ops; i++)
		s[i] = pick_range(&r, p->size, i);
	return s;
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Where stream @st's ranges land: sorted, overlaps merged (into *@n) */
static struct span *landed(const struct params *p, enum stream st, size_t *n)
{
	struct span *s = ranges(p, st);
	size_t k = 0;

	if (!s)
		return NULL;
	qsort(s, p->ops, sizeof(*s), span_cmp);
	for (size_t i = 0; i < p->ops; i++) {
		if (k && s[i].start <= s[k - 1].end) {
			if (s[i].end > s[k - 1].end)
				s[k - 1].end = s[i].end;
		} else {
			s[k++] = s[i];
		}
	}
	*n = k;
	return s;
}

/*
 * @n atomics of stream @st on an MR that holds @base: the first and the
 * last word, then random ones; a third fetch-and-adds, a third
 * compare-and-swaps that match, a third that do not.  Each op keeps the
 * word it must return; @words gets what they leave (*@nwords of them).
 */
static void plan_atomics(const struct model *base, const struct params *p, enum stream st,
			 unsigned int n, struct atomic_op *ops, struct word *words,
			 size_t *nwords)
{
	struct rng r = rng_of(p->seed, st);
	size_t nw = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t off = i == 0 ? 0 : i == 1 ? p->size - 8 : rng_below(&r, p->size / 8) * 8;
		struct atomic_op *op = &ops[i];
		size_t k = 0;

		while (k < nw && words[k].off != off)
			k++;
		if (k == nw) {
			unsigned char b[8];

			model_fill(base, b, off, 8);
			words[nw].off = off;
			memcpy(&words[nw++].val, b, 8);
		}
		*op = (struct atomic_op){ .off = off, .old = words[k].val };
		switch (rng_below(&r, 3)) {
		case 0:
			op->a = rng_next(&r);
			words[k].val = op->old + op->a;
			break;
		case 1:
			op->cas = true;
			op->a = op->old;
			op->b = rng_next(&r);
			words[k].val = op->b;
			break;
		default:
			op->cas = true;
			op->a = op->old ^ (rng_next(&r) | 1);
			op->b = rng_next(&r);
			break;
		}
	}
	*nwords = nw;
}

static void plan_free(struct plan *pl)
{
	free(pl->cw);
	free(pl->sw);
	for (int s = 0; s < 2; s++) {
		free(pl->at[s]);
		free(pl->words[s]);
	}
	memset(pl, 0, sizeof(*pl));
}

static int plan_make(struct plan *pl, const struct params *p)
{
	pl->nat = p->ops < MAX_ATOMICS ? p->ops : MAX_ATOMICS;
	pl->cw = landed(p, ST_WRITE_C, &pl->ncw);
	pl->sw = landed(p, ST_WRITE_S, &pl->nsw);
	for (int s = 0; s < 2; s++) {
		pl->at[s] = calloc(pl->nat, sizeof(*pl->at[s]));
		pl->words[s] = calloc(pl->nat, sizeof(*pl->words[s]));
	}
	if (!pl->cw || !pl->sw || !pl->at[0] || !pl->at[1] || !pl->words[0] || !pl->words[1])
		return fail("planning the run: out of memory");
	pl->c0 = (struct model){ .key = side_key(p->seed, CLIENT) };
	pl->s0 = (struct model){ .key = side_key(p->seed, SERVER) };
	pl->s2 = pl->s0;
	pl->s2.spans = pl->cw;
	pl->s2.nspans = pl->ncw;
	pl->s2.src = &pl->c0;
	pl->c3 = pl->c0;
	pl->c3.spans = pl->sw;
	pl->c3.nspans = pl->nsw;
	pl->c3.src = &pl->s2;
	plan_atomics(&pl->s2, p, ST_ATOM_C, pl->nat, pl->at[CLIENT], pl->words[CLIENT],
		     &pl->nwords[CLIENT]);
	plan_atomics(&pl->c3, p, ST_ATOM_S, pl->nat, pl->at[SERVER], pl->words[SERVER],
		     &pl->nwords[SERVER]);
	pl->s4 = pl->s2;
	pl->s4.words = pl->words[CLIENT];
	pl->s4.nwords = pl->nwords[CLIENT];
	pl->c5 = pl->c3;
	pl->c5.words = pl->words[SERVER];
	pl->c5.nwords = pl->nwords[SERVER];
	return 0;
}

/* Bytes of @got that differ from @want; the first at *@first */
static size_t differ(const unsigned char *got, const unsigned char *want, size_t len,
		     size_t *first)
{
	size_t n = 0;

	if (!memcmp(got, want, len))
		return 0;
	for (size_t i = len; i-- > 0;)
		if (got[i] != want[i]) {
			*first = i;
			n++;
		}
	return n;
}

/* ---- the connection ---- */

static const char *op_name(enum ibv_wr_opcode op)
{
	switch (op) {
	case IBV_WR_RDMA_READ: return "RDMA READ";
	case IBV_WR_RDMA_WRITE: return "RDMA WRITE";
	case IBV_WR_SEND: return "SEND";
	case IBV_WR_ATOMIC_FETCH_AND_ADD: return "atomic fetch-and-add";
	case IBV_WR_ATOMIC_CMP_AND_SWP: return "atomic compare-and-swap";
	default: return "work request";
	}
}

/* The next rdma_cm event on @ch within @ms; -1 and ETIMEDOUT if none came */
static int cm_next(struct rdma_event_channel *ch, int64_t ms, struct rdma_cm_event **ev)
{
	struct pollfd pfd = { .fd = ch->fd, .events = POLLIN };
	int64_t end = mono_ms() + ms;

	for (;;) {
		int64_t left = end - mono_ms();
		int n = poll(&pfd, 1, left > 0 ? (int)left : 0);

		if (n > 0)
			return rdma_get_cm_event(ch, ev);
		if (n == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

/* Events of the connection while it carries data: only its end matters */
static void cm_drain(struct conn *c, int64_t *end)
{
	struct rdma_cm_event *ev;

	if (rdma_get_cm_event(c->cm_ch, &ev))
		return;
	if (ev->event == RDMA_CM_EVENT_DISCONNECTED ||
	    ev->event == RDMA_CM_EVENT_DEVICE_REMOVAL) {
		c->gone = true;
		if (*end > mono_ms() + GRACE_MS)
			*end = mono_ms() + GRACE_MS;
	}
	rdma_ack_cm_event(ev);
}

/* The next completion of @cq within @ms, while watching for the peer leaving */
static int wait_cq(struct conn *c, struct ibv_cq *cq, struct ibv_wc *wc, int64_t ms)
{
	int64_t end = mono_ms() + ms;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = c->cq_ch->fd, .events = POLLIN },
			{ .fd = c->cm_ch->fd, .events = POLLIN },
		};
		int64_t left;
		struct ibv_cq *ev_cq;
		void *ev_ctx;
		int n = ibv_poll_cq(cq, 1, wc);

		if (!n && !ibv_req_notify_cq(cq, 0))
			n = ibv_poll_cq(cq, 1, wc);	/* one that came before the arming */
		if (n > 0)
			return 0;
		if (n < 0) {
			errno = EIO;
			return -1;
		}
		left = end - mono_ms();
		if (left <= 0) {
			errno = c->gone ? ECONNRESET : ETIMEDOUT;
			return -1;
		}
		if (poll(pfd, 2, (int)left) < 0 && errno != EINTR)
			return -1;
		if ((pfd[0].revents & POLLIN) && !ibv_get_cq_event(c->cq_ch, &ev_cq, &ev_ctx))
			ibv_ack_cq_events(ev_cq, 1);
		if (pfd[1].revents & POLLIN)
			cm_drain(c, &end);
	}
}

/* Why a wait of @ms for the peer failed */
static const char *wait_error(const struct conn *c, int64_t ms)
{
	static char s[96];

	if (errno == ECONNRESET)
		snprintf(s, sizeof(s), "the %s disconnected", side_name[!c->side]);
	else if (errno == ETIMEDOUT)
		snprintf(s, sizeof(s), "nothing came within %lld s", (long long)(ms / 1000));
	else
		snprintf(s, sizeof(s), "%s", strerror(errno));
	return s;
}

/* After a failed completion: whether the peer has left, as far as rdma_cm
 * has said yet (a flushed request often comes before the event) */
static const char *gone_note(struct conn *c, enum ibv_wc_status status)
{
	struct pollfd pfd = { .fd = c->cm_ch->fd, .events = POLLIN };
	int64_t end = mono_ms() + GRACE_MS;

	while (!c->gone && poll(&pfd, 1, status == IBV_WC_WR_FLUSH_ERR ? GRACE_MS : 0) > 0)
		cm_drain(c, &end);
	return c->gone ? c->side == CLIENT ? " (the server disconnected)" :
		" (the client disconnected)" : "";
}

/*
 * One signalled work request of @op, @len bytes at @laddr (@lkey), at
 * @raddr of the peer's MR (@a, @b: an atomic's add or compare and swap),
 * and its completion.  -1 on any failure, said on stderr.
 */
static int one_op(struct conn *c, enum ibv_wr_opcode op, void *laddr, uint32_t lkey,
		  uint32_t len, uint64_t raddr, uint64_t a, uint64_t b)
{
	struct ibv_sge sge = { .addr = (uintptr_t)laddr, .length = len, .lkey = lkey };
	struct ibv_send_wr wr = {
		.wr_id = op, .sg_list = &sge, .num_sge = 1, .opcode = op,
		.send_flags = IBV_SEND_SIGNALED,
	}, *bad;
	struct ibv_wc wc;

	if (op == IBV_WR_ATOMIC_FETCH_AND_ADD || op == IBV_WR_ATOMIC_CMP_AND_SWP) {
		wr.wr.atomic.remote_addr = raddr;
		wr.wr.atomic.compare_add = a;
		wr.wr.atomic.swap = b;
		wr.wr.atomic.rkey = c->peer_rkey;
	} else if (op != IBV_WR_SEND) {
		wr.wr.rdma.remote_addr = raddr;
		wr.wr.rdma.rkey = c->peer_rkey;
	}
	if (ibv_post_send(c->id->qp, &wr, &bad))
		return fail("posting a %s: %s", op_name(op), strerror(errno));
	if (wait_cq(c, c->scq, &wc, OP_MS))
		return fail("waiting for a %s of %u bytes to complete: %s", op_name(op), len,
			    wait_error(c, OP_MS));
	if (wc.status != IBV_WC_SUCCESS)
		return fail("%s of %u bytes at the %s's %#llx: completion status %s%s", op_name(op),
			    len, side_name[!c->side], (unsigned long long)raddr,
			    ibv_wc_status_str(wc.status), gone_note(c, wc.status));
	return 0;
}

static int post_recv(struct conn *c, unsigned int slot)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)&c->msgs[slot], .length = sizeof(struct msg),
		.lkey = c->msg_mr->lkey,
	};
	struct ibv_recv_wr wr = { .wr_id = slot, .sg_list = &sge, .num_sge = 1 }, *bad;

	return ibv_post_recv(c->id->qp, &wr, &bad);
}

static int msg_send(struct conn *c, const struct msg *m)
{
	struct msg *w = &c->msgs[NR_RECV];

	*w = (struct msg){
		.magic = htobe32(MAGIC), .type = htobe32(m->type), .check = htobe32(m->check),
		.ok = htobe32(m->ok), .addr = htobe64(m->addr), .size = htobe64(m->size),
		.rkey = htobe32(m->rkey), .atomics = htobe32(m->atomics),
	};
	snprintf(w->text, sizeof(w->text), "%s", m->text);
	return one_op(c, IBV_WR_SEND, w, c->msg_mr->lkey, sizeof(*w), 0, 0, 0);
}

/* The peer's next message, which must be of @type for @check */
static int msg_recv(struct conn *c, enum msg_type type, unsigned int check, struct msg *m)
{
	struct ibv_wc wc;
	struct msg *r;

	if (wait_cq(c, c->rcq, &wc, c->step_ms))
		return fail("waiting for the %s's message: %s", side_name[!c->side],
			    wait_error(c, c->step_ms));
	if (wc.status != IBV_WC_SUCCESS || wc.wr_id >= NR_RECV)
		return fail("receiving the %s's message: completion status %s%s",
			    side_name[!c->side], ibv_wc_status_str(wc.status),
			    gone_note(c, wc.status));
	r = &c->msgs[wc.wr_id];
	*m = (struct msg){
		.magic = be32toh(r->magic), .type = be32toh(r->type), .check = be32toh(r->check),
		.ok = be32toh(r->ok), .addr = be64toh(r->addr), .size = be64toh(r->size),
		.rkey = be32toh(r->rkey), .atomics = be32toh(r->atomics),
	};
	memcpy(m->text, r->text, sizeof(m->text));
	m->text[sizeof(m->text) - 1] = 0;
	if (post_recv(c, (unsigned int)wc.wr_id))
		return fail("posting a receive: %s", strerror(errno));
	if (m->magic != MAGIC || m->type != type || m->check != check)
		return fail("the %s sent message %u for check %u where %u for %u was due",
			    side_name[!c->side], m->type, m->check, type, check);
	return 0;
}

/* PD, CQs, QP and message buffers on the device of @c->id */
static int conn_verbs(struct conn *c)
{
	struct ibv_qp_init_attr qa = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = NR_RECV,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ibv_context *ctx = c->id->verbs;
	struct ibv_device_attr attr;
	uint8_t timeout = ACK_TIMEOUT;

	if (ibv_query_device(ctx, &attr))
		return fail("ibv_query_device: %s", strerror(errno));
	c->dev_atomics = attr.atomic_cap != IBV_ATOMIC_NONE;
	c->pd = ibv_alloc_pd(ctx);
	c->cq_ch = ibv_create_comp_channel(ctx);
	if (!c->pd || !c->cq_ch)
		return fail("ibv_alloc_pd, ibv_create_comp_channel: %s", strerror(errno));
	c->scq = ibv_create_cq(ctx, 4, NULL, c->cq_ch, 0);
	c->rcq = ibv_create_cq(ctx, NR_RECV, NULL, c->cq_ch, 0);
	if (!c->scq || !c->rcq)
		return fail("ibv_create_cq: %s", strerror(errno));
	qa.send_cq = c->scq;
	qa.recv_cq = c->rcq;
	if (rdma_create_qp(c->id, c->pd, &qa))
		return fail("rdma_create_qp: %s", strerror(errno));
	c->msgs = calloc(NR_RECV + 1, sizeof(*c->msgs));
	c->msg_mr = c->msgs ? ibv_reg_mr(c->pd, c->msgs, (NR_RECV + 1) * sizeof(*c->msgs),
					 IBV_ACCESS_LOCAL_WRITE) : NULL;
	if (!c->msg_mr)
		return fail("registering the message buffers: %s", strerror(errno));
	for (unsigned int i = 0; i < NR_RECV; i++)
		if (post_recv(c, i))
			return fail("posting a receive: %s", strerror(errno));
	/* The ACK timeout rdma_cm gives the QP at RTS: its own for RoCE (from
	 * the packet lifetime, well under a second) is short for rxe under TCG */
	if (rdma_set_option(c->id, RDMA_OPTION_ID, RDMA_OPTION_ID_ACK_TIMEOUT, &timeout,
			    sizeof(timeout)))
		printf("# rdma_set_option(ACK_TIMEOUT): %s: the kernel's default stays\n",
		       strerror(errno));
	return 0;
}

static void conn_close(struct conn *c)
{
	bool bad = false;

	if (c->id && c->id->qp)
		rdma_destroy_qp(c->id);
	bad |= c->msg_mr && ibv_dereg_mr(c->msg_mr);
	free(c->msgs);
	bad |= c->scq && ibv_destroy_cq(c->scq);
	bad |= c->rcq && ibv_destroy_cq(c->rcq);
	bad |= c->cq_ch && ibv_destroy_comp_channel(c->cq_ch);
	bad |= c->pd && ibv_dealloc_pd(c->pd);
	bad |= c->id && rdma_destroy_id(c->id);
	if (bad)
		fail("closing the connection: %s", strerror(errno));
	if (c->cm_ch)
		rdma_destroy_event_channel(c->cm_ch);
	memset(c, 0, offsetof(struct conn, side));
}

static struct rdma_conn_param conn_param(const void *data, uint8_t len)
{
	return (struct rdma_conn_param){
		.private_data = data, .private_data_len = len,
		.responder_resources = 1, .initiator_depth = 1,
		.retry_count = 7, .rnr_retry_count = 7,
	};
}

/* NULL if the run @p can be made, else why not */
static const char *params_bad(const struct params *p)
{
	const struct layout *lay = layout_find(p->layout);

	if (!lay)
		return "unknown layout";
	if (p->size < 2 * PG || p->size % lay->align)
		return lay->align > PG ? "size not a multiple of the layout's huge page" :
		       "size not a multiple of 4 KiB of at least 8 KiB";
	if (p->ops < 1 || p->ops > MAX_OPS)
		return "operation count not in 1..1000000";
	return NULL;
}

/* ---- the run ---- */

static void check_name(const struct conn *c, const struct step *s, char *name, size_t len)
{
	int at = snprintf(name, len, "%s", c->prefix);

	snprintf(name + at, len - at, s->what, s->atomics ? c->pl.nat : c->p.ops);
}

/* The message that ends step @s: tagged with its place in the script */
static unsigned int tag(const struct step *s)
{
	return (unsigned int)(s - script) + 1;
}

/* A check this side made: its TAP line, and its outcome to the peer */
static int mine(struct conn *c, const struct step *s, bool ok, const char *why)
{
	struct msg m = { .type = MSG_RESULT, .check = tag(s), .ok = ok };
	char name[200];

	check_name(c, s, name, sizeof(name));
	tap(ok, name, "%s", why);
	snprintf(m.text, sizeof(m.text), "%s", why);
	return msg_send(c, &m);
}

/* A check the peer made: its outcome, and the same TAP line here */
static int theirs(struct conn *c, const struct step *s)
{
	char name[200];
	struct msg m;

	if (msg_recv(c, MSG_RESULT, tag(s), &m))
		return -1;
	check_name(c, s, name, sizeof(name));
	tap(m.ok, name, "the %s reports: %s", side_name[!c->side], m.text);
	return 0;
}

/* The wrong bytes a check found: how many, the first, in how many operations */
struct tally {
	uint64_t bad, first;
	unsigned char got, want;
	unsigned int bad_ops;
};

static void tally_add(struct tally *t, const unsigned char *got, const unsigned char *want,
		      uint64_t off, size_t len)
{
	size_t first = 0, n = differ(got, want, len, &first);

	if (!n)
		return;
	if (!t->bad) {
		t->first = off + first;
		t->got = got[first];
		t->want = want[first];
	}
	t->bad += n;
	t->bad_ops++;
}

static void tally_why(const struct tally *t, const char *what, char *why, size_t len)
{
	if (!t->bad)
		snprintf(why, len, "all bytes as expected");
	else
		snprintf(why, len, "%llu byte%s wrong%s, the first at offset %llu: %#04x, want %#04x",
			 (unsigned long long)t->bad, t->bad > 1 ? "s" : "", what,
			 (unsigned long long)t->first, t->got, t->want);
}

/* Every byte of this side's MR against what @m says it holds */
static int check_mr(struct conn *c, const struct step *s, const struct model *m)
{
	int64_t t0 = mono_ms();
	struct tally t = { 0 };
	char why[160];

	for (uint64_t off = 0; off < c->p.size; off += RANGE_MAX) {
		size_t n = c->p.size - off < RANGE_MAX ? c->p.size - off : RANGE_MAX;

		model_fill(m, c->want, off, n);
		tally_add(&t, c->buf + off, c->want, off, n);
	}
	tally_why(&t, "", why, sizeof(why));
	printf("# %s: every byte of its MR checked in %.1f s\n", side_name[c->side],
	       (mono_ms() - t0) / 1e3);
	return mine(c, s, !t.bad, why);
}

/* RDMA READs of step @st's ranges of the peer's MR, which holds @m */
static int do_reads(struct conn *c, const struct step *st, const struct model *m)
{
	struct span *s = ranges(&c->p, st->st);
	int64_t t0 = mono_ms();
	struct tally t = { 0 };
	uint64_t bytes = 0;
	char why[160], what[48];
	int ret = -1;

	if (!s)
		return fail("out of memory");
	for (unsigned int i = 0; i < c->p.ops; i++) {
		uint32_t len = (uint32_t)(s[i].end - s[i].start);

		memset(c->stage, 0, len);
		if (one_op(c, IBV_WR_RDMA_READ, c->stage, c->smr->lkey, len,
			   c->peer_addr + s[i].start, 0, 0))
			goto out;
		model_fill(m, c->want, s[i].start, len);
		tally_add(&t, c->stage, c->want, s[i].start, len);
		bytes += len;
	}
	snprintf(what, sizeof(what), " in %u of the READs", t.bad_ops);
	tally_why(&t, what, why, sizeof(why));
	printf("# %s: %u RDMA READs, %.1f MiB, in %.1f s\n", side_name[c->side], c->p.ops,
	       bytes / (double)MIB, (mono_ms() - t0) / 1e3);
	ret = mine(c, st, !t.bad, why);
out:
	free(s);
	return ret;
}

/* RDMA WRITEs of step @st's ranges from this side's MR into the same
 * offsets of the peer's; then "done", for the peer to check them */
static int do_writes(struct conn *c, const struct step *st)
{
	struct span *s = ranges(&c->p, st->st);
	struct msg m = { .type = MSG_DONE, .check = tag(st) };
	int64_t t0 = mono_ms();
	uint64_t bytes = 0;
	int ret = -1;

	if (!s)
		return fail("out of memory");
	for (unsigned int i = 0; i < c->p.ops; i++) {
		uint32_t len = (uint32_t)(s[i].end - s[i].start);

		if (one_op(c, IBV_WR_RDMA_WRITE, c->buf + s[i].start, c->mr->lkey, len,
			   c->peer_addr + s[i].start, 0, 0))
			goto out;
		bytes += len;
	}
	printf("# %s: %u RDMA WRITEs, %.1f MiB, in %.1f s\n", side_name[c->side], c->p.ops,
	       bytes / (double)MIB, (mono_ms() - t0) / 1e3);
	snprintf(m.text, sizeof(m.text), "done");
	ret = msg_send(c, &m);
out:
	free(s);
	return ret;
}

/* This side's atomics on the peer's MR: the words they return */
static int do_atomics(struct conn *c, const struct step *s)
{
	const struct atomic_op *ops = c->pl.at[c->side];
	unsigned int bad = 0, first = 0;
	uint64_t got, first_got = 0;
	char why[160];

	for (unsigned int i = 0; i < c->pl.nat; i++) {
		const struct atomic_op *op = &ops[i];

		memset(c->stage + RANGE_MAX, 0, 8);
		if (one_op(c, op->cas ? IBV_WR_ATOMIC_CMP_AND_SWP : IBV_WR_ATOMIC_FETCH_AND_ADD,
			   c->stage + RANGE_MAX, c->smr->lkey, 8, c->peer_addr + op->off,
			   op->a, op->b))
			return -1;
		memcpy(&got, c->stage + RANGE_MAX, 8);
		if (got != op->old && !bad++) {
			first = i;
			first_got = got;
		}
	}
	if (!bad)
		snprintf(why, sizeof(why), "every old word as computed");
	else
		snprintf(why, sizeof(why), "%u wrong, the first (%s at offset %llu) returned %#llx, want %#llx",
			 bad, ops[first].cas ? "compare-and-swap" : "fetch-and-add",
			 (unsigned long long)ops[first].off, (unsigned long long)first_got,
			 (unsigned long long)ops[first].old);
	return mine(c, s, !bad, why);
}

static int mr_teardown(struct conn *c);

/* This side's MRs deregistered: are the pins back where they were? */
static int do_pins(struct conn *c, const struct step *s)
{
	char why[80];
	long long d;

	if (mr_teardown(c))
		return -1;
	d = pins_held() - c->pins;
	snprintf(why, sizeof(why), "%+lld pins held after deregistration", d);
	return mine(c, s, !d, why);
}

static int run_step(struct conn *c, const struct step *s)
{
	const struct model *m = (const void *)((const char *)&c->pl + s->model);
	struct msg done;

	if (s->atomics && !c->atomics) {
		bool server_has = c->side == SERVER ? c->dev_atomics : c->peer_atomics;
		bool client_has = c->side == CLIENT ? c->dev_atomics : c->peer_atomics;
		char name[240];

		check_name(c, s, name, sizeof(name));
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
			 " # SKIP %s no atomics (atomic_cap 0)",
			 !server_has && !client_has ? "neither device has" :
			 !server_has ? "the server's device has" : "the client's device has");
		tap(true, name, "%s", "");
		return 0;
	}
	if (s->by != c->side)
		return s->act == WRITES ? msg_recv(c, MSG_DONE, tag(s), &done) : theirs(c, s);
	switch (s->act) {
	case READS: return do_reads(c, s, m);
	case WRITES: return do_writes(c, s);
	case CHECK_MR: return check_mr(c, s, m);
	case ATOMICS: return do_atomics(c, s);
	default: return do_pins(c, s);
	}
}

static void size_str(uint64_t size, char *s, size_t len)
{
	static const char suffix[] = "GMK";

	for (int i = 0; i < 3; i++) {
		uint64_t unit = 1ULL << (30 - 10 * i);

		if (!(size % unit)) {
			snprintf(s, len, "%llu%c", (unsigned long long)(size / unit), suffix[i]);
			return;
		}
	}
	snprintf(s, len, "%llu", (unsigned long long)size);
}

/* Map, fill and register this side's MR; NULL or what went wrong (@errbuf) */
static const char *mr_setup(struct conn *c, char *errbuf, size_t len)
{
	int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ |
		     (c->dev_atomics ? IBV_ACCESS_REMOTE_ATOMIC : 0);
	const char *wrong;

	c->lay = layout_find(c->p.layout);
	c->buf = (unsigned char *)c->lay->map(c->p.size);
	if (!c->buf) {
		snprintf(errbuf, len, "mapping %llu bytes of %s: %s%s", (unsigned long long)c->p.size,
			 c->p.layout, strerror(errno), strncmp(c->p.layout, "hugetlb", 7) ? "" :
			 " (huge pages free? /proc/sys/vm/nr_hugepages)");
		return errbuf;
	}
	wrong = layout_check(c->lay, (char *)c->buf, c->p.size);
	if (wrong) {
		snprintf(errbuf, len, "the %s buffer is not one: %s", c->p.layout, wrong);
		return errbuf;
	}
	pattern_fill(c->buf, 0, c->p.size, side_key(c->p.seed, c->side));
	c->stage = malloc(RANGE_MAX + 8);
	c->want = malloc(RANGE_MAX);
	if (!c->stage || !c->want || plan_make(&c->pl, &c->p))
		return "out of memory";
	c->mr = ibv_reg_mr(c->pd, c->buf, c->p.size, access);
	c->smr = c->mr ? ibv_reg_mr(c->pd, c->stage, RANGE_MAX + 8, IBV_ACCESS_LOCAL_WRITE) : NULL;
	if (!c->smr) {
		snprintf(errbuf, len, "ibv_reg_mr of %llu bytes of %s: %s",
			 (unsigned long long)c->p.size, c->p.layout, strerror(errno));
		return errbuf;
	}
	return NULL;
}

static int mr_teardown(struct conn *c)
{
	int ret = 0;

	if (c->smr && ibv_dereg_mr(c->smr))
		ret = fail("ibv_dereg_mr: %s", strerror(errno));
	if (c->mr && ibv_dereg_mr(c->mr))
		ret = fail("ibv_dereg_mr: %s", strerror(errno));
	if (c->buf)
		munmap(c->buf, c->p.size);
	free(c->stage);
	free(c->want);
	c->smr = c->mr = NULL;
	c->buf = c->stage = c->want = NULL;
	return ret;
}

/* Exchange MRs and run the script */
static int run(struct conn *c)
{
	struct msg m = { .type = MSG_INFO, .ok = 1 }, peer;
	char sz[24], errbuf[160];
	const char *bad;
	struct utsname u;
	int ret;

	size_str(c->p.size, sz, sizeof(sz));
	snprintf(c->what, sizeof(c->what), "%s %s", c->p.layout, sz);
	snprintf(c->prefix, sizeof(c->prefix), "%s: ", c->what);
	c->step_ms = 120000 + (int64_t)(c->p.size >> 20) * 500;
	uname(&u);
	c->pins = pins_held();
	bad = mr_setup(c, errbuf, sizeof(errbuf));
	if (bad) {
		m.ok = 0;
		snprintf(m.text, sizeof(m.text), "%s", bad);
	} else {
		m.addr = (uintptr_t)c->buf;
		m.rkey = c->mr->rkey;
		m.size = c->p.size;
		m.atomics = c->dev_atomics;
		snprintf(m.text, sizeof(m.text), "Linux %s, %s", u.release,
			 ibv_get_device_name(c->id->verbs->device));
	}
	ret = msg_send(c, &m);
	if (!ret && bad)
		ret = fail("%s", bad);
	if (!ret)
		ret = msg_recv(c, MSG_INFO, 0, &peer);
	if (!ret && !peer.ok)
		ret = fail("the %s cannot make the run: %s", side_name[!c->side], peer.text);
	if (!ret && peer.size != c->p.size)
		ret = fail("the %s's MR has %llu bytes, not %llu", side_name[!c->side],
			   (unsigned long long)peer.size, (unsigned long long)c->p.size);
	if (!ret) {
		c->peer_addr = peer.addr;
		c->peer_rkey = peer.rkey;
		c->peer_atomics = peer.atomics;
		c->atomics = c->dev_atomics && c->peer_atomics;
		printf("# %s%u ops, seed %llu; %s: %s; %s: %s\n", c->prefix, c->p.ops,
		       (unsigned long long)c->p.seed, side_name[c->side], m.text,
		       side_name[!c->side], peer.text);
	}
	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]) && !ret; i++)
		ret = run_step(c, &script[i]);
	if (mr_teardown(c))
		ret = -1;
	plan_free(&c->pl);
	return ret;
}

/* After the run: the client disconnects, the server waits for it to */
static void hang_up(struct conn *c)
{
	int64_t end = mono_ms() + 10000;
	struct rdma_cm_event *ev;

	if (c->side == CLIENT)
		rdma_disconnect(c->id);
	while (!c->gone && !cm_next(c->cm_ch, end - mono_ms(), &ev)) {
		c->gone = ev->event == RDMA_CM_EVENT_DISCONNECTED;
		rdma_ack_cm_event(ev);
	}
	if (!c->gone)
		printf("# %s: no disconnection within 10 s\n", side_name[c->side]);
}

/* The last check of a connection: nothing pinned once it is closed */
static void closed(struct conn *c, long long pins0)
{
	char name[160];
	long long d;

	conn_close(c);
	d = pins_held() - pins0;
	snprintf(name, sizeof(name), "%s%s: nothing left pinned after the connection closes",
		 c->prefix, side_name[c->side]);
	tap(!d, name, "%+lld pins held", d);
}

/* ---- the client ---- */

struct attempt {
	char why[200];
	bool fatal;
};

/* Wait for event @want on @c; anything else said in @a (fatal if the
 * server refused the run) */
static int cm_expect(struct conn *c, enum rdma_cm_event_type want, int64_t ms,
		     const char *step, struct attempt *a)
{
	struct rdma_cm_event *ev;
	const struct refusal *r;

	if (cm_next(c->cm_ch, ms, &ev)) {
		snprintf(a->why, sizeof(a->why), "%s: %s", step, strerror(errno));
		return -1;
	}
	if (ev->event == want) {
		rdma_ack_cm_event(ev);
		return 0;
	}
	r = ev->param.conn.private_data;
	if (ev->event == RDMA_CM_EVENT_REJECTED && r &&
	    ev->param.conn.private_data_len >= sizeof(*r) && be32toh(r->magic) == MAGIC) {
		snprintf(a->why, sizeof(a->why), "the server refused the run: %.*s",
			 (int)sizeof(r->why) - 1, r->why);
		a->fatal = true;
	} else if (ev->event == RDMA_CM_EVENT_REJECTED) {
		snprintf(a->why, sizeof(a->why), "%s: refused (reject reason %d: nothing listens?)",
			 step, ev->status);
	} else {
		snprintf(a->why, sizeof(a->why), "%s: %s (%s)", step, rdma_event_str(ev->event),
			 strerror(ev->status < 0 ? -ev->status : ev->status ? ev->status : EIO));
	}
	rdma_ack_cm_event(ev);
	return -1;
}

/* One try at connecting to @dst before @deadline; -1 with @a filled */
static int try_connect(struct conn *c, struct sockaddr *dst, const struct hello *h,
		       int64_t deadline, struct attempt *a)
{
	int64_t left = deadline - mono_ms();
	int step = left < 1000 ? 1000 : left > 5000 ? 5000 : (int)left;
	struct rdma_conn_param param = conn_param(h, sizeof(*h));

	a->fatal = true;
	c->cm_ch = rdma_create_event_channel();
	if (!c->cm_ch) {
		snprintf(a->why, sizeof(a->why), "rdma_cm: %s (no RDMA device? rdma_ucm loaded?)",
			 strerror(errno));
		return -1;
	}
	if (rdma_create_id(c->cm_ch, &c->id, NULL, RDMA_PS_TCP)) {
		snprintf(a->why, sizeof(a->why), "rdma_create_id: %s", strerror(errno));
		return -1;
	}
	if (rdma_resolve_addr(c->id, NULL, dst, step)) {
		snprintf(a->why, sizeof(a->why),
			 "rdma_resolve_addr: %s (no RDMA device reaches the address?)",
			 strerror(errno));
		return -1;
	}
	a->fatal = false;
	if (cm_expect(c, RDMA_CM_EVENT_ADDR_RESOLVED, step + 2000, "address resolution", a))
		return -1;
	a->fatal = true;
	if (rdma_resolve_route(c->id, step)) {
		snprintf(a->why, sizeof(a->why), "rdma_resolve_route: %s", strerror(errno));
		return -1;
	}
	a->fatal = false;
	if (cm_expect(c, RDMA_CM_EVENT_ROUTE_RESOLVED, step + 2000, "route resolution", a))
		return -1;
	a->fatal = true;
	if (conn_verbs(c)) {
		snprintf(a->why, sizeof(a->why), "setting up the QP failed");
		return -1;
	}
	if (rdma_connect(c->id, &param)) {
		snprintf(a->why, sizeof(a->why), "rdma_connect: %s", strerror(errno));
		return -1;
	}
	a->fatal = false;
	left = deadline - mono_ms();
	return cm_expect(c, RDMA_CM_EVENT_ESTABLISHED, left < 5000 ? 5000 : left, "connecting", a);
}

static int client(const char *addr, const char *port, const struct params *p, int wait_s)
{
	struct hello h = { .magic = htobe32(MAGIC), .ops = htobe32(p->ops),
			   .size = htobe64(p->size), .seed = htobe64(p->seed) };
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	struct conn c = { .side = CLIENT, .p = *p };
	int64_t deadline = mono_ms() + wait_s * 1000LL;
	struct attempt a = { "", false };
	long long pins0 = pins_held();
	int tries = 0, err, ret;
	int64_t left;

	memcpy(h.layout, p->layout, sizeof(h.layout));
	err = getaddrinfo(addr, port, &hints, &res);
	if (err) {
		fail("%s: %s", addr, gai_strerror(err));
		return 2;
	}
	for (;;) {
		tries++;
		if (!try_connect(&c, res->ai_addr, &h, deadline, &a))
			break;
		conn_close(&c);
		left = deadline - mono_ms();
		if (a.fatal || left <= 0)
			break;
		poll(NULL, 0, left < 1000 ? (int)left : 1000);
	}
	freeaddrinfo(res);
	if (!c.id) {
		if (a.fatal)
			fail("%s port %s: %s", addr, port, a.why);
		else
			fail("no xk_rdma server at %s port %s within %d s (%d attempt%s, the last: %s)",
			     addr, port, wait_s, tries, tries > 1 ? "s" : "", a.why);
		return 2;
	}
	ret = run(&c);
	if (!ret)
		hang_up(&c);
	closed(&c, pins0);
	if (ret)
		return 2;
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}

/* ---- the server ---- */

/* The run a connect request asks for; NULL, or why it cannot be made */
static const char *hello_parse(const struct rdma_cm_event *ev, struct params *p)
{
	const struct hello *h = ev->param.conn.private_data;

	if (!h || ev->param.conn.private_data_len < sizeof(*h) || be32toh(h->magic) != MAGIC)
		return "not an xk_rdma client (no hello in the private data)";
	memcpy(p->layout, h->layout, sizeof(p->layout));
	p->layout[sizeof(p->layout) - 1] = 0;
	p->size = be64toh(h->size);
	p->seed = be64toh(h->seed);
	p->ops = be32toh(h->ops);
	return params_bad(p);
}

/* Accept the request of @id (after its event was acked) for run @p */
static int accept_one(struct conn *c, struct rdma_cm_id *id)
{
	struct rdma_conn_param param = conn_param(NULL, 0);
	struct attempt a = { "", false };

	c->cm_ch = rdma_create_event_channel();
	if (!c->cm_ch || rdma_migrate_id(id, c->cm_ch)) {
		rdma_destroy_id(id);
		return fail("taking the connection: %s", strerror(errno));
	}
	c->id = id;
	if (conn_verbs(c))
		return -1;
	if (rdma_accept(c->id, &param))
		return fail("rdma_accept: %s", strerror(errno));
	if (cm_expect(c, RDMA_CM_EVENT_ESTABLISHED, 30000, "accepting", &a))
		return fail("%s", a.why);
	return 0;
}

static int server(const char *bind_addr, const char *port, int conns, int wait_s)
{
	struct addrinfo hints = { .ai_family = bind_addr ? AF_UNSPEC : AF_INET,
				  .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res;
	struct rdma_event_channel *ch = rdma_create_event_channel();
	struct rdma_cm_id *lid = NULL;
	int served = 0, status = 0, broken = 0, err;

	if (!ch) {
		fail("rdma_cm: %s (no RDMA device? rdma_ucm loaded?)", strerror(errno));
		return 2;
	}
	err = getaddrinfo(bind_addr, port, &hints, &res);
	if (err) {
		fail("%s: %s", bind_addr ? bind_addr : "every address", gai_strerror(err));
		rdma_destroy_event_channel(ch);
		return 2;
	}
	if (rdma_create_id(ch, &lid, NULL, RDMA_PS_TCP) ||
	    rdma_bind_addr(lid, res->ai_addr) || rdma_listen(lid, 8)) {
		fail("listening on %s port %s: %s", bind_addr ? bind_addr : "every address", port,
		     strerror(errno));
		status = 2;
	}
	freeaddrinfo(res);
	if (!status)
		printf("# xk_rdma server on %s port %s, for %d client run%s\n",
		       bind_addr ? bind_addr : "every address", port, conns, conns > 1 ? "s" : "");
	fflush(stdout);
	while (!status && served < conns) {
		struct conn c = { .side = SERVER };
		struct rdma_cm_event *ev;
		struct refusal no = { .magic = htobe32(MAGIC) };
		struct rdma_cm_id *id;
		const char *bad;
		long long pins0;

		if (cm_next(ch, wait_s * 1000LL, &ev)) {
			fail("no client within %d s (%d of %d served): %s", wait_s, served, conns,
			     strerror(errno));
			status = 2;
			break;
		}
		if (ev->event != RDMA_CM_EVENT_CONNECT_REQUEST) {
			printf("# listening: %s\n", rdma_event_str(ev->event));
			if (ev->event == RDMA_CM_EVENT_DEVICE_REMOVAL)
				status = 2;
			rdma_ack_cm_event(ev);
			continue;
		}
		id = ev->id;
		bad = hello_parse(ev, &c.p);
		rdma_ack_cm_event(ev);
		if (bad) {
			printf("# refused a client: %s\n", bad);
			snprintf(no.why, sizeof(no.why), "%s", bad);
			rdma_reject(id, &no, sizeof(no));
			rdma_destroy_id(id);
			continue;
		}
		pins0 = pins_held();
		if (accept_one(&c, id)) {
			/* a request its client gave up on meanwhile: not a run */
			conn_close(&c);
			printf("# a connection did not come up; waiting for the next\n");
			continue;
		}
		served++;
		if (run(&c)) {
			/* the next client may still make its run */
			fail("the run of %s (%d of %d) ended early", c.what, served, conns);
			broken = 1;
		} else {
			hang_up(&c);
		}
		closed(&c, pins0);
	}
	if (lid)
		rdma_destroy_id(lid);
	rdma_destroy_event_channel(ch);
	if (status || broken)
		return 2;
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xk_rdma -L [-b BIND_ADDR] [-p PORT] [-k N] [-w SECONDS]\n"
		"       xk_rdma -c SERVER_ADDR [-p PORT] [-l LAYOUT] [-s SIZE] [-n OPS]\n"
		"               [-S SEED] [-w SECONDS]\n"
		"Data integrity of RDMA between two machines (two kernels), connected\n"
		"by rdma_cm: each side registers an MR of SIZE bytes over a buffer of\n"
		"LAYOUT filled with its own pattern; the client RDMA READs OPS random\n"
		"ranges of the server's MR and WRITEs OPS into it, the server the same\n"
		"the other way, then atomics both ways (where both devices have them);\n"
		"each side checks every byte of its MR, and that deregistering gives\n"
		"every pin back.  The client tells the server LAYOUT, SIZE, OPS, SEED.\n"
		"  -L         be the server\n"
		"  -b ADDR    the server listens on ADDR only (default: every address)\n"
		"  -k N       the server serves N client runs in turn (default 1)\n"
		"  -c ADDR    be the client of the server at ADDR\n"
		"  -p PORT    rdma_cm port (default " DEF_PORT ")\n"
		"  -l LAYOUT  frag_4k (default), contig, thp, hugetlb_2m, hugetlb_1g, mixed\n"
		"  -s SIZE    bytes, K, M, G suffixes (default 16M)\n"
		"  -n OPS     READs and WRITEs each way (default 200; atomics: up to 1000)\n"
		"  -S SEED    of the patterns and ranges (default 1)\n"
		"  -w SECONDS the client waits up to SECONDS for the server to answer\n"
		"             (default 60), the server for each client (default 600)\n"
		"Prints TAP, the same lines on both sides.  Exit status: 0 every\n"
		"check passed, 1 one failed, 2 a setup error.  Needs root.\n");
}

/* @s as an integer in [@lo, @hi], else -1 */
static long long parse_num(const char *s, long long lo, long long hi)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || end == s || *end || v < lo || v > hi ? -1 : v;
}

int main(int argc, char **argv)
{
	struct params p = { .layout = "frag_4k", .size = 16 * MIB, .seed = 1, .ops = 200 };
	const char *bind_addr = NULL, *port = DEF_PORT, *addr = NULL, *bad;
	int opt, serve = 0, conns = 1, wait_s = -1, client_only = 0;
	long long v;
	char *end;

	while ((opt = getopt(argc, argv, "Lb:p:k:c:l:s:n:S:w:h")) != -1) {
		v = 0;
		switch (opt) {
		case 'L': serve = 1; break;
		case 'b': bind_addr = optarg; serve |= 2; break;
		case 'p': port = optarg; v = parse_num(optarg, 1, 65535); break;
		case 'k': serve |= 2; v = conns = (int)parse_num(optarg, 1, 100000); break;
		case 'c': addr = optarg; break;
		case 'l':
			client_only = 1;
			if (strlen(optarg) >= sizeof(p.layout))
				v = -1;
			else
				snprintf(p.layout, sizeof(p.layout), "%s", optarg);
			break;
		case 's': client_only = 1; v = (long long)(p.size = parse_size(optarg)); break;
		case 'n': client_only = 1; v = parse_num(optarg, 1, MAX_OPS); p.ops = (uint32_t)v; break;
		case 'S':
			client_only = 1;
			errno = 0;
			p.seed = strtoull(optarg, &end, 0);
			v = errno || end == optarg || *end ? -1 : 0;
			break;
		case 'w': v = wait_s = (int)parse_num(optarg, 1, 86400); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (v < 0 || (opt == 's' && !v)) {
			fprintf(stderr, "xk_rdma: bad -%c %s\n", opt, optarg);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || !(serve & 1) == !addr || (serve && client_only) ||
	    (addr && (serve & 2))) {
		fprintf(stderr, "xk_rdma: %s\n", optind < argc ? "stray arguments" :
			!(serve & 1) && !addr ? "-L or -c is needed" :
			addr && (serve & 1) ? "-L and -c exclude each other" :
			addr ? "-b and -k are for the server (-L)" :
			"-l, -s, -n and -S are for the client (-c): it tells the server");
		usage(stderr);
		return 2;
	}
	if (addr) {
		bad = params_bad(&p);
		if (bad) {
			fail("-l %s -s %llu: %s", p.layout, (unsigned long long)p.size, bad);
			return 2;
		}
		return client(addr, port, &p, wait_s < 0 ? 60 : wait_s);
	}
	return server(bind_addr, port, conns, wait_s < 0 ? 600 : wait_s);
}
