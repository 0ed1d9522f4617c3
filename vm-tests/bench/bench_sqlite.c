// SPDX-License-Identifier: GPL-2.0
/*
 * bench_sqlite: the bank transaction of bench_bank on SQLite, for
 * `make bench`: what a user would pick instead of rvm.
 *
 *   bench_sqlite FILE [--accounts N] [--pattern seq|random|local]
 *                [--sync full|normal] [--seconds S]
 *
 * Creates FILE afresh in WAL mode (journal_mode=WAL, the given
 * synchronous level; automatic checkpoints as by default) with tables of
 * branches, tellers, accounts (128-byte rows as in rvm's bank: two
 * integers and a 112-byte blob) and a history ring of 4096 rows, then runs
 * for S seconds transactions that each update one account, its teller and
 * the branch and replace one history row, with prepared statements.
 * synchronous=FULL syncs the WAL at every commit (durable, like an rvm
 * flush commit); NORMAL syncs only at checkpoints (like no_flush).
 * Prints "RESULT system=sqlite-wal-full ..." (or -normal).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"
#include "window.h"
#include <sqlite3.h>

static sqlite3 *db;

static void die(const char *what)
{
	fprintf(stderr, "bench_sqlite: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec(const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "bench_sqlite: %s: %s\n", sql, err);
		exit(1);
	}
}

static sqlite3_stmt *prep(const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die(sql);
	return s;
}

static void step(sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die(sqlite3_sql(s));
	sqlite3_reset(s);
}

int main(int argc, char **argv)
{
	static struct window win;
	const char *file, *pattern = "random", *sync = "full";
	uint32_t accounts = 32768;
	double seconds = 5, t0, dt;
	static const uint8_t pad[112];
	sqlite3_stmt *ins, *up_a, *up_t, *up_b, *hist, *sel_b;
	uint64_t done = 0, rs = BENCH_SEED;
	char path[512];

	if (argc < 2) {
		fprintf(stderr, "usage: bench_sqlite FILE [options]\n");
		return 2;
	}
	file = argv[1];
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--accounts"))
			accounts = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--pattern"))
			pattern = argv[i + 1];
		else if (!strcmp(argv[i], "--sync"))
			sync = argv[i + 1];
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else {
			fprintf(stderr, "bench_sqlite: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	unlink(file);
	snprintf(path, sizeof(path), "%s-wal", file);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", file);
	unlink(path);
	if (sqlite3_open(file, &db) != SQLITE_OK)
		die("open");
	exec("PRAGMA journal_mode=WAL");
	exec(!strcmp(sync, "normal") ? "PRAGMA synchronous=NORMAL"
				     : "PRAGMA synchronous=FULL");
	exec("CREATE TABLE branch(id INTEGER PRIMARY KEY, balance INTEGER, count INTEGER, pad BLOB);"
	     "CREATE TABLE teller(id INTEGER PRIMARY KEY, balance INTEGER, count INTEGER, pad BLOB);"
	     "CREATE TABLE account(id INTEGER PRIMARY KEY, balance INTEGER, count INTEGER, pad BLOB);"
	     "CREATE TABLE history(slot INTEGER PRIMARY KEY, id INTEGER, account INTEGER,"
	     " teller INTEGER, delta INTEGER, branch_after INTEGER, chk INTEGER, pad BLOB)");
	exec("BEGIN");
	ins = prep("INSERT INTO account VALUES(?, 0, 0, ?)");
	for (uint32_t i = 0; i < accounts; i++) {
		sqlite3_bind_int64(ins, 1, i);
		sqlite3_bind_blob(ins, 2, pad, sizeof(pad), SQLITE_STATIC);
		step(ins);
	}
	sqlite3_finalize(ins);
	ins = prep("INSERT INTO teller VALUES(?, 0, 0, ?)");
	for (uint32_t i = 0; i < NTELLERS; i++) {
		sqlite3_bind_int64(ins, 1, i);
		sqlite3_bind_blob(ins, 2, pad, sizeof(pad), SQLITE_STATIC);
		step(ins);
	}
	sqlite3_finalize(ins);
	exec("INSERT INTO branch VALUES(0, 0, 0, zeroblob(112))");
	exec("COMMIT");
	exec("PRAGMA wal_checkpoint(TRUNCATE)");

	up_a = prep("UPDATE account SET balance = balance + ?1, count = count + 1 WHERE id = ?2");
	up_t = prep("UPDATE teller SET balance = balance + ?1, count = count + 1 WHERE id = ?2");
	up_b = prep("UPDATE branch SET balance = balance + ?1, count = count + 1 WHERE id = 0");
	sel_b = prep("SELECT balance, count FROM branch WHERE id = 0");
	hist = prep("INSERT OR REPLACE INTO history VALUES(?, ?, ?, ?, ?, ?, ?, zeroblob(24))");
	t0 = now();
	while (now() - t0 < seconds) {
		window_add(&win, now(), done);
		uint32_t a = pick(&rs, pattern, 0, accounts, done);
		int64_t delta = pick_delta(&rs), bal, cnt;

		exec("BEGIN");
		sqlite3_bind_int64(up_a, 1, delta);
		sqlite3_bind_int64(up_a, 2, a);
		step(up_a);
		sqlite3_bind_int64(up_t, 1, delta);
		sqlite3_bind_int64(up_t, 2, a % NTELLERS);
		step(up_t);
		sqlite3_bind_int64(up_b, 1, delta);
		step(up_b);
		if (sqlite3_step(sel_b) != SQLITE_ROW)
			die("select branch");
		bal = sqlite3_column_int64(sel_b, 0);
		cnt = sqlite3_column_int64(sel_b, 1);
		sqlite3_reset(sel_b);
		sqlite3_bind_int64(hist, 1, cnt % NHIST);
		sqlite3_bind_int64(hist, 2, cnt);
		sqlite3_bind_int64(hist, 3, a);
		sqlite3_bind_int64(hist, 4, a % NTELLERS);
		sqlite3_bind_int64(hist, 5, delta);
		sqlite3_bind_int64(hist, 6, bal);
		sqlite3_bind_int64(hist, 7, cnt * 0x9e3779b97f4a7c15ULL ^ delta);
		step(hist);
		exec("COMMIT");
		done++;
	}
	dt = now() - t0;
	printf("RESULT system=sqlite-wal-%s mode=%s threads=1 pattern=%s"
	       " accounts=%u seconds=%.2f txns=%" PRIu64 " tps=%.1f tps_mean=%.1f\n",
	       !strcmp(sync, "normal") ? "normal" : "full",
	       !strcmp(sync, "normal") ? "noflush" : "flush", pattern, accounts,
	       dt, done, window_best(&win, done / dt), done / dt);
	sqlite3_finalize(up_a);
	sqlite3_finalize(up_t);
	sqlite3_finalize(up_b);
	sqlite3_finalize(sel_b);
	sqlite3_finalize(hist);
	sqlite3_close(db);
	return 0;
}
