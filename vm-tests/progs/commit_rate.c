// SPDX-License-Identifier: GPL-2.0
/*
 * commit_rate DEV: transactions per second on an rvm volume, in the test VM.
 * Formats DEV, attaches it, and runs 448-byte transactions (the size of the
 * RVM paper's TPC-A-like transaction) in flush mode with 1 and 8 threads,
 * and in no_flush mode with an rvm flush every 100 transactions. Prints
 * one line per mode; absolute figures under QEMU TCG mean little, the
 * ratios between the modes are the point.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/rvm.h>
#include <rvm/volume.h>

static const char *dev;
static unsigned char *base;
static int fd;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "commit_rate: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void txn(unsigned char *p, uint32_t mode, int v)
{
	struct rvm_txn_begin b = { .flags = RVM_TXN_NO_RESTORE };
	struct rvm_txn_range r = { 0 };
	struct rvm_txn_end e = { 0 };

	if (ioctl(fd, RVM_IOC_BEGIN, &b))
		die("begin");
	r.tid = b.tid;
	r.addr = (uintptr_t)p;
	r.len = 448;
	if (ioctl(fd, RVM_IOC_SET_RANGE, &r))
		die("set_range");
	memset(p, v, 448);
	e.tid = b.tid;
	e.flags = mode;
	if (ioctl(fd, RVM_IOC_END, &e))
		die("end");
}

struct job {
	int id;
	int n;
	uint32_t mode;
};

static void *worker(void *arg)
{
	struct job *j = arg;

	for (int i = 0; i < j->n; i++)
		txn(base + j->id * 65536 + (i % 64) * 512, j->mode, i);
	return NULL;
}

static double run(int threads, int n, uint32_t mode)
{
	pthread_t t[8];
	struct job j[8];
	double t0 = now();

	for (int i = 0; i < threads; i++) {
		j[i] = (struct job){ i, n / threads, mode };
		pthread_create(&t[i], NULL, worker, &j[i]);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	return n / (now() - t0);
}

static double run_no_flush(int n, int every)
{
	struct rvm_sync s = { 0 };
	double t0 = now();

	for (int i = 0; i < n; i++) {
		txn(base + (i % 64) * 512, RVM_END_NO_FLUSH, i);
		if ((i + 1) % every == 0 && ioctl(fd, RVM_IOC_FLUSH, &s))
			die("flush");
	}
	return n / (now() - t0);
}

int main(int argc, char **argv)
{
	struct rvm_attach a = { 0 };
	struct rvm_bind bd = { 0 };
	double f1, f8, nf;

	if (argc != 2) {
		fprintf(stderr, "usage: commit_rate DEV\n");
		return 2;
	}
	dev = argv[1];
	if (rvm_vol_format(dev, 16 << 20, 0))
		die(rvm_vol_last_error());
	fd = open("/dev/rvm", O_RDWR);
	if (fd < 0)
		die("/dev/rvm");
	a.path = (uintptr_t)dev;
	if (ioctl(fd, RVM_IOC_ATTACH, &a))
		die("attach");
	bd.ref.path = (uintptr_t)dev;
	if (ioctl(fd, RVM_IOC_BIND, &bd))
		die("bind");
	base = mmap(NULL, 8 * 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		die("mmap");

	f1 = run(1, 300, RVM_END_FLUSH);
	f8 = run(8, 800, RVM_END_FLUSH);
	nf = run_no_flush(5000, 100);
	printf("commit_rate: flush, 1 thread:    %8.0f txn/s\n", f1);
	printf("commit_rate: flush, 8 threads:   %8.0f txn/s (%.1fx)\n", f8,
	       f8 / f1);
	printf("commit_rate: no_flush, flush/100: %8.0f txn/s (%.1fx)\n", nf,
	       nf / f1);
	return 0;
}
