// SPDX-License-Identifier: GPL-2.0
/*
 * No way around strict protection (issue 12, defect 2): every path that
 * writes a protected page of a strict mapping without an ordinary write
 * fault of the writing process must be caught (SIGSEGV, or EPROTO at the
 * commit of the transaction whose page it is) or refused (an error, the
 * bytes unchanged): mprotect() from read-only to read-write after a
 * commit, madvise(), process_vm_writev(), ptrace pokes, /proc/PID/mem,
 * O_DIRECT reads and io_uring fixed buffers into the mapping, mremap()
 * and fork().
 */
#include <liburing.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "rvm_selftest.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PG 4096
#define MAPLEN (16 * PG)

FIXTURE(bypass) {
	struct rvm_mapped m;
};

FIXTURE_SETUP(bypass)
{
	rvm_mapped_setup(_metadata, &self->m, RVM_DISK, 1 << 20, 8 << 20,
			 MAPLEN);
}

FIXTURE_TEARDOWN(bypass)
{
	rvm_mapped_teardown(&self->m);
}

/*
 * Commit a change of byte 0 of page @pg: its PTE was writable and dirty,
 * and is write-protected again by the commit.
 */
static int commit_page(int fd, unsigned char *p, int pg)
{
	uint64_t tid;
	int ret;

	ret = rvm_begin(fd, RVM_TXN_RESTORE, &tid);
	if (ret)
		return ret;
	ret = rvm_range(fd, tid, p + pg * PG, 1);
	if (ret)
		return ret;
	if (try_memset(p + pg * PG, 0x11, 1))
		return -EFAULT;
	return rvm_end(fd, tid, RVM_END_FLUSH);
}

/* Nothing of page @pg but byte 0 (0x11, or 0) changed. */
static bool page_untouched(const unsigned char *p, int pg)
{
	int i;

	for (i = 1; i < PG; i++)
		if (p[pg * PG + i])
			return false;
	return true;
}

TEST_F(bypass, mprotect_ro_to_rw_after_commit)
{
	ASSERT_EQ(0, commit_page(self->m.fd, self->m.p, 0));
	ASSERT_EQ(0, mprotect(self->m.p, MAPLEN, PROT_READ));
	ASSERT_EQ(0, mprotect(self->m.p, MAPLEN, PROT_READ | PROT_WRITE));
	/* No transaction runs: the write must fault. */
	EXPECT_EQ(1, try_memset(self->m.p + 100, 0x22, 1));
	EXPECT_TRUE(page_untouched(self->m.p, 0));
}

TEST_F(bypass, mprotect_in_other_transaction)
{
	uint64_t tid;

	ASSERT_EQ(0, commit_page(self->m.fd, self->m.p, 0));
	ASSERT_EQ(0, mprotect(self->m.p, PG, PROT_READ));
	ASSERT_EQ(0, mprotect(self->m.p, PG, PROT_READ | PROT_WRITE));
	/* A transaction that declared page 1 only may not write page 0. */
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p + PG, 8));
	EXPECT_EQ(1, try_memset(self->m.p + 200, 0x22, 1));
	EXPECT_EQ(0, rvm_abort(self->m.fd, tid));
	EXPECT_TRUE(page_untouched(self->m.p, 0));
}

TEST_F(bypass, madvise)
{
	ASSERT_EQ(0, commit_page(self->m.fd, self->m.p, 0));
	/* Populating for write is a write fault of this process: refused. */
	EXPECT_EQ(-1, madvise(self->m.p, PG, MADV_POPULATE_WRITE));
	/* Dropped PTEs come back read-only. */
	EXPECT_EQ(0, madvise(self->m.p, MAPLEN, MADV_DONTNEED));
	EXPECT_EQ(1, try_memset(self->m.p + 100, 0x22, 1));
	/* No hole punching in the data segment. */
	EXPECT_EQ(-1, madvise(self->m.p, PG, MADV_REMOVE));
	EXPECT_EQ(0x11, self->m.p[0]);
	EXPECT_TRUE(page_untouched(self->m.p, 0));
}

TEST_F(bypass, proc_self_mem)
{
	unsigned char v = 0x33;
	int mem;

	ASSERT_EQ(0, commit_page(self->m.fd, self->m.p, 0));
	mem = open("/proc/self/mem", O_RDWR);
	ASSERT_LE(0, mem);
	EXPECT_EQ(-1, pwrite(mem, &v, 1, (off_t)(uintptr_t)(self->m.p + 100)));
	/* Also through a read-only view of the page (FOLL_FORCE). */
	ASSERT_EQ(0, mprotect(self->m.p, PG, PROT_READ));
	EXPECT_EQ(-1, pwrite(mem, &v, 1, (off_t)(uintptr_t)(self->m.p + 101)));
	close(mem);
	EXPECT_TRUE(page_untouched(self->m.p, 0));
}

TEST_F(bypass, process_vm_writev)
{
	unsigned char *target = self->m.p + 100;
	pid_t parent = getpid(), pid;
	int st;

	ASSERT_EQ(0, commit_page(self->m.fd, self->m.p, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char v = 0x44;
		struct iovec l = { &v, 1 }, r = { target, 1 };

		_exit(process_vm_writev(parent, &l, 1, &r, 1, 0) == 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_TRUE(page_untouched(self->m.p, 0));
}

/*
 * Another process writes an undeclared byte of a page this process's
 * transaction made writable: refused, or the commit fails with EPROTO.
 */
TEST_F(bypass, process_vm_writev_into_running_transaction)
{
	unsigned char *target = self->m.p + 100;
	pid_t parent = getpid(), pid;
	uint64_t tid;
	int st, ret;

	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p, 1));
	ASSERT_EQ(0, try_memset(self->m.p, 0x11, 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char v = 0x44;
		struct iovec l = { &v, 1 }, r = { target, 1 };

		_exit(process_vm_writev(parent, &l, 1, &r, 1, 0) == 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ret = rvm_end(self->m.fd, tid, RVM_END_FLUSH);
	if (WEXITSTATUS(st)) {
		EXPECT_EQ(-EPROTO, ret);
		EXPECT_EQ(0, rvm_abort(self->m.fd, tid));
	} else {
		EXPECT_EQ(0, ret);
		EXPECT_TRUE(page_untouched(self->m.p, 0));
	}
}

TEST_F(bypass, ptrace_poke)
{
	unsigned char *target = self->m.p + 100;
	int st, pid;
	long ret;

	ASSERT_EQ(0, commit_page(self->m.fd, self->m.p, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFSTOPPED(st));
	errno = 0;
	ret = ptrace(PTRACE_POKEDATA, pid, target, (void *)0x5555555555555555UL);
	EXPECT_EQ(-1, ret);
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(page_untouched(self->m.p, 0));
}

TEST_F(bypass, o_direct_read_into_mapping)
{
	int dfd = open(RVM_DISK2, O_RDONLY | O_DIRECT);
	void *buf;

	ASSERT_LE(0, dfd);
	/* Something not zero to read, so that a write would show. */
	ASSERT_EQ(0, posix_memalign(&buf, PG, PG));
	memset(buf, 0x66, PG);
	close(dfd);
	dfd = open(RVM_DISK2, O_RDWR | O_DIRECT);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(PG, pwrite(dfd, buf, PG, 0));
	free(buf);
	ASSERT_EQ(0, commit_page(self->m.fd, self->m.p, 0));
	EXPECT_EQ(-1, pread(dfd, self->m.p, PG, 0));
	EXPECT_EQ(EFAULT, errno);
	close(dfd);
	EXPECT_EQ(0x11, self->m.p[0]);
	EXPECT_TRUE(page_untouched(self->m.p, 0));
}

TEST_F(bypass, io_uring_fixed_buffer)
{
	struct iovec iov = { self->m.p, PG };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int dfd, ret;

	ASSERT_EQ(0, commit_page(self->m.fd, self->m.p, 0));
	ASSERT_EQ(0, io_uring_queue_init(4, &ring, 0));
	ret = io_uring_register_buffers(&ring, &iov, 1);
	if (ret == 0) {
		/* Registered: a read into it must still not land. */
		dfd = open(RVM_DISK2, O_RDONLY | O_DIRECT);
		ASSERT_LE(0, dfd);
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_read_fixed(sqe, dfd, self->m.p, PG, 0, 0);
		ASSERT_EQ(1, io_uring_submit(&ring));
		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		EXPECT_GT(0, cqe->res);
		io_uring_cqe_seen(&ring, cqe);
		close(dfd);
		io_uring_unregister_buffers(&ring);
	}
	/* Long-term pinning for write of this mapping is refused. */
	EXPECT_NE(0, ret);
	io_uring_queue_exit(&ring);
	EXPECT_TRUE(page_untouched(self->m.p, 0));
}

TEST_F(bypass, mremap)
{
	void *to, *q;

	ASSERT_EQ(0, commit_page(self->m.fd, self->m.p, 0));
	to = mmap(NULL, MAPLEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, to);
	q = mremap(self->m.p, MAPLEN, MAPLEN, MREMAP_MAYMOVE | MREMAP_FIXED,
		   to);
	if (q != MAP_FAILED) {
		/* Moved after all: still protected. */
		self->m.p = q;
		EXPECT_EQ(1, try_memset(self->m.p + 100, 0x22, 1));
	} else {
		munmap(to, MAPLEN);
	}
	EXPECT_EQ(MAP_FAILED, q);
	/* Shrinking is munmap() of the tail; the rest stays protected. */
	q = mremap(self->m.p, MAPLEN, PG, 0);
	EXPECT_EQ((void *)self->m.p, q);
	EXPECT_EQ(1, try_memset(self->m.p + 100, 0x22, 1));
	EXPECT_TRUE(page_untouched(self->m.p, 0));
	munmap(self->m.p, PG);
	self->m.p = mmap(NULL, MAPLEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->m.fd, 0);
	ASSERT_NE(MAP_FAILED, self->m.p);
}

/*
 * A child forked while the parent's transaction has a page writable writes
 * an undeclared byte of it: SIGSEGV in the child, or EPROTO at the
 * parent's commit. After the commit, the child's writes fault.
 */
TEST_F(bypass, fork)
{
	int st, ret, pipefd[2], back[2];
	uint64_t tid;
	char c = 0;
	pid_t pid;

	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(0, pipe(back));
	ASSERT_EQ(0, rvm_begin(self->m.fd, RVM_TXN_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->m.fd, tid, self->m.p, 1));
	ASSERT_EQ(0, try_memset(self->m.p, 0x11, 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int a = try_memset(self->m.p + 100, 0x22, 1), b;

		/* Wait for the parent's commit, then try again. */
		if (write(back[1], &c, 1) != 1 || read(pipefd[0], &c, 1) != 1)
			_exit(9);
		b = try_memset(self->m.p + 200, 0x22, 1);
		_exit((a ? 1 : 0) | (b ? 2 : 0));
	}
	/* The child wrote first. */
	ASSERT_EQ(1, read(back[0], &c, 1));
	ret = rvm_end(self->m.fd, tid, RVM_END_FLUSH);
	if (ret == -EPROTO)
		EXPECT_EQ(0, rvm_abort(self->m.fd, tid));
	ASSERT_EQ(1, write(pipefd[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	/* Bit 0: the first write faulted; else the commit must fail. */
	if (!(WEXITSTATUS(st) & 1)) {
		EXPECT_EQ(-EPROTO, ret);
	} else {
		EXPECT_EQ(0, ret);
	}
	EXPECT_EQ(2, WEXITSTATUS(st) & 2);
	EXPECT_EQ(0, self->m.p[200]);
	close(pipefd[0]);
	close(pipefd[1]);
	close(back[0]);
	close(back[1]);
}

TEST_HARNESS_MAIN
