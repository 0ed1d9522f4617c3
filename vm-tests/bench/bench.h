/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h: what the benchmark's programs share, so that rvm and every peer
 * do the same work: the bank's records (the RVM paper's TPC-A-like
 * transaction, as vm-tests/progs/bank.c runs it), the transaction's
 * changes, the choice of accounts and the clock.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#define NTELLERS 10
#define NHIST 4096		/* history ring (of each thread in bench_bank) */

struct rec {			/* branch, teller, account: 128 bytes */
	int64_t balance;
	uint64_t count;
	uint8_t pad[112];
};

struct hist {
	uint64_t id;
	uint32_t account;
	uint32_t teller;
	int64_t delta;
	int64_t branch_after;
	uint64_t check;
	uint8_t pad[24];
};

_Static_assert(sizeof(struct rec) == 128, "rec");
_Static_assert(sizeof(struct hist) == 64, "hist");

/* One page per branch: the branch, then its 10 tellers. */
struct branch_page {
	struct rec branch;
	struct rec tellers[NTELLERS];
	uint8_t pad[4096 - 11 * 128];
};

/* The seed of the first (or only) thread's choices. */
#define BENCH_SEED 0x2545f4914f6cdd1dULL

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64: the next number of the sequence in @s. */
static inline uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * The account of transaction @i among @n accounts from @lo: in turn (seq),
 * at random, or localized (80% of transactions on a hot 5% of them).
 */
static inline uint32_t pick(uint64_t *s, const char *pattern, uint32_t lo,
			    uint32_t n, uint64_t i)
{
	if (!strcmp(pattern, "seq"))
		return lo + i % n;
	if (!strcmp(pattern, "local")) {
		uint32_t hot = n / 20 ? n / 20 : 1;

		if (rng(s) % 100 < 80)
			return lo + rng(s) % hot;
	}
	return lo + rng(s) % n;
}

/* A random amount for a transaction: -999..999. */
static inline int64_t pick_delta(uint64_t *s)
{
	return (int64_t)(rng(s) % 1999) - 999;
}

/*
 * The transaction's changes: move @delta through account @a (@acct), its
 * teller and its branch, and write history record @h.
 */
static inline void bank_apply(struct rec *acct, struct rec *tel,
			      struct rec *br, struct hist *h, uint32_t a,
			      int64_t delta)
{
	acct->balance += delta;
	acct->count++;
	tel->balance += delta;
	tel->count++;
	br->balance += delta;
	br->count++;
	h->id = br->count;
	h->account = a;
	h->teller = a % NTELLERS;
	h->delta = delta;
	h->branch_after = br->balance;
	h->check = h->id * 0x9e3779b97f4a7c15ULL ^ (uint64_t)delta;
}

#endif
