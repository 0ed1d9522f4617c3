// SPDX-License-Identifier: GPL-2.0
/*
 * Asynchronous commit through io_uring: RVM_URING_END and RVM_URING_FLUSH
 * as IORING_OP_URING_CMD on /dev/rvm. Many commits in flight from one
 * thread, completion status, commit order after a crash, every error, the
 * ring, the file or the process going away with commits in flight, a
 * crash image taken with commits in flight (the acknowledged ones
 * survive), librvm's calls, and the group commit rate against synchronous
 * flush commits.
 *
 * The live volume is the small disk, RVM_DISK2; crash images are copied
 * to RVM_DISK and recovered there.
 */
#include <liburing.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "rvm_selftest.h"
#include <rvm/librvm.h>

#define LIVE RVM_DISK2
#define IMAGE RVM_DISK
#define LOGLEN (4 << 20)
#define MAPLEN (1 << 20)
#define NCOMMIT 64
/* Commit i writes page i with (i & 0xff) + 1 and the counter with i + 1. */
#define COUNTER (MAPLEN - 4096)
#define CHUNK 512

FIXTURE(uring) {
	int ctl;
	int fd;
	unsigned char *p;
	struct io_uring ring;
	bool have_ring;
};

FIXTURE_SETUP(uring)
{
	int ret;

	self->fd = -1;
	self->have_ring = false;
	self->ctl = rvm_ctl_open();
	/* Our VM loads rvm.ko and attaches the disks: a missing one fails. */
	ASSERT_LE(0, self->ctl) TH_LOG("/dev/rvm missing: is rvm.ko loaded?");
	ASSERT_EQ(0, access(LIVE, F_OK)) TH_LOG("no scratch disk " LIVE);
	ASSERT_EQ(0, access(IMAGE, F_OK)) TH_LOG("no scratch disk " IMAGE);
	/* Both kernels of the VM have io_uring: not having it is a failure. */
	ret = io_uring_queue_init(128, &self->ring, 0);
	ASSERT_EQ(0, ret) TH_LOG("io_uring: %s", strerror(-ret));
	self->have_ring = true;
	rvm_detach_dev(self->ctl, IMAGE);
	rvm_detach_dev(self->ctl, LIVE);
	/* Formatting leaves the data segment as it was: zero it first. */
	ASSERT_EQ(0, rvm_zero_dev(LIVE, 0, 16 << 20));
	ASSERT_EQ(0, rvm_fresh_volume(self->ctl, LIVE, LOGLEN));
	self->p = rvm_map_dev(LIVE, 0, MAPLEN, &self->fd);
	ASSERT_NE(MAP_FAILED, self->p);
}

FIXTURE_TEARDOWN(uring)
{
	if (self->have_ring)
		io_uring_queue_exit(&self->ring);
	if (self->fd >= 0) {
		munmap(self->p, MAPLEN);
		close(self->fd);
	}
	if (self->ctl >= 0) {
		rvm_detach_dev(self->ctl, IMAGE);
		rvm_detach_dev(self->ctl, LIVE);
		close(self->ctl);
	}
}

/* Fill an SQE by hand, as liburing 2.3 has no helper for uring_cmd. */
static void prep_cmd(struct io_uring_sqe *sqe, int fd, uint32_t op,
		     uint64_t tid, uint32_t flags, uint32_t pad, uint64_t ud)
{
	struct rvm_uring_cmd *c = (struct rvm_uring_cmd *)sqe->cmd;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = op;
	sqe->user_data = ud;
	c->tid = tid;
	c->flags = flags;
	c->pad = pad;
}

/* Submit one command and wait for its CQE: its res, or -1000 + errno. */
static int run_cmd(struct io_uring *ring, int fd, uint32_t op, uint64_t tid,
		   uint32_t flags, uint32_t pad)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int ret;

	if (!sqe)
		return -1000 - EBUSY;
	prep_cmd(sqe, fd, op, tid, flags, pad, 0x5eed);
	ret = io_uring_submit(ring);
	if (ret != 1)
		return -1000 + (ret < 0 ? ret : -EIO);
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret)
		return -1000 + ret;
	ret = cqe->user_data == 0x5eed ? cqe->res : -1000 - EBADMSG;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

/* Begin commit @i of the numbered series: declare and change its bytes. */
static int begin_numbered(int fd, unsigned char *p, int i, uint64_t *tid)
{
	uint32_t v = i + 1;
	int ret;

	ret = rvm_begin(fd, RVM_TXN_NO_RESTORE, tid);
	if (!ret)
		ret = rvm_range(fd, *tid, p + i * 4096, CHUNK);
	if (!ret)
		ret = rvm_range(fd, *tid, p + COUNTER, sizeof(v));
	if (ret)
		return ret;
	memset(p + i * 4096, (i & 0xff) + 1, CHUNK);
	memcpy(p + COUNTER, &v, sizeof(v));
	return 0;
}

/*
 * Begin and submit @n numbered commits, one SQE each, submitted @batch at
 * a time; user_data is the commit's number.
 */
static int submit_numbered(struct io_uring *ring, int fd, unsigned char *p,
			   int n, int batch, uint32_t flags)
{
	for (int i = 0; i < n; i++) {
		struct io_uring_sqe *sqe;
		uint64_t tid;
		int ret = begin_numbered(fd, p, i, &tid);

		if (ret)
			return ret;
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			return -EBUSY;
		prep_cmd(sqe, fd, RVM_URING_END, tid, flags, 0, i);
		if ((i + 1) % batch == 0 || i == n - 1) {
			ret = io_uring_submit(ring);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* Reap @n CQEs: each numbered user_data once, each res 0. */
static int reap_numbered(struct io_uring *ring, int n, bool *seen, int total)
{
	for (int k = 0; k < n; k++) {
		struct io_uring_cqe *cqe;
		int ret = io_uring_wait_cqe(ring, &cqe);

		if (ret)
			return ret;
		if (cqe->user_data >= (uint64_t)total ||
		    seen[cqe->user_data] || cqe->res) {
			ret = cqe->res ? cqe->res : -EBADMSG;
			io_uring_cqe_seen(ring, cqe);
			return ret;
		}
		seen[cqe->user_data] = true;
		io_uring_cqe_seen(ring, cqe);
	}
	return 0;
}

/*
 * Which numbered commits a mapping shows: the length of the prefix present
 * (every later one must be absent), or -1 if a commit is torn or present
 * after an absent one.
 */
static int numbered_prefix(const unsigned char *q, int n)
{
	uint32_t counter;
	int k = 0;

	for (int i = 0; i < n; i++) {
		const unsigned char *b = q + i * 4096;
		bool all = true, none = true;

		for (int j = 0; j < CHUNK; j++) {
			all &= b[j] == (i & 0xff) + 1;
			none &= b[j] == 0;
		}
		if (!all && !none)
			return -1;
		if (all && k != i)
			return -1;
		if (all)
			k = i + 1;
	}
	memcpy(&counter, q + COUNTER, sizeof(counter));
	return counter == (uint32_t)k ? k : -1;
}

/*
 * Detach a volume. Files that commands in flight held are released once
 * the commands complete, from task work or a kernel worker: give them a
 * few seconds. A file that is never released is a leak and fails.
 */
static int detach_soon(int ctl, const char *dev)
{
	int ret;

	for (int i = 0; i < 100; i++) {
		ret = rvm_detach_dev(ctl, dev);
		if (ret != -EBUSY)
			break;
		usleep(50 * 1000);
	}
	return ret;
}

/* Detach and attach the live volume (recovery runs), map again. */
static unsigned char *remount(struct __test_metadata *_metadata,
			      FIXTURE_DATA(uring) *self)
{
	munmap(self->p, MAPLEN);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, detach_soon(self->ctl, LIVE));
	EXPECT_EQ(0, rvm_attach_dev(self->ctl, LIVE, NULL));
	self->p = rvm_map_dev(LIVE, 0, MAPLEN, &self->fd);
	return self->p;
}

/* Copy the live volume to IMAGE as it is now, recover it: its prefix. */
static int crash_image_prefix(struct __test_metadata *_metadata, int n)
{
	unsigned char *q;
	int ctl = rvm_ctl_open(), fd, k;

	if (ctl < 0 || rvm_copy_dev(LIVE, IMAGE, 16 << 20) ||
	    rvm_attach_dev(ctl, IMAGE, NULL)) {
		if (ctl >= 0)
			close(ctl);
		return -2;
	}
	q = rvm_map_dev(IMAGE, 0, MAPLEN, &fd);
	if (q == MAP_FAILED) {
		k = -3;
	} else {
		k = numbered_prefix(q, n);
		munmap(q, MAPLEN);
		close(fd);
	}
	EXPECT_EQ(0, rvm_detach_dev(ctl, IMAGE));
	close(ctl);
	return k;
}

TEST_F(uring, feature_bit)
{
	struct rvm_version v;

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, rvm_do(self->ctl, RVM_IOC_GET_VERSION, &v));
	EXPECT_EQ(RVM_FEAT_URING, v.features & RVM_FEAT_URING);
	EXPECT_LE(2, v.abi_minor);
}

TEST_F(uring, many_in_flight)
{
	struct rvm_status st;
	bool seen[NCOMMIT] = { 0 };

	/* 64 flush commits, one SQE each, all submitted at once. */
	ASSERT_EQ(0, submit_numbered(&self->ring, self->fd, self->p, NCOMMIT,
				     NCOMMIT, RVM_END_FLUSH));
	ASSERT_EQ(0, reap_numbered(&self->ring, NCOMMIT, seen, NCOMMIT));
	ASSERT_EQ(0, rvm_status_dev(self->ctl, LIVE, &st));
	EXPECT_EQ(NCOMMIT, st.commits);
	EXPECT_EQ(NCOMMIT, st.flush_commits);
	/* Group commit: they shared writes. */
	EXPECT_GT(NCOMMIT, st.log_writes);
	TH_LOG("%d commits in flight: %llu log writes", NCOMMIT,
	       (unsigned long long)st.log_writes);
	/* Durable when acknowledged: in the log before any detach. */
	EXPECT_EQ(NCOMMIT, crash_image_prefix(_metadata, NCOMMIT));
	ASSERT_NE(MAP_FAILED, remount(_metadata, self));
	EXPECT_EQ(NCOMMIT, numbered_prefix(self->p, NCOMMIT));
}

TEST_F(uring, order_one_at_a_time)
{
	bool seen[NCOMMIT] = { 0 };

	/* Submitted one by one while the writer runs: the same order. */
	ASSERT_EQ(0, submit_numbered(&self->ring, self->fd, self->p, NCOMMIT,
				     1, RVM_END_FLUSH));
	ASSERT_EQ(0, reap_numbered(&self->ring, NCOMMIT, seen, NCOMMIT));
	EXPECT_EQ(NCOMMIT, crash_image_prefix(_metadata, NCOMMIT));
}

TEST_F(uring, other_ring_kinds)
{
	static const struct {
		unsigned int flags;
		const char *name;
	} kinds[] = {
		{ IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		  "DEFER_TASKRUN" },
		{ IORING_SETUP_SQPOLL, "SQPOLL" },
		{ IORING_SETUP_CQE32, "CQE32" },
	};

	for (unsigned int k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		bool seen[NCOMMIT] = { 0 };
		struct io_uring ring;

		int ret = io_uring_queue_init(128, &ring, kinds[k].flags);

		/* Both kernels of the VM have every kind: none may be missing. */
		ASSERT_EQ(0, ret) TH_LOG("%s ring: %s", kinds[k].name,
					 strerror(-ret));
		EXPECT_EQ(0, submit_numbered(&ring, self->fd, self->p, NCOMMIT,
					     8, RVM_END_FLUSH));
		EXPECT_EQ(0, reap_numbered(&ring, NCOMMIT, seen, NCOMMIT));
		io_uring_queue_exit(&ring);
	}
	EXPECT_EQ(NCOMMIT, crash_image_prefix(_metadata, NCOMMIT));
}

TEST_F(uring, no_flush_then_flush)
{
	bool seen[NCOMMIT] = { 0 };
	struct rvm_status st;

	/* No_flush CQEs come at once, the records spooled. */
	ASSERT_EQ(0, submit_numbered(&self->ring, self->fd, self->p, 16, 4,
				     RVM_END_NO_FLUSH));
	ASSERT_EQ(0, reap_numbered(&self->ring, 16, seen, NCOMMIT));
	ASSERT_EQ(0, rvm_status_dev(self->ctl, LIVE, &st));
	EXPECT_EQ(16, st.commits);
	EXPECT_EQ(0, st.flush_commits);
	/* The flush command: durable when it completes. */
	EXPECT_EQ(0, run_cmd(&self->ring, self->fd, RVM_URING_FLUSH, 0, 0, 0));
	ASSERT_EQ(0, rvm_status_dev(self->ctl, LIVE, &st));
	EXPECT_EQ(1, st.flush_calls);
	EXPECT_EQ(16, crash_image_prefix(_metadata, NCOMMIT));
	/* A flush with nothing to write completes too. */
	EXPECT_EQ(0, run_cmd(&self->ring, self->fd, RVM_URING_FLUSH, 0, 0, 0));
}

TEST_F(uring, no_flush_back_pressure)
{
	const size_t len = 32 << 10;
	const int n = 96, slots = 28;
	struct rvm_attach a;
	struct rvm_status st;
	int ret;

	/* A spool delay of a minute: only back-pressure writes the spool. */
	munmap(self->p, MAPLEN);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, rvm_detach_dev(self->ctl, LIVE));
	memset(&a, 0, sizeof(a));
	a.path = (uintptr_t)LIVE;
	a.spool_delay_ms = 60000;
	ASSERT_EQ(0, rvm_do(self->ctl, RVM_IOC_ATTACH, &a));
	self->p = rvm_map_dev(LIVE, 0, MAPLEN, &self->fd);
	ASSERT_NE(MAP_FAILED, self->p);

	/* 3 MiB of no_flush commits, over the 1 MiB spool limit. */
	for (int i = 0; i < n; i++) {
		unsigned char *b = self->p + (i % slots) * len;
		struct io_uring_sqe *sqe;
		uint64_t tid;

		ASSERT_EQ(0, rvm_begin(self->fd, RVM_TXN_NO_RESTORE, &tid));
		ASSERT_EQ(0, rvm_range(self->fd, tid, b, len));
		memset(b, i + 1, len);
		sqe = io_uring_get_sqe(&self->ring);
		ASSERT_NE(NULL, sqe);
		prep_cmd(sqe, self->fd, RVM_URING_END, tid, RVM_END_NO_FLUSH,
			 0, i);
		ASSERT_EQ(1, io_uring_submit(&self->ring));
	}
	for (int i = 0; i < n; i++) {
		struct io_uring_cqe *cqe;

		ASSERT_EQ(0, io_uring_wait_cqe(&self->ring, &cqe));
		ret = cqe->res;
		io_uring_cqe_seen(&self->ring, cqe);
		ASSERT_EQ(0, ret);
	}
	ASSERT_EQ(0, rvm_status_dev(self->ctl, LIVE, &st));
	EXPECT_EQ(n, st.commits);
	EXPECT_LT(0, st.log_writes);
	EXPECT_EQ(0, st.flush_calls);
	EXPECT_EQ(0, run_cmd(&self->ring, self->fd, RVM_URING_FLUSH, 0, 0, 0));
	ASSERT_NE(MAP_FAILED, remount(_metadata, self));
	for (int j = 0; j < slots; j++) {
		int last = j + (n - 1 - j) / slots * slots;

		EXPECT_EQ(last + 1, self->p[j * len]);
		EXPECT_EQ(last + 1, self->p[j * len + len - 1]);
	}
}

TEST_F(uring, errors)
{
	struct io_uring big;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	uint64_t tid;
	int unbound;

	ASSERT_EQ(0, rvm_begin(self->fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->fd, tid, self->p, 8));
	memset(self->p, 0x3c, 8);
	/* No such transaction. */
	EXPECT_EQ(-EINVAL, run_cmd(&self->ring, self->fd, RVM_URING_END,
				   tid + 1000, RVM_END_FLUSH, 0));
	EXPECT_EQ(-EINVAL, run_cmd(&self->ring, self->fd, RVM_URING_END, 0,
				   RVM_END_FLUSH, 0));
	EXPECT_EQ(-EINVAL, run_cmd(&self->ring, self->fd, RVM_URING_END,
				   1ULL << 40, RVM_END_FLUSH, 0));
	/* Bad flags and padding. */
	EXPECT_EQ(-EINVAL,
		  run_cmd(&self->ring, self->fd, RVM_URING_END, tid, 0, 0));
	EXPECT_EQ(-EINVAL, run_cmd(&self->ring, self->fd, RVM_URING_END, tid,
				   RVM_END_FLUSH | RVM_END_NO_FLUSH, 0));
	EXPECT_EQ(-EINVAL, run_cmd(&self->ring, self->fd, RVM_URING_END, tid,
				   RVM_END_FLUSH | (1U << 20), 0));
	EXPECT_EQ(-EINVAL, run_cmd(&self->ring, self->fd, RVM_URING_END, tid,
				   RVM_END_FLUSH, 1));
	/* Unknown commands. */
	EXPECT_EQ(-ENOTTY, run_cmd(&self->ring, self->fd, 0, tid,
				   RVM_END_FLUSH, 0));
	EXPECT_EQ(-ENOTTY, run_cmd(&self->ring, self->fd, RVM_IOC_END, tid,
				   RVM_END_FLUSH, 0));
	/* A flush takes no transaction, flags or padding. */
	EXPECT_EQ(-EINVAL,
		  run_cmd(&self->ring, self->fd, RVM_URING_FLUSH, tid, 0, 0));
	EXPECT_EQ(-EINVAL, run_cmd(&self->ring, self->fd, RVM_URING_FLUSH, 0,
				   RVM_END_FLUSH, 0));
	EXPECT_EQ(-EINVAL,
		  run_cmd(&self->ring, self->fd, RVM_URING_FLUSH, 0, 0, 1));
	/* The transaction survived all that and commits. */
	EXPECT_EQ(0, run_cmd(&self->ring, self->fd, RVM_URING_END, tid,
			     RVM_END_FLUSH, 0));
	/* Ended: the id is gone. */
	EXPECT_EQ(-EINVAL, run_cmd(&self->ring, self->fd, RVM_URING_END, tid,
				   RVM_END_FLUSH, 0));

	/* A file not bound to a volume. */
	unbound = rvm_ctl_open();
	ASSERT_LE(0, unbound);
	EXPECT_EQ(-ENXIO, run_cmd(&self->ring, unbound, RVM_URING_END, 1,
				  RVM_END_FLUSH, 0));
	EXPECT_EQ(-ENXIO, run_cmd(&self->ring, unbound, RVM_URING_FLUSH, 0, 0,
				  0));
	close(unbound);

	/* SQE128 rings: the rest of the command area must be zero. */
	if (io_uring_queue_init(8, &big, IORING_SETUP_SQE128) == 0) {
		ASSERT_EQ(0, rvm_begin(self->fd, RVM_TXN_RESTORE, &tid));
		ASSERT_EQ(0, rvm_range(self->fd, tid, self->p, 8));
		sqe = io_uring_get_sqe(&big);
		ASSERT_NE(NULL, sqe);
		memset(sqe, 0, 128);
		prep_cmd(sqe, self->fd, RVM_URING_END, tid, RVM_END_FLUSH, 0,
			 1);
		sqe->cmd[79] = 1;
		ASSERT_EQ(1, io_uring_submit(&big));
		ASSERT_EQ(0, io_uring_wait_cqe(&big, &cqe));
		EXPECT_EQ(-EINVAL, cqe->res);
		io_uring_cqe_seen(&big, cqe);
		sqe = io_uring_get_sqe(&big);
		ASSERT_NE(NULL, sqe);
		memset(sqe, 0, 128);
		prep_cmd(sqe, self->fd, RVM_URING_END, tid, RVM_END_FLUSH, 0,
			 2);
		ASSERT_EQ(1, io_uring_submit(&big));
		ASSERT_EQ(0, io_uring_wait_cqe(&big, &cqe));
		EXPECT_EQ(0, cqe->res);
		EXPECT_EQ(2, cqe->user_data);
		io_uring_cqe_seen(&big, cqe);
		io_uring_queue_exit(&big);
	}

	/* IOPOLL rings: io_uring refuses, /dev/rvm has no polled completion. */
	if (io_uring_queue_init(8, &big, IORING_SETUP_IOPOLL) == 0) {
		EXPECT_EQ(-EOPNOTSUPP, run_cmd(&big, self->fd, RVM_URING_FLUSH,
					       0, 0, 0));
		io_uring_queue_exit(&big);
	}
}

TEST_F(uring, strict_violation_in_cqe)
{
	uint64_t tid;

	/* Strict mode (the default): a byte changed outside the ranges. */
	ASSERT_EQ(0, rvm_begin(self->fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->fd, tid, self->p + 8192, 8));
	self->p[8192 + 100] = 1;
	EXPECT_EQ(-EPROTO, run_cmd(&self->ring, self->fd, RVM_URING_END, tid,
				   RVM_END_FLUSH, 0));
	/* It keeps running: abort it. */
	EXPECT_EQ(0, rvm_abort(self->fd, tid));
}

TEST_F(uring, close_ring_in_flight)
{
	struct rvm_status st;
	int fd = self->fd;

	/* Nothing reaped: the ring, then the file go away. */
	ASSERT_EQ(0, submit_numbered(&self->ring, fd, self->p, NCOMMIT, 8,
				     RVM_END_FLUSH));
	io_uring_queue_exit(&self->ring);
	self->have_ring = false;
	munmap(self->p, MAPLEN);
	close(fd);
	self->fd = -1;
	/* The commits were made: the volume detaches once they are done. */
	ASSERT_EQ(0, rvm_status_dev(self->ctl, LIVE, &st));
	EXPECT_EQ(NCOMMIT, st.commits);
	EXPECT_EQ(0, detach_soon(self->ctl, LIVE));
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, LIVE, NULL));
	self->p = rvm_map_dev(LIVE, 0, MAPLEN, &self->fd);
	ASSERT_NE(MAP_FAILED, self->p);
	EXPECT_EQ(NCOMMIT, numbered_prefix(self->p, NCOMMIT));
}

TEST_F(uring, exit_in_flight)
{
	int status;
	pid_t pid;

	/* A child submits and exits without waiting for one CQE. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct io_uring ring;
		unsigned char *q;
		int fd;

		q = rvm_map_dev(LIVE, 0, MAPLEN, &fd);
		if (q == MAP_FAILED || io_uring_queue_init(128, &ring, 0))
			_exit(2);
		if (submit_numbered(&ring, fd, q, NCOMMIT, 16, RVM_END_FLUSH))
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_NE(MAP_FAILED, remount(_metadata, self));
	EXPECT_EQ(NCOMMIT, numbered_prefix(self->p, NCOMMIT));
}

TEST_F(uring, crash_in_flight)
{
	bool seen[NCOMMIT] = { 0 };
	int acked = 8, k, hi = -1;

	/* Submitted one at a time: the writer lags behind the submitter. */
	ASSERT_EQ(0, submit_numbered(&self->ring, self->fd, self->p, NCOMMIT,
				     1, RVM_END_FLUSH));
	ASSERT_EQ(0, reap_numbered(&self->ring, acked, seen, NCOMMIT));
	for (int i = 0; i < NCOMMIT; i++)
		if (seen[i])
			hi = i;
	/* The crash: an image of the disk now, others still in flight. */
	k = crash_image_prefix(_metadata, NCOMMIT);
	TH_LOG("%d acknowledged (the latest #%d), %d recovered", acked, hi,
	       k);
	/* A prefix of the commit order, with every acknowledged commit. */
	ASSERT_LE(0, k);
	EXPECT_LT(hi, k);
	/* The rest complete normally. */
	ASSERT_EQ(0, reap_numbered(&self->ring, NCOMMIT - acked, seen,
				   NCOMMIT));
}

TEST_F(uring, librvm_calls)
{
	struct io_uring_cqe *cqe;
	struct io_uring small;
	struct rvm *r;
	unsigned char *q;
	uint64_t tid;
	int n = 0;

	ASSERT_EQ(0, rvm_open(LIVE, &r));
	EXPECT_TRUE(rvm_features(r) & RVM_FEAT_URING);
	ASSERT_EQ(0, rvm_region_map(r, 0, MAPLEN, NULL, 0, (void **)&q));
	ASSERT_EQ(0, io_uring_queue_init(4, &small, 0));
	EXPECT_EQ(-EINVAL, rvm_txn_end_async(r, NULL, 1, RVM_END_FLUSH, 0));
	EXPECT_EQ(-EINVAL, rvm_txn_end_async(r, &small, 1, -1, 0));
	/* Four SQEs fit; the fifth waits for a submit. */
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(0, rvm_txn_begin(r, RVM_TXN_NO_RESTORE, &tid));
		ASSERT_EQ(0, rvm_txn_set_range(r, tid, q + i * 4096, CHUNK));
		memset(q + i * 4096, (i & 0xff) + 1, CHUNK);
		ASSERT_EQ(0, rvm_txn_end_async(r, &small, tid,
					       i % 2 ? RVM_END_FLUSH :
						       RVM_END_NO_FLUSH,
					       100 + i));
	}
	EXPECT_EQ(-EAGAIN, rvm_sync_flush_async(r, &small, 200));
	ASSERT_EQ(4, io_uring_submit(&small));
	ASSERT_EQ(0, rvm_sync_flush_async(r, &small, 200));
	ASSERT_EQ(1, io_uring_submit(&small));
	while (n < 5 && io_uring_wait_cqe(&small, &cqe) == 0) {
		EXPECT_EQ(0, cqe->res);
		EXPECT_TRUE(cqe->user_data == 200 ||
			    (cqe->user_data >= 100 && cqe->user_data < 104));
		io_uring_cqe_seen(&small, cqe);
		n++;
	}
	EXPECT_EQ(5, n);
	/* Errors come in the CQE. */
	ASSERT_EQ(0, rvm_txn_end_async(r, &small, 999, RVM_END_FLUSH, 300));
	ASSERT_EQ(1, io_uring_submit(&small));
	ASSERT_EQ(0, io_uring_wait_cqe(&small, &cqe));
	EXPECT_EQ(-EINVAL, cqe->res);
	EXPECT_EQ(300, cqe->user_data);
	io_uring_cqe_seen(&small, cqe);
	io_uring_queue_exit(&small);
	munmap(q, MAPLEN);
	rvm_close(r);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ((i & 0xff) + 1, self->p[i * 4096 + CHUNK - 1]);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Commit a small transaction on page @i % 64; the tid for an async end. */
static int small_txn(int fd, unsigned char *p, int i, uint64_t *tid)
{
	unsigned char *b = p + (i % 64) * 4096 + (i / 64 % 8) * 8;
	int ret = rvm_begin(fd, RVM_TXN_NO_RESTORE, tid);

	if (!ret)
		ret = rvm_range(fd, *tid, b, 8);
	if (!ret)
		memset(b, i, 8);
	return ret;
}

TEST_F(uring, group_commit_rate)
{
	double t0, sync_rate, async_rate, secs = 3;
	int done = 0, inflight = 0, depth = 32;
	struct io_uring_cqe *cqe;
	struct rvm_status a, b;
	uint64_t tid;
	int n, nsync;

	ASSERT_EQ(0, rvm_status_dev(self->ctl, LIVE, &a));
	/* One thread, synchronous flush commits. */
	t0 = now();
	for (n = 0; now() - t0 < secs; n++) {
		ASSERT_EQ(0, small_txn(self->fd, self->p, n, &tid));
		ASSERT_EQ(0, rvm_end(self->fd, tid, RVM_END_FLUSH));
	}
	sync_rate = n / (now() - t0);
	nsync = n;

	/* One thread, 32 flush commits in flight. */
	t0 = now();
	for (n = 0; now() - t0 < secs || inflight;) {
		while (inflight < depth && now() - t0 < secs) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&self->ring);

			ASSERT_NE(NULL, sqe);
			ASSERT_EQ(0, small_txn(self->fd, self->p, n, &tid));
			prep_cmd(sqe, self->fd, RVM_URING_END, tid,
				 RVM_END_FLUSH, 0, n);
			inflight++;
			n++;
		}
		ASSERT_LE(0, io_uring_submit_and_wait(&self->ring, 1));
		while (io_uring_peek_cqe(&self->ring, &cqe) == 0) {
			ASSERT_EQ(0, cqe->res);
			io_uring_cqe_seen(&self->ring, cqe);
			inflight--;
			done++;
		}
	}
	async_rate = done / (now() - t0);
	/*
	 * Rates are logged, not compared: a timing comparison is no
	 * functional check (vm-tests/bench measures it: "rvm-async").
	 */
	TH_LOG("group commit: sync flush %.0f commits/s, %d in flight %.0f commits/s, ratio %.2f (QEMU TCG)",
	       sync_rate, depth, async_rate, async_rate / sync_rate);
	EXPECT_EQ(n, done);
	ASSERT_EQ(0, rvm_status_dev(self->ctl, LIVE, &b));
	EXPECT_EQ(nsync + done, b.commits - a.commits);
	EXPECT_EQ(nsync + done, b.flush_commits - a.flush_commits);
	/* Group commit: commits in flight share log writes. */
	EXPECT_LT(b.log_writes - a.log_writes, nsync + done);
}

TEST_HARNESS_MAIN
