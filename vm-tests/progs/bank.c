// SPDX-License-Identifier: GPL-2.0
/*
 * bank: a TPC-A-like workload on the classic RVM API, as in the RVM paper's
 * evaluation, and the checker of what survives a crash.
 *
 *   bank init DEV [--accounts N] [--history N] [--log-size BYTES]
 *            [--init-chunk BYTES]
 *   bank run DEV [--mode flush|noflush|mix] [--pattern seq|random|local]
 *            [--flush-every K] [--abort-pct P] [--seconds S | --txns N]
 *            [--begin restore|no_restore]
 *            [--seed S] [--ack FILE] [--mark DMNAME]
 *   bank check DEV [--acked ID]
 *   bank check-image IMG [--acked ID]
 * Each command also takes --data PATH: the bank lives in PATH, a data
 * segment of its own (a block device or regular file, created or grown by
 * rvm_map()), and DEV is the log alone (bank init formats it so); without
 * it, in segment 0 of DEV (a one-device volume). check-image reads PATH
 * (not the image's segment 0) when --data is given.
 *
 * Recoverable memory holds one branch, 10 tellers and N accounts (128-byte
 * records) and a ring of 64-byte history records. A transaction moves a
 * random amount through one account, its teller and the branch and appends
 * a history record: 448 bytes declared with rvm_set_range. After every
 * durable commit (a flush-mode end, or an rvm_flush covering no_flush ones)
 * `run` writes "ack ID" to the --ack file (in the test VM, a serial port
 * the host reads), so the host knows independently of the volume which
 * transactions were acknowledged; with --mark, it also sends "mark ack-ID"
 * to the dm log-writes device DMNAME, so the write log shows where each
 * acknowledgement happened (the power-cut scenario). A failed commit or
 * flush (EIO on a failing disk) stops the run with exit status 3 and a
 * line naming the last acknowledged transaction.
 *
 * `check` verifies after recovery that money is conserved (accounts,
 * tellers and branch agree), that the history is a gap-free prefix of the
 * commit order, that every acknowledged transaction is there, and that no
 * transaction is partly visible. It prints one line per invariant and
 * exits 0 only if all hold. `check-image` checks the same on a volume
 * image that is not attached (read with pread; it does not recover: for
 * images recovered offline).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rvm/rvm.h>
#include <rvm/volume.h>

#include "bank.h"
#include "dmio.h"

static const char *dev;
static const char *data_path;	/* --data: a data segment of its own */
static rvm_options_t *opts;
static rvm_region_t *region;

static void die_rvm(const char *what, rvm_return_t r)
{
	fprintf(stderr, "bank: %s: %s\n", what, rvm_return(r));
	exit(1);
}

static void bank_open(struct bank *b, size_t len)
{
	rvm_return_t r;

	if (!opts) {
		opts = rvm_malloc_options();
		opts->log_dev = (char *)dev;
		opts->flags = RVM_ALL_OPTIMIZATIONS;
		r = RVM_INIT(opts);
		if (r != RVM_SUCCESS)
			die_rvm("rvm_initialize", r);
	}
	region = rvm_malloc_region();
	region->data_dev = (char *)(data_path ? data_path : dev);
	region->offset = RVM_MK_OFFSET(0, 0);
	/* A data file is created or grown to the bank's size. */
	if (data_path)
		region->dev_length = RVM_MK_OFFSET(0, len);
	region->length = len;
	r = rvm_map(region, opts);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_map", r);
	b->base = region->vmaddr;
	b->len = len;
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_init(uint32_t naccounts, uint64_t hist_cap, uint64_t log_size,
		    size_t chunk)
{
	size_t len = bank_len(naccounts, hist_cap);
	rvm_offset_t log_len = RVM_MK_OFFSET(0, log_size);
	rvm_options_t *o = rvm_malloc_options();
	rvm_tid_t *tid = rvm_malloc_tid();
	struct bank b;
	rvm_return_t r;

	/* As classic programs do: start RVM without a log, create one, open it. */
	r = RVM_INIT(o);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_initialize", r);
	o->log_dev = (char *)dev;
	o->flags = RVM_ALL_OPTIMIZATIONS;
	/* With a data file of its own, a log alone (no segment 0). */
	if (data_path)
		setenv("RVM_DATA_LEN", "0", 1);
	r = rvm_create_log(o, &log_len, 0600);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_create_log", r);
	r = rvm_set_options(o);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_set_options", r);
	opts = o;
	bank_open(&b, len);
	bank_layout(&b, naccounts);
	/* Zero everything, in transactions that fit in the log. */
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		rvm_begin_transaction(tid, no_restore);
		r = rvm_set_range(tid, b.base + off, n);
		if (r != RVM_SUCCESS)
			die_rvm("rvm_set_range", r);
		memset(b.base + off, 0, n);
		r = rvm_end_transaction(tid, no_flush);
		if (r != RVM_SUCCESS)
			die_rvm("rvm_end_transaction", r);
	}
	rvm_begin_transaction(tid, no_restore);
	rvm_set_range(tid, b.hdr, sizeof(*b.hdr));
	b.hdr->magic = BANK_MAGIC;
	b.hdr->version = 1;
	b.hdr->naccounts = naccounts;
	b.hdr->ntellers = NTELLERS;
	b.hdr->hist_cap = hist_cap;
	r = rvm_end_transaction(tid, flush);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_end_transaction", r);
	printf("bank: initialised %u accounts, %" PRIu64
	       " history records (%zu bytes of recoverable memory)\n",
	       naccounts, hist_cap, len);
	return 0;
}

/* Read the header through a one-page mapping, then map the whole bank. */
static void bank_attach(struct bank *b)
{
	struct bank_hdr h;
	rvm_return_t r;

	bank_open(b, 4096);
	h = *(struct bank_hdr *)b->base;
	if (h.magic != BANK_MAGIC || !h.naccounts || !h.hist_cap) {
		fprintf(stderr, "bank: %s holds no bank (run 'bank init')\n",
			dev);
		exit(1);
	}
	r = rvm_unmap(region);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_unmap", r);
	region->length = bank_len(h.naccounts, h.hist_cap);
	region->vmaddr = NULL;
	if (data_path)	/* bank_open() sized the data file for the header */
		region->dev_length = RVM_MK_OFFSET(0, region->length);
	r = rvm_map(region, opts);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_map", r);
	b->base = region->vmaddr;
	b->len = region->length;
	bank_layout(b, h.naccounts);
}

struct run_opts {
	const char *mode;
	const char *pattern;
	int flush_every;
	int abort_pct;
	bool restore;
	double seconds;
	uint64_t txns;
	FILE *ack;
	const char *mark; /* log-writes DM device: a mark "ack-ID" per ack */
};

static uint32_t pick_account(const struct run_opts *o, uint32_t n,
			     uint64_t i)
{
	if (!strcmp(o->pattern, "seq"))
		return i % n;
	if (!strcmp(o->pattern, "local")) {
		/* 80% of transactions on a hot 5% of the accounts. */
		uint32_t hot = n / 20 ? n / 20 : 1;

		if (rng() % 100 < 80)
			return rng() % hot;
	}
	return rng() % n;
}

static void declare(rvm_tid_t *tid, void *p, size_t len)
{
	rvm_return_t r = rvm_set_range(tid, p, len);

	if (r != RVM_SUCCESS)
		die_rvm("rvm_set_range", r);
}

static void ack(const struct run_opts *o, uint64_t id)
{
	if (o->ack) {
		fprintf(o->ack, "ack %" PRIu64 "\n", id);
		fflush(o->ack);
	}
	if (o->mark) {
		char m[48];
		int ret;

		snprintf(m, sizeof(m), "mark ack-%" PRIu64, id);
		ret = dmio_message(o->mark, m);
		if (ret) {
			fprintf(stderr, "bank: mark on %s: %s\n", o->mark,
				strerror(-ret));
			exit(1);
		}
	}
}

/*
 * A commit or flush failed (an I/O error: the volume is now failed and
 * read-only): stop cleanly, saying which transaction was the last one
 * acknowledged. Exit status 3.
 */
static void commit_failed(const char *what, rvm_return_t r, uint64_t id,
			  uint64_t last_acked)
{
	int e = errno;

	printf("bank: %s of transaction %" PRIu64 " failed: %s (%s); last acknowledged %" PRIu64 "\n",
	       what, id, rvm_return(r), r == RVM_EIO ? strerror(e) : "-",
	       last_acked);
	fflush(stdout);
	exit(3);
}

/* An aborted transfer: its changes must vanish without a trace. */
static rvm_return_t aborted_transfer(struct bank *b, rvm_tid_t *tid,
				     uint32_t a)
{
	struct acct *acct = &b->accts[a], before = *acct;
	struct branch br = *b->branch;
	rvm_return_t r;

	r = rvm_begin_transaction(tid, restore);
	if (r != RVM_SUCCESS)
		return r;
	declare(tid, acct, sizeof(*acct));
	declare(tid, b->branch, sizeof(*b->branch));
	acct->balance += 1000000;
	b->branch->balance += 1000000;
	r = rvm_abort_transaction(tid);
	if (r != RVM_SUCCESS)
		die_rvm("rvm_abort_transaction", r);
	if (memcmp(acct, &before, sizeof(before)) ||
	    memcmp(b->branch, &br, sizeof(br))) {
		fprintf(stderr, "bank: abort did not restore the bytes\n");
		exit(1);
	}
	return RVM_SUCCESS;
}

static int cmd_run(struct run_opts *o)
{
	rvm_tid_t *tid = rvm_malloc_tid();
	double t0 = now(), last = t0;
	uint64_t done = 0, aborts = 0, unacked = 0, last_acked = 0;
	struct bank b;
	rvm_return_t r;

	bank_attach(&b);
	printf("bank: running: mode %s, pattern %s, %u accounts, from transaction %" PRIu64
	       "\n", o->mode, o->pattern, b.hdr->naccounts,
	       b.branch->txn_count + 1);
	fflush(stdout);
	for (;;) {
		uint64_t id = b.branch->txn_count + 1;
		uint32_t a = pick_account(o, b.hdr->naccounts, id);
		uint32_t t = a % NTELLERS;
		int64_t delta = (int64_t)(rng() % 1999) - 999;
		struct hist *h = &b.hist[(id - 1) % b.hdr->hist_cap];
		bool flush_mode;

		if (o->txns && done >= o->txns)
			break;
		if (o->seconds > 0 && now() - t0 >= o->seconds)
			break;
		if (o->abort_pct && (int)(rng() % 100) < o->abort_pct) {
			r = aborted_transfer(&b, tid, a);
			if (r != RVM_SUCCESS)
				commit_failed("begin", r, id, last_acked);
			aborts++;
		}
		flush_mode = !strcmp(o->mode, "flush") ||
			     (!strcmp(o->mode, "mix") && rng() % 2);

		r = rvm_begin_transaction(tid, o->restore ? restore :
							   no_restore);
		if (r != RVM_SUCCESS)
			commit_failed("begin", r, id, last_acked);
		declare(tid, &b.accts[a], sizeof(struct acct));
		declare(tid, &b.tellers[t], sizeof(struct acct));
		declare(tid, b.branch, sizeof(struct branch));
		declare(tid, h, sizeof(*h));
		b.accts[a].balance += delta;
		b.accts[a].count++;
		b.tellers[t].balance += delta;
		b.tellers[t].count++;
		b.branch->balance += delta;
		b.branch->txn_count = id;
		h->id = id;
		h->account = a;
		h->teller = t;
		h->delta = delta;
		h->branch_after = b.branch->balance;
		h->check = hist_check(h);
		r = rvm_end_transaction(tid, flush_mode ? flush : no_flush);
		if (r != RVM_SUCCESS)
			commit_failed("commit", r, id, last_acked);
		done++;
		if (flush_mode) {
			unacked = 0;
			ack(o, id);
			last_acked = id;
		} else if (++unacked >= (uint64_t)o->flush_every) {
			r = rvm_flush();
			if (r != RVM_SUCCESS)
				commit_failed("flush", r, id, last_acked);
			unacked = 0;
			ack(o, id);
			last_acked = id;
		}
		if (now() - last >= 1) {
			last = now();
			printf("bank: %" PRIu64 " transactions (%.0f/s), last id %" PRIu64 "\n",
			       done, done / (last - t0), id);
			fflush(stdout);
		}
	}
	r = rvm_flush();
	if (r != RVM_SUCCESS)
		commit_failed("flush", r, b.branch->txn_count, last_acked);
	ack(o, b.branch->txn_count);
	printf("bank: done: %" PRIu64 " transactions in %.1f s (%.0f/s), %" PRIu64
	       " aborted, last id %" PRIu64 "\n", done, now() - t0,
	       done / (now() - t0), aborts, b.branch->txn_count);
	return 0;
}

static int cmd_check(uint64_t acked)
{
	struct bank b;
	int fails;

	bank_attach(&b);
	fails = bank_verify(&b, acked, stdout, NULL, 0);
	return fails ? 1 : 0;
}

/*
 * check-image: the same invariants on a volume image (or device) that is
 * not attached, read with pread: the data segment found through the
 * superblock in force, the bank at its offset 0. For images recovered
 * offline (rvm_vol_recover()); the log is not looked at.
 */
static int cmd_check_image(uint64_t acked)
{
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	struct bank_hdr h;
	struct bank b;
	uint64_t data;
	int fd, fails;

	/* The superblock in force, chosen by the shared format code. */
	if (rvm_vol_open(dev, RVM_VOL_RDONLY, &vol) ||
	    rvm_vol_read_super(vol, &sb) < 0) {
		fprintf(stderr, "bank: %s\n", rvm_vol_last_error());
		return 1;
	}
	rvm_vol_close(vol);
	fd = open(data_path ? data_path : dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(data_path ? data_path : dev);
		return 1;
	}
	data = data_path ? 0 : le64_to_cpu(sb.data_start) * RVM_BLOCK_SIZE;
	if (pread(fd, &h, sizeof(h), data) != sizeof(h) ||
	    h.magic != BANK_MAGIC || !h.naccounts || !h.hist_cap ||
	    (!data_path && bank_len(h.naccounts, h.hist_cap) >
		    le64_to_cpu(sb.data_blocks) * RVM_BLOCK_SIZE)) {
		fprintf(stderr, "bank: %s holds no bank\n", dev);
		return 1;
	}
	b.len = bank_len(h.naccounts, h.hist_cap);
	b.base = malloc(b.len);
	if (!b.base || pread(fd, b.base, b.len, data) != (ssize_t)b.len) {
		perror(dev);
		return 1;
	}
	close(fd);
	bank_layout(&b, h.naccounts);
	fails = bank_verify(&b, acked, stdout, NULL, 0);
	free(b.base);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct run_opts o = { .mode = "flush", .pattern = "random",
			      .flush_every = 100, .seconds = 10 };
	uint32_t naccounts = 32768;
	uint64_t hist_cap = 65536, log_size = 16 << 20, acked = 0;
	size_t chunk = 256 * 1024;
	uint64_t seed = 0;
	const char *cmd;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: bank init|run|check|check-image DEV [options]\n");
		return 2;
	}
	cmd = argv[1];
	dev = argv[2];
	for (i = 3; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			fprintf(stderr, "bank: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--data"))
			data_path = v;
		else if (!strcmp(a, "--accounts"))
			naccounts = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--history"))
			hist_cap = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--log-size"))
			log_size = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--init-chunk"))
			chunk = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--mode"))
			o.mode = v;
		else if (!strcmp(a, "--pattern"))
			o.pattern = v;
		else if (!strcmp(a, "--flush-every"))
			o.flush_every = atoi(v);
		else if (!strcmp(a, "--abort-pct"))
			o.abort_pct = atoi(v);
		else if (!strcmp(a, "--begin"))
			o.restore = !strcmp(v, "restore");
		else if (!strcmp(a, "--seconds"))
			o.seconds = atof(v);
		else if (!strcmp(a, "--txns"))
			o.txns = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--mark"))
			o.mark = v;
		else if (!strcmp(a, "--acked"))
			acked = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--ack")) {
			o.ack = fopen(v, "w");
			if (!o.ack) {
				perror(v);
				return 1;
			}
		} else {
			fprintf(stderr, "bank: unknown option %s\n", a);
			return 2;
		}
	}
	if (strcmp(o.mode, "flush") && strcmp(o.mode, "noflush") &&
	    strcmp(o.mode, "mix")) {
		fprintf(stderr, "bank: --mode flush, noflush or mix\n");
		return 2;
	}
	if (o.flush_every < 1)
		o.flush_every = 1;
	rng_state = seed ? seed : (uint64_t)time(NULL) * 2654435761u + getpid();
	if (!strcmp(cmd, "init"))
		return cmd_init(naccounts, hist_cap, log_size,
				chunk >= 4096 ? chunk : 4096);
	if (!strcmp(cmd, "run")) {
		printf("bank: seed %" PRIu64 "\n", rng_state);
		return cmd_run(&o);
	}
	if (!strcmp(cmd, "check"))
		return cmd_check(acked);
	if (!strcmp(cmd, "check-image"))
		return cmd_check_image(acked);
	fprintf(stderr, "bank: unknown command %s\n", cmd);
	return 2;
}
