// SPDX-License-Identifier: GPL-2.0
/*
 * protect_cost DEV: the cost of page protection per transaction, in the
 * test VM. Formats DEV, attaches it, and maps the same bytes three times,
 * once per protection mode (off, strict, auto). Each round runs, in each
 * mode, no_flush transactions that change 448 bytes on each of 1 or 8
 * pages (declared with set_range in off and strict mode; auto declares
 * nothing), and flush transactions on 1 page. Prints microseconds per
 * transaction and the ratio to off, the best of several rounds; under
 * QEMU TCG only the ratios mean something. Off and strict mode run
 * twice: declaring with the RVM_IOC_SET_RANGE ioctl and through a
 * declaration slot (no system call); the ratios are to off with the
 * ioctl, the classic library's way. Also times a bare set_range ioctl.
 *
 * protect_cost DEV CONF PAGES N: only configuration CONF (off, strict,
 * ...), N no_flush transactions of PAGES pages each after a warm-up of
 * N/10, and one line "protect_cost: only CONF pages=P txns=N us=X" with
 * the microseconds per transaction: what vm-tests/bench/costs traces.
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
#define NCONF 5

/* The configurations: a protection mode, and declaring through a slot. */
static const struct {
	uint32_t mode;
	int slot;
	const char *name;
} conf[NCONF] = {
	{ RVM_PROT_OFF, 0, "off" },
	{ RVM_PROT_OFF, 1, "off+slot" },
	{ RVM_PROT_STRICT, 0, "strict" },
	{ RVM_PROT_STRICT, 1, "strict+slot" },
	{ RVM_PROT_AUTO, 0, "auto" },
};

static int fds[NCONF];
static unsigned char *maps[NCONF];
static struct rvm_decl_slot *areas[NCONF];

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
static void txn(int c, unsigned char *p, int pages, uint32_t end, int v)
{
	struct rvm_txn_begin b = { .flags = RVM_TXN_NO_RESTORE };
	struct rvm_txn_range r = { 0 };
	struct rvm_txn_end e = { 0 };
	struct rvm_decl_slot *s = NULL;
	int fd = fds[c];

	if (conf[c].slot)
		b.flags |= RVM_TXN_DECL;
	if (ioctl(fd, RVM_IOC_BEGIN, &b))
		die("begin");
	if (conf[c].slot) {
		if (b.slot >= RVM_DECL_SLOTS)
			die("no slot");
		s = &areas[c][b.slot];
	}
	for (int i = 0; i < pages; i++) {
		unsigned char *a = p + i * 4096;

		if (s) {
			/* librvm's way (ulib/src/decl.c), in line. */
			uint32_t k = __atomic_fetch_add(&s->next, 1,
							__ATOMIC_RELAXED);

			s->ent[k].addr = (uintptr_t)a;
			s->ent[k].off = a - maps[c];
			s->ent[k].data = 0;
			__atomic_store_n(&s->ent[k].len, 448, __ATOMIC_RELEASE);
		} else if (conf[c].mode != RVM_PROT_AUTO) {
			r.tid = b.tid;
			r.addr = (uintptr_t)a;
			r.len = 448;
			if (ioctl(fd, RVM_IOC_SET_RANGE, &r))
				die("set_range");
		}
		memset(a, v, 448);
	}
	e.tid = b.tid;
	e.flags = end;
	if (ioctl(fd, RVM_IOC_END, &e))
		die("end");
}

/* Microseconds per transaction. */
static double run(int c, int n, int pages, uint32_t end)
{
	double t0 = now();

	for (int i = 0; i < n; i++)
		txn(c, maps[c] + (i % 64) * 8 * 4096 + (i % 7) * 448, pages,
		    end, i);
	return (now() - t0) * 1e6 / n;
}

static double set_range_cost(int n)
{
	struct rvm_txn_begin b = { .flags = RVM_TXN_NO_RESTORE };
	struct rvm_txn_range r = { 0 };
	struct rvm_txn_end e = { 0 };
	double t0;
	int fd = fds[2];

	if (ioctl(fd, RVM_IOC_BEGIN, &b))
		die("begin");
	t0 = now();
	for (int i = 0; i < n; i++) {
		r.tid = b.tid;
		r.addr = (uintptr_t)(maps[2] + (i % 64) * 64);
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

static void report(const char *what, const double best[NCONF])
{
	printf("protect_cost: %s\n", what);
	for (int c = 0; c < NCONF; c++)
		printf("protect_cost:   %-12s %8.1f us/txn  %.2fx off\n",
		       conf[c].name, best[c], best[c] / best[0]);
}

/* Unmap, close and detach, so that the next run can format DEV again. */
static int finish(int ctl, const char *dev)
{
	struct rvm_volume_ref ref = { .path = (uintptr_t)dev };

	for (int c = 0; c < NCONF; c++) {
		munmap(areas[c], RVM_DECL_AREA_SIZE);
		munmap(maps[c], SPAN);
		close(fds[c]);
	}
	if (ioctl(ctl, RVM_IOC_DETACH, &ref))
		die("detach");
	close(ctl);
	return 0;
}

/* One configuration alone, for tracing: warm up, then time @n txns. */
static int only(const char *name, int pages, int n)
{
	struct rvm_sync s = { 0 };
	double us;
	int c;

	for (c = 0; c < NCONF; c++)
		if (!strcmp(conf[c].name, name))
			break;
	if (c == NCONF || pages < 1 || pages > 8 || n < 10) {
		fprintf(stderr, "protect_cost: bad CONF, PAGES (1..8) or N\n");
		return 2;
	}
	run(c, n / 10, pages, RVM_END_NO_FLUSH);
	if (ioctl(fds[0], RVM_IOC_FLUSH, &s))
		die("flush");
	us = run(c, n, pages, RVM_END_NO_FLUSH);
	printf("protect_cost: only %s pages=%d txns=%d us=%.2f\n", name, pages,
	       n, us);
	return 0;
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

	if (argc != 2 && argc != 5) {
		fprintf(stderr, "usage: protect_cost DEV [CONF PAGES N]\n");
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
	for (int c = 0; c < NCONF; c++) {
		struct rvm_bind bd = { 0 };
		struct rvm_protect pr = { .mode = conf[c].mode };

		fds[c] = open("/dev/rvm", O_RDWR);
		bd.ref.path = (uintptr_t)argv[1];
		if (fds[c] < 0 || ioctl(fds[c], RVM_IOC_BIND, &bd) ||
		    ioctl(fds[c], RVM_IOC_SET_PROTECT, &pr))
			die("bind");
		maps[c] = mmap(NULL, SPAN, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fds[c], 0);
		if (maps[c] == MAP_FAILED)
			die("mmap");
		areas[c] = mmap(NULL, RVM_DECL_AREA_SIZE,
				PROT_READ | PROT_WRITE, MAP_SHARED, fds[c],
				(off_t)RVM_DECL_MMAP_OFFSET);
		if (areas[c] == MAP_FAILED)
			die("mmap slots");
	}

	if (argc == 5) {
		int ret = only(argv[2], atoi(argv[3]), atoi(argv[4]));

		return ret ? ret : finish(ctl, argv[1]);
	}
	for (unsigned int t = 0; t < sizeof(tests) / sizeof(tests[0]); t++) {
		double best[NCONF];

		for (int c = 0; c < NCONF; c++)
			best[c] = 1e30;
		for (int r = 0; r < ROUNDS; r++) {
			for (int c = 0; c < NCONF; c++) {
				double us = run(c, tests[t].n, tests[t].pages,
						tests[t].end);

				if (us < best[c])
					best[c] = us;
				if (ioctl(fds[0], RVM_IOC_FLUSH, &s))
					die("flush");
			}
		}
		report(tests[t].what, best);
	}
	printf("protect_cost: set_range ioctl (64 bytes): %.2f us\n",
	       set_range_cost(20000));
	return finish(ctl, argv[1]);
}
