// SPDX-License-Identifier: GPL-2.0
/*
 * Offline volume access (src/volume.c) and rvmctl, on temporary files:
 * format, superblock choice and errors, check, recover, dump.
 */
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rvm_test.h"
#include "rvm/volume.h"

static void mkfile(const char *path, u64 size, int fill)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	u8 buf[65536];
	u64 done = 0;

	if (fd < 0 || ftruncate(fd, size))
		abort();
	if (fill >= 0) {
		while (done < size) {
			size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);

			if (fill == 256)
				t_fill(buf, n);
			else
				memset(buf, fill, n);
			if (pwrite(fd, buf, n, done) != (ssize_t)n)
				abort();
			done += n;
		}
	}
	close(fd);
}

static void *slurp(const char *path, u64 *size)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	void *p;

	if (fd < 0 || fstat(fd, &st))
		abort();
	p = malloc(st.st_size);
	if (pread(fd, p, st.st_size, 0) != st.st_size)
		abort();
	close(fd);
	*size = st.st_size;
	return p;
}

static void poke(const char *path, u64 off, const void *buf, size_t len)
{
	int fd = open(path, O_RDWR);

	if (fd < 0 || pwrite(fd, buf, len, off) != (ssize_t)len)
		abort();
	close(fd);
}

static int open_read(const char *path, struct rvm_vol **vol, struct rvm_disk_super *sb)
{
	int err = rvm_vol_open(path, 0, vol);

	if (err)
		return err;
	return rvm_vol_read_super(*vol, sb);
}

static bool has(const char *s, const char *sub)
{
	return s && strstr(s, sub);
}

static void test_format(void)
{
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	const char *f = t_path("fmt.img");

	t_begin("format: default log 1/8 of the device, both copies valid");
	mkfile(f, 8 << 20, -1);
	t_eq(rvm_vol_format(f, 0, 0), 0);
	t_eq(open_read(f, &vol, &sb), 0);
	t_eq(le64_to_cpu(sb.sb_seq), 2);
	t_eq(le32_to_cpu(sb.version), 2);
	t_eq(le64_to_cpu(sb.segtab_start), 2);
	t_eq(le32_to_cpu(sb.segtab_blocks), RVM_SEGTAB_DEFAULT_BLOCKS);
	t_eq(le64_to_cpu(sb.segtab_gen), 0);
	t_eq(le64_to_cpu(sb.log_start), 2 + 2 * RVM_SEGTAB_DEFAULT_BLOCKS);
	t_eq(le64_to_cpu(sb.log_blocks), 256);
	t_eq(le64_to_cpu(sb.data_start), 266);
	t_eq(le64_to_cpu(sb.data_blocks), 2048 - 266);
	{
		const struct rvm_segtab *t = rvm_vol_segtab(vol);

		/* Segment 0, internal, all of the data area; next id 1. */
		t_check(t && t->nsegs == 1, "segment table");
		t_eq(le32_to_cpu(t->ent[0].id), 0);
		t_eq(le32_to_cpu(t->ent[0].flags), RVM_DSEG_INTERNAL);
		t_eq(le64_to_cpu(t->ent[0].size), (2048 - 266) * 4096);
		t_eq(le32_to_cpu(t->hdr->next_id), 1);
		t_eq(le64_to_cpu(t->hdr->gen), 0);
		t_eq(t->hdr->crc, sb.segtab_crc);
	}
	t_eq(le64_to_cpu(sb.head_seq), 1);
	t_eq(le32_to_cpu(sb.flags), RVM_SB_CLEAN);
	t_check(sb.vol_nonce != 0, "zero nonce");
	{
		int err;
		const char *why;
		const struct rvm_disk_super *b = rvm_vol_copy(vol, 1, &err, &why);

		t_check(b && !err && !why && le64_to_cpu(b->sb_seq) == 1, "copy B");
		t_check(b && b->vol_nonce == sb.vol_nonce, "copies differ");
	}
	rvm_vol_close(vol);
	t_end();

	t_begin("format: log clamped to [64 KiB, 64 MiB], --log-size honoured");
	mkfile(f, 200 << 10, -1);
	t_eq(rvm_vol_format(f, 0, 0), 0);
	t_eq(open_read(f, &vol, &sb), 0);
	t_eq(le64_to_cpu(sb.log_blocks), 16);
	rvm_vol_close(vol);
	mkfile(f, 2ULL << 30, -1);
	t_eq(rvm_vol_format(f, 0, 0), 0);
	t_eq(open_read(f, &vol, &sb), 0);
	t_eq(le64_to_cpu(sb.log_blocks), 16384);
	rvm_vol_close(vol);
	t_eq(rvm_vol_format(f, 100000, 0), 0);
	t_eq(open_read(f, &vol, &sb), 0);
	t_eq(le64_to_cpu(sb.log_blocks), 25);
	rvm_vol_close(vol);
	t_end();

	t_begin("format: too small device or log refused with a clear message");
	mkfile(f, 1 << 20, -1);
	t_eq(rvm_vol_format(f, 1 << 20, 0), -ENOSPC);
	t_check(has(rvm_vol_last_error(), "too small"), "%s", rvm_vol_last_error());
	t_eq(rvm_vol_format(f, 4096, 0), -EINVAL);
	t_check(has(rvm_vol_last_error(), "too small"), "%s", rvm_vol_last_error());
	t_eq(rvm_vol_format(f, 0, 2), -EINVAL);
	t_eq(rvm_vol_format(t_path("missing"), 0, 0), -ENOENT);
	t_check(has(rvm_vol_last_error(), "missing"), "%s", rvm_vol_last_error());
	t_eq(rvm_vol_format(t_dir, 0, 0), -ENOTBLK);
	t_end();

	t_begin("format --log-only: a log of the whole device, no segment 0");
	mkfile(f, 1 << 20, -1);
	t_eq(rvm_vol_format(f, 0, RVM_VOL_FORMAT_LOG_ONLY), 0);
	t_eq(open_read(f, &vol, &sb), 0);
	t_eq(le64_to_cpu(sb.data_start), 0);
	t_eq(le64_to_cpu(sb.data_blocks), 0);
	t_eq(le64_to_cpu(sb.log_blocks), 256 - 10);
	t_check(rvm_vol_segtab(vol) && rvm_vol_segtab(vol)->nsegs == 0,
		"segment table not empty");
	t_eq(le32_to_cpu(rvm_vol_segtab(vol)->hdr->next_id), 1);
	{
		u8 b[512];

		t_eq(rvm_vol_io_ops.read(vol, RVM_IO_SEG0, 0, b, 512), -EINVAL);
	}
	rvm_vol_close(vol);
	t_eq(rvm_vol_format(f, 128 << 10, RVM_VOL_FORMAT_LOG_ONLY), 0);
	t_eq(open_read(f, &vol, &sb), 0);
	t_eq(le64_to_cpu(sb.log_blocks), 32);
	rvm_vol_close(vol);
	t_end();
	unlink(f);
}

static void test_super_errors(void)
{
	struct rvm_disk_super sb, a;
	struct rvm_vol *vol;
	const char *f = t_path("sb.img");
	u8 junk[16] = { 1, 2, 3 };

	mkfile(f, 1 << 20, -1);
	t_eq(rvm_vol_format(f, 0, 0), 0);

	t_begin("corrupt superblock A: B is used");
	poke(f, 100, junk, sizeof(junk));
	t_eq(open_read(f, &vol, &sb), 1);
	t_eq(le64_to_cpu(sb.sb_seq), 1);
	{
		int err;
		const char *why;

		rvm_vol_copy(vol, 0, &err, &why);
		t_eq(err, -EBADMSG);
		t_check(has(why, "CRC"), "%s", why);
	}
	rvm_vol_close(vol);
	t_end();

	t_begin("corrupt superblock B: A is used");
	t_eq(rvm_vol_format(f, 0, 0), 0);
	poke(f, 4096 + 200, junk, sizeof(junk));
	t_eq(open_read(f, &vol, &sb), 0);
	rvm_vol_close(vol);
	t_end();

	t_begin("both superblocks corrupt: clear error");
	poke(f, 100, junk, sizeof(junk));
	t_eq(open_read(f, &vol, &sb), -EBADMSG);
	t_check(has(rvm_vol_last_error(), "copy A: bad CRC") &&
		has(rvm_vol_last_error(), "copy B: bad CRC"), "%s", rvm_vol_last_error());
	rvm_vol_close(vol);
	t_end();

	t_begin("newer format version refused");
	t_eq(rvm_vol_format(f, 0, 0), 0);
	t_eq(open_read(f, &vol, &a), 0);
	rvm_vol_close(vol);
	a.version = cpu_to_le32(RVM_FORMAT_VERSION + 1);
	rvm_super_seal(&a);
	poke(f, 0, &a, sizeof(a));
	a.sb_seq = cpu_to_le64(1);
	rvm_super_seal(&a);
	poke(f, 4096, &a, sizeof(a));
	t_eq(open_read(f, &vol, &sb), -EOPNOTSUPP);
	t_check(has(rvm_vol_last_error(), "newer"), "%s", rvm_vol_last_error());
	rvm_vol_close(vol);
	t_end();

	t_begin("format version 1 refused with a message naming it");
	t_eq(rvm_vol_format(f, 0, 0), 0);
	t_eq(open_read(f, &vol, &a), 0);
	rvm_vol_close(vol);
	/* A version-1 superblock: no segment table fields. */
	a.version = cpu_to_le32(1);
	a.segtab_blocks = 0;
	a.segtab_start = 0;
	a.segtab_gen = 0;
	a.segtab_crc = 0;
	a.log_start = cpu_to_le64(2);
	rvm_super_seal(&a);
	poke(f, 0, &a, sizeof(a));
	a.sb_seq = cpu_to_le64(1);
	rvm_super_seal(&a);
	poke(f, 4096, &a, sizeof(a));
	t_eq(open_read(f, &vol, &sb), -EOPNOTSUPP);
	t_check(has(rvm_vol_last_error(), "format version 1 ") &&
		has(rvm_vol_last_error(), "reformat"), "%s", rvm_vol_last_error());
	rvm_vol_close(vol);
	t_end();

	t_begin("damaged segment table refused");
	t_eq(rvm_vol_format(f, 0, 0), 0);
	poke(f, 2 * 4096 + 300, junk, sizeof(junk));
	t_eq(open_read(f, &vol, &sb), -EBADMSG);
	t_check(has(rvm_vol_last_error(), "segment table copy A"),
		"%s", rvm_vol_last_error());
	rvm_vol_close(vol);
	t_end();

	t_begin("not an rvm device (zeros, random bytes, tiny): clear error");
	mkfile(f, 1 << 20, 0);
	t_eq(open_read(f, &vol, &sb), -EINVAL);
	t_check(has(rvm_vol_last_error(), "not an rvm volume"), "%s", rvm_vol_last_error());
	rvm_vol_close(vol);
	mkfile(f, 1 << 20, 256);
	t_eq(open_read(f, &vol, &sb), -EINVAL);
	t_check(has(rvm_vol_last_error(), "not an rvm volume"), "%s", rvm_vol_last_error());
	rvm_vol_close(vol);
	mkfile(f, 100, 0);
	t_eq(open_read(f, &vol, &sb), -EINVAL);
	t_check(has(rvm_vol_last_error(), "not an rvm volume"), "%s", rvm_vol_last_error());
	rvm_vol_close(vol);
	t_end();

	t_begin("volume larger than its device refused");
	mkfile(f, 1 << 20, -1);
	t_eq(rvm_vol_format(f, 0, 0), 0);
	t_eq(truncate(f, 1 << 19), 0);
	t_eq(open_read(f, &vol, &sb), -EINVAL);
	t_check(has(rvm_vol_last_error(), "beyond the end"), "%s", rvm_vol_last_error());
	rvm_vol_close(vol);
	t_end();
	unlink(f);
}

struct count {
	int txn, pad;
};

static int count_fn(void *arg, const struct rvm_rec_info *ri)
{
	struct count *c = arg;

	if (le16_to_cpu(ri->hdr->type) == RVM_REC_TXN)
		c->txn++;
	else
		c->pad++;
	return 0;
}

static void test_recover(void)
{
	static struct t_vol m;	/* the model: records built in memory */
	struct rvm_recovery_stats st;
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	struct count cnt = { 0 };
	const char *f = t_path("rec.img");
	u8 *before, *after;
	u64 size, size2;
	int i;

	mkfile(f, 2 << 20, -1);
	t_eq(rvm_vol_format(f, 256 << 10, 0), 0);
	t_eq(open_read(f, &vol, &sb), 0);
	rvm_vol_close(vol);
	/* Build records against the file's own superblock, then copy them in. */
	t_vol_init(&m, le64_to_cpu(sb.log_blocks), le64_to_cpu(sb.data_blocks), 0, 1);
	t_vol_use_super(&m, &sb);
	memset(m.data0, 0, m.g.data_size);
	for (i = 0; i < 30; i++)
		t_vol_append_random(&m, 3, 3000);
	t_vol_tear(&m, 25);
	poke(f, m.g.log_off, m.dev.img + m.g.log_off, m.g.log_size);

	t_begin("check (dry run) on a file writes nothing");
	before = slurp(f, &size);
	t_eq(rvm_vol_open(f, RVM_VOL_RDONLY, &vol), 0);
	t_eq(rvm_vol_read_super(vol, NULL), 0);
	t_eq(rvm_vol_check(vol, &st), 0);
	t_eq(st.records, 25);
	t_eq(st.end_lsn, m.rec[25].lsn);
	t_eq(st.end_err, -EBADMSG);
	t_eq(rvm_vol_recover(vol, NULL, &st), -EBADF);
	t_eq(rvm_vol_dump(vol, 0, count_fn, &cnt, &st), 0);
	t_eq(cnt.txn, 25);
	rvm_vol_close(vol);
	after = slurp(f, &size2);
	t_check(size == size2 && !memcmp(before, after, size), "file changed");
	free(after);
	t_end();

	t_begin("offline recovery applies the log and empties it");
	t_eq(rvm_vol_open(f, 0, &vol), 0);
	t_eq(rvm_vol_read_super(vol, NULL), 0);
	t_eq(rvm_vol_recover(vol, NULL, &st), 0);
	t_eq(st.records, 25);
	rvm_vol_close(vol);
	after = slurp(f, &size2);
	{
		u8 *img = t_vol_expect(&m, 25);

		t_check(!memcmp(img, after + m.g.data_off, m.g.data_size), "data segment");
		free(img);
	}
	t_check(!memcmp(before + m.g.log_off, after + m.g.log_off, m.g.log_size),
		"log area written");
	free(after);
	t_eq(open_read(f, &vol, &sb), 1);
	t_eq(le64_to_cpu(sb.sb_seq), 3);
	t_eq(le64_to_cpu(sb.head_lsn), m.rec[25].lsn + m.g.log_size);
	t_eq(le64_to_cpu(sb.head_seq), 26);
	t_eq(rvm_vol_check(vol, &st), 0);
	t_eq(st.records, 0);
	t_eq(rvm_vol_recover(vol, NULL, &st), 0);
	t_eq(rvm_vol_read_super(vol, &sb), 0);
	t_eq(le64_to_cpu(sb.sb_seq), 4);
	rvm_vol_close(vol);
	t_end();
	free(before);
	t_vol_free(&m);
	unlink(f);
}

static void test_unaligned_io(void)
{
	struct rvm_vol *vol;
	const char *f = t_path("io.img");
	u8 buf[10000], back[10000], *img;
	u64 size;

	t_begin("device ops: unaligned reads and writes, bounds");
	mkfile(f, 1 << 20, 256);
	t_eq(rvm_vol_open(f, 0, &vol), 0);
	t_fill(buf, sizeof(buf));
	t_eq(rvm_vol_io_ops.write(vol, RVM_IO_LOG, 4097, buf, 9000), 0);
	t_eq(rvm_vol_io_ops.write(vol, RVM_IO_LOG, 100, buf, 1), 0);
	t_eq(rvm_vol_io_ops.read(vol, RVM_IO_LOG, 4097, back, 9000), 0);
	t_check(!memcmp(buf, back, 9000), "read back");
	t_eq(rvm_vol_io_ops.read(vol, RVM_IO_LOG, (1 << 20) - 10, back, 11), -EIO);
	t_eq(rvm_vol_io_ops.write(vol, RVM_IO_LOG, (1 << 20) - 10, back, 11), -EIO);
	t_eq(rvm_vol_io_ops.read(vol, RVM_IO_LOG, (1 << 20) - 10, back, 10), 0);
	t_eq(rvm_vol_io_ops.flush(vol, RVM_IO_LOG), 0);
	{
		/* Read-ahead: aligned only, and its result at read_end. */
		u8 *a = kvmalloc(8192, GFP_KERNEL);
		void *h;

		t_eq(rvm_vol_io_ops.read_start(vol, RVM_IO_LOG, 4096, a, 8192, &h), 0);
		t_eq(rvm_vol_io_ops.read_end(vol, h), 0);
		t_check(!memcmp(a + 1, buf, 8191), "read-ahead bytes");
		t_eq(rvm_vol_io_ops.read_start(vol, RVM_IO_LOG, 4097, a, 4096, &h), -EINVAL);
		t_eq(rvm_vol_io_ops.read_start(vol, RVM_IO_LOG, 1 << 20, a, 4096, &h), -EIO);
		kvfree(a);
	}
	rvm_vol_close(vol);
	img = slurp(f, &size);
	t_check(!memcmp(img + 4097, buf, 9000) && img[100] == buf[0], "file content");
	free(img);
	t_end();
	unlink(f);
}

/*
 * The endpoints of a one-device volume: the data segment from its own
 * offset 0, known only once the superblocks are read; nothing past the
 * end of an endpoint, and no unknown segment.
 */
static void test_endpoints(void)
{
	const char *f = t_path("ep.img");
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	u64 doff, dsize, lend, size;
	u8 buf[4096], *img;

	t_begin("device ops: log and data segment endpoints, their bounds");
	mkfile(f, 4 << 20, 0);
	t_eq(rvm_vol_format(f, 256 << 10, 0), 0);
	t_eq(rvm_vol_open(f, 0, &vol), 0);
	t_eq(rvm_vol_io_ops.read(vol, RVM_IO_SEG0, 0, buf, 512), -EINVAL);
	t_check(rvm_vol_read_super(vol, &sb) >= 0, "superblocks");
	doff = le64_to_cpu(sb.data_start) * RVM_BLOCK_SIZE;
	dsize = le64_to_cpu(sb.data_blocks) * RVM_BLOCK_SIZE;
	lend = (le64_to_cpu(sb.log_start) + le64_to_cpu(sb.log_blocks)) *
	       RVM_BLOCK_SIZE;
	t_fill(buf, sizeof(buf));
	t_eq(rvm_vol_io_ops.write(vol, RVM_IO_SEG0, 0, buf, 512), 0);
	t_eq(rvm_vol_io_ops.write(vol, RVM_IO_SEG0, dsize - 512, buf + 512, 512), 0);
	t_eq(rvm_vol_io_ops.write(vol, RVM_IO_SEG0, dsize - 512, buf, 1024), -EIO);
	t_eq(rvm_vol_io_ops.write(vol, RVM_IO_SEG0, dsize, buf, 512), -EIO);
	t_eq(rvm_vol_io_ops.write(vol, RVM_IO_LOG, lend - 512, buf, 1024), -EIO);
	t_eq(rvm_vol_io_ops.read(vol, RVM_IO_LOG, lend, buf, 512), -EIO);
	t_eq(rvm_vol_io_ops.write(vol, 1, 0, buf, 512), -EINVAL);
	t_eq(rvm_vol_io_ops.flush(vol, 1), -EINVAL);
	t_eq(rvm_vol_io_ops.flush(vol, RVM_IO_SEG0), 0);
	rvm_vol_close(vol);
	img = slurp(f, &size);
	t_eq(size, 4 << 20);
	t_check(!memcmp(img + doff, buf, 512), "segment offset 0 is data_start");
	t_check(!memcmp(img + doff + dsize - 512, buf + 512, 512),
		"the segment's last sector");
	free(img);
	t_end();
	unlink(f);
}


/* rvmctl's path (built next to the tests), or NULL. */
static const char *rvmctl_path(void)
{
	static char self[512], path[600];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return NULL;
	self[n] = 0;
	snprintf(path, sizeof(path), "%s/../rvmctl", dirname(self));
	return access(path, X_OK) ? NULL : path;
}

/* Run rvmctl @args; its exit status, its stdout in @out. */
static int rvmctl_out(const char *args, char *out, size_t len)
{
	const char *ctl = rvmctl_path();
	char cmd[1024];
	size_t got = 0;
	FILE *p;
	int st;

	out[0] = 0;
	if (!ctl)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", ctl, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (got + 1 < len && fgets(out + got, len - got, p))
		got += strlen(out + got);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Does file @path hold @len bytes @want? */
static bool file_is(const char *path, const u8 *want, u64 len)
{
	u64 size;
	u8 *img = slurp(path, &size);
	bool same = size >= len && !memcmp(img, want, len);

	free(img);
	return same;
}

/*
 * A log of its own and three data files registered with it: records
 * across the three replay into the right files, and a missing or
 * replaced file keeps the log (nothing written) until the right one is
 * back.
 */
static void test_segments(void)
{
	static struct t_vol m;
	/* t_path() has few buffers: keep copies. */
	char *f = strdup(t_path("seglog.img"));
	char *seg[4] = { NULL, strdup(t_path("seg1")), strdup(t_path("seg2")),
			 strdup(t_path("seg3")) };
	char *moved = strdup(t_path("seg2.moved"));
	char *other = strdup(t_path("seg2.other"));
	const u64 segsize[4] = { 0, 64 << 10, 128 << 10, 40 << 10 };
	unsigned long ids[BITS_TO_LONGS(RVM_SEG_ID_LIMIT)];
	struct rvm_recovery_stats st;
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	u8 *stcopy, *logbefore, *img;
	const char *why;
	u64 size;
	u32 id, i;
	int k;

	t_begin("segments: three files added to a log-only volume");
	mkfile(f, 1 << 20, -1);
	for (i = 1; i <= 3; i++)
		mkfile(seg[i], segsize[i] + (i == 3 ? 1000 : 0), 256);
	t_eq(rvm_vol_format(f, 256 << 10, RVM_VOL_FORMAT_LOG_ONLY), 0);
	t_eq(open_read(f, &vol, &sb), 0);
	t_eq(rvm_vol_seg_add(vol, "rel/path", &id), -EINVAL);
	for (i = 1; i <= 3; i++) {
		t_eq(rvm_vol_seg_add(vol, seg[i], &id), 0);
		t_eq(id, i);
	}
	t_eq(rvm_vol_seg_add(vol, seg[2], &id), 0);	/* already there */
	t_eq(id, 2);
	t_check(rvm_vol_segtab(vol)->nsegs == 3, "3 segments");
	t_eq(le64_to_cpu(rvm_vol_segtab(vol)->ent[2].size), segsize[3]);
	rvm_vol_close(vol);
	t_eq(open_read(f, &vol, &sb), 1);	/* 3 table changes: sb_seq 5 */
	t_eq(le64_to_cpu(sb.sb_seq), 5);
	t_eq(le64_to_cpu(sb.segtab_gen), 3);
	t_check(rvm_vol_segtab(vol)->nsegs == 3, "3 segments after reopening");
	t_eq(strcmp(rvm_vol_segtab(vol)->ent[1].name, seg[2]), 0);
	for (i = 1; i <= 3; i++)
		t_eq(rvm_vol_seg_state(vol, i, &why), 0);
	t_eq(rvm_vol_seg_state(vol, 0, &why), -ENOENT);

	/* The model: the same geometry and table, the files' contents. */
	t_vol_init(&m, le64_to_cpu(sb.log_blocks), 0, 0, 1);
	m.sb = sb;
	rvm_geom_init(&m.g, &sb);
	stcopy = malloc(rvm_segtab_bytes(&sb));
	memcpy(stcopy, rvm_vol_segtab(vol)->hdr, rvm_segtab_bytes(&sb));
	t_eq(rvm_segtab_validate(&m.st, stcopy, rvm_segtab_bytes(&sb), &sb, &why), 0);
	m.g.segtab = &m.st;
	rvm_vol_close(vol);
	for (i = 1; i <= 3; i++) {
		m.x0[i] = slurp(seg[i], &size);
		m.dev.xsize[i] = segsize[i];
	}
	for (k = 0; k < 40; k++) {
		u32 sg[3] = { 1 + k % 3, 1 + (k + 1) % 3, 3 };
		u64 off[3];
		u32 len[3], n = k % 4 ? 1 : 3;

		for (i = 0; i < n; i++) {
			len[i] = 1 + t_rand() % 5000;
			off[i] = t_rand() % (segsize[sg[i]] - len[i] + 1);
		}
		t_vol_append_seg(&m, sg, off, len, n, 0);
	}
	/* The last range of segment 3 ends at its end (not the file's). */
	{
		u32 sg = 3, len = 100;
		u64 off = segsize[3] - 100;

		t_vol_append_seg(&m, &sg, &off, &len, 1, 0);
	}
	poke(f, m.g.log_off, m.dev.img + m.g.log_off, m.g.log_size);
	t_end();

	t_begin("segments: pending records name segments 1, 2 and 3");
	t_eq(open_read(f, &vol, &sb), 1);
	t_eq(rvm_vol_pending_segs(vol, ids, &st), 0);
	t_eq(st.records, 41);
	t_eq(find_next_bit(ids, RVM_SEG_ID_LIMIT, 0), 1);
	t_eq(find_next_bit(ids, RVM_SEG_ID_LIMIT, 2), 2);
	t_eq(find_next_bit(ids, RVM_SEG_ID_LIMIT, 3), 3);
	t_eq(find_next_bit(ids, RVM_SEG_ID_LIMIT, 4), RVM_SEG_ID_LIMIT);
	t_eq(rvm_vol_check(vol, &st), 0);
	t_eq(st.records, 41);
	rvm_vol_close(vol);
	t_end();

	t_begin("segments: a missing segment keeps the log, nothing written");
	logbefore = slurp(f, &size);
	t_eq(rename(seg[2], moved), 0);
	t_eq(open_read(f, &vol, &sb), 1);
	t_eq(rvm_vol_seg_state(vol, 2, &why), -ENODEV);
	t_check(has(why, "missing (ENOENT)"), "%s", why);
	t_eq(rvm_vol_recover(vol, NULL, &st), -ENODEV);
	t_check(has(rvm_vol_last_error(), "segment 2") &&
		has(rvm_vol_last_error(), seg[2]) &&
		has(rvm_vol_last_error(), "missing"), "%s", rvm_vol_last_error());
	rvm_vol_close(vol);
	{
		char out[8192], args[600];

		snprintf(args, sizeof(args), "check %s", f);
		t_eq(rvmctl_out(args, out, sizeof(out)), 4);
		t_check(has(out, "pending records name segment 2 ") &&
			has(out, "missing (ENOENT)") &&
			has(out, "segment 1 ") && has(out, ": present"), "%s", out);
		snprintf(args, sizeof(args), "dump %s", f);
		t_eq(rvmctl_out(args, out, sizeof(out)), 0);
		t_check(has(out, "seg 3 offset") && has(out, seg[3]), "%s", out);
	}
	t_check(file_is(f, logbefore, size), "log file written");
	t_check(file_is(seg[1], m.x0[1], segsize[1]), "segment 1 written");
	t_check(file_is(seg[3], m.x0[3], segsize[3]), "segment 3 written");
	t_end();

	t_begin("segments: a segment replaced by another file is refused too");
	mkfile(other, segsize[2], 0);
	t_eq(rename(other, seg[2]), 0);
	t_eq(open_read(f, &vol, &sb), 1);
	t_eq(rvm_vol_seg_state(vol, 2, &why), -ENODEV);
	t_check(has(why, "replaced: inode"), "%s", why);
	t_eq(rvm_vol_recover(vol, NULL, &st), -ENODEV);
	t_check(has(rvm_vol_last_error(), "segment 2") &&
		has(rvm_vol_last_error(), "replaced"), "%s", rvm_vol_last_error());
	rvm_vol_close(vol);
	{
		char out[8192], args[600];

		snprintf(args, sizeof(args), "check %s", f);
		t_eq(rvmctl_out(args, out, sizeof(out)), 4);
		t_check(has(out, "replaced: inode"), "%s", out);
	}
	t_check(file_is(f, logbefore, size), "log file written");
	t_check(file_is(seg[1], m.x0[1], segsize[1]), "segment 1 written");
	t_end();

	t_begin("segments: the right file back, recovery lands in each file");
	t_eq(rename(moved, seg[2]), 0);
	t_eq(open_read(f, &vol, &sb), 1);
	t_eq(rvm_vol_recover(vol, NULL, &st), 0);
	t_eq(st.records, 41);
	rvm_vol_close(vol);
	for (i = 1; i <= 3; i++) {
		img = t_vol_expect_seg(&m, i, m.nrec);
		t_check(file_is(seg[i], img, segsize[i]), "segment %u", i);
		free(img);
	}
	{
		/* Segment 3's bytes past its table size are not touched. */
		u8 *all = slurp(seg[3], &size);

		t_eq(size, segsize[3] + 1000);
		t_check(!memcmp(all + segsize[3], m.x0[3] + segsize[3], 1000),
			"tail of segment 3's file");
		free(all);
	}
	t_eq(open_read(f, &vol, &sb), 0);
	t_eq(le64_to_cpu(sb.segtab_gen), 3);	/* the table is kept */
	t_eq(rvm_vol_check(vol, &st), 0);
	t_eq(st.records, 0);
	rvm_vol_close(vol);
	t_end();

	t_begin("segments: an absent segment no record names is no obstacle");
	t_eq(open_read(f, &vol, &sb), 0);
	rvm_vol_close(vol);
	m.tail = le64_to_cpu(sb.head_lsn);
	m.seq = le64_to_cpu(sb.head_seq);
	m.first = m.nrec;
	for (i = 1; i <= 3; i++) {
		free(m.x0[i]);
		m.x0[i] = slurp(seg[i], &size);
	}
	for (k = 0; k < 5; k++) {
		u32 sg[2] = { 1, 3 }, len[2] = { 10, 4096 };
		u64 off[2] = { 64 * k, 4096 * k };

		t_vol_append_seg(&m, sg, off, len, 2, 0);
	}
	poke(f, m.g.log_off, m.dev.img + m.g.log_off, m.g.log_size);
	t_eq(rename(seg[2], moved), 0);
	t_eq(open_read(f, &vol, &sb), 0);
	t_eq(rvm_vol_pending_segs(vol, ids, &st), 0);
	t_eq(st.records, 5);
	t_eq(find_next_bit(ids, RVM_SEG_ID_LIMIT, 0), 1);
	t_eq(find_next_bit(ids, RVM_SEG_ID_LIMIT, 2), 3);
	t_eq(rvm_vol_recover(vol, NULL, &st), 0);
	t_eq(st.records, 5);
	rvm_vol_close(vol);
	for (i = 1; i <= 3; i += 2) {
		img = t_vol_expect_seg(&m, i, m.nrec);
		t_check(file_is(seg[i], img, segsize[i]), "segment %u", i);
		free(img);
	}
	t_eq(rename(moved, seg[2]), 0);
	t_end();

	free(logbefore);
	free(stcopy);
	t_vol_free(&m);
	for (i = 1; i <= 3; i++) {
		unlink(seg[i]);
		free(seg[i]);
	}
	unlink(f);
	free(f);
	free(moved);
	free(other);
}

static int run(const char *rvmctl, const char *args)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", rvmctl, args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_rvmctl(void)
{
	char self[512], rvmctl[600], args[600];
	const char *f = t_path("ctl.img");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	t_begin("rvmctl format, check, dump: exit status");
	/* rvmctl is ours and built with the tests: missing is a failure. */
	t_check(n > 0, "cannot find myself: %s", strerror(errno));
	if (n <= 0) {
		t_end();
		return;
	}
	self[n] = 0;
	snprintf(rvmctl, sizeof(rvmctl), "%s/../rvmctl", dirname(self));
	t_check(!access(rvmctl, X_OK), "%s is not built", rvmctl);
	if (t_case_failed) {
		t_end();
		return;
	}
	mkfile(f, 1 << 20, 0);
	snprintf(args, sizeof(args), "check %s", f);
	t_eq(run(rvmctl, args), 8);	/* not a volume: fsck's operational error */
	snprintf(args, sizeof(args), "format %s --log-size 128K", f);
	t_eq(run(rvmctl, args), 0);
	snprintf(args, sizeof(args), "check %s", f);
	t_eq(run(rvmctl, args), 0);
	snprintf(args, sizeof(args), "dump %s", f);
	t_eq(run(rvmctl, args), 0);
	snprintf(args, sizeof(args), "format %s --log-size 12Q", f);
	t_eq(run(rvmctl, args), 2);
	snprintf(args, sizeof(args), "check %s", t_path("missing"));
	t_eq(run(rvmctl, args), 8);
	t_eq(run(rvmctl, "frobnicate"), 2);
	t_eq(run(rvmctl, "help"), 0);
	t_eq(run(rvmctl, "help dump"), 0);
	t_eq(run(rvmctl, "check"), 2);
	t_end();
	unlink(f);
}

int main(void)
{
	if (!t_tmpdir("volume"))
		return T_FAIL;
	test_format();
	test_super_errors();
	test_recover();
	test_unaligned_io();
	test_endpoints();
	test_segments();
	test_rvmctl();
	t_rmdir();
	return t_exit();
}
