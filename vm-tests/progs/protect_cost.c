// SPDX-License-Identifier: GPL-2.0
/*
 * protect_cost DEV: the cost of page protection per transaction, in the
 * test VM. Formats DEV, attaches it, and maps the same bytes three times,
 * once per protection mode (off, strict, auto). Each round runs, in each
 * mode, no_flush transactions that change 448 bytes on each of 1 or 8
 * pages (declared with set_range in off and strict mode; auto declares
 * nothing), and flush transactions on 1 page. Prints microseconds per
 * transaction and the ratio to off, the best of several rounds; under
 * QEMU TCG only the ratios mean something. Also times a bare set_range
 * ioctl.
 */
#include <errno.h>
#include <fcntl.h>
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

#define SPAN (4 << 20)
#define ROUNDS 5

static int fds[3];
static unsigned char *maps[3];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "protect_cost: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* One transaction changing 448 bytes on each of @pages pages. */
static void txn(int mode, unsigned char *p, int pages, uint32_t end, int v)
{
	struct rvm_txn_begin b = { .flags = RVM_TXN_NO_RESTORE };
	struct rvm_txn_range r = { 0 };
	struct rvm_txn_end e = { 0 };
	int fd = fds[mode];

	if (ioctl(fd, RVM_IOC_BEGIN, &b))
		die("begin");
	for (int i = 0; i < pages; i++) {
		if (mode != RVM_PROT_AUTO) {
			r.tid = b.tid;
			r.addr = (uintptr_t)(p + i * 4096);
			r.len = 448;
			if (ioctl(fd, RVM_IOC_SET_RANGE, &r))
				die("set_range");
		}
		memset(p + i * 4096, v, 448);
	}
	e.tid = b.tid;
	e.flags = end;
	if (ioctl(fd, RVM_IOC_END, &e))
		die("end");
}

/* Microseconds per transaction. */
static double run(int mode, int n, int pages, uint32_t end)
{
	double t0 = now();

	for (int i = 0; i < n; i++)
		txn(mode, maps[mode] + (i % 64) * 8 * 4096 + (i % 7) * 448,
		    pages, end, i);
	return (now() - t0) * 1e6 / n;
}

static double set_range_cost(int n)
{
	struct rvm_txn_begin b = { .flags = RVM_TXN_NO_RESTORE };
	struct rvm_txn_range r = { 0 };
	struct rvm_txn_end e = { 0 };
	double t0;
	int fd = fds[RVM_PROT_STRICT];

	if (ioctl(fd, RVM_IOC_BEGIN, &b))
		die("begin");
	t0 = now();
	for (int i = 0; i < n; i++) {
		r.tid = b.tid;
		r.addr = (uintptr_t)(maps[RVM_PROT_STRICT] + (i % 64) * 64);
		r.len = 64;
		if (ioctl(fd, RVM_IOC_SET_RANGE, &r))
			die("set_range");
	}
	t0 = (now() - t0) * 1e6 / n;
	e.tid = b.tid;
	e.flags = RVM_END_NO_FLUSH;
	if (ioctl(fd, RVM_IOC_END, &e))
		die("end");
	return t0;
}

static void report(const char *what, double best[3])
{
	printf("protect_cost: %-22s off %7.1f us, strict %7.1f us (%.2fx), auto %7.1f us (%.2fx)\n",
	       what, best[RVM_PROT_OFF], best[RVM_PROT_STRICT],
	       best[RVM_PROT_STRICT] / best[RVM_PROT_OFF], best[RVM_PROT_AUTO],
	       best[RVM_PROT_AUTO] / best[RVM_PROT_OFF]);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *what;
		int n, pages;
		uint32_t end;
	} tests[] = {
		{ "no_flush, 1 page:", 2000, 1, RVM_END_NO_FLUSH },
		{ "no_flush, 8 pages:", 500, 8, RVM_END_NO_FLUSH },
		{ "flush, 1 page:", 200, 1, RVM_END_FLUSH },
	};
	struct rvm_attach a = { 0 };
	struct rvm_sync s = { 0 };
	int ctl;

	if (argc != 2) {
		fprintf(stderr, "usage: protect_cost DEV\n");
		return 2;
	}
	if (rvm_vol_format(argv[1], 32 << 20, 0))
		die(rvm_vol_last_error());
	ctl = open("/dev/rvm", O_RDWR);
	if (ctl < 0)
		die("/dev/rvm");
	a.path = (uintptr_t)argv[1];
	if (ioctl(ctl, RVM_IOC_ATTACH, &a))
		die("attach");
	for (int m = 0; m < 3; m++) {
		struct rvm_bind bd = { 0 };
		struct rvm_protect pr = { .mode = m };

		fds[m] = open("/dev/rvm", O_RDWR);
		bd.ref.path = (uintptr_t)argv[1];
		if (fds[m] < 0 || ioctl(fds[m], RVM_IOC_BIND, &bd) ||
		    ioctl(fds[m], RVM_IOC_SET_PROTECT, &pr))
			die("bind");
		maps[m] = mmap(NULL, SPAN, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fds[m], 0);
		if (maps[m] == MAP_FAILED)
			die("mmap");
	}

	for (unsigned int t = 0; t < sizeof(tests) / sizeof(tests[0]); t++) {
		double best[3] = { 1e30, 1e30, 1e30 };

		for (int r = 0; r < ROUNDS; r++) {
			for (int m = 0; m < 3; m++) {
				double us = run(m, tests[t].n, tests[t].pages,
						tests[t].end);

				if (us < best[m])
					best[m] = us;
				if (ioctl(fds[RVM_PROT_OFF], RVM_IOC_FLUSH, &s))
					die("flush");
			}
		}
		report(tests[t].what, best);
	}
	printf("protect_cost: set_range ioctl (64 bytes): %.2f us\n",
	       set_range_cost(20000));
	return 0;
}
