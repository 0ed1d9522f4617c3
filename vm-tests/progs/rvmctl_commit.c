// SPDX-License-Identifier: GPL-2.0
/*
 * rvmctl_commit DEV N [READY]: commit records on an attached volume, for
 * the rvmctl scenario. Binds to DEV (attached already), maps two pages and
 * commits N flush-mode transactions of two ranges each, then N no_flush
 * ones followed by one RVM_IOC_FLUSH: 2N durable records in the log. With
 * READY, it then creates that file and waits to be killed, holding the
 * volume bound (so that a detach gets EBUSY).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/rvm.h>

static int fd;

static void die(const char *what)
{
	fprintf(stderr, "rvmctl_commit: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void txn(unsigned char *base, int i, uint32_t mode)
{
	struct rvm_txn_begin b = { .flags = RVM_TXN_NO_RESTORE };
	struct rvm_txn_range r = { 0 };
	struct rvm_txn_end e = { 0 };
	unsigned char *p = base + (i % 32) * 128, *q = base + 4096 + (i % 64) * 64;

	if (ioctl(fd, RVM_IOC_BEGIN, &b))
		die("begin");
	r.tid = b.tid;
	r.addr = (uintptr_t)p;
	r.len = 100;
	if (ioctl(fd, RVM_IOC_SET_RANGE, &r))
		die("set_range");
	r.addr = (uintptr_t)q;
	r.len = 50;
	if (ioctl(fd, RVM_IOC_SET_RANGE, &r))
		die("set_range");
	memset(p, i, 100);
	memset(q, ~i, 50);
	e.tid = b.tid;
	e.flags = mode;
	if (ioctl(fd, RVM_IOC_END, &e))
		die("end");
}

int main(int argc, char **argv)
{
	struct rvm_bind bd = { 0 };
	struct rvm_sync s = { 0 };
	unsigned char *base;
	int i, n;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: rvmctl_commit DEV N [READY]\n");
		return 2;
	}
	n = atoi(argv[2]);
	fd = open("/dev/rvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/rvm");
	bd.ref.path = (uintptr_t)argv[1];
	if (ioctl(fd, RVM_IOC_BIND, &bd))
		die("bind");
	base = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		die("mmap");
	for (i = 0; i < n; i++)
		txn(base, i, RVM_END_FLUSH);
	for (i = 0; i < n; i++)
		txn(base, n + i, RVM_END_NO_FLUSH);
	if (n && ioctl(fd, RVM_IOC_FLUSH, &s))
		die("flush");
	if (argc == 4) {
		int r = open(argv[3], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (r < 0)
			die(argv[3]);
		close(r);
		for (;;)
			pause();
	}
	return 0;
}
