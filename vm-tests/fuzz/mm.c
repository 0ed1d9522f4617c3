// SPDX-License-Identifier: GPL-2.0
/*
 * rvm_fuzz job "mm": mm operations on a mapping of the volume while other
 * threads of the process run transactions on it: munmap and mmap again
 * (MAP_FIXED), mprotect, madvise (every advice), mremap away and back,
 * fork (the child writes, runs a transaction and exits), and the paths
 * that write a page without a write fault: process_vm_writev,
 * /proc/self/mem, an O_DIRECT read into the mapping. The writers catch
 * SIGSEGV and SIGBUS (a page unmapped under them, or refused).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define NTHR 3

static int fd;
static unsigned char *win;
static volatile int stop;
static uint64_t seeds[NTHR + 1];

static void *txns(void *arg)
{
	struct fz_rng r;

	fz_seed(&r, seeds[(long)arg]);
	while (!stop) {
		uint32_t mode = fz_one_in(&r, 2) ? RVM_TXN_RESTORE :
						   RVM_TXN_NO_RESTORE;
		uint64_t tid, off = fz_below(&r, FZ_MAPLEN - 8192);
		uint64_t len = 1 + fz_below(&r, 8192);
		int n = 1 + fz_below(&r, 3);

		if (fz_begin(fd, mode, &tid, NULL))
			continue;
		while (n--) {
			if (!fz_range(fd, tid, win + off, len))
				fz_poke(win + off, (int)fz_next(&r), len);
			off = fz_below(&r, FZ_MAPLEN - 8192);
		}
		if (mode == RVM_TXN_RESTORE && fz_one_in(&r, 3))
			fz_abort(fd, tid);
		else if (fz_end(fd, tid,
				fz_one_in(&r, 2) ? RVM_END_FLUSH :
						   RVM_END_NO_FLUSH) &&
			 mode == RVM_TXN_RESTORE)
			fz_abort(fd, tid);
	}
	return NULL;
}

static void gup_write(struct fz_rng *r, unsigned char *addr, size_t len)
{
	static char buf[2 * 4096] __attribute__((aligned(4096)));
	struct iovec l = { buf, len }, rv = { addr, len };
	int f;

	switch (fz_below(r, 3)) {
	case 0:
		process_vm_writev(getpid(), &l, 1, &rv, 1, 0);
		break;
	case 1:
		f = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
		if (f >= 0) {
			pwrite(f, buf, len, (uintptr_t)addr);
			close(f);
		}
		break;
	case 2:
		f = open(FZ_DEV, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (f >= 0) {
			/* addr is page aligned: a direct read into it */
			pread(f, (void *)((uintptr_t)addr & ~(FZ_PG - 1)),
			      FZ_PG, 0);
			close(f);
		}
		break;
	}
}

static void child(struct fz_rng *r)
{
	uint64_t tid, off = fz_below(r, FZ_MAPLEN - 64);

	fz_poke(win + off, 1, 1);
	if (!fz_begin(fd, RVM_TXN_NO_RESTORE, &tid, NULL)) {
		if (!fz_range(fd, tid, win + off, 64))
			fz_poke(win + off, 2, 64);
		if (!fz_one_in(r, 3))
			fz_end(fd, tid, RVM_END_FLUSH);
	}
	_exit(0);
}

static void mm_op(struct fz_rng *r)
{
	static const int advice[] = {
		MADV_NORMAL,
		MADV_RANDOM,
		MADV_SEQUENTIAL,
		MADV_WILLNEED,
		MADV_DONTNEED,
		MADV_REMOVE,
		MADV_DONTFORK,
		MADV_DOFORK,
		MADV_MERGEABLE,
		MADV_HUGEPAGE,
		MADV_DONTDUMP,
		MADV_FREE,
		MADV_WIPEONFORK,
		MADV_COLD,
		MADV_PAGEOUT,
		22 /* POPULATE_READ */,
		23 /* POPULATE_WRITE */,
	};
	static const int prots[] = { PROT_READ, PROT_NONE,
				     PROT_READ | PROT_WRITE, PROT_WRITE };
	size_t pg = fz_below(r, FZ_MAPLEN / FZ_PG);
	size_t n = 1 + fz_below(r, fz_one_in(r, 4) ?
					   FZ_MAPLEN / FZ_PG - pg :
					   (FZ_MAPLEN / FZ_PG - pg < 8 ?
						    FZ_MAPLEN / FZ_PG - pg :
						    8));
	unsigned char *a = win + pg * FZ_PG;
	size_t len = n * FZ_PG;
	void *m;
	pid_t pid;

	fz_inc(FZ_MM, 1);
	switch (fz_below(r, 8)) {
	case 0:
		munmap(a, len);
		if (fz_one_in(r, 8))
			usleep(fz_below(r, 2000));
		mmap(a, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		     pg * FZ_PG);
		break;
	case 1:
		mprotect(a, len, prots[fz_below(r, 4)]);
		if (fz_one_in(r, 2))
			mprotect(a, len, PROT_READ | PROT_WRITE);
		break;
	case 2:
		madvise(a, len,
			advice[fz_below(r, sizeof(advice) / sizeof(advice[0]))]);
		break;
	case 3:
		m = mremap(a, len, len, MREMAP_MAYMOVE);
		if (m != MAP_FAILED && m != a) {
			fz_poke(m, 3, 1);
			if (mremap(m, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
				   a) == MAP_FAILED)
				munmap(m, len);
		}
		break;
	case 4:
		/* grow or shrink in place; then put it back as it was */
		m = mremap(a, len, fz_one_in(r, 2) ? len / 2 + FZ_PG : len * 2,
			   0);
		if (m != MAP_FAILED) {
			munmap(a, len);
			mmap(a, len, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_FIXED, fd, pg * FZ_PG);
		}
		break;
	case 5:
		pid = fork();
		if (pid == 0)
			child(r);
		if (pid > 0) {
			fz_inc(FZ_FORK, 1);
			waitpid(pid, NULL, 0);
		}
		break;
	default:
		gup_write(r, a, FZ_PG * (1 + fz_below(r, 2)) - fz_below(r, 64));
		break;
	}
}

int fz_job_mm(const struct fz_job_ctx *c)
{
	double end = fz_now() + c->seconds;
	pthread_t th[NTHR];
	struct fz_rng r;
	struct rvm_protect pr;
	long i;

	fz_seed(&r, c->seed);
	for (i = 0; i <= NTHR; i++)
		seeds[i] = fz_next(&r);
	fd = open("/dev/rvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 1;
	memset(&pr, 0, sizeof(pr));
	pr.mode = fz_below(&r, 3);
	if (fz_ioctl(fd, RVM_IOC_SET_PROTECT, &pr) || fz_bind(fd, FZ_DEV)) {
		fz_finding("mm: cannot bind %s", FZ_DEV);
		return 1;
	}
	win = mmap(NULL, FZ_MAPLEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (win == MAP_FAILED) {
		fz_finding("mm: cannot map %s: %s", FZ_DEV, strerror(errno));
		return 1;
	}
	for (i = 0; i < NTHR; i++)
		pthread_create(&th[i], NULL, txns, (void *)i);
	fz_seed(&r, seeds[NTHR]);
	while (fz_now() < end) {
		mm_op(&r);
		if (fz_one_in(&r, 4))
			usleep(fz_below(&r, 1000));
	}
	stop = 1;
	for (i = 0; i < NTHR; i++)
		pthread_join(th[i], NULL);
	munmap(win, FZ_MAPLEN);
	close(fd);
	return 0;
}
