// SPDX-License-Identifier: GPL-2.0
/*
 * Regions and transactions: mapping, begin/set_range/end in flush and
 * no_flush mode, abort, durability across detach and attach, concurrent
 * transactions from threads and processes, and every error path.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "rvm_selftest.h"

#define MAPLEN (1 << 20)

FIXTURE(txn) {
	struct rvm_mapped m;
};

FIXTURE_SETUP(txn)
{
	rvm_mapped_setup(_metadata, &self->m, RVM_DISK, 1 << 20, 8 << 20,
			 MAPLEN);
}

FIXTURE_TEARDOWN(txn)
{
	rvm_mapped_teardown(&self->m);
}

/* Detach and attach again (recovery runs), map again. */
static unsigned char *remount(FIXTURE_DATA(txn) *self)
{
	self->m.p = rvm_remount_dev(self->m.ctl, RVM_DISK, self->m.p, MAPLEN,
				    &self->m.fd);
	return self->m.p;
}

static void commit_bytes(struct __test_metadata *_metadata, int fd,
			 unsigned char *addr, int val, size_t len, uint32_t mode)
{
	uint64_t tid;

	ASSERT_EQ(0, rvm_begin(fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(fd, tid, addr, len));
	memset(addr, val, len);
	ASSERT_EQ(0, rvm_end(fd, tid, mode));
}

TEST_F(txn, map_rules)
{
	void *q;

	/* MAP_PRIVATE is refused: changes would never reach the log. */
	q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->m.fd,
		 0);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EINVAL, errno);
	/* Beyond the data segment. */
	q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->m.fd,
		 1ULL << 40);
	EXPECT_EQ(MAP_FAILED, q);
	/* A second mapping of the same bytes shares the pages. */
	q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->m.fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	commit_bytes(_metadata, self->m.fd, self->m.p, 0x42, 16, RVM_END_FLUSH);
	EXPECT_EQ(0x42, ((unsigned char *)q)[15]);
	munmap(q, 4096);
}

TEST_F(txn, flush_commit_survives_detach)
{
	struct rvm_status st;

	commit_bytes(_metadata, self->m.fd, self->m.p + 100, 0xab, 300,
		     RVM_END_FLUSH);
	commit_bytes(_metadata, self->m.fd, self->m.p + 8192, 0xcd, 5000,
		     RVM_END_FLUSH);
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &st));
	EXPECT_EQ(2, st.commits);
	EXPECT_EQ(2, st.flush_commits);
	EXPECT_EQ(5300, st.bytes_declared);
	EXPECT_LE(2, st.log_flushes);
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_EQ(0, self->m.p[99]);
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 100, 0xab, 300));
	EXPECT_EQ(0, self->m.p[400]);
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 8192, 0xcd, 5000));
}

TEST_F(txn, no_flush_then_flush)
{
	struct rvm_status st;

	commit_bytes(_metadata, self->m.fd, self->m.p, 1, 64, RVM_END_NO_FLUSH);
	commit_bytes(_metadata, self->m.fd, self->m.p + 64, 2, 64,
		     RVM_END_NO_FLUSH);
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &st));
	EXPECT_EQ(2, st.commits);
	EXPECT_EQ(0, st.flush_commits);
	ASSERT_EQ(0, rvm_sync(self->m.fd, false));
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &st));
	EXPECT_LT(0, st.log_used);
	EXPECT_EQ(1, st.flush_calls);
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_TRUE(rvm_all_bytes(self->m.p, 1, 64));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 64, 2, 64));
}

TEST_F(txn, spool_delay_makes_no_flush_durable)
{
	struct rvm_status before, after;

	/* Default spool delay: 1 s. Nobody calls flush. */
	commit_bytes(_metadata, self->m.fd, self->m.p + 512, 0x31, 32,
		     RVM_END_NO_FLUSH);
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &before));
	usleep(2500 * 1000);
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &after));
	EXPECT_LT(before.log_writes, after.log_writes);
	EXPECT_LT(before.log_used, after.log_used);
	EXPECT_EQ(0, after.flush_calls);
}

/*
 * Lone flush commits: one log write each, with FUA and no preflush, and
 * records packed back to back (each one's length rounded up to 64 bytes,
 * not stretched to a sector), so a later write rewrites the last sector
 * of the one before; all of them survive.
 */
TEST_F(txn, flush_commits_packed)
{
	/* Header, one range descriptor, 100 bytes: 180, rounded to 192. */
	const uint64_t rec = 192;
	struct rvm_status a, b;
	int i;

	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &a));
	for (i = 0; i < 30; i++)
		commit_bytes(_metadata, self->m.fd, self->m.p + 4096 + i * 100,
			     i + 1, 100, RVM_END_FLUSH);
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &b));
	EXPECT_EQ(30, b.log_writes - a.log_writes);
	EXPECT_EQ(30, b.log_flushes - a.log_flushes);
	EXPECT_EQ(0, b.log_preflushes - a.log_preflushes);
	EXPECT_EQ(30 * rec, b.bytes_logged - a.bytes_logged);
	EXPECT_EQ(30 * rec, b.tail_lsn - a.tail_lsn);
	ASSERT_NE(MAP_FAILED, remount(self));
	for (i = 0; i < 30; i++) {
		EXPECT_TRUE(
			rvm_all_bytes(self->m.p + 4096 + i * 100, i + 1, 100))
		TH_LOG("commit %d", i);
	}
	/* The data segment outlives formatting: leave zeros behind. */
	commit_bytes(_metadata, self->m.fd, self->m.p + 4096, 0, 3000,
		     RVM_END_FLUSH);
}

/*
 * A record that does not fit in the rest of the lap goes after a pad
 * record, whose sector is written first, without FUA: that batch's last
 * write, and only that one, carries a preflush.
 */
TEST_F(txn, lap_wrap_preflushes)
{
	const uint64_t log = 1 << 20, len = 100 * 1024;
	struct rvm_status a, b;
	int i;

	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &a));
	ASSERT_EQ(log, a.log_bytes);
	for (i = 0; i < 25; i++)
		commit_bytes(_metadata, self->m.fd, self->m.p + (i % 8) * len,
			     i + 1, len, RVM_END_FLUSH);
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &b));
	/* 100 KiB records never end exactly at the end of a lap. */
	EXPECT_LE(2, b.tail_lsn / log - a.tail_lsn / log);
	EXPECT_EQ(b.tail_lsn / log - a.tail_lsn / log,
		  b.log_preflushes - a.log_preflushes);
	EXPECT_EQ(25, b.log_writes - a.log_writes);
	ASSERT_NE(MAP_FAILED, remount(self));
	for (i = 17; i < 25; i++) {
		EXPECT_TRUE(
			rvm_all_bytes(self->m.p + (i % 8) * len, i + 1, len))
		TH_LOG("commit %d", i);
	}
	for (i = 0; i < 8; i++)
		commit_bytes(_metadata, self->m.fd, self->m.p + i * len, 0, len,
			     RVM_END_FLUSH);
}

TEST_F(txn, coalescing)
{
	struct rvm_status st;
	uint64_t tid;

	/* Overlapping and adjacent ranges within a transaction. */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_NO_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p, 100));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 50, 100));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 150, 50));
	memset(self->m.p, 7, 200);
	ASSERT_EQ(0, rvm_end(self->m.fd, tid,
			     RVM_END_FLUSH | RVM_END_COALESCE_RANGES));
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &st));
	EXPECT_EQ(250, st.bytes_declared);
	/* 50 bytes and two 16-byte range descriptors saved. */
	EXPECT_EQ(50 + 2 * 16, st.bytes_coalesced);
	/* The same bytes in three no_flush transactions: one record. */
	for (int i = 0; i < 3; i++)
		commit_bytes(_metadata, self->m.fd, self->m.p + 4096, 10 + i,
			     512, RVM_END_NO_FLUSH | RVM_END_COALESCE_TRANS);
	ASSERT_EQ(0, rvm_sync(self->m.fd, false));
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &st));
	/* Two whole records saved: header, descriptor, data, alignment. */
	EXPECT_EQ(82 + 2 * 640, st.bytes_coalesced);
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_TRUE(rvm_all_bytes(self->m.p, 7, 200));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 4096, 12, 512));
}

TEST_F(txn, abort_restores_exactly)
{
	uint64_t tid;
	unsigned char before[300];

	for (int i = 0; i < 300; i++)
		before[i] = self->m.p[1000 + i];
	commit_bytes(_metadata, self->m.fd, self->m.p + 1000, 9, 100,
		     RVM_END_FLUSH);
	memcpy(before, self->m.p + 1000, sizeof(before));

	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 1000, 200));
	memset(self->m.p + 1000, 0xee, 200);
	/* Declared again after the change: the first value counts. */
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 1100, 200));
	memset(self->m.p + 1100, 0xdd, 200);
	ASSERT_EQ(0, rvm_abort(self->m.fd, tid));
	/* Bytes 1200..1299 were 0 when declared, bytes before as they were. */
	EXPECT_EQ(0, memcmp(before, self->m.p + 1000, 200));
	EXPECT_EQ(0, self->m.p[1250]);
	/* The tid is gone. */
	EXPECT_EQ(-EINVAL, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(-EINVAL, rvm_abort(self->m.fd, tid));
}

TEST_F(txn, no_restore_cannot_abort)
{
	uint64_t tid;

	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_NO_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p, 8));
	EXPECT_EQ(-EPERM, rvm_abort(self->m.fd, tid));
	/* Still running: it can commit. */
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
}

TEST_F(txn, uncommitted_is_lost)
{
	uint64_t tid;

	commit_bytes(_metadata, self->m.fd, self->m.p, 5, 10, RVM_END_FLUSH);
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_NO_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p, 10));
	memset(self->m.p, 6, 10);
	/* Closing the file aborts it; the committed value survives. */
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_EQ(5, self->m.p[0]);
	EXPECT_EQ(5, self->m.p[9]);
}

TEST_F(txn, bad_ranges_and_fields)
{
	struct rvm_txn_range r;
	struct rvm_txn_begin b;
	uint64_t tid;
	char local[64];

	memset(&b, 0, sizeof(b));
	b.flags = RVM_TXN_RESTORE | RVM_TXN_NO_RESTORE;
	EXPECT_EQ(-EINVAL, rvm_do(self->m.fd, RVM_IOC_BEGIN, &b));
	b.flags = 8;
	EXPECT_EQ(-EINVAL, rvm_do(self->m.fd, RVM_IOC_BEGIN, &b));
	b.flags = RVM_TXN_DECL;
	EXPECT_EQ(-EINVAL, rvm_do(self->m.fd, RVM_IOC_BEGIN, &b));
	b.flags = RVM_TXN_RESTORE;
	b.reserved = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->m.fd, RVM_IOC_BEGIN, &b));
	b.reserved = 0;
	b.slot = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->m.fd, RVM_IOC_BEGIN, &b));
	b.slot = 0;
	b.pad2 = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->m.fd, RVM_IOC_BEGIN, &b));

	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	/* Not in a region of this volume. */
	EXPECT_EQ(-ERANGE, rvm_range(self->m.fd, tid, local, sizeof(local)));
	EXPECT_EQ(-ERANGE, rvm_range(self->m.fd, tid, NULL, 1));
	/* Running past the end of the mapping. */
	EXPECT_EQ(-ERANGE,
		  rvm_range(self->m.fd, tid, self->m.p + MAPLEN - 4, 8));
	EXPECT_EQ(-EINVAL, rvm_range(self->m.fd, tid, self->m.p, 0));
	EXPECT_EQ(-EINVAL, rvm_range(self->m.fd, tid, (void *)-8L, 16));
	EXPECT_EQ(-EINVAL, rvm_range(self->m.fd, tid + 1000, self->m.p, 8));
	EXPECT_EQ(-EINVAL, rvm_range(self->m.fd, 0, self->m.p, 8));
	memset(&r, 0, sizeof(r));
	r.tid = tid;
	r.addr = (uintptr_t)self->m.p;
	r.len = 8;
	r.flags = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->m.fd, RVM_IOC_SET_RANGE, &r));
	r.flags = 0;
	r.pad = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->m.fd, RVM_IOC_SET_RANGE, &r));
	/* Bigger than the log can ever hold. */
	EXPECT_EQ(-E2BIG, rvm_range(self->m.fd, tid, self->m.p, MAPLEN));
	/* End with no mode or both modes, or unknown flags. */
	EXPECT_EQ(-EINVAL, rvm_end(self->m.fd, tid, 0));
	EXPECT_EQ(-EINVAL,
		  rvm_end(self->m.fd, tid, RVM_END_FLUSH | RVM_END_NO_FLUSH));
	EXPECT_EQ(-EINVAL,
		  rvm_end(self->m.fd, tid, RVM_END_FLUSH | (1U << 20)));
	/* The transaction survived all that. */
	EXPECT_EQ(0, rvm_range(self->m.fd, tid, self->m.p, 8));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	/* Bad pointers. */
	EXPECT_EQ(-EFAULT, rvm_do(self->m.fd, RVM_IOC_BEGIN, NULL));
	EXPECT_EQ(-EFAULT, rvm_do(self->m.fd, RVM_IOC_SET_RANGE, (void *)16));
	EXPECT_EQ(-EFAULT, rvm_do(self->m.fd, RVM_IOC_END, NULL));
}

TEST_F(txn, unmap_refused_with_uncommitted)
{
	struct rvm_unmap u;
	uint64_t tid;

	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 4096, 10));
	memset(&u, 0, sizeof(u));
	u.addr = (uintptr_t)self->m.p;
	u.len = MAPLEN;
	EXPECT_EQ(-EBUSY, rvm_do(self->m.fd, RVM_IOC_UNMAP, &u));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(0, rvm_do(self->m.fd, RVM_IOC_UNMAP, &u));
	/* Gone: a new mapping for the teardown. */
	self->m.p = mmap(NULL, MAPLEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->m.fd, 0);
	ASSERT_NE(MAP_FAILED, self->m.p);
}

struct worker {
	int fd;
	unsigned char *base;
	int n;
	int failures;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < w->n; i++) {
		uint64_t tid;

		if (rvm_begin(w->fd, RVM_TXN_RESTORE, &tid) ||
		    rvm_range(w->fd, tid, w->base, 64)) {
			w->failures++;
			continue;
		}
		memset(w->base, i & 0xff, 64);
		if (rvm_end(w->fd, tid, i % 3 ? RVM_END_FLUSH :
						 RVM_END_NO_FLUSH))
			w->failures++;
	}
	return NULL;
}

TEST_F(txn, threads_disjoint_ranges)
{
	struct worker w[8];
	pthread_t t[8];
	struct rvm_status st;

	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){ self->m.fd, self->m.p + i * 4096 + i,
					50, 0 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_fn, &w[i]));
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].failures);
	}
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &st));
	EXPECT_EQ(400, st.commits);
	EXPECT_LT(0, st.flush_commits);
	/* Group commit: commits share log writes. */
	EXPECT_LT(st.log_writes, st.commits);
	ASSERT_EQ(0, rvm_sync(self->m.fd, false));
	ASSERT_NE(MAP_FAILED, remount(self));
	for (int i = 0; i < 8; i++)
		EXPECT_TRUE(rvm_all_bytes(self->m.p + i * 4096 + i, 49, 64));
}

TEST_F(txn, processes_share_a_region)
{
	pid_t pids[4];
	int status;

	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int fd;
			unsigned char *q = rvm_map_dev(RVM_DISK, 0, MAPLEN,
						       &fd);
			struct worker w = { fd, q + 65536 + i * 128, 30, 0 };

			if (q == MAP_FAILED)
				_exit(2);
			worker_fn(&w);
			_exit(w.failures ? 1 : 0);
		}
	}
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	/* The parent's mapping sees the children's bytes: one page cache. */
	for (int i = 0; i < 4; i++)
		EXPECT_TRUE(rvm_all_bytes(self->m.p + 65536 + i * 128, 29, 64));
	ASSERT_EQ(0, rvm_sync(self->m.fd, false));
	ASSERT_NE(MAP_FAILED, remount(self));
	for (int i = 0; i < 4; i++)
		EXPECT_TRUE(rvm_all_bytes(self->m.p + 65536 + i * 128, 29, 64));
}

TEST_F(txn, truncation_and_full_log)
{
	struct rvm_status st;

	/* 1 MiB log, 40 KiB records: the log fills many times over. */
	for (int i = 0; i < 200; i++)
		commit_bytes(_metadata, self->m.fd,
			     self->m.p + (i % 20) * 40960, i & 0xff, 40960,
			     RVM_END_FLUSH);
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &st));
	EXPECT_EQ(200, st.commits);
	EXPECT_LT(0, st.truncations);
	EXPECT_GE(st.log_bytes, st.log_used);
	ASSERT_EQ(0, rvm_sync(self->m.fd, true));
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &st));
	EXPECT_EQ(0, st.log_used);
	ASSERT_NE(MAP_FAILED, remount(self));
	for (int i = 180; i < 200; i++) {
		EXPECT_TRUE(rvm_all_bytes(self->m.p + (i % 20) * 40960,
					  i & 0xff, 40960))
		TH_LOG("commit %d", i);
	}
}

TEST_F(txn, recovery_replays_crash_image)
{
	struct rvm_status st;
	unsigned char *q;
	uint64_t tid;
	int fd;

	/* The volume under test is the small disk; its copy crashes. */
	munmap(self->m.p, MAPLEN);
	close(self->m.fd);
	self->m.fd = -1;
	ASSERT_EQ(0, rvm_detach_dev(self->m.ctl, RVM_DISK));
	ASSERT_EQ(0, rvm_fresh_volume(self->m.ctl, RVM_DISK2, 1 << 20));
	q = rvm_map_dev(RVM_DISK2, 0, MAPLEN, &fd);
	ASSERT_NE(MAP_FAILED, q);
	for (int i = 0; i < 10; i++)
		commit_bytes(_metadata, fd, q + i * 1000, 0x10 + i, 1000,
			     RVM_END_FLUSH);
	commit_bytes(_metadata, fd, q + 20000, 0x77, 100, RVM_END_NO_FLUSH);
	ASSERT_EQ(0, rvm_sync(fd, false));
	/* Spooled, never flushed: may or may not be in the image. */
	commit_bytes(_metadata, fd, q + 30000, 0x88, 100, RVM_END_NO_FLUSH);
	/* Running, never committed: must not be in the image. */
	ASSERT_EQ(0, rvm_begin(fd, RVM_TXN_NO_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(fd, tid, q, 10));
	memset(q, 0x99, 10);

	ASSERT_EQ(0, rvm_copy_dev(RVM_DISK2, RVM_DISK, 64 << 20));
	ASSERT_EQ(0, rvm_attach_dev(self->m.ctl, RVM_DISK, NULL));
	ASSERT_EQ(0, rvm_status_dev(self->m.ctl, RVM_DISK, &st));
	EXPECT_LE(11, st.recovery_records);
	EXPECT_GE(12, st.recovery_records);
	EXPECT_EQ(0, st.log_used);
	self->m.p = rvm_map_dev(RVM_DISK, 0, MAPLEN, &self->m.fd);
	ASSERT_NE(MAP_FAILED, self->m.p);
	for (int i = 0; i < 10; i++) {
		EXPECT_TRUE(rvm_all_bytes(self->m.p + i * 1000, 0x10 + i, 1000))
		TH_LOG("commit %d", i);
	}
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 20000, 0x77, 100));
	/* All or nothing: every one of the 100 bytes, not one of them. */
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 30000, 0x88, 100) ||
		    rvm_all_bytes(self->m.p + 30000, 0, 100));
	/* The running transaction's bytes are not there. */
	EXPECT_TRUE(rvm_all_bytes(self->m.p, 0x10, 10));

	EXPECT_EQ(0, rvm_end(fd, tid, RVM_END_FLUSH));
	munmap(q, MAPLEN);
	close(fd);
	EXPECT_EQ(0, rvm_detach_dev(self->m.ctl, RVM_DISK2));
}

TEST_HARNESS_MAIN
