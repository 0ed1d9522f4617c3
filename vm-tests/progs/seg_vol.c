// SPDX-License-Identifier: GPL-2.0
/*
 * seg_vol init|verify DIR: a log and two data segments in files of their
 * own (DIR/log, DIR/a, DIR/b, which must exist, their blocks allocated),
 * for the segments-reset scenario. Raw ioctls of /dev/rvm (RVM_IOC_SEG_*).
 *
 * init: formats DIR/log as a log without a segment 0, attaches it, adds
 * DIR/a and DIR/b, maps both through one fd and commits NTXN flush
 * transactions, each across both segments, truncating (RVM_IOC_TRUNCATE)
 * after the first NTRUNC, and one no_flush transaction made durable by
 * RVM_IOC_FLUSH. Then it returns with the volume attached, for the VM to
 * be reset: the transactions after the truncation are only in the log.
 *
 * verify: first reads both files with O_DIRECT read(2), the module not
 * attached: the ranges of the first NTRUNC transactions are there
 * (truncation made them durable). Then attaches DIR/log again (recovery
 * replays the log into both files), checks how many records it replayed,
 * reads both files again and compares every byte with what init
 * committed; maps them and compares again; detaches, and reads the files
 * once more.
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

#define NTXN 30
#define NTRUNC 10
#define SEGLEN (1 << 20)
#define STEP 30000
#define LEN 5000

static char logp[256], pa[256], pb[256];

static void check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "seg_vol: FAIL: %s: %s\n", what,
			strerror(err < 0 ? -err : err));
		exit(1);
	}
}

static int rvm_do(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static void pattern(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + seed * 13 + 1);
}

/* Both segments' bytes after init. */
static void expected(unsigned char *a, unsigned char *b)
{
	unsigned int i;

	memset(a, 0, SEGLEN);
	memset(b, 0, SEGLEN);
	for (i = 0; i < NTXN; i++) {
		pattern(a + 4096 + i * STEP, LEN, i);
		pattern(b + SEGLEN - LEN - i * STEP, LEN, i + 500);
	}
	pattern(a + SEGLEN - LEN, LEN, 999);
	pattern(b, LEN, 998);
	memcpy(a, &(uint32_t){ NTXN + 1 }, 4);
}

static int attach(int ctl)
{
	struct rvm_attach at;

	memset(&at, 0, sizeof(at));
	at.path = (uintptr_t)logp;
	return rvm_do(ctl, RVM_IOC_ATTACH, &at);
}

static uint32_t add(int ctl, const char *path)
{
	struct rvm_seg_add a;

	memset(&a, 0, sizeof(a));
	a.ref.path = (uintptr_t)logp;
	a.path = (uintptr_t)path;
	check(rvm_do(ctl, RVM_IOC_SEG_ADD, &a), path);
	if (a.size != SEGLEN)
		check(-EINVAL, "segment size");
	return a.id;
}

/* A bound fd with both segments mapped. */
static int map_both(int ctl, unsigned char **a, unsigned char **b)
{
	uint32_t ida = add(ctl, pa), idb = add(ctl, pb);
	struct rvm_bind bd;
	int fd = open("/dev/rvm", O_RDWR);

	memset(&bd, 0, sizeof(bd));
	bd.ref.path = (uintptr_t)logp;
	check(fd < 0 ? -errno : rvm_do(fd, RVM_IOC_BIND, &bd), "bind");
	*a = mmap(NULL, SEGLEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  RVM_SEG_OFFSET(ida, 0));
	*b = mmap(NULL, SEGLEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  RVM_SEG_OFFSET(idb, 0));
	check(*a == MAP_FAILED || *b == MAP_FAILED ? -errno : 0, "mmap");
	return fd;
}

static void range(int fd, uint64_t tid, void *p, uint64_t len)
{
	struct rvm_txn_range r;

	memset(&r, 0, sizeof(r));
	r.tid = tid;
	r.addr = (uintptr_t)p;
	r.len = len;
	check(rvm_do(fd, RVM_IOC_SET_RANGE, &r), "set_range");
}

static void txn(int fd, unsigned char *a, unsigned char *b, size_t offa,
		size_t offb, unsigned int seed, unsigned int seedb,
		uint32_t count, uint32_t mode)
{
	struct rvm_txn_begin bg;
	struct rvm_txn_end e;

	memset(&bg, 0, sizeof(bg));
	bg.flags = RVM_TXN_NO_RESTORE;
	check(rvm_do(fd, RVM_IOC_BEGIN, &bg), "begin");
	range(fd, bg.tid, a + offa, LEN);
	range(fd, bg.tid, b + offb, LEN);
	range(fd, bg.tid, a, 4);
	pattern(a + offa, LEN, seed);
	pattern(b + offb, LEN, seedb);
	memcpy(a, &count, 4);
	memset(&e, 0, sizeof(e));
	e.tid = bg.tid;
	e.flags = mode;
	check(rvm_do(fd, RVM_IOC_END, &e), "end");
}

static int init(void)
{
	struct rvm_sync s;
	unsigned char *a, *b;
	unsigned int i;
	int ctl = open("/dev/rvm", O_RDWR), fd;

	check(ctl < 0 ? -errno : 0, "/dev/rvm");
	if (rvm_vol_format(logp, 1 << 20, RVM_VOL_FORMAT_LOG_ONLY)) {
		fprintf(stderr, "seg_vol: FAIL: %s\n", rvm_vol_last_error());
		return 1;
	}
	check(attach(ctl), "attach");
	fd = map_both(ctl, &a, &b);
	for (i = 0; i < NTXN; i++) {
		txn(fd, a, b, 4096 + i * STEP, SEGLEN - LEN - i * STEP, i,
		    i + 500, i + 1, RVM_END_FLUSH);
		memset(&s, 0, sizeof(s));
		if (i == NTRUNC - 1)
			check(rvm_do(fd, RVM_IOC_TRUNCATE, &s), "truncate");
	}
	txn(fd, a, b, SEGLEN - LEN, 0, 999, 998, NTXN + 1, RVM_END_NO_FLUSH);
	memset(&s, 0, sizeof(s));
	check(rvm_do(fd, RVM_IOC_FLUSH, &s), "flush");
	printf("seg_vol: init: %u transactions committed across two segments\n",
	       NTXN + 1);
	return 0;
}

/* The file at @path, read with O_DIRECT, into @buf (SEGLEN bytes). */
static void read_file(const char *path, unsigned char *buf)
{
	int fd = open(path, O_RDONLY | O_DIRECT);

	check(fd < 0 || pread(fd, buf, SEGLEN, 0) != SEGLEN ? -EIO : 0, path);
	close(fd);
}

/* The file at @path, read with O_DIRECT, is @want. */
static int file_is(const char *path, const unsigned char *want)
{
	void *buf = NULL;
	int same;

	check(posix_memalign(&buf, 4096, SEGLEN) ? -ENOMEM : 0, path);
	read_file(path, buf);
	same = !memcmp(buf, want, SEGLEN);
	free(buf);
	if (!same)
		fprintf(stderr, "seg_vol: FAIL: %s does not hold the committed bytes\n",
			path);
	return same;
}

/* Before attach: the first NTRUNC transactions' ranges are in the files. */
static int truncated_in_files(const unsigned char *wa, const unsigned char *wb)
{
	unsigned char *ga = NULL, *gb = NULL;
	unsigned int i;
	int bad = 0;

	check(posix_memalign((void **)&ga, 4096, SEGLEN) ||
			      posix_memalign((void **)&gb, 4096, SEGLEN) ?
		      -ENOMEM :
		      0,
	      "memalign");
	read_file(pa, ga);
	read_file(pb, gb);
	for (i = 0; i < NTRUNC; i++) {
		size_t oa = 4096 + i * STEP, ob = SEGLEN - LEN - i * STEP;

		if (memcmp(ga + oa, wa + oa, LEN) || memcmp(gb + ob, wb + ob, LEN))
			bad = 1;
	}
	if (bad)
		fprintf(stderr, "seg_vol: FAIL: truncated transactions are not in the files\n");
	free(ga);
	free(gb);
	return bad;
}

static int verify(void)
{
	unsigned char *wa = malloc(SEGLEN), *wb = malloc(SEGLEN), *a, *b;
	struct rvm_status st;
	struct rvm_volume_ref r;
	int ctl = open("/dev/rvm", O_RDWR), fd, bad = 0;

	check(ctl < 0 ? -errno : 0, "/dev/rvm");
	check(wa && wb ? 0 : -ENOMEM, "malloc");
	expected(wa, wb);
	bad |= truncated_in_files(wa, wb);
	check(attach(ctl), "attach");
	memset(&st, 0, sizeof(st));
	st.ref.path = (uintptr_t)logp;
	check(rvm_do(ctl, RVM_IOC_STATUS, &st), "status");
	if (st.recovery_records != NTXN + 1 - NTRUNC) {
		fprintf(stderr, "seg_vol: FAIL: recovery replayed %llu records, not %u\n",
			(unsigned long long)st.recovery_records,
			NTXN + 1 - NTRUNC);
		bad = 1;
	}
	/* Recovery wrote and flushed both files. */
	bad |= !file_is(pa, wa) | !file_is(pb, wb);
	fd = map_both(ctl, &a, &b);
	if (memcmp(a, wa, SEGLEN) || memcmp(b, wb, SEGLEN)) {
		fprintf(stderr, "seg_vol: FAIL: mapped bytes differ\n");
		bad = 1;
	}
	munmap(a, SEGLEN);
	munmap(b, SEGLEN);
	close(fd);
	memset(&r, 0, sizeof(r));
	r.path = (uintptr_t)logp;
	check(rvm_do(ctl, RVM_IOC_DETACH, &r), "detach");
	bad |= !file_is(pa, wa) | !file_is(pb, wb);
	if (!bad)
		printf("seg_vol: verify: every committed byte, in both files and mapped\n");
	return bad;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: seg_vol init|verify DIR\n");
		return 2;
	}
	snprintf(logp, sizeof(logp), "%s/log", argv[2]);
	snprintf(pa, sizeof(pa), "%s/a", argv[2]);
	snprintf(pb, sizeof(pb), "%s/b", argv[2]);
	if (!strcmp(argv[1], "init"))
		return init();
	if (!strcmp(argv[1], "verify"))
		return verify();
	fprintf(stderr, "usage: seg_vol init|verify DIR\n");
	return 2;
}
