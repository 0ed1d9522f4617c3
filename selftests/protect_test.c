// SPDX-License-Identifier: GPL-2.0
/*
 * Page protection: strict mode catches a forgotten set_range (SIGSEGV at
 * the write, EPROTO at commit for bytes in an already written page), auto
 * mode logs exactly the changed bytes and recovers them, off mode is the
 * classic library; protection returns after commit and abort, across
 * processes, and against a thread writing while another commits; fork, munmap, madvise, mremap, exit, O_DIRECT and io_uring
 * fixed buffers behave.
 */
#include <liburing.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "rvm_selftest.h"

#define MAPLEN (1 << 20)
#define PG 4096

FIXTURE(prot) {
	struct rvm_mapped m;
};

FIXTURE_SETUP(prot)
{
	rvm_mapped_setup(_metadata, &self->m, RVM_DISK, 1 << 20, 8 << 20,
			 MAPLEN);
}

FIXTURE_TEARDOWN(prot)
{
	rvm_mapped_teardown(&self->m);
}

static int set_protect(int fd, uint32_t mode)
{
	struct rvm_protect pr;

	memset(&pr, 0, sizeof(pr));
	pr.mode = mode;
	return rvm_do(fd, RVM_IOC_SET_PROTECT, &pr);
}

/* A mapping of @dev in protection mode @mode, through a new file. */
static unsigned char *map_mode(const char *dev, uint32_t mode, int *fdp)
{
	int fd = rvm_ctl_open();
	void *p;

	if (fd < 0 || rvm_bind_dev(fd, dev) || set_protect(fd, mode)) {
		if (fd >= 0)
			close(fd);
		return MAP_FAILED;
	}
	p = mmap(NULL, MAPLEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		close(fd);
	else
		*fdp = fd;
	return p;
}

/* Detach and attach again (recovery runs), map again. */
static unsigned char *remount(FIXTURE_DATA(prot) *self)
{
	self->m.p = rvm_remount_dev(self->m.ctl, RVM_DISK, self->m.p, MAPLEN,
				    &self->m.fd);
	return self->m.p;
}

TEST_F(prot, abi)
{
	struct rvm_version v;
	struct rvm_protect pr;

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, rvm_do(self->m.ctl, RVM_IOC_GET_VERSION, &v));
	EXPECT_TRUE(v.features & RVM_FEAT_PROTECT);
	EXPECT_LE(1, v.abi_minor);
	memset(&pr, 0, sizeof(pr));
	pr.mode = RVM_PROT_OFF + 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->m.fd, RVM_IOC_SET_PROTECT, &pr));
	pr.mode = RVM_PROT_AUTO;
	pr.flags = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->m.fd, RVM_IOC_SET_PROTECT, &pr));
	pr.flags = 0;
	pr.reserved[2] = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->m.fd, RVM_IOC_SET_PROTECT, &pr));
	EXPECT_EQ(-EFAULT, rvm_do(self->m.fd, RVM_IOC_SET_PROTECT, NULL));
	EXPECT_EQ(0, set_protect(self->m.fd, RVM_PROT_STRICT));
}

TEST_F(prot, strict_forgotten_set_range_faults)
{
	struct rvm_status st;
	uint64_t tid;

	/* No transaction: reads are fine, a write is SIGSEGV. */
	EXPECT_EQ(0, self->m.p[0]);
	EXPECT_EQ(1, try_memset(self->m.p, 1, 1));
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 10, 16));
	EXPECT_EQ(0, try_memset(self->m.p + 10, 0x11, 16));
	/* A page with nothing declared. */
	EXPECT_EQ(1, try_memset(self->m.p + 3 * PG, 1, 1));
	EXPECT_EQ(0, self->m.p[3 * PG]);
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	/* Protection is back after the commit. */
	EXPECT_EQ(1, try_memset(self->m.p + 10, 0x22, 1));
	EXPECT_EQ(0x11, self->m.p[10]);
	st = rvm_status_of(self->m.ctl, RVM_DISK);
	EXPECT_LE(3, st.prot_faults);
	EXPECT_EQ(1, st.snapshots);
	EXPECT_EQ(0, st.violations);

	/* And after an abort. */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 10, 16));
	EXPECT_EQ(0, try_memset(self->m.p + 10, 0x33, 16));
	EXPECT_EQ(0, rvm_abort(self->m.fd, tid));
	EXPECT_EQ(0x11, self->m.p[10]);
	EXPECT_EQ(1, try_memset(self->m.p + 10, 0x44, 1));
}

TEST_F(prot, strict_undeclared_bytes_fail_commit)
{
	struct rvm_status st;
	uint64_t tid;

	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 100, 10));
	memset(self->m.p + 100, 0x5a, 10);
	/* Same page, already writable: caught at commit. */
	self->m.p[500] = 0x77;
	self->m.p[501] = 0x78;
	EXPECT_EQ(-EPROTO, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	st = rvm_status_of(self->m.ctl, RVM_DISK);
	EXPECT_EQ(1, st.violations);
	EXPECT_EQ(0, st.commits);
	/* Still running: declare what was missed, commit again. */
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 500, 2));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	st = rvm_status_of(self->m.ctl, RVM_DISK);
	EXPECT_EQ(1, st.commits);

	/* Declared late in restore mode: abort still restores the old bytes. */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 100, 10));
	memset(self->m.p + 100, 0x01, 10);
	self->m.p[600] = 0x99;
	self->m.p[500] = 0x98;
	EXPECT_EQ(-EPROTO, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 500, 101));
	EXPECT_EQ(0, rvm_abort(self->m.fd, tid));
	EXPECT_EQ(0x5a, self->m.p[100]);
	EXPECT_EQ(0x77, self->m.p[500]);
	EXPECT_EQ(0, self->m.p[600]);
	EXPECT_EQ(2, rvm_status_of(self->m.ctl, RVM_DISK).violations);

	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_EQ(0x5a, self->m.p[109]);
	EXPECT_EQ(0x77, self->m.p[500]);
	EXPECT_EQ(0x78, self->m.p[501]);
}

/*
 * Entries and snapshot pages are reused from one transaction to the next
 * (protect.c's per-file cache): what an earlier transaction declared on a
 * page never counts for a later one.
 */
TEST_F(prot, strict_reused_entries_start_clean)
{
	uint64_t tid;

	/* Bytes 0..99 of page 1 and all of page 2 declared, committed. */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + PG, 100));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 2 * PG, PG));
	memset(self->m.p + PG, 1, 100);
	memset(self->m.p + 2 * PG, 2, PG);
	ASSERT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_NO_FLUSH));
	/* Now only byte 200 of each: bytes 0..9 are not declared any more. */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + PG + 200, 1));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 2 * PG + 200, 1));
	memset(self->m.p + PG, 3, 10);
	EXPECT_EQ(-EPROTO, rvm_end(self->m.fd, tid, RVM_END_NO_FLUSH));
	EXPECT_EQ(0, rvm_abort(self->m.fd, tid));
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 2 * PG + 200, 1));
	self->m.p[2 * PG + 4095] = 4;
	EXPECT_EQ(-EPROTO, rvm_end(self->m.fd, tid, RVM_END_NO_FLUSH));
	EXPECT_EQ(0, rvm_abort(self->m.fd, tid));
	EXPECT_EQ(2, rvm_status_of(self->m.ctl, RVM_DISK).violations);
	/* And page 1 is write-protected again after all that. */
	EXPECT_EQ(1, try_memset(self->m.p + PG, 5, 1));
	/* Only the first commit reached the log (abort restores declared bytes). */
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + PG, 1, 100));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 2 * PG, 2, PG));
}

/*
 * The commit compares only the bytes between declared ranges: a changed
 * byte right next to a declared range, at either end, at the page's
 * first and last byte, is caught; changes inside the ranges are not.
 */
TEST_F(prot, strict_undeclared_next_to_declared)
{
	static const unsigned int bad[] = { 0, 9, 20, 99, 200, 3999, 4095 };
	unsigned char *pg = self->m.p + 5 * PG;
	uint64_t tid;

	for (unsigned int i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
		ASSERT_EQ(0, rvm_range(self->m.fd, tid, pg + 10, 10));
		ASSERT_EQ(0, rvm_range(self->m.fd, tid, pg + 100, 100));
		ASSERT_EQ(0, rvm_range(self->m.fd, tid, pg + 4000, 95));
		memset(pg + 10, i + 1, 10);
		memset(pg + 100, i + 1, 100);
		memset(pg + 4000, i + 1, 95);
		if (i == sizeof(bad) / sizeof(bad[0])) {
			EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
			break;
		}
		pg[bad[i]] = 0xee;
		EXPECT_EQ(-EPROTO, rvm_end(self->m.fd, tid, RVM_END_FLUSH))
		TH_LOG("byte %u", bad[i]);
		/* Abort puts back the declared bytes only. */
		EXPECT_EQ(0, rvm_abort(self->m.fd, tid));
		EXPECT_EQ(0xee, pg[bad[i]]);
		EXPECT_EQ(0, pg[10]);
	}
	EXPECT_EQ(7, rvm_status_of(self->m.ctl, RVM_DISK).violations);
	ASSERT_NE(MAP_FAILED, remount(self));
	pg = self->m.p + 5 * PG;
	EXPECT_TRUE(rvm_all_bytes(pg + 100, 8, 100));
	EXPECT_TRUE(rvm_all_bytes(pg + 4000, 8, 95));
	/* The undeclared changes never reached the log. */
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(0, pg[bad[i]]);
}

struct gap_arg {
	int fd;
	unsigned char *pg;
	int rounds;
	int err;
};

/* Transactions on one page, each writing its round number. */
static void *gap_thread(void *v)
{
	struct gap_arg *g = v;
	uint64_t tid;
	int ret;

	for (int r = 1; r <= g->rounds && !g->err; r++) {
		ret = rvm_begin(g->fd, RVM_TXN_NO_RESTORE, &tid);
		if (!ret)
			ret = rvm_range(g->fd, tid, g->pg, 64);
		/* Written twice, around other threads' commits. */
		for (int k = 0; !ret && k < 64; k++)
			g->pg[k] = r;
		sched_yield();
		for (int k = 0; !ret && k < 64; k++)
			g->pg[63 - k] = r;
		if (!ret)
			ret = rvm_end(g->fd, tid, RVM_END_NO_FLUSH);
		if (ret)
			g->err = ret;
	}
	return NULL;
}

/*
 * A commit write-protects the pages it wrote with one walk over each
 * stretch of the segment, so pages of other running transactions in
 * between are write-protected too: their next write faults and must be
 * let in again, and what they wrote is logged. Three threads on pages
 * 10, 11 and 12 (11 is in the gap of 10 and 12 for each commit of the
 * outer ones), then every page is write-protected again.
 */
TEST_F(prot, strict_commit_walk_over_running_neighbour)
{
	struct gap_arg g[3];
	pthread_t th[3];
	int i;

	for (i = 0; i < 3; i++) {
		g[i] = (struct gap_arg){ .fd = self->m.fd,
					 .pg = self->m.p + (10 + i) * PG,
					 .rounds = 300 };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, gap_thread, &g[i]));
	}
	for (i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, g[i].err) TH_LOG("thread %d: %d", i, g[i].err);
	}
	EXPECT_EQ(0, rvm_status_of(self->m.ctl, RVM_DISK).violations);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(1, try_memset(self->m.p + (10 + i) * PG, 0, 1));
	ASSERT_NE(MAP_FAILED, remount(self));
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(rvm_all_bytes(self->m.p + (10 + i) * PG, 300 % 256,
					  64));
}

/*
 * A thread of the process that writes undeclared bytes of a page while
 * another thread runs transactions on it. Its writes are let in while a
 * transaction of the process runs (protection is per process) and must
 * then make that commit fail; once the commit has begun they must fault.
 */
struct stray {
	unsigned char *pg;
	volatile int stop;
	volatile long landed, refused;
};

static __thread sigjmp_buf stray_jmp;

static void stray_segv(int sig)
{
	siglongjmp(stray_jmp, 1);
}

static void *stray_thread(void *arg)
{
	struct stray *s = arg;
	uint64_t v = 0;

	while (!s->stop) {
		if (sigsetjmp(stray_jmp, 1) == 0) {
			*(volatile uint64_t *)(s->pg + 512) = ++v;
			s->landed++;
		} else {
			s->refused++;
		}
	}
	return NULL;
}

TEST_F(prot, strict_write_racing_commit_never_slips_in)
{
	struct stray s = { .pg = self->m.p + 20 * PG };
	volatile uint64_t *stray_word = (volatile uint64_t *)(s.pg + 512);
	long committed = 0, eproto = 0, slipped = 0, i;
	struct sigaction sa, old;
	pthread_t th;
	uint64_t tid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stray_segv;
	sigaction(SIGSEGV, &sa, &old);
	ASSERT_EQ(0, pthread_create(&th, NULL, stray_thread, &s));
	for (i = 0; i < 3000; i++) {
		/* No transaction: the page is read-only, the word stable. */
		uint64_t base = *stray_word;
		int ret;

		ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
		ASSERT_EQ(0, rvm_range(self->m.fd, tid, s.pg, 8));
		*(volatile uint64_t *)s.pg = i;
		ret = rvm_end(self->m.fd, tid, RVM_END_NO_FLUSH);
		if (!ret) {
			/* Committed: nothing undeclared may have landed. */
			committed++;
			if (*stray_word != base)
				slipped++;
			continue;
		}
		ASSERT_EQ(-EPROTO, ret);
		eproto++;
		ASSERT_EQ(0, rvm_abort(self->m.fd, tid));
	}
	s.stop = 1;
	pthread_join(th, NULL);
	sigaction(SIGSEGV, &old, NULL);
	TH_LOG("%ld committed, %ld EPROTO, stray writes %ld landed, %ld refused",
	       committed, eproto, s.landed, s.refused);
	EXPECT_EQ(0, slipped);
	/* The race ran both ways: caught at commit, and refused outside. */
	EXPECT_LT(0, committed);
	EXPECT_LT(0, eproto);
	EXPECT_LT(0, s.refused);
}

TEST_F(prot, off_is_classic)
{
	struct rvm_status st;
	unsigned char *q;
	uint64_t tid;
	int fd;

	q = map_mode(RVM_DISK, RVM_PROT_OFF, &fd);
	ASSERT_NE(MAP_FAILED, q);
	/* Writes anywhere, with or without a transaction. */
	EXPECT_EQ(0, try_memset(q + 5 * PG, 3, 10));
	ASSERT_EQ(0, rvm_begin(fd, RVM_TXN_NO_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(fd, tid, q, 10));
	memset(q, 4, 20);
	EXPECT_EQ(0, rvm_end(fd, tid, RVM_END_FLUSH));
	st = rvm_status_of(self->m.ctl, RVM_DISK);
	EXPECT_EQ(0, st.violations);
	EXPECT_EQ(0, st.prot_faults);
	EXPECT_EQ(0, st.snapshots);
	EXPECT_EQ(10, st.bytes_declared);
	munmap(q, MAPLEN);
	close(fd);
	/* Undeclared bytes are simply not logged. */
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_EQ(4, self->m.p[9]);
	EXPECT_EQ(0, self->m.p[10]);
	EXPECT_EQ(0, self->m.p[5 * PG]);
}

TEST_F(prot, auto_logs_changed_bytes)
{
	struct rvm_status st;
	unsigned char *q;
	uint64_t tid, tid2;
	int fd;

	q = map_mode(RVM_DISK, RVM_PROT_AUTO, &fd);
	ASSERT_NE(MAP_FAILED, q);
	/* No transaction: SIGSEGV. */
	EXPECT_EQ(1, try_memset(q, 1, 1));
	/* Two transactions of the process: ambiguous, SIGSEGV. */
	ASSERT_EQ(0, rvm_begin(fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_begin(fd, RVM_TXN_RESTORE, &tid2));
	EXPECT_EQ(1, try_memset(q, 1, 1));
	ASSERT_EQ(0, rvm_end(fd, tid2, RVM_END_FLUSH));

	/* Runs 9 bytes apart merge (11 bytes); far runs do not. */
	EXPECT_EQ(0, try_memset(q + 10, 1, 1));
	q[20] = 2;
	memset(q + PG + 100, 0x33, 100);
	q[2 * PG + 1000] = 5;
	q[2 * PG + 3000] = 6;
	/* A write of the same value changes nothing. */
	q[3 * PG] = 0;
	/* A declared range is logged as declared, not twice. */
	ASSERT_EQ(0, rvm_range(fd, tid, q + 4 * PG, 8));
	memset(q + 4 * PG, 7, 8);
	EXPECT_EQ(0, rvm_end(fd, tid, RVM_END_FLUSH));
	st = rvm_status_of(self->m.ctl, RVM_DISK);
	EXPECT_EQ(11 + 100 + 1 + 1, st.auto_bytes);
	EXPECT_EQ(8, st.bytes_declared);
	EXPECT_EQ(5, st.snapshots);
	/* Protected again. */
	EXPECT_EQ(1, try_memset(q + 10, 9, 1));

	/* Abort in restore mode puts auto pages back. */
	ASSERT_EQ(0, rvm_begin(fd, RVM_TXN_RESTORE, &tid));
	memset(q + 10, 0xee, 100);
	q[5 * PG] = 0xee;
	EXPECT_EQ(0, rvm_abort(fd, tid));
	EXPECT_EQ(1, q[10]);
	EXPECT_EQ(0, q[11]);
	EXPECT_EQ(2, q[20]);
	EXPECT_EQ(0, q[5 * PG]);
	EXPECT_EQ(1, try_memset(q + 10, 9, 1));
	munmap(q, MAPLEN);
	close(fd);

	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_EQ(1, self->m.p[10]);
	EXPECT_EQ(2, self->m.p[20]);
	EXPECT_EQ(0x33, self->m.p[PG + 199]);
	EXPECT_EQ(5, self->m.p[2 * PG + 1000]);
	EXPECT_EQ(6, self->m.p[2 * PG + 3000]);
	EXPECT_EQ(7, self->m.p[4 * PG + 7]);
}

TEST_F(prot, auto_recovers_after_crash)
{
	unsigned char *q;
	uint64_t tid;
	int fd;

	munmap(self->m.p, MAPLEN);
	close(self->m.fd);
	self->m.fd = -1;
	ASSERT_EQ(0, rvm_detach_dev(self->m.ctl, RVM_DISK));
	ASSERT_EQ(0, rvm_zero_dev(RVM_DISK2, 0, 8 << 20));
	ASSERT_EQ(0, rvm_fresh_volume(self->m.ctl, RVM_DISK2, 1 << 20));
	q = map_mode(RVM_DISK2, RVM_PROT_AUTO, &fd);
	ASSERT_NE(MAP_FAILED, q);
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(0, rvm_begin(fd, RVM_TXN_NO_RESTORE, &tid));
		q[i * 3000] = 0x40 + i;
		q[i * 3000 + 1] = 0x50 + i;
		ASSERT_EQ(0, rvm_end(fd, tid, RVM_END_FLUSH));
	}
	/* Running, never committed: not in the image. */
	ASSERT_EQ(0, rvm_begin(fd, RVM_TXN_NO_RESTORE, &tid));
	q[0] = 0x99;
	q[50000] = 0x99;

	ASSERT_EQ(0, rvm_copy_dev(RVM_DISK2, RVM_DISK, 64 << 20));
	ASSERT_EQ(0, rvm_attach_dev(self->m.ctl, RVM_DISK, NULL));
	self->m.p = rvm_map_dev(RVM_DISK, 0, MAPLEN, &self->m.fd);
	ASSERT_NE(MAP_FAILED, self->m.p);
	EXPECT_EQ(8, rvm_status_of(self->m.ctl, RVM_DISK).recovery_records);
	for (int i = 0; i < 8; i++) {
		EXPECT_EQ(0x40 + i, self->m.p[i * 3000]);
		EXPECT_EQ(0x50 + i, self->m.p[i * 3000 + 1]);
		EXPECT_EQ(0, self->m.p[i * 3000 + 2]);
	}
	EXPECT_EQ(0, self->m.p[50000]);

	EXPECT_EQ(0, rvm_end(fd, tid, RVM_END_FLUSH));
	munmap(q, MAPLEN);
	close(fd);
	EXPECT_EQ(0, rvm_detach_dev(self->m.ctl, RVM_DISK2));
}

static void sync_write(int fd)
{
	char c = 1;

	if (write(fd, &c, 1) != 1)
		_exit(10);
}

static void sync_read(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		_exit(11);
}

/*
 * Child: strict transaction on bytes 0..63 of page 7, in its own file.
 * Steps driven by the parent through pipes.
 */
static int child_txn(int in, int out, bool abort)
{
	unsigned char *q;
	uint64_t tid;
	int fd;

	q = rvm_map_dev(RVM_DISK, 0, MAPLEN, &fd);
	if (q == MAP_FAILED)
		return 2;
	if (rvm_begin(fd, RVM_TXN_RESTORE, &tid) ||
	    rvm_range(fd, tid, q + 7 * PG, 64))
		return 3;
	sync_read(in);
	if (try_memset(q + 7 * PG, 0xc1, 64))
		return 4;
	sync_write(out);
	sync_read(in);
	if (abort ? rvm_abort(fd, tid) : rvm_end(fd, tid, RVM_END_FLUSH))
		return 5;
	/* Protection is back for this process. */
	if (!try_memset(q + 7 * PG, 0xc2, 1))
		return 6;
	sync_write(out);
	return 0;
}

static void two_processes(struct __test_metadata *_metadata,
			  FIXTURE_DATA(prot) *self, bool abort)
{
	int to_child[2], to_parent[2], status;
	unsigned char *pg = self->m.p + 7 * PG;
	uint64_t tid;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_txn(to_child[0], to_parent[1], abort));

	/* The parent writes the page first (its snapshot predates the child's). */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, pg + 1000, 64));
	EXPECT_EQ(0, try_memset(pg + 1000, 0xa1, 64));
	sync_write(to_child[1]);
	sync_read(to_parent[0]);
	/* The child wrote its bytes; the parent never declared them. */
	EXPECT_EQ(0xc1, pg[0]);
	sync_write(to_child[1]);
	sync_read(to_parent[0]);
	/* The child committed or aborted; its writes were its own. */
	EXPECT_EQ(abort ? 0 : 0xc1, pg[0]);
	EXPECT_EQ(0, try_memset(pg + 1000, 0xa2, 64));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(1, try_memset(pg + 1000, 0xa3, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, rvm_status_of(self->m.ctl, RVM_DISK).violations);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

TEST_F(prot, two_processes_commit)
{
	two_processes(_metadata, self, false);
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 7 * PG, 0xc1, 64));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 7 * PG + 1000, 0xa2, 64));
}

TEST_F(prot, two_processes_abort)
{
	two_processes(_metadata, self, true);
	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 7 * PG, 0, 64));
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 7 * PG + 1000, 0xa2, 64));
}

TEST_F(prot, fork_child_faults_separately)
{
	int status;
	uint64_t tid;
	pid_t pid;

	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p, 64));
	memset(self->m.p, 0x21, 64);
	/* The child inherits the mapping, not the transaction. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		self->m.p[1] = 0x22;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
	EXPECT_EQ(0x21, self->m.p[1]);
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));

	/* A child's own transaction on the inherited file works. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid) ||
		    rvm_range(self->m.fd, tid, self->m.p + 64, 8))
			_exit(1);
		memset(self->m.p + 64, 0x23, 8);
		_exit(rvm_end(self->m.fd, tid, RVM_END_FLUSH) ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0x23, self->m.p[71]);
}

TEST_F(prot, munmap_madvise_mremap)
{
	unsigned char *pg = self->m.p + 10 * PG;
	uint64_t tid;
	void *r;

	/* munmap of the written page mid-transaction: commit still works. */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, pg, 100));
	memset(pg, 0x61, 100);
	ASSERT_EQ(0, munmap(pg, PG));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	r = mmap(pg, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 self->m.fd, 10 * PG);
	ASSERT_EQ(pg, r);
	EXPECT_EQ(0x61, pg[99]);

	/* madvise(DONTNEED) mid-transaction: the page comes back as it was. */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, pg + 200, 100));
	memset(pg + 200, 0x62, 100);
	ASSERT_EQ(0, madvise(self->m.p, MAPLEN, MADV_DONTNEED));
	EXPECT_EQ(0x62, pg[299]);
	EXPECT_EQ(0x61, pg[0]);
	EXPECT_EQ(0, try_memset(pg + 200, 0x63, 100));
	EXPECT_EQ(1, try_memset(pg + 2 * PG, 0x63, 1));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	ASSERT_EQ(0, madvise(self->m.p, MAPLEN, MADV_DONTNEED));
	EXPECT_EQ(0x63, pg[299]);
	EXPECT_EQ(1, try_memset(pg + 200, 0x64, 1));

	/* Moving a mapping is refused. */
	r = mremap(self->m.p, PG, 2 * PG, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, r);

	ASSERT_NE(MAP_FAILED, remount(self));
	EXPECT_EQ(0x61, self->m.p[10 * PG + 99]);
	EXPECT_EQ(0x63, self->m.p[10 * PG + 299]);
}

TEST_F(prot, exit_mid_transaction_aborts)
{
	struct rvm_status st;
	int status;
	uint64_t tid;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char *q;
		int fd;

		q = rvm_map_dev(RVM_DISK, 0, MAPLEN, &fd);
		if (q == MAP_FAILED || rvm_begin(fd, RVM_TXN_RESTORE, &tid) ||
		    rvm_range(fd, tid, q + 12 * PG, 32))
			_exit(1);
		memset(q + 12 * PG, 0x71, 32);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The child's file went with it: aborted, bytes restored. */
	EXPECT_TRUE(rvm_all_bytes(self->m.p + 12 * PG, 0, 32));
	st = rvm_status_of(self->m.ctl, RVM_DISK);
	EXPECT_EQ(1, st.aborts);
	/* Nothing left behind: the page works for a new transaction. */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + 12 * PG, 8));
	EXPECT_EQ(0, try_memset(self->m.p + 12 * PG, 0x72, 8));
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(0, rvm_status_of(self->m.ctl, RVM_DISK).violations);
}

TEST_F(prot, o_direct_into_region)
{
	unsigned char *pg = self->m.p + 20 * PG;
	void *buf;
	uint64_t tid;
	int dfd;

	/* A known page on the second disk. */
	ASSERT_EQ(0, posix_memalign(&buf, PG, PG));
	memset(buf, 0x81, PG);
	dfd = open(RVM_DISK2, O_RDWR | O_DIRECT);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(PG, pwrite(dfd, buf, PG, 0));

	/* Reading into the region without a transaction: EFAULT. */
	EXPECT_EQ(-1, pread(dfd, pg, PG, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, pg[0]);
	/* Writing from the region only reads it. */
	EXPECT_EQ(PG, pwrite(dfd, pg, PG, PG));
	/* With the page declared, the read lands and commits. */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, pg, PG));
	EXPECT_EQ(PG, pread(dfd, pg, PG, 0));
	EXPECT_EQ(0x81, pg[PG - 1]);
	EXPECT_EQ(0, rvm_end(self->m.fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(-1, pread(dfd, pg, PG, PG));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0x81, pg[0]);
	close(dfd);
	free(buf);
}

TEST_F(prot, io_uring_fixed_buffer_refused)
{
	struct io_uring ring;
	struct iovec iov;
	int ret;

	ret = io_uring_queue_init(4, &ring, 0);
	ASSERT_EQ(0, ret) TH_LOG("io_uring: %s", strerror(-ret));
	/* A fixed buffer is pinned for writing: strict refuses it. */
	iov.iov_base = self->m.p + 30 * PG;
	iov.iov_len = PG;
	ret = io_uring_register_buffers(&ring, &iov, 1);
	EXPECT_TRUE(ret == -EFAULT || ret == -EOPNOTSUPP);
	io_uring_queue_exit(&ring);
	EXPECT_EQ(0, self->m.p[30 * PG]);
}

TEST_HARNESS_MAIN
