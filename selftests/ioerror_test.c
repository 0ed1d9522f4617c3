// SPDX-License-Identifier: GPL-2.0
/*
 * A failing disk under an attached volume: the contract says it gets a
 * clear error and loses nothing. The volume lives on a device-mapper
 * device over the small scratch disk, built here with the DM ioctls (the
 * VM has no dmsetup and no udev); making the disk fail is loading an
 * "error" target over all or part of it and resuming, healing it is
 * loading "linear" again. Everything acknowledged before a failure must
 * be found by recovery once the disk is healed; what failed may be there
 * or not (like fsync's EIO), but never in part. A bad block inside a
 * read-ahead window fails only its own page.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/dm-ioctl.h>
#include <linux/fs.h>

#include "kselftest_harness.h"
#include "rvm_selftest.h"

#define DM_NAME "rvmtest"
#define DM_NODE "/dev/rvmtest-dm"
#define MAPLEN (1 << 20)
#define LOGLEN (1 << 20)

/* ---- device mapper, straight through /dev/mapper/control ---- */

struct dm_piece {
	uint64_t start;
	uint64_t len;
	const char *type;
	char params[64];
};

/* One DM ioctl on device @name with @n targets: 0 or -errno. */
static int dm_call(unsigned long cmd, const char *name, uint32_t flags,
		   const struct dm_piece *t, int n, uint64_t *devp)
{
	static uint64_t buf[16384 / 8];
	struct dm_ioctl *io = (struct dm_ioctl *)buf;
	size_t off = sizeof(*io);
	int fd, ret;

	memset(buf, 0, sizeof(buf));
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = sizeof(buf);
	io->data_start = sizeof(*io);
	io->flags = flags;
	io->target_count = n;
	if (name)
		snprintf(io->name, sizeof(io->name), "%s", name);
	for (int i = 0; i < n; i++) {
		struct dm_target_spec *s = (void *)((char *)buf + off);
		size_t sz = sizeof(*s) + strlen(t[i].params) + 1;

		sz = (sz + 7) & ~(size_t)7;
		s->sector_start = t[i].start;
		s->length = t[i].len;
		snprintf(s->target_type, sizeof(s->target_type), "%s",
			 t[i].type);
		strcpy((char *)(s + 1), t[i].params);
		s->next = sz;
		off += sz;
	}
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, cmd, io) ? -errno : 0;
	close(fd);
	if (!ret && devp)
		*devp = io->dev;
	return ret;
}

FIXTURE(ioerr) {
	int ctl;
	int fd;
	unsigned char *p;
	bool dm_made;
	char backing[32];	/* "major:minor" of the scratch disk */
	uint64_t nsect;		/* its size in sectors */
	struct rvm_geom g;	/* the volume's geometry */
};

/*
 * Make the live table of the DM device: linear over the scratch disk,
 * except sectors [err_start, err_end), which fail every read and write
 * (flushes still succeed: the error target takes none). Loading and
 * resuming swaps the table even with I/O in flight.
 */
static int dm_table(FIXTURE_DATA(ioerr) *self, uint64_t err_start,
		    uint64_t err_end)
{
	struct dm_piece t[3];
	int n = 0, ret;

	if (err_end > self->nsect)
		err_end = self->nsect;
	if (err_start > err_end)
		err_start = err_end;
	if (err_start > 0) {
		t[n] = (struct dm_piece){ 0, err_start, "linear", "" };
		snprintf(t[n].params, sizeof(t[n].params), "%s 0",
			 self->backing);
		n++;
	}
	if (err_end > err_start)
		t[n++] = (struct dm_piece){ err_start, err_end - err_start,
					    "error", "" };
	if (err_end < self->nsect) {
		t[n] = (struct dm_piece){ err_end, self->nsect - err_end,
					  "linear", "" };
		snprintf(t[n].params, sizeof(t[n].params), "%s %llu",
			 self->backing, (unsigned long long)err_end);
		n++;
	}
	ret = dm_call(DM_TABLE_LOAD, DM_NAME, 0, t, n, NULL);
	if (ret)
		return ret;
	return dm_call(DM_DEV_SUSPEND, DM_NAME, DM_SKIP_LOCKFS_FLAG, NULL, 0,
		       NULL);
}

static int dm_heal(FIXTURE_DATA(ioerr) *self)
{
	return dm_table(self, 0, 0);
}

static int dm_fail_all(FIXTURE_DATA(ioerr) *self)
{
	return dm_table(self, 0, self->nsect);
}

static void dm_remove(void)
{
	/* The last close of a claimed bdev may be a moment late. */
	for (int i = 0; i < 50; i++) {
		int ret = dm_call(DM_DEV_REMOVE, DM_NAME, 0, NULL, 0, NULL);

		if (ret != -EBUSY)
			break;
		usleep(100 * 1000);
	}
	unlink(DM_NODE);
}

/* Attach the DM device; @spool_ms 0 for the default spool delay. */
static int attach_dm(FIXTURE_DATA(ioerr) *self, uint32_t spool_ms)
{
	struct rvm_attach a;

	memset(&a, 0, sizeof(a));
	a.path = (uintptr_t)DM_NODE;
	a.spool_delay_ms = spool_ms;
	return rvm_do(self->ctl, RVM_IOC_ATTACH, &a);
}

static int map_dm(FIXTURE_DATA(ioerr) *self)
{
	self->p = rvm_map_dev(DM_NODE, 0, MAPLEN, &self->fd);
	return self->p == MAP_FAILED ? -1 : 0;
}

/* Drop the mapping and the bound file: detach needs no binder. */
static void unmap_dm(FIXTURE_DATA(ioerr) *self)
{
	if (self->fd >= 0) {
		munmap(self->p, MAPLEN);
		close(self->fd);
		self->fd = -1;
	}
}

static int status_dm(FIXTURE_DATA(ioerr) *self, struct rvm_status *st)
{
	return rvm_status_dev(self->ctl, DM_NODE, st);
}

/* The device sector holding log position @lsn. */
static uint64_t lsn_sector(FIXTURE_DATA(ioerr) *self, uint64_t lsn)
{
	return rvm_lsn_to_log(&self->g, lsn) / 512;
}

/*
 * Zero the first MAPLEN bytes of the data segment: formatting leaves it as
 * it was, and the tests before this one wrote the same scratch disk.
 */
static int zero_data(FIXTURE_DATA(ioerr) *self)
{
	return rvm_zero_dev(DM_NODE, self->g.data_off, MAPLEN);
}

FIXTURE_SETUP(ioerr)
{
	struct rvm_disk_super sb;
	struct rvm_vol *v;
	uint64_t bytes, dev;
	struct stat s;
	int bfd;

	self->fd = -1;
	self->dm_made = false;
	self->ctl = rvm_ctl_open();
	/* Our VM loads rvm.ko and attaches the disks: a missing one fails. */
	ASSERT_LE(0, self->ctl) TH_LOG("/dev/rvm missing: is rvm.ko loaded?");
	ASSERT_EQ(0, access("/dev/mapper/control", F_OK))
		TH_LOG("no /dev/mapper/control: is dm-mod loaded?");
	ASSERT_EQ(0, stat(RVM_DISK2, &s)) TH_LOG("no scratch disk " RVM_DISK2);
	ASSERT_TRUE(S_ISBLK(s.st_mode)) TH_LOG(RVM_DISK2 " is not a block device");
	snprintf(self->backing, sizeof(self->backing), "%u:%u",
		 major(s.st_rdev), minor(s.st_rdev));
	bfd = open(RVM_DISK2, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(0, ioctl(bfd, BLKGETSIZE64, &bytes));
	close(bfd);
	self->nsect = bytes / 512;

	/* Leftovers of an earlier test that died. */
	rvm_detach_dev(self->ctl, DM_NODE);
	dm_remove();

	ASSERT_EQ(0, dm_call(DM_DEV_CREATE, DM_NAME, 0, NULL, 0, &dev));
	self->dm_made = true;
	ASSERT_EQ(0, dm_heal(self));
	ASSERT_EQ(0, mknod(DM_NODE, S_IFBLK | 0600,
			   makedev(major(dev), minor(dev))));
	ASSERT_EQ(0, rvm_vol_format(DM_NODE, LOGLEN, 0))
		TH_LOG("format: %s", rvm_vol_last_error());
	ASSERT_EQ(0, rvm_vol_open(DM_NODE, RVM_VOL_RDONLY, &v));
	ASSERT_LE(0, rvm_vol_read_super(v, &sb));
	rvm_vol_close(v);
	rvm_geom_init(&self->g, &sb);
	ASSERT_EQ(LOGLEN, self->g.log_size);
	ASSERT_EQ(0, zero_data(self));
}

FIXTURE_TEARDOWN(ioerr)
{
	unmap_dm(self);
	if (self->ctl >= 0) {
		rvm_detach_dev(self->ctl, DM_NODE);
		close(self->ctl);
	}
	if (self->dm_made) {
		dm_heal(self);
		dm_remove();
	}
}

/*
 * One transaction writing two ranges, @la bytes of @va at @a and @lb
 * bytes of @vb at @b (no second range if @b is NULL): 0 or the -errno of
 * the first step that failed.
 */
static int txn2(int fd, unsigned char *a, int va, size_t la, unsigned char *b,
		int vb, size_t lb, uint32_t mode)
{
	uint64_t tid;
	int ret;

	ret = rvm_begin(fd, RVM_TXN_NO_RESTORE, &tid);
	if (ret)
		return ret;
	ret = rvm_range(fd, tid, a, la);
	if (!ret && b)
		ret = rvm_range(fd, tid, b, lb);
	if (ret)
		return ret;
	memset(a, va, la);
	if (b)
		memset(b, vb, lb);
	return rvm_end(fd, tid, mode);
}

/* How many of @len bytes at @p are @v. */
static size_t count_bytes(const unsigned char *p, int v, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == v;
	return n;
}

static void touch(const unsigned char *p)
{
	(void)*(volatile const unsigned char *)p;
}

TEST_F(ioerr, commit_fails_with_eio)
{
	unsigned char *a, *b;
	struct rvm_status st;
	uint64_t t2, t3, t4, tear;
	struct rvm_recovery_stats rs;
	struct rvm_vol *v;
	size_t na, nb;

	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, map_dm(self));
	for (int i = 0; i < 6; i++)
		ASSERT_EQ(0, txn2(self->fd, self->p + i * 512, 0x10 + i, 100,
				  self->p + 200000 + i * 512, 0x20 + i, 100,
				  RVM_END_FLUSH));

	/* Running when the disk fails: one to end, one to abort. */
	ASSERT_EQ(0, rvm_begin(self->fd, RVM_TXN_NO_RESTORE, &t2));
	ASSERT_EQ(0, rvm_range(self->fd, t2, self->p + 8000, 50));
	memset(self->p + 8000, 0x55, 50);
	ASSERT_EQ(0, rvm_begin(self->fd, RVM_TXN_RESTORE, &t3));
	ASSERT_EQ(0, rvm_range(self->fd, t3, self->p + 512, 100));
	memset(self->p + 512, 0x66, 100);

	/*
	 * The log fails 4 KiB past its tail: the next record, 2 x 3000
	 * bytes, is torn, its first sectors written and the rest not.
	 */
	a = self->p + 65536;
	b = self->p + 131072;
	touch(a);
	touch(b);
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(0, st.flags);
	tear = lsn_sector(self, st.tail_lsn) + 8;
	ASSERT_EQ(0, dm_table(self, tear,
			      (self->g.log_off + self->g.log_size) / 512));

	EXPECT_EQ(-EIO, txn2(self->fd, a, 0xa1, 3000, b, 0xb2, 3000,
			     RVM_END_FLUSH));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(RVM_STATUS_FAILED, st.flags & RVM_STATUS_FAILED);

	/* Read-only from now on, with a clear error; nothing hangs. */
	EXPECT_EQ(-EROFS, rvm_begin(self->fd, RVM_TXN_RESTORE, &t4));
	EXPECT_EQ(-EROFS, rvm_end(self->fd, t2, RVM_END_FLUSH));
	EXPECT_EQ(-EROFS, txn2(self->fd, self->p, 1, 1, NULL, 0, 0,
			       RVM_END_NO_FLUSH));
	EXPECT_EQ(-EROFS, rvm_sync(self->fd, false));
	EXPECT_EQ(-EROFS, rvm_sync(self->fd, true));
	/* Abort only touches memory: it still puts the bytes back. */
	EXPECT_EQ(0, rvm_abort(self->fd, t3));
	EXPECT_EQ(0x11, self->p[512]);
	EXPECT_EQ(0x11, self->p[611]);
	/* The mapping still reads. */
	EXPECT_EQ(0x15, self->p[5 * 512 + 99]);

	/* Detach reports the failure and releases the volume anyway. */
	unmap_dm(self);
	EXPECT_EQ(-EIO, rvm_detach_dev(self->ctl, DM_NODE));
	EXPECT_EQ(-ENOENT, rvm_detach_dev(self->ctl, DM_NODE));
	EXPECT_EQ(-ENOENT, status_dm(self, &st));

	/* What recovery will find, checked offline first. */
	ASSERT_EQ(0, dm_heal(self));
	ASSERT_EQ(0, rvm_vol_open(DM_NODE, RVM_VOL_RDONLY, &v));
	ASSERT_LE(0, rvm_vol_read_super(v, NULL));
	ASSERT_EQ(0, rvm_vol_check(v, &rs));
	rvm_vol_close(v);
	TH_LOG("offline check: %llu records, the log ends: %s",
	       (unsigned long long)rs.records, rs.end_why);
	EXPECT_EQ(6, rs.records);

	/* Healed: recovery finds every acknowledged commit. */
	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(6, st.recovery_records);
	ASSERT_EQ(0, map_dm(self));
	for (int i = 0; i < 6; i++) {
		EXPECT_EQ(100, count_bytes(self->p + i * 512, 0x10 + i, 100));
		EXPECT_EQ(100, count_bytes(self->p + 200000 + i * 512,
					   0x20 + i, 100));
		EXPECT_EQ(0, self->p[i * 512 + 100]);
	}
	/* Never committed. */
	EXPECT_EQ(0, count_bytes(self->p + 8000, 0x55, 50));
	/* The failed commit: wholly there or wholly absent. */
	na = count_bytes(a, 0xa1, 3000);
	nb = count_bytes(b, 0xb2, 3000);
	TH_LOG("failed commit after recovery: %zu + %zu of 6000 bytes, %llu records replayed",
	       na, nb, (unsigned long long)st.recovery_records);
	EXPECT_TRUE((na == 3000 && nb == 3000) ||
		    (na == 0 && nb == 0 && count_bytes(a, 0, 3000) == 3000 &&
		     count_bytes(b, 0, 3000) == 3000));
	/* And the volume works again. */
	EXPECT_EQ(0, txn2(self->fd, self->p, 0x77, 10, NULL, 0, 0,
			  RVM_END_FLUSH));
	unmap_dm(self);
	EXPECT_EQ(0, rvm_detach_dev(self->ctl, DM_NODE));
}

/* The counter area of the prefix tests: a header and one slot per commit. */
#define SLOTS 4096

static uint64_t *last_of(unsigned char *p)
{
	return (uint64_t *)p;
}

static uint64_t *slot_of(unsigned char *p, int i)
{
	return (uint64_t *)(p + SLOTS) + i;
}

/* Commit number @i: slot i := i and last := i, plus @blob bytes of i. */
static int counter_commit(unsigned char *p, int fd, int i, size_t blob,
			  uint32_t mode)
{
	unsigned char *bl = p + 65536 + (size_t)i * 1024;
	uint64_t tid;
	int ret;

	ret = rvm_begin(fd, RVM_TXN_NO_RESTORE, &tid);
	if (!ret)
		ret = rvm_range(fd, tid, slot_of(p, i), 8);
	if (!ret)
		ret = rvm_range(fd, tid, last_of(p), 8);
	if (!ret && blob)
		ret = rvm_range(fd, tid, bl, blob);
	if (ret)
		return ret;
	*slot_of(p, i) = i;
	*last_of(p) = i;
	if (blob)
		memset(bl, i, blob);
	return rvm_end(fd, tid, mode);
}

/*
 * After recovery: the state after commits 1..L for some L in [lo, hi],
 * nothing of the later ones. Returns L.
 */
static uint64_t check_prefix(struct __test_metadata *_metadata,
			     unsigned char *p, int lo, int hi, size_t blob)
{
	uint64_t last = *last_of(p);

	EXPECT_LE(lo, last);
	EXPECT_GE(hi, last);
	for (int i = 1; i <= hi; i++) {
		unsigned char *bl = p + 65536 + (size_t)i * 1024;

		if (i <= (int)last) {
			EXPECT_EQ(i, *slot_of(p, i))
				TH_LOG("slot %d of a prefix of %llu", i,
				       (unsigned long long)last);
			if (blob)
				EXPECT_EQ(blob, count_bytes(bl, i, blob));
		} else {
			EXPECT_EQ(0, *slot_of(p, i))
				TH_LOG("slot %d beyond a prefix of %llu", i,
				       (unsigned long long)last);
			if (blob)
				EXPECT_EQ(blob, count_bytes(bl, 0, blob));
		}
	}
	return last;
}

TEST_F(ioerr, no_flush_then_failure)
{
	struct rvm_status st;
	uint64_t last;

	/* A long spool delay: only RVM_IOC_FLUSH writes the spool. */
	ASSERT_EQ(0, attach_dm(self, 60000));
	ASSERT_EQ(0, map_dm(self));
	for (int i = 1; i <= 10; i++)
		ASSERT_EQ(0, counter_commit(self->p, self->fd, i, 0,
					    RVM_END_NO_FLUSH));
	ASSERT_EQ(0, rvm_sync(self->fd, false));
	for (int i = 11; i <= 30; i++)
		ASSERT_EQ(0, counter_commit(self->p, self->fd, i, 0,
					    RVM_END_NO_FLUSH));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(30, st.commits);
	EXPECT_EQ(0, st.flags);

	ASSERT_EQ(0, dm_fail_all(self));
	EXPECT_EQ(-EIO, rvm_sync(self->fd, false));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(RVM_STATUS_FAILED, st.flags & RVM_STATUS_FAILED);
	EXPECT_EQ(-EROFS, rvm_sync(self->fd, false));
	EXPECT_EQ(-EROFS, counter_commit(self->p, self->fd, 31, 0,
					 RVM_END_NO_FLUSH));

	unmap_dm(self);
	EXPECT_EQ(-EIO, rvm_detach_dev(self->ctl, DM_NODE));
	EXPECT_EQ(-ENOENT, rvm_detach_dev(self->ctl, DM_NODE));
	ASSERT_EQ(0, dm_heal(self));
	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, map_dm(self));
	last = check_prefix(_metadata, self->p, 10, 30, 0);
	TH_LOG("recovered the first %llu of 30 commits (10 flushed)",
	       (unsigned long long)last);
}

TEST_F(ioerr, torn_batch_is_a_prefix)
{
	struct rvm_status st;
	uint64_t last;

	ASSERT_EQ(0, attach_dm(self, 60000));
	ASSERT_EQ(0, map_dm(self));
	/* Load the pages now: the data segment stays readable anyway. */
	for (size_t off = 0; off < 65536 + 51 * 1024; off += 4096)
		touch(self->p + off);
	for (int i = 1; i <= 10; i++)
		ASSERT_EQ(0, counter_commit(self->p, self->fd, i, 1000,
					    RVM_END_NO_FLUSH));
	ASSERT_EQ(0, rvm_sync(self->fd, false));
	for (int i = 11; i <= 50; i++)
		ASSERT_EQ(0, counter_commit(self->p, self->fd, i, 1000,
					    RVM_END_NO_FLUSH));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(0, st.flags);

	/*
	 * The spool, 40 records of about 1.1 KiB, goes out as one batch;
	 * the log fails 16 KiB into it, so the batch is torn mid-way.
	 */
	ASSERT_EQ(0, dm_table(self, lsn_sector(self, st.tail_lsn) + 32,
			      (self->g.log_off + self->g.log_size) / 512));
	EXPECT_EQ(-EIO, rvm_sync(self->fd, false));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(RVM_STATUS_FAILED, st.flags & RVM_STATUS_FAILED);

	unmap_dm(self);
	EXPECT_EQ(-EIO, rvm_detach_dev(self->ctl, DM_NODE));
	ASSERT_EQ(0, dm_heal(self));
	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, status_dm(self, &st));
	ASSERT_EQ(0, map_dm(self));
	last = check_prefix(_metadata, self->p, 10, 50, 1000);
	TH_LOG("recovered the first %llu of 50 commits (10 flushed), %llu records replayed",
	       (unsigned long long)last,
	       (unsigned long long)st.recovery_records);
	/* Torn: the records past the failing sector never reached the log. */
	EXPECT_GT(50, last);
}

/*
 * A record that does not fit in the rest of the lap goes after a pad
 * record, whose sector is written first, on its own, without FUA: here
 * that write fails. The commit gets EIO, nothing of it is recovered, and every
 * acknowledged commit before it is.
 */
TEST_F(ioerr, lap_wrap_write_fails)
{
	struct rvm_status st;
	unsigned char *a, *b, *c, *d;
	uint64_t left;
	int n = 0, m = 0;

	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, map_dm(self));
	a = self->p + 16384;
	b = self->p + 32768;
	c = self->p + 40960;
	d = self->p + 49152;
	touch(a);
	touch(b);
	/*
	 * Up to less than 4 KiB before the end of the lap: commits of 16128
	 * log bytes while they fit, then counter commits of 1152.
	 */
	for (;;) {
		ASSERT_EQ(0, status_dm(self, &st));
		left = self->g.log_size - st.tail_lsn % self->g.log_size;
		if (left < 4096)
			break;
		if (left >= 16128 + 4096) {
			m++;
			ASSERT_EQ(0, txn2(self->fd, c, m, 8000, d, m, 8000,
					  RVM_END_FLUSH));
		} else {
			n++;
			ASSERT_EQ(0, counter_commit(self->p, self->fd, n, 1000,
						    RVM_END_FLUSH));
		}
		ASSERT_GT(200, n);
		ASSERT_GT(200, m);
	}
	/* The end of the lap fails; its start, where the record goes, not. */
	ASSERT_EQ(0, dm_table(self, lsn_sector(self, st.tail_lsn),
			      (self->g.log_off + self->g.log_size) / 512));
	EXPECT_EQ(-EIO, txn2(self->fd, a, 0xa1, 3000, b, 0xb2, 3000,
			     RVM_END_FLUSH));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(RVM_STATUS_FAILED, st.flags & RVM_STATUS_FAILED);
	EXPECT_EQ(-EROFS, counter_commit(self->p, self->fd, n + 1, 1000,
					 RVM_END_FLUSH));

	unmap_dm(self);
	EXPECT_EQ(-EIO, rvm_detach_dev(self->ctl, DM_NODE));
	ASSERT_EQ(0, dm_heal(self));
	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, map_dm(self));
	a = self->p + 16384;
	b = self->p + 32768;
	c = self->p + 40960;
	d = self->p + 49152;
	EXPECT_EQ(n, check_prefix(_metadata, self->p, n, n + 1, 1000));
	EXPECT_EQ(8000, count_bytes(c, m & 0xff, 8000));
	EXPECT_EQ(8000, count_bytes(d, m & 0xff, 8000));
	EXPECT_EQ(3000, count_bytes(a, 0, 3000));
	EXPECT_EQ(3000, count_bytes(b, 0, 3000));
	TH_LOG("%d + %d commits acknowledged before the failure, all recovered",
	       m, n);
}

struct loader {
	int fd;
	unsigned char *p;	/* its own counter area */
	int acked;		/* last commit acknowledged */
	int err;		/* the first error */
	int after;		/* what begin said after it */
};

static void *loader_fn(void *arg)
{
	struct loader *l = arg;
	uint64_t tid;

	for (int i = 1; i < 400; i++) {
		int ret = counter_commit(l->p, l->fd, i, 0, RVM_END_FLUSH);

		if (ret) {
			l->err = ret;
			break;
		}
		l->acked = i;
	}
	l->after = rvm_begin(l->fd, RVM_TXN_RESTORE, &tid);
	return NULL;
}

TEST_F(ioerr, failure_under_load)
{
	struct loader l[4];
	pthread_t t[4];
	struct rvm_status st;
	int eio = 0;

	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, map_dm(self));
	for (int k = 0; k < 4; k++) {
		l[k] = (struct loader){ self->fd, self->p + k * 8192, 0, 0,
					0 };
		touch(l[k].p);
		touch(l[k].p + 4096);
	}
	for (int k = 0; k < 4; k++)
		ASSERT_EQ(0, pthread_create(&t[k], NULL, loader_fn, &l[k]));
	/* Let commits flow, then fail the disk under them. */
	for (int n = 0; n < 200; n++) {
		ASSERT_EQ(0, status_dm(self, &st));
		if (st.commits >= 40)
			break;
		usleep(10 * 1000);
	}
	ASSERT_EQ(0, dm_fail_all(self));
	for (int k = 0; k < 4; k++) {
		pthread_join(t[k], NULL);
		TH_LOG("thread %d: %d acknowledged, then %d, then begin %d", k,
		       l[k].acked, l[k].err, l[k].after);
		EXPECT_TRUE(l[k].err == -EIO || l[k].err == -EROFS);
		EXPECT_EQ(-EROFS, l[k].after);
		eio += l[k].err == -EIO;
	}
	EXPECT_LE(1, eio);
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(RVM_STATUS_FAILED, st.flags & RVM_STATUS_FAILED);

	unmap_dm(self);
	EXPECT_EQ(-EIO, rvm_detach_dev(self->ctl, DM_NODE));
	ASSERT_EQ(0, dm_heal(self));
	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, map_dm(self));
	for (int k = 0; k < 4; k++)
		check_prefix(_metadata, self->p + k * 8192, l[k].acked,
			     l[k].acked + 1, 0);
}

TEST_F(ioerr, attach_on_failing_device)
{
	struct rvm_status st;
	int fd;

	/* Nothing readable: not even the superblocks. */
	ASSERT_EQ(0, dm_fail_all(self));
	EXPECT_EQ(-EIO, attach_dm(self, 0));
	EXPECT_EQ(-ENOENT, status_dm(self, &st));
	fd = rvm_ctl_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, rvm_bind_dev(fd, DM_NODE));
	close(fd);
	EXPECT_EQ(-ENOENT, rvm_detach_dev(self->ctl, DM_NODE));

	/* Superblock A unreadable, B fine: a read error is not "corrupt". */
	ASSERT_EQ(0, dm_table(self, 0, 8));
	EXPECT_EQ(-EIO, attach_dm(self, 0));
	EXPECT_EQ(-ENOENT, status_dm(self, &st));

	/* The device was not left claimed: healed, it attaches. */
	ASSERT_EQ(0, dm_heal(self));
	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(0, st.flags);
}

TEST_F(ioerr, failure_during_truncation)
{
	uint64_t data_sect = self->g.data_off / 512;
	struct rvm_status st;

	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, map_dm(self));
	for (int i = 0; i < 8; i++)
		ASSERT_EQ(0, txn2(self->fd, self->p + i * 9000, 0x30 + i, 5000,
				  self->p + 500000 + i * 64, 0x40 + i, 10,
				  RVM_END_FLUSH));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_LT(0, st.log_used);

	/* The log works, the data segment does not. */
	ASSERT_EQ(0, dm_table(self, data_sect, self->nsect));
	EXPECT_EQ(-EIO, rvm_sync(self->fd, true));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(RVM_STATUS_FAILED, st.flags & RVM_STATUS_FAILED);
	EXPECT_EQ(0, st.truncations);
	unmap_dm(self);
	EXPECT_EQ(-EIO, rvm_detach_dev(self->ctl, DM_NODE));
	EXPECT_EQ(-ENOENT, rvm_detach_dev(self->ctl, DM_NODE));

	/* Recovery cannot write the data segment either: a clean -EIO. */
	EXPECT_EQ(-EIO, attach_dm(self, 0));
	EXPECT_EQ(-ENOENT, status_dm(self, &st));

	/* Healed: the log was kept, recovery replays it. */
	ASSERT_EQ(0, dm_heal(self));
	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(8, st.recovery_records);
	ASSERT_EQ(0, map_dm(self));
	for (int i = 0; i < 8; i++) {
		EXPECT_EQ(5000, count_bytes(self->p + i * 9000, 0x30 + i,
					    5000));
		EXPECT_EQ(10, count_bytes(self->p + 500000 + i * 64, 0x40 + i,
					  10));
	}
}

/* Touch a byte, reporting the signal it raised (0 for none). */
static sigjmp_buf probe_jmp;
static volatile sig_atomic_t probe_sig;

static void probe_handler(int sig)
{
	probe_sig = sig;
	siglongjmp(probe_jmp, 1);
}

static int probe(unsigned char *addr, bool write)
{
	struct sigaction sa, obus, osegv;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	probe_sig = 0;
	if (!sigsetjmp(probe_jmp, 1)) {
		if (write)
			*(volatile unsigned char *)addr = 0x5a;
		else
			(void)*(volatile unsigned char *)addr;
	}
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return probe_sig;
}

TEST_F(ioerr, fault_on_failing_device)
{
	struct rvm_status st;
	uint64_t tid, t2;
	int ret;

	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, map_dm(self));
	ASSERT_EQ(0, txn2(self->fd, self->p, 0x42, 64, NULL, 0, 0,
			  RVM_END_FLUSH));
	ASSERT_EQ(0, dm_fail_all(self));

	/* A page in memory still reads; a never-touched one cannot. */
	EXPECT_EQ(0, probe(self->p + 10, false));
	EXPECT_EQ(SIGBUS, probe(self->p + 262144, false));
	EXPECT_EQ(SIGBUS, probe(self->p + 262144 + 100, false));
	/* Declaring it costs no read in no_restore mode; the write faults. */
	ASSERT_EQ(0, rvm_begin(self->fd, RVM_TXN_NO_RESTORE, &tid));
	ASSERT_EQ(0, rvm_range(self->fd, tid, self->p + 524288, 16));
	EXPECT_EQ(SIGBUS, probe(self->p + 524288, true));
	/* Committing it must read the page: a clear error. */
	ret = rvm_end(self->fd, tid, RVM_END_FLUSH);
	EXPECT_EQ(-EIO, ret);
	/* Restore mode reads the old bytes at set_range. */
	ASSERT_EQ(0, rvm_begin(self->fd, RVM_TXN_RESTORE, &t2));
	EXPECT_EQ(-EIO, rvm_range(self->fd, t2, self->p + 786432, 16));
	EXPECT_EQ(0, rvm_abort(self->fd, t2));

	/* Reads failed, the log did not: the volume is not failed. */
	ASSERT_EQ(0, status_dm(self, &st));
	TH_LOG("after read errors: status flags %#x", st.flags);
	EXPECT_EQ(0, st.flags & RVM_STATUS_FAILED);

	/* Healed, the same pages load, and the volume commits. */
	ASSERT_EQ(0, dm_heal(self));
	EXPECT_EQ(0, probe(self->p + 262144, false));
	EXPECT_EQ(0, self->p[262144]);
	/*
	 * The contract (RVM_IOC_END): after an EIO from reading a page of
	 * the data segment the transaction keeps running, so once healed
	 * it writes its declared bytes and commits.
	 */
	self->p[524288] = 0x44;
	self->p[524288 + 15] = 0x45;
	EXPECT_EQ(0, rvm_end(self->fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(-EINVAL, rvm_end(self->fd, tid, RVM_END_FLUSH));
	EXPECT_EQ(0, txn2(self->fd, self->p + 786432, 0x43, 16, NULL, 0, 0,
			  RVM_END_FLUSH));
	EXPECT_EQ(0x42, self->p[63]);
	unmap_dm(self);
	EXPECT_EQ(0, rvm_detach_dev(self->ctl, DM_NODE));
	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, map_dm(self));
	EXPECT_EQ(0x42, self->p[0]);
	EXPECT_EQ(0x43, self->p[786432 + 15]);
	EXPECT_EQ(0x44, self->p[524288]);
	EXPECT_EQ(0x45, self->p[524288 + 15]);
}

/*
 * Read-ahead (segment.c): a fault right after the last load's pages reads
 * twice as many in one I/O. Page k of the data segment holds the byte
 * k + 1, written to the device before it is attached.
 */
#define RA_PAGES 64
#define PG 4096

static int fill_pages(FIXTURE_DATA(ioerr) *self)
{
	unsigned char *buf = NULL;
	int ret;

	if (posix_memalign((void **)&buf, PG, RA_PAGES * PG))
		return -1;
	for (int k = 0; k < RA_PAGES; k++)
		memset(buf + k * PG, k + 1, PG);
	ret = rvm_write_dev(DM_NODE, self->g.data_off, buf, RA_PAGES * PG);
	free(buf);
	return ret;
}

/* The device sector where data page @k begins. */
static uint64_t page_sector(FIXTURE_DATA(ioerr) *self, int k)
{
	return (self->g.data_off + (uint64_t)k * PG) / 512;
}

static bool page_is(const unsigned char *p, int k)
{
	return p[k * PG] == k + 1 && p[k * PG + PG - 1] == k + 1;
}

/*
 * A bad block inside a read-ahead window costs only its own page: the
 * faults before it read one page at a time after the failed window (the
 * windows are pages 0, 1-2, 3-6: the third holds the bad page 5).
 */
TEST_F(ioerr, readahead_failure_falls_back)
{
	struct rvm_status st;
	int k;

	ASSERT_EQ(0, fill_pages(self));
	ASSERT_EQ(0, attach_dm(self, 0));
	ASSERT_EQ(0, map_dm(self));
	ASSERT_EQ(0, dm_table(self, page_sector(self, 5),
			      page_sector(self, 6)));
	for (k = 0; k < 5; k++) {
		ASSERT_EQ(0, probe(self->p + k * PG, false)) TH_LOG("page %d", k);
		EXPECT_TRUE(page_is(self->p, k)) TH_LOG("page %d", k);
	}
	EXPECT_EQ(SIGBUS, probe(self->p + 5 * PG, false));
	for (k = 6; k < 10; k++) {
		ASSERT_EQ(0, probe(self->p + k * PG, false)) TH_LOG("page %d", k);
		EXPECT_TRUE(page_is(self->p, k)) TH_LOG("page %d", k);
	}
	ASSERT_EQ(0, dm_heal(self));
	EXPECT_EQ(0, probe(self->p + 5 * PG, false));
	EXPECT_TRUE(page_is(self->p, 5));
	ASSERT_EQ(0, status_dm(self, &st));
	EXPECT_EQ(0, st.flags & RVM_STATUS_FAILED);
}

TEST_HARNESS_MAIN
