// SPDX-License-Identifier: GPL-2.0
/*
 * bench_pmemobj: the bank transaction of bench_bank on PMDK's libpmemobj,
 * for `make bench`: what a user would pick instead of rvm.
 *
 *   bench_pmemobj FILE [--accounts N] [--pattern seq|random|local]
 *                 [--seconds S]
 *
 * Creates a pool in FILE afresh whose root object has bench_bank's layout
 * (a 4 KiB page with the branch and its 10 tellers, N 128-byte accounts, a
 * ring of 4096 64-byte history records), writes all of it once, then runs
 * for S seconds transactions (TX_BEGIN ... TX_END) that declare the
 * account, its teller, the branch and a history record with
 * pmemobj_tx_add_range() (448 bytes in 4 ranges, as bench_bank) and change
 * them in place.
 *
 * Durability depends on how libpmemobj sees the mapping, and the result
 * line says which it was (is_pmem=, from pmem_is_pmem() on the pool: the
 * test libpmemobj itself makes, besides device DAX and MAP_SYNC mappings,
 * which a file on this ext4 cannot have):
 *  - a file on a disk (ext4 without DAX): is_pmem=0, libpmemobj persists
 *    with msync(MS_SYNC) (an fsync of the range: writeback and a disk cache
 *    flush) at every step of the transaction: durable at commit.
 *    "system=pmemobj".
 *  - with PMEM_IS_PMEM_FORCE=1 in the environment libpmemobj takes the
 *    same file for persistent memory and persists with CPU cache flushes
 *    only: the data reaches the page cache and is written back whenever
 *    the kernel likes, in any order. It survives the process, not a power
 *    cut or a kernel crash (which can lose or tear transactions: the undo
 *    log may reach the disk after the data it guards). Never
 *    synced, like LMDB's MDB_NOSYNC. "system=pmemobj-force".
 * Any other case (is_pmem=1 without the variable: a DAX mapping) is
 * refused, since it is neither of the configurations measured here.
 *
 * msync() is counted (this program defines it, so libpmem's calls come
 * here) and reported as msyncs= over the timed run.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"
#include "window.h"
#include <libpmem.h>
#include <libpmemobj.h>

static struct {
	PMEMobjpool *pop;
	PMEMoid root;
	char *base;
	struct branch_page *bp;
	struct rec *accts;
	struct hist *hist;
	uint32_t accounts;
	const char *pattern;
	uint64_t rng;
} P = { .accounts = 32768, .pattern = "random", .rng = BENCH_SEED };

static uint64_t msyncs;

/*
 * libpmem persists a non-pmem mapping with msync(): count the calls. The
 * program's own definition is the one the shared library binds to.
 */
int msync(void *addr, size_t len, int flags)
{
	__atomic_add_fetch(&msyncs, 1, __ATOMIC_RELAXED);
	return syscall(SYS_msync, addr, len, flags);
}

static void die(const char *what)
{
	fprintf(stderr, "bench_pmemobj: %s: %s\n", what, pmemobj_errormsg());
	exit(1);
}

/* Offset of @p in the root object, for pmemobj_tx_add_range(). */
static uint64_t off(const void *p)
{
	return (const char *)p - P.base;
}

/* What one transaction does, chosen before it starts. */
struct bank_op {
	struct rec *acct, *tel, *br;
	struct hist *h;
	uint32_t account;
	int64_t delta;
};

/* The transaction's body: declare the four records, then change them. */
static void tx_body(const struct bank_op *op)
{
	pmemobj_tx_add_range(P.root, off(op->acct), sizeof(*op->acct));
	pmemobj_tx_add_range(P.root, off(op->tel), sizeof(*op->tel));
	pmemobj_tx_add_range(P.root, off(op->br), sizeof(*op->br));
	pmemobj_tx_add_range(P.root, off(op->h), sizeof(*op->h));
	bank_apply(op->acct, op->tel, op->br, op->h, op->account, op->delta);
}

/* Bank transaction number @i: 0, or -1 when it aborted. */
static int txn(uint64_t i)
{
	uint32_t a = pick(&P.rng, P.pattern, 0, P.accounts, i);
	const struct bank_op op = {
		.acct = &P.accts[a],
		.tel = &P.bp->tellers[a % NTELLERS],
		.br = &P.bp->branch,
		.h = &P.hist[i % NHIST],
		.account = a,
		.delta = pick_delta(&P.rng),
	};
	volatile int failed = 0;

	TX_BEGIN(P.pop) {
		tx_body(&op);
	} TX_ONABORT {
		failed = 1;
	} TX_END
	return failed ? -1 : 0;
}

/* Every transaction moved the same amount through all three. */
static int check_money(void)
{
	const struct rec *br = &P.bp->branch;
	int64_t s = 0, t = 0;

	for (uint32_t i = 0; i < P.accounts; i++)
		s += P.accts[i].balance;
	for (int i = 0; i < NTELLERS; i++)
		t += P.bp->tellers[i].balance;
	if (s != br->balance || t != br->balance) {
		fprintf(stderr, "bench_pmemobj: money not conserved: accounts %"
			PRId64 ", tellers %" PRId64 ", branch %" PRId64 "\n",
			s, t, br->balance);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct window win;
	const char *file, *force = getenv("PMEM_IS_PMEM_FORCE");
	double seconds = 5, t0, dt;
	uint64_t done = 0, sync0;
	size_t len;
	int is_pmem;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_pmemobj FILE [options]\n");
		return 2;
	}
	file = argv[1];
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--accounts"))
			P.accounts = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--pattern"))
			P.pattern = argv[i + 1];
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else {
			fprintf(stderr, "bench_pmemobj: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!P.accounts) {
		fprintf(stderr, "bench_pmemobj: --accounts must be at least 1\n");
		return 2;
	}

	/* The root object is the bank; the pool adds the heap's and lanes' share. */
	len = sizeof(struct branch_page) + (size_t)P.accounts * sizeof(struct rec) +
	      (size_t)NHIST * sizeof(struct hist);
	unlink(file);
	P.pop = pmemobj_create(file, "rvm-bench-bank",
			       len + len / 4 + PMEMOBJ_MIN_POOL, 0600);
	if (!P.pop)
		die("pmemobj_create");
	P.root = pmemobj_root(P.pop, len);
	if (OID_IS_NULL(P.root))
		die("pmemobj_root");
	P.base = pmemobj_direct(P.root);
	P.bp = (struct branch_page *)P.base;
	P.accts = (struct rec *)(P.base + sizeof(*P.bp));
	P.hist = (struct hist *)(P.accts + P.accounts);
	is_pmem = pmem_is_pmem(P.base, len);
	if (is_pmem && !(force && !strcmp(force, "1"))) {
		fprintf(stderr, "bench_pmemobj: %s is mapped as persistent memory "
			"(DAX?): not a configuration this benchmark measures\n",
			file);
		return 1;
	}
	/* Every byte written and persisted once before timing. */
	pmemobj_memset_persist(P.pop, P.base, 0, len);

	sync0 = msyncs;
	t0 = now();
	while (now() - t0 < seconds) {
		window_add(&win, now(), done);
		if (txn(done))
			die("transaction");
		done++;
	}
	dt = now() - t0;
	printf("RESULT system=%s mode=%s threads=1 pattern=%s accounts=%u"
	       " is_pmem=%d seconds=%.2f txns=%" PRIu64 " tps=%.1f tps_mean=%.1f"
	       " msyncs=%" PRIu64 "\n",
	       is_pmem ? "pmemobj-force" : "pmemobj",
	       is_pmem ? "noflush" : "flush", P.pattern, P.accounts, is_pmem,
	       dt, done, window_best(&win, done / dt), done / dt,
	       msyncs - sync0);
	fflush(stdout);
	if (check_money())
		return 1;
	pmemobj_close(P.pop);
	return 0;
}
