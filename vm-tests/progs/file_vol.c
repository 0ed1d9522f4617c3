// SPDX-License-Identifier: GPL-2.0
/*
 * file_vol init|verify FILE: a volume in a regular file, for the
 * file-reset scenario.
 *
 * It uses librvm's modern interface (<rvm/librvm.h>) throughout.
 *
 * init: formats FILE (which must exist, its blocks allocated), attaches
 * it, opens a handle on it and commits NTXN flush transactions, each
 * writing a page-crossing range of a pattern and a counter in page 0, and
 * one no_flush transaction made durable by rvm_sync_flush(). Then it returns with
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
#include <unistd.h>
#include <rvm/librvm.h>
#include <rvm/volume.h>

#define NTXN 40
#define MAPLEN (1 << 20)
#define STEP 20000
#define LEN 6000

static void check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "file_vol: FAIL: %s: %s\n", what,
			strerror(-err));
		exit(1);
	}
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

static void txn(struct rvm *r, unsigned char *p, size_t off, size_t len,
		unsigned int seed, uint32_t count, int mode)
{
	uint64_t tid;

	check(rvm_txn_begin(r, RVM_TXN_NO_RESTORE, &tid), "begin");
	check(rvm_txn_set_range(r, tid, p + off, len), "set_range");
	check(rvm_txn_set_range(r, tid, p, 4), "set_range");
	pattern(p + off, len, seed);
	memcpy(p, &count, 4);
	check(rvm_txn_end(r, tid, mode, NULL), "end");
}

/* A handle on the volume in @path, its first MAPLEN bytes mapped. */
static unsigned char *open_map(const char *path, struct rvm **rp)
{
	void *p;

	check(rvm_open(path, rp), "open");
	check(rvm_region_map(*rp, 0, MAPLEN, NULL, 0, &p), "map");
	return p;
}

static int init(const char *path)
{
	unsigned char *p;
	struct rvm *r;
	unsigned int i;

	if (rvm_vol_format(path, 4 << 20, 0)) {
		fprintf(stderr, "file_vol: FAIL: %s\n", rvm_vol_last_error());
		return 1;
	}
	check(rvm_vol_attach(path, NULL, NULL), "attach");
	p = open_map(path, &r);
	for (i = 0; i < NTXN; i++)
		txn(r, p, 4096 + i * STEP, LEN, i, i + 1, RVM_END_FLUSH);
	txn(r, p, MAPLEN - LEN, LEN, 999, NTXN + 1, RVM_END_NO_FLUSH);
	check(rvm_sync_flush(r), "flush");
	printf("file_vol: init: %u transactions committed\n", NTXN + 1);
	return 0;
}

static int verify(const char *path)
{
	unsigned char *want = malloc(MAPLEN), *img = malloc(MAPLEN), *p;
	struct rvm_disk_super sb;
	struct rvm_status st;
	struct rvm_vol *vol;
	struct rvm *r;
	int fd, bad = 0;
	off_t off;

	check(want && img ? 0 : -ENOMEM, "malloc");
	expected(want);
	check(rvm_vol_attach(path, NULL, NULL), "attach");
	check(rvm_vol_status(path, &st), "status");
	if (st.recovery_records != NTXN + 1) {
		fprintf(stderr, "file_vol: FAIL: recovery replayed %llu records, not %u\n",
			(unsigned long long)st.recovery_records, NTXN + 1);
		bad = 1;
	}
	p = open_map(path, &r);
	if (memcmp(p, want, MAPLEN)) {
		fprintf(stderr, "file_vol: FAIL: mapped bytes differ\n");
		bad = 1;
	}
	check(rvm_region_unmap(r, p, MAPLEN), "unmap");
	rvm_close(r);
	check(rvm_vol_detach(path), "detach");
	check(rvm_vol_open(path, RVM_VOL_RDONLY, &vol), "open offline");
	check(rvm_vol_read_super(vol, &sb) < 0 ? -EINVAL : 0, "superblock");
	off = le64_to_cpu(sb.data_start) * RVM_BLOCK_SIZE;
	rvm_vol_close(vol);
	fd = open(path, O_RDONLY);
	check(fd < 0 || pread(fd, img, MAPLEN, off) != MAPLEN ? -EIO : 0,
	      "read");
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
	if (!strcmp(argv[1], "init"))
		return init(argv[2]);
	if (!strcmp(argv[1], "verify"))
		return verify(argv[2]);
	fprintf(stderr, "usage: file_vol init|verify FILE\n");
	return 2;
}
