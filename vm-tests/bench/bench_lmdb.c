// SPDX-License-Identifier: GPL-2.0
/*
 * bench_lmdb: the bank transaction of bench_bank on LMDB, for
 * `make bench`: what a user would pick instead of rvm.
 *
 *   bench_lmdb DIR [--accounts N] [--pattern seq|random|local]
 *              [--nosync 0|1] [--seconds S]
 *
 * Creates an environment in DIR afresh holding the branch, 10 tellers and
 * N accounts as 128-byte values and a history ring of 4096 64-byte values
 * (integer keys), then runs for S seconds write transactions that each
 * read and rewrite one account, its teller and the branch and put one
 * history record. Default durability syncs at every commit (like an rvm
 * flush commit); MDB_NOSYNC never does (like no_flush without flushes).
 * Prints "RESULT system=lmdb ..." (or lmdb-nosync).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"
#include "window.h"
#include <lmdb.h>

#define K_TELLER (1ULL << 32)
#define K_BRANCH (2ULL << 32)
#define K_HIST (3ULL << 32)

static void check(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "bench_lmdb: %s: %s\n", what, mdb_strerror(rc));
		exit(1);
	}
}

static void put(MDB_txn *t, MDB_dbi dbi, uint64_t k, const void *v, size_t n)
{
	MDB_val key = { sizeof(k), &k }, val = { n, (void *)v };

	check(mdb_put(t, dbi, &key, &val, 0), "put");
}

static void get(MDB_txn *t, MDB_dbi dbi, uint64_t k, struct rec *r)
{
	MDB_val key = { sizeof(k), &k }, val;

	check(mdb_get(t, dbi, &key, &val), "get");
	memcpy(r, val.mv_data, sizeof(*r));
}

int main(int argc, char **argv)
{
	static struct window win;
	const char *dir, *pattern = "random";
	uint32_t accounts = 32768;
	double seconds = 5, t0, dt;
	int nosync = 0;
	uint64_t done = 0, rs = BENCH_SEED;
	struct rec zero = { 0 }, acct, tel, br;
	char path[512];
	MDB_env *env;
	MDB_txn *t;
	MDB_dbi dbi;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_lmdb DIR [options]\n");
		return 2;
	}
	dir = argv[1];
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--accounts"))
			accounts = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--pattern"))
			pattern = argv[i + 1];
		else if (!strcmp(argv[i], "--nosync"))
			nosync = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else {
			fprintf(stderr, "bench_lmdb: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	unlink(path);
	check(mdb_env_create(&env), "env_create");
	check(mdb_env_set_mapsize(env, (size_t)accounts * 512 + (64 << 20)),
	      "set_mapsize");
	check(mdb_env_open(env, dir, nosync ? MDB_NOSYNC : 0, 0600), "env_open");
	check(mdb_txn_begin(env, NULL, 0, &t), "begin");
	check(mdb_dbi_open(t, NULL, MDB_INTEGERKEY, &dbi), "dbi_open");
	/*
	 * Load in batches: one write transaction keeps every page it dirties
	 * in memory until it commits, which a database larger than the VM's
	 * memory (the memory sweep) cannot afford.
	 */
	for (uint32_t i = 0; i < accounts; i++) {
		put(t, dbi, i, &zero, sizeof(zero));
		if (i % 65536 == 65535) {
			check(mdb_txn_commit(t), "commit");
			check(mdb_txn_begin(env, NULL, 0, &t), "begin");
		}
	}
	for (uint32_t i = 0; i < NTELLERS; i++)
		put(t, dbi, K_TELLER + i, &zero, sizeof(zero));
	put(t, dbi, K_BRANCH, &zero, sizeof(zero));
	check(mdb_txn_commit(t), "commit");
	check(mdb_env_sync(env, 1), "sync");

	t0 = now();
	while (now() - t0 < seconds) {
		window_add(&win, now(), done);
		uint32_t a = pick(&rs, pattern, 0, accounts, done);
		int64_t delta = pick_delta(&rs);
		struct hist h = { 0 };

		check(mdb_txn_begin(env, NULL, 0, &t), "begin");
		get(t, dbi, a, &acct);
		get(t, dbi, K_TELLER + a % NTELLERS, &tel);
		get(t, dbi, K_BRANCH, &br);
		bank_apply(&acct, &tel, &br, &h, a, delta);
		put(t, dbi, a, &acct, sizeof(acct));
		put(t, dbi, K_TELLER + a % NTELLERS, &tel, sizeof(tel));
		put(t, dbi, K_BRANCH, &br, sizeof(br));
		put(t, dbi, K_HIST + br.count % NHIST, &h, sizeof(h));
		check(mdb_txn_commit(t), "commit");
		done++;
	}
	dt = now() - t0;
	printf("RESULT system=%s mode=%s threads=1 pattern=%s accounts=%u"
	       " seconds=%.2f txns=%" PRIu64 " tps=%.1f tps_mean=%.1f\n",
	       nosync ? "lmdb-nosync" : "lmdb", nosync ? "noflush" : "flush",
	       pattern, accounts, dt, done, window_best(&win, done / dt), done / dt);
	mdb_env_close(env);
	return 0;
}
