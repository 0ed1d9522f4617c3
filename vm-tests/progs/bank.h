/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bank.h: the bank workload's layout in recoverable memory and its
 * invariants, shared by bank.c (which checks a mapped volume) and the
 * power-cut tool (which checks data segments recovered offline from crash
 * images). The bank starts at byte 0 of the data segment:
 *
 *   page 0        struct bank_hdr
 *   page 1        struct branch, then NTELLERS struct acct (the tellers)
 *   page 2 ..     naccounts struct acct, then hist_cap struct hist (a ring)
 */
#ifndef _BANK_H
#define _BANK_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BANK_MAGIC 0x4b4e4142u /* "BANK" */
#define NTELLERS 10

struct bank_hdr {
	uint32_t magic;
	uint32_t version;
	uint32_t naccounts;
	uint32_t ntellers;
	uint64_t hist_cap;
};

struct branch {
	int64_t balance;
	uint64_t txn_count; /* id of the last committed transaction */
	uint8_t pad[112];
};

struct acct {
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

_Static_assert(sizeof(struct branch) == 128, "branch");
_Static_assert(sizeof(struct acct) == 128, "acct");
_Static_assert(sizeof(struct hist) == 64, "hist");

struct bank {
	char *base;
	struct bank_hdr *hdr;
	struct branch *branch;
	struct acct *tellers;
	struct acct *accts;
	struct hist *hist;
	size_t len;
};

static inline size_t bank_len(uint32_t naccounts, uint64_t hist_cap)
{
	size_t len = 2 * 4096 + (size_t)naccounts * sizeof(struct acct) +
		     hist_cap * sizeof(struct hist);

	return (len + 4095) & ~(size_t)4095;
}

static inline void bank_layout(struct bank *b, uint32_t naccounts)
{
	b->hdr = (struct bank_hdr *)b->base;
	b->branch = (struct branch *)(b->base + 4096);
	b->tellers = (struct acct *)(b->base + 4096 + sizeof(struct branch));
	b->accts = (struct acct *)(b->base + 2 * 4096);
	b->hist = (struct hist *)(b->base + 2 * 4096 +
				  (size_t)naccounts * sizeof(struct acct));
}

static inline uint64_t hist_check(const struct hist *h)
{
	return (h->id * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)h->account << 32) ^
	       h->teller ^ (uint64_t)h->delta ^ ((uint64_t)h->branch_after << 7);
}

/*
 * One invariant's verdict: printed as "bank-check: ok|VIOLATION: ..." when
 * @out is not NULL; the first violation's text is kept in @why.
 */
static inline void bank_verdict(FILE *out, char *why, size_t whylen,
				int *fails, bool ok, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (out)
		fprintf(out, "bank-check: %s: %s\n", ok ? "ok" : "VIOLATION",
			msg);
	if (!ok && !*fails && why)
		snprintf(why, whylen, "%s", msg);
	*fails += !ok;
}

/*
 * bank_verify() - check the invariants of a bank
 * @b: the bank, laid out (bank_layout()) over its bytes
 * @acked: the highest acknowledged transaction id
 * @out: where to print one line per invariant, or NULL
 * @why: filled with the first violation, or NULL
 * @whylen: its size
 *
 * Money is conserved (accounts, tellers and branch agree), every
 * transaction is whole (update counts match the transaction count), the
 * history is a gap-free prefix of the commit order ending at the last
 * transaction, nothing lies beyond it, and every acknowledged transaction
 * is there.
 *
 * Return: the number of invariants violated.
 */
static inline int bank_verify(const struct bank *b, uint64_t acked, FILE *out,
			      char *why, size_t whylen)
{
	int64_t accounts = 0, tellers = 0;
	uint64_t acount = 0, tcount = 0, n, first, bad = 0;
	int fails = 0;

	n = b->branch->txn_count;
	for (uint32_t i = 0; i < b->hdr->naccounts; i++) {
		accounts += b->accts[i].balance;
		acount += b->accts[i].count;
	}
	for (uint32_t i = 0; i < NTELLERS; i++) {
		tellers += b->tellers[i].balance;
		tcount += b->tellers[i].count;
	}
	bank_verdict(out, why, whylen, &fails, n >= acked,
		     "%" PRIu64 " transactions recovered, %" PRIu64
		     " acknowledged", n, acked);
	bank_verdict(out, why, whylen, &fails,
		     accounts == b->branch->balance &&
			     tellers == b->branch->balance,
		     "money conserved: accounts %" PRId64 ", tellers %" PRId64
		     ", branch %" PRId64, accounts, tellers,
		     b->branch->balance);
	bank_verdict(out, why, whylen, &fails, acount == n && tcount == n,
		     "every transaction whole: %" PRIu64 " account and %" PRIu64
		     " teller updates for %" PRIu64 " transactions",
		     acount, tcount, n);
	first = n > b->hdr->hist_cap ? n - b->hdr->hist_cap + 1 : 1;
	for (uint64_t id = first; id <= n; id++) {
		const struct hist *h = &b->hist[(id - 1) % b->hdr->hist_cap];
		const struct hist *p = &b->hist[(id - 2) % b->hdr->hist_cap];

		if (h->id != id || h->check != hist_check(h) ||
		    (id > first &&
		     h->branch_after != p->branch_after + h->delta) ||
		    (id == n && h->branch_after != b->branch->balance))
			bad++;
	}
	bank_verdict(out, why, whylen, &fails, !bad,
		     "history a gap-free prefix of the commit order: records %"
		     PRIu64 "..%" PRIu64 ", %" PRIu64 " bad", first, n, bad);
	/* Nothing beyond the end either: the next slot is older or empty. */
	if (n && n < b->hdr->hist_cap)
		bank_verdict(out, why, whylen, &fails,
			     b->hist[n % b->hdr->hist_cap].id == 0,
			     "nothing after the last transaction");
	return fails;
}

/*
 * bank_sane() - is @len bytes at @base a bank header that fits in them?
 * Return: true if so (then bank_layout() and bank_verify() are safe).
 */
static inline bool bank_sane(const char *base, size_t len)
{
	const struct bank_hdr *h = (const struct bank_hdr *)base;

	return len >= 2 * 4096 && h->magic == BANK_MAGIC && h->naccounts &&
	       h->hist_cap && h->naccounts <= (1u << 24) &&
	       h->hist_cap <= (1ull << 24) &&
	       bank_len(h->naccounts, h->hist_cap) <= len;
}

#endif /* _BANK_H */
