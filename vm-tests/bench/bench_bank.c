// SPDX-License-Identifier: GPL-2.0
/*
 * bench_bank: the bank transaction of vm-tests/progs/bank.c (TPC-A-like, the
 * RVM paper's benchmark), for `make bench`, on librvm's modern interface,
 * with threads and a choice of protection mode.
 *
 *   bench_bank DEV [--accounts N] [--threads T] [--mode flush|noflush]
 *              [--flush-every K] [--pattern seq|random|local]
 *              [--protect strict|auto|off] [--seconds S] [--log-size B]
 *              [--async DEPTH] [--data PATH] [--label L] [--tag K=V]...
 *
 * Formats DEV, attaches it and runs for S seconds. With --data, DEV is
 * formatted as a log alone and the bank lives in a data segment of its
 * own, the block device or file PATH (RVM_IOC_SEG_ADD), so that log and
 * data can be on different disks. A transaction moves a
 * random amount through one account, its teller and its branch and writes
 * a history record: 448 bytes declared in four ranges (128 + 128 + 128 +
 * 64), exactly as bank does. As TPC-A scales, each thread has a branch of
 * its own with its 10 tellers, its own share of the accounts and its own
 * history ring: threads touch disjoint bytes, so they need no lock (RVM
 * gives no isolation). In auto protection mode nothing is declared: the
 * pages written join the transaction (one thread only: auto needs exactly
 * one transaction per process and descriptor). --async DEPTH: one thread
 * keeps DEPTH flush commits in flight through io_uring
 * (rvm_txn_end_async()), each counted when its completion arrives.
 *
 * Prints one line "RESULT key=value ..." with the throughput and the
 * volume's counters over the run (commits, log writes, bytes declared and
 * logged), then checks that money is conserved.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/rvm.h>
#include <liburing.h>
#include <rvm/librvm.h>
#include <rvm/volume.h>
#include "bench.h"
#include "window.h"

#define MAX_THREADS 64
#define U(x) ((unsigned long long)(x))

static struct {
	const char *dev;
	uint32_t accounts;
	int threads;
	bool flush;
	int flush_every;
	const char *pattern;
	int protect;
	double seconds;
	int async;		/* commits in flight through io_uring, 0: sync */
	uint64_t log_size;
	const char *data;	/* the data segment's path, or NULL: DEV's own */
	uint64_t data_off;	/* where the bank is in the volume's offsets */
	struct rvm *r;
	struct branch_page *branches;
	struct rec *accts;
	struct hist *hist;
	volatile int stop;
} B = {
	.accounts = 32768, .threads = 1, .flush = true, .flush_every = 100,
	.pattern = "random", .protect = RVM_PROT_STRICT, .seconds = 5,
	.log_size = 16 << 20,
};

struct worker {
	pthread_t th;
	int id;
	uint64_t done;
	uint64_t rng;
	int err;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_bank: %s: %s\n", what, rvm_strerror(err));
	exit(1);
}

/* One bank transaction of thread @w; 0 or a negative errno. */
static int txn(struct worker *w, uint64_t i, uint32_t end,
	       struct io_uring *ring)
{
	uint32_t per = B.accounts / B.threads;
	uint32_t a = pick(&w->rng, B.pattern, w->id * per, per, i);
	struct branch_page *bp = &B.branches[w->id];
	struct rec *acct = &B.accts[a], *tel = &bp->tellers[a % NTELLERS];
	struct hist *h = &B.hist[(size_t)w->id * NHIST +
				 i % NHIST];
	int64_t delta = pick_delta(&w->rng);
	uint64_t tid;
	int ret;

	ret = rvm_txn_begin(B.r, RVM_TXN_NO_RESTORE, &tid);
	if (ret)
		return ret;
	if (B.protect != RVM_PROT_AUTO) {
		if ((ret = rvm_txn_set_range(B.r, tid, acct, sizeof(*acct))) ||
		    (ret = rvm_txn_set_range(B.r, tid, tel, sizeof(*tel))) ||
		    (ret = rvm_txn_set_range(B.r, tid, &bp->branch,
					     sizeof(bp->branch))) ||
		    (ret = rvm_txn_set_range(B.r, tid, h, sizeof(*h))))
			return ret;
	}
	bank_apply(acct, tel, &bp->branch, h, a, delta);
	if (ring) {
		ret = rvm_txn_end_async(B.r, ring, tid, end, i);
		return ret ? ret : (io_uring_submit(ring) == 1 ? 0 : -EIO);
	}
	return rvm_txn_end(B.r, tid, end, NULL);
}

/* Reap one completion of an async commit: 0 or its error. */
static int reap(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int ret = io_uring_wait_cqe(ring, &cqe);

	if (ret)
		return ret;
	ret = cqe->res < 0 ? cqe->res : 0;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

/*
 * One thread keeping B.async flush commits in flight: a transaction is
 * counted when its completion says it is durable.
 */
static void *async_worker(void *arg)
{
	struct worker *w = arg;
	struct io_uring ring;
	uint64_t issued = 0;
	int inflight = 0;

	w->err = io_uring_queue_init(2 * B.async, &ring, 0);
	if (w->err)
		return NULL;
	while (!B.stop) {
		w->err = txn(w, issued++, RVM_END_FLUSH, &ring);
		if (w->err)
			break;
		inflight++;
		while (inflight >= B.async && !w->err) {
			w->err = reap(&ring);
			inflight--;
			__atomic_store_n(&w->done, w->done + 1,
					 __ATOMIC_RELAXED);
		}
		if (w->err)
			break;
	}
	while (inflight-- > 0) {
		int err = reap(&ring);

		if (!w->err)
			w->err = err;
		w->done++;
	}
	io_uring_queue_exit(&ring);
	return NULL;
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	uint32_t end = B.flush ? RVM_END_FLUSH : RVM_END_NO_FLUSH;
	int unflushed = 0;

	while (!B.stop) {
		w->err = txn(w, w->done, end, NULL);
		if (w->err)
			return NULL;
		__atomic_store_n(&w->done, w->done + 1, __ATOMIC_RELAXED);
		if (!B.flush && ++unflushed >= B.flush_every) {
			w->err = rvm_sync_flush(B.r);
			if (w->err)
				return NULL;
			unflushed = 0;
		}
	}
	w->err = rvm_sync_flush(B.r);
	return NULL;
}

static size_t bank_len(void)
{
	return (size_t)B.threads * 4096 + (size_t)B.accounts * 128 +
	       (size_t)B.threads * NHIST * 64;
}

static void setup(void)
{
	struct rvm_attach_opts ao = { 0 };
	struct rvm_protect pr = { .mode = B.protect };
	size_t len = bank_len();
	volatile const uint8_t *p;
	void *base;
	int ret;

	if (rvm_vol_format(B.dev, B.log_size,
			   B.data ? RVM_VOL_FORMAT_LOG_ONLY : 0)) {
		fprintf(stderr, "bench_bank: format: %s\n", rvm_vol_last_error());
		exit(1);
	}
	ret = rvm_vol_attach(B.dev, &ao, NULL);
	if (ret)
		die("attach", ret);
	ret = rvm_open(B.dev, &B.r);
	if (ret)
		die("open", ret);
	/* librvm has no call for the protection mode: the raw ioctl. */
	if (ioctl(rvm_fd(B.r), RVM_IOC_SET_PROTECT, &pr))
		die("RVM_IOC_SET_PROTECT", -errno);
	if (B.data) {
		struct rvm_seg_add sa = { .path = (uintptr_t)B.data };

		sa.ref.path = (uintptr_t)B.dev;
		if (ioctl(rvm_fd(B.r), RVM_IOC_SEG_ADD, &sa))
			die("RVM_IOC_SEG_ADD", -errno);
		if (sa.size < len)
			die("data segment too small", -ENOSPC);
		B.data_off = RVM_SEG_OFFSET(sa.id, 0);
	}
	ret = rvm_region_map(B.r, B.data_off, len, NULL, 0, &base);
	if (ret)
		die("map", ret);
	B.branches = base;
	B.accts = (struct rec *)((char *)base + (size_t)B.threads * 4096);
	B.hist = (struct hist *)((char *)B.accts + (size_t)B.accounts * 128);
	/* Load every page before timing (reads: no protection faults). */
	p = base;
	for (size_t off = 0; off < len; off += 4096)
		(void)p[off];
}

static void teardown(void)
{
	int ret;

	/* A mapping keeps the volume bound: unmap before detaching. */
	munmap(B.branches, bank_len());
	rvm_close(B.r);
	ret = rvm_vol_detach(B.dev);
	if (ret)
		die("detach", ret);
}

/*
 * Sums of the balances: the data segment is not zeroed between runs (a
 * format writes only the superblocks and the log), so money is checked as
 * the change over the run, which must be the same in all three.
 */
static void sums(int64_t s[3])
{
	int64_t a = 0, b = 0, t = 0;

	for (uint32_t i = 0; i < B.accounts; i++)
		a += B.accts[i].balance;
	for (int i = 0; i < B.threads; i++) {
		b += B.branches[i].branch.balance;
		for (int j = 0; j < NTELLERS; j++)
			t += B.branches[i].tellers[j].balance;
	}
	s[0] = a;
	s[1] = t;
	s[2] = b;
}

static int check_money(const int64_t before[3])
{
	int64_t s[3];

	sums(s);
	if (s[0] - before[0] != s[2] - before[2] ||
	    s[1] - before[1] != s[2] - before[2]) {
		fprintf(stderr, "bench_bank: money not conserved: accounts %+" PRId64
			", tellers %+" PRId64 ", branches %+" PRId64 "\n",
			s[0] - before[0], s[1] - before[1], s[2] - before[2]);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const pmodes[] = { "strict", "auto", "off" };
	struct worker w[MAX_THREADS];
	struct rvm_status s0, s1;
	int64_t money[3];
	static struct window win;
	const char *label = "rvm";
	char tags[512] = "";
	int ret;
	uint64_t done = 0;
	double t0, dt;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_bank DEV [options]\n");
		return 2;
	}
	B.dev = argv[1];
	for (int i = 2; i < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];

		if (!v) {
			fprintf(stderr, "bench_bank: %s needs a value\n", a);
			return 2;
		}
		if (!strcmp(a, "--accounts"))
			B.accounts = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--threads"))
			B.threads = atoi(v);
		else if (!strcmp(a, "--mode"))
			B.flush = !strcmp(v, "flush");
		else if (!strcmp(a, "--flush-every"))
			B.flush_every = atoi(v);
		else if (!strcmp(a, "--pattern"))
			B.pattern = v;
		else if (!strcmp(a, "--seconds"))
			B.seconds = atof(v);
		else if (!strcmp(a, "--async"))
			B.async = atoi(v);
		else if (!strcmp(a, "--log-size"))
			B.log_size = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--data"))
			B.data = v;
		else if (!strcmp(a, "--label"))
			label = v;
		else if (!strcmp(a, "--tag")) {
			strncat(tags, " ", sizeof(tags) - strlen(tags) - 1);
			strncat(tags, v, sizeof(tags) - strlen(tags) - 1);
		} else if (!strcmp(a, "--protect")) {
			for (B.protect = 0; B.protect < 3; B.protect++)
				if (!strcmp(v, pmodes[B.protect]))
					break;
			if (B.protect == 3) {
				fprintf(stderr, "bench_bank: --protect strict, auto or off\n");
				return 2;
			}
		} else {
			fprintf(stderr, "bench_bank: unknown option %s\n", a);
			return 2;
		}
	}
	if (B.threads < 1 || B.threads > MAX_THREADS ||
	    B.accounts < (uint32_t)B.threads || B.flush_every < 1 ||
	    (B.protect == RVM_PROT_AUTO && B.threads != 1) ||
	    (B.async && (B.threads != 1 || !B.flush))) {
		fprintf(stderr, "bench_bank: bad options (auto needs 1 thread)\n");
		return 2;
	}
	setup();
	sums(money);
	ret = rvm_stat(B.r, &s0);
	if (ret)
		die("status", ret);
	for (int i = 0; i < B.threads; i++) {
		w[i] = (struct worker){ .id = i,
					.rng = BENCH_SEED * (i + 1) };
		pthread_create(&w[i].th, NULL, B.async ? async_worker : worker,
			       &w[i]);
	}
	t0 = now();
	while (now() - t0 < B.seconds) {
		uint64_t n = 0;

		usleep(50000);
		for (int i = 0; i < B.threads; i++)
			n += __atomic_load_n(&w[i].done, __ATOMIC_RELAXED);
		window_add(&win, now(), n);
	}
	B.stop = 1;
	for (int i = 0; i < B.threads; i++) {
		pthread_join(w[i].th, NULL);
		if (w[i].err)
			die("transaction", w[i].err);
		done += w[i].done;
	}
	dt = now() - t0;
	ret = rvm_stat(B.r, &s1);
	if (ret)
		die("status", ret);
	printf("RESULT system=%s%s async=%d mode=%s threads=%d flush_every=%d pattern=%s"
	       " accounts=%u protect=%s seconds=%.2f txns=%llu tps=%.1f tps_mean=%.1f"
	       " commits=%llu log_writes=%llu log_preflushes=%llu"
	       " bytes_declared=%llu"
	       " bytes_logged=%llu auto_bytes=%llu prot_faults=%llu"
	       " snapshots=%llu truncations=%llu log_full_waits=%llu\n",
	       label, tags, B.async, B.flush ? "flush" : "noflush", B.threads,
	       B.flush ? 0 : B.flush_every, B.pattern, B.accounts,
	       pmodes[B.protect], dt, U(done), window_best(&win, done / dt),
	       done / dt,
	       U(s1.commits - s0.commits), U(s1.log_writes - s0.log_writes),
	       U(s1.log_preflushes - s0.log_preflushes),
	       U(s1.bytes_declared - s0.bytes_declared),
	       U(s1.bytes_logged - s0.bytes_logged),
	       U(s1.auto_bytes - s0.auto_bytes),
	       U(s1.prot_faults - s0.prot_faults),
	       U(s1.snapshots - s0.snapshots),
	       U(s1.truncations - s0.truncations),
	       U(s1.log_full_waits - s0.log_full_waits));
	fflush(stdout);
	ret = check_money(money);
	teardown();
	return ret;
}
