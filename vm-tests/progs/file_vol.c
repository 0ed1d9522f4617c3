// SPDX-License-Identifier: GPL-2.0
/*
 * file_vol init|verify FILE: a volume in a regular file, for the
 * file-reset scenario.
 *
 * init: formats FILE (which must exist, its blocks allocated), attaches
 * it, binds by path and commits NTXN flush transactions, each writing a
 * page-crossing range of a pattern and a counter in page 0, and one
 * no_flush transaction made durable by RVM_IOC_FLUSH. Then it returns with
 * the volume attached, for the VM to be reset: nothing is truncated, so
 * the committed bytes are only in the log.
 *
 * verify: attaches FILE again (recovery replays the log), checks that the
 * recovery replayed records, maps the data segment and compares every
 * byte with what init committed, detaches (truncation writes the segment),
 * and compares the file itself, read with read(2), once more.
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
#include <rvm/volume.h>

#define NTXN 40
#define MAPLEN (1 << 20)
#define STEP 20000
#define LEN 6000

static int ctl;

static void die(const char *what)
{
	fprintf(stderr, "file_vol: FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void pattern(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + seed * 13 + 1);
}

/* The first MAPLEN bytes of the data segment after init. */
static void expected(unsigned char *img)
{
	unsigned int i;

	memset(img, 0, MAPLEN);
	for (i = 0; i < NTXN; i++)
		pattern(img + 4096 + i * STEP, LEN, i);
	pattern(img + MAPLEN - LEN, LEN, 999);
	memcpy(img, &(uint32_t){ NTXN + 1 }, 4);
}

static void txn(int fd, unsigned char *p, size_t off, size_t len,
		unsigned int seed, uint32_t count, uint32_t mode)
{
	struct rvm_txn_begin b = { .flags = RVM_TXN_NO_RESTORE };
	struct rvm_txn_range r = { 0 };
	struct rvm_txn_end e = { 0 };

	if (ioctl(fd, RVM_IOC_BEGIN, &b))
		die("begin");
	r.tid = b.tid;
	r.addr = (uintptr_t)(p + off);
	r.len = len;
	if (ioctl(fd, RVM_IOC_SET_RANGE, &r))
		die("set_range");
	r.addr = (uintptr_t)p;
	r.len = 4;
	if (ioctl(fd, RVM_IOC_SET_RANGE, &r))
		die("set_range");
	pattern(p + off, len, seed);
	memcpy(p, &count, 4);
	e.tid = b.tid;
	e.flags = mode;
	if (ioctl(fd, RVM_IOC_END, &e))
		die("end");
}

static unsigned char *bind_map(const char *path, int *fdp)
{
	struct rvm_bind bd = { 0 };
	unsigned char *p;
	int fd = open("/dev/rvm", O_RDWR);

	if (fd < 0)
		die("/dev/rvm");
	bd.ref.path = (uintptr_t)path;
	if (ioctl(fd, RVM_IOC_BIND, &bd))
		die("bind");
	p = mmap(NULL, MAPLEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	*fdp = fd;
	return p;
}

static void attach(const char *path)
{
	struct rvm_attach a = { 0 };

	a.path = (uintptr_t)path;
	if (ioctl(ctl, RVM_IOC_ATTACH, &a))
		die("attach");
}

static int init(const char *path)
{
	unsigned char *p;
	struct rvm_sync s = { 0 };
	unsigned int i;
	int fd;

	if (rvm_vol_format(path, 4 << 20, 0)) {
		fprintf(stderr, "file_vol: FAIL: %s\n", rvm_vol_last_error());
		return 1;
	}
	attach(path);
	p = bind_map(path, &fd);
	for (i = 0; i < NTXN; i++)
		txn(fd, p, 4096 + i * STEP, LEN, i, i + 1, RVM_END_FLUSH);
	txn(fd, p, MAPLEN - LEN, LEN, 999, NTXN + 1, RVM_END_NO_FLUSH);
	if (ioctl(fd, RVM_IOC_FLUSH, &s))
		die("flush");
	printf("file_vol: init: %u transactions committed\n", NTXN + 1);
	return 0;
}

static int verify(const char *path)
{
	unsigned char *want = malloc(MAPLEN), *img = malloc(MAPLEN), *p;
	struct rvm_volume_ref ref = { 0 };
	struct rvm_status st = { 0 };
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	int fd, bad = 0;
	off_t off;

	if (!want || !img)
		die("malloc");
	expected(want);
	attach(path);
	st.ref.path = (uintptr_t)path;
	if (ioctl(ctl, RVM_IOC_STATUS, &st))
		die("status");
	if (st.recovery_records != NTXN + 1) {
		fprintf(stderr, "file_vol: FAIL: recovery replayed %llu records, not %u\n",
			(unsigned long long)st.recovery_records, NTXN + 1);
		bad = 1;
	}
	p = bind_map(path, &fd);
	if (memcmp(p, want, MAPLEN)) {
		fprintf(stderr, "file_vol: FAIL: mapped bytes differ\n");
		bad = 1;
	}
	munmap(p, MAPLEN);
	close(fd);
	ref.path = (uintptr_t)path;
	if (ioctl(ctl, RVM_IOC_DETACH, &ref))
		die("detach");
	if (rvm_vol_open(path, RVM_VOL_RDONLY, &vol) ||
	    rvm_vol_read_super(vol, &sb) < 0)
		die("superblock");
	off = le64_to_cpu(sb.data_start) * RVM_BLOCK_SIZE;
	rvm_vol_close(vol);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, img, MAPLEN, off) != MAPLEN)
		die("read");
	close(fd);
	if (memcmp(img, want, MAPLEN)) {
		fprintf(stderr, "file_vol: FAIL: the file's bytes differ\n");
		bad = 1;
	}
	if (!bad)
		printf("file_vol: verify: every committed byte, mapped and in the file\n");
	return bad;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: file_vol init|verify FILE\n");
		return 2;
	}
	ctl = open("/dev/rvm", O_RDWR);
	if (ctl < 0)
		die("/dev/rvm");
	if (!strcmp(argv[1], "init"))
		return init(argv[2]);
	if (!strcmp(argv[1], "verify"))
		return verify(argv[2]);
	fprintf(stderr, "usage: file_vol init|verify FILE\n");
	return 2;
}
