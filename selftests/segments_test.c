// SPDX-License-Identifier: GPL-2.0
/*
 * External data segments (RVM_FEAT_SEGMENTS, issue 10): a log in a file
 * and data segments in files of their own, all on ext2 made on the second
 * scratch disk (O_DIRECT). Two segments mapped through one fd, one
 * transaction across both, truncation, then the files read with O_DIRECT
 * read(2): the bytes are in them. A crash image of the log (a copy of the
 * live log file, the segments put back as they were before truncation)
 * whose pending records name a segment that is missing, or replaced by
 * another file of the same name, is refused with ENODEV, the log file
 * left unchanged, and once the right file is back, attach recovers every
 * byte into both files. A segment absent without pending records: attach
 * works, mmap of it is ENODEV, RVM_IOC_SEG_INFO says RVM_SEGI_ABSENT, and
 * adding it again once it is back opens it. Bad input to every field of
 * the three ioctls; nobody gets EACCES for a file nobody may open, and
 * can add one nobody may open; remove refused while mapped.
 */
#include <stdio.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "rvm_selftest.h"

#define DIR "/tmp/rvm-seg"
#define LOGF DIR "/log"
#define LOGCOPY DIR "/log.crash"
#define SEGA DIR "/a"
#define SEGB DIR "/b"
#define LOG_FILE_SIZE (4 << 20)
#define LOG_BYTES (1 << 20)
#define SEG_SIZE (1 << 20)
#define MAPLEN (256 << 10)

FIXTURE(seg) {
	int ctl;
	uint32_t vol;
};

/* A log-only volume (no segment 0) in @path. */
static int format_log(const char *path)
{
	return rvm_vol_format(path, LOG_BYTES, RVM_VOL_FORMAT_LOG_ONLY);
}

FIXTURE_SETUP(seg)
{
	self->ctl = rvm_ctl_open();
	ASSERT_LE(0, self->ctl) TH_LOG("/dev/rvm missing: is rvm.ko loaded?");
	mkdir(DIR, 0755);
	rvm_detach_dev(self->ctl, LOGF);
	rvm_detach_dev(self->ctl, LOGCOPY);
	umount(DIR);
	ASSERT_EQ(0, system("mke2fs -q " RVM_DISK2 " >/dev/null 2>&1"));
	ASSERT_EQ(0, mount(RVM_DISK2, DIR, "ext2", 0, NULL))
		TH_LOG("mount ext2: %s", strerror(errno));
	ASSERT_EQ(0, chmod(DIR, 0755));
	ASSERT_EQ(0, rvm_make_file(LOGF, LOG_FILE_SIZE, 0600));
	ASSERT_EQ(0, rvm_make_file(SEGA, SEG_SIZE, 0600));
	ASSERT_EQ(0, rvm_make_file(SEGB, SEG_SIZE, 0600));
	ASSERT_EQ(0, format_log(LOGF)) TH_LOG("%s", rvm_vol_last_error());
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, LOGF, &self->vol));
}

FIXTURE_TEARDOWN(seg)
{
	if (self->ctl < 0)
		return;
	rvm_detach_dev(self->ctl, LOGF);
	rvm_detach_dev(self->ctl, LOGCOPY);
	umount(DIR);
	close(self->ctl);
}

static int seg_add_ref(int fd, const struct rvm_volume_ref *ref,
		       const char *path, uint32_t *id, uint64_t *size)
{
	struct rvm_seg_add a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.ref = *ref;
	a.path = (uintptr_t)path;
	ret = rvm_do(fd, RVM_IOC_SEG_ADD, &a);
	if (!ret && id)
		*id = a.id;
	if (!ret && size)
		*size = a.size;
	return ret;
}

static int seg_add(int fd, const char *path, uint32_t *id)
{
	struct rvm_volume_ref ref;

	memset(&ref, 0, sizeof(ref));
	ref.path = (uintptr_t)LOGF;
	return seg_add_ref(fd, &ref, path, id, NULL);
}

static int seg_remove(int fd, uint32_t id)
{
	struct rvm_seg_ref r;

	memset(&r, 0, sizeof(r));
	r.ref.path = (uintptr_t)LOGF;
	r.id = id;
	return rvm_do(fd, RVM_IOC_SEG_REMOVE, &r);
}

static int seg_info(int fd, const char *log, uint32_t index,
		    struct rvm_seg_info *si)
{
	memset(si, 0, sizeof(*si));
	si->ref.path = (uintptr_t)log;
	si->index = index;
	return rvm_do(fd, RVM_IOC_SEG_INFO, si);
}

/* The table entry of segment @id, or -ENOENT. */
static int seg_info_id(int fd, const char *log, uint32_t id,
		       struct rvm_seg_info *si)
{
	uint32_t i;

	for (i = 0; !seg_info(fd, log, i, si); i++)
		if (si->id == id)
			return 0;
	return -ENOENT;
}

/* @len bytes at @off of @path, read with O_DIRECT (from the disk). */
static int read_direct(const char *path, off_t off, void *dst, size_t len)
{
	size_t alen = (len + 4095) & ~4095UL;
	int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	void *buf = NULL;
	int ret = -1;

	if (fd < 0 || posix_memalign(&buf, 4096, alen))
		goto out;
	if (pread(fd, buf, alen, off) == (ssize_t)alen) {
		memcpy(dst, buf, len);
		ret = 0;
	}
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Copy file @from to @to (created, or overwritten in place), durably. */
static int copy_file(const char *from, const char *to)
{
	static char buf[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ssize_t n;
	int ret = -1;

	if (in < 0 || out < 0)
		goto out;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			goto out;
	if (!n)
		ret = fsync(out);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

/* 0 if files @a and @b hold the same bytes. */
static int same_file(const char *a, const char *b)
{
	static char x[1 << 16], y[1 << 16];
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY);
	ssize_t n, m;
	int ret = -1;

	if (fa < 0 || fb < 0)
		goto out;
	for (;;) {
		n = read(fa, x, sizeof(x));
		m = read(fb, y, sizeof(y));
		if (n != m || n < 0 || memcmp(x, y, n))
			goto out;
		if (!n)
			break;
	}
	ret = 0;
out:
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return ret;
}

/* The two segments' expected first MAPLEN bytes after commit(). */
static void expect(unsigned char *a, unsigned char *b)
{
	memset(a, 0, MAPLEN);
	memset(b, 0, MAPLEN);
	memset(a + 4096, 0xa1, 10000);
	memset(b, 0xb2, 5000);
	memset(b + MAPLEN - 4, 0x5e, 4);
}

/* One transaction across both mappings, committed with a flush. */
static int commit(int fd, unsigned char *a, unsigned char *b)
{
	uint64_t tid;
	int ret;

	ret = rvm_begin(fd, RVM_TXN_NO_RESTORE, &tid);
	if (ret)
		return ret;
	if (rvm_range(fd, tid, a + 4096, 10000) || rvm_range(fd, tid, b, 5000) ||
	    rvm_range(fd, tid, b + MAPLEN - 4, 4))
		return -EIO;
	memset(a + 4096, 0xa1, 10000);
	memset(b, 0xb2, 5000);
	memset(b + MAPLEN - 4, 0x5e, 4);
	return rvm_end(fd, tid, RVM_END_FLUSH);
}

/* Map @len bytes of segment @id through bound file @fd. */
static void *map_seg(int fd, uint32_t id, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    RVM_SEG_OFFSET(id, 0));
}

/* Both files hold the committed bytes (read from the disk). */
static bool files_hold(void)
{
	static unsigned char wa[MAPLEN], wb[MAPLEN], ga[MAPLEN], gb[MAPLEN];

	expect(wa, wb);
	return !read_direct(SEGA, 0, ga, MAPLEN) &&
	       !read_direct(SEGB, 0, gb, MAPLEN) && !memcmp(wa, ga, MAPLEN) &&
	       !memcmp(wb, gb, MAPLEN);
}

TEST(feature)
{
	struct rvm_version v;
	int ctl = rvm_ctl_open();

	ASSERT_LE(0, ctl);
	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, rvm_do(ctl, RVM_IOC_GET_VERSION, &v));
	EXPECT_EQ(RVM_ABI_MAJOR, v.abi_major);
	EXPECT_LE(6, v.abi_minor);
	EXPECT_TRUE(v.features & RVM_FEAT_SEGMENTS);
	close(ctl);
}

/* A line of the kernel log (@line ends with a newline), as a driver's. */
static int kmsg_line(const char *line)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, line, strlen(line));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(line) ? 0 : -1;
}

/* klog_has() sees the lines after klog_mark(), and only those. */
TEST(klog_mark_hides_earlier_lines)
{
	char probe[64], line[66];

	snprintf(probe, sizeof(probe), "rvm-selftest: probe %d", (int)getpid());
	snprintf(line, sizeof(line), "%s\n", probe);
	ASSERT_EQ(0, kmsg_line(line));
	EXPECT_TRUE(klog_has(probe, ""));
	ASSERT_EQ(0, klog_mark());
	EXPECT_FALSE(klog_has(probe, ""));
	ASSERT_EQ(0, kmsg_line(line));
	EXPECT_TRUE(klog_has(probe, ""));
	ASSERT_EQ(0, klog_mark());
	EXPECT_FALSE(klog_has(probe, ""));
}

/* Two files, one fd, one transaction, truncation: read(2) has the bytes. */
TEST_F(seg, two_files_one_txn)
{
	unsigned char *a, *b;
	uint32_t ida, idb, again;
	uint64_t size;
	struct rvm_volume_ref ref;
	struct rvm_seg_info si;
	struct stat st;
	int fd;

	ASSERT_EQ(0, seg_add(self->ctl, SEGA, &ida));
	ASSERT_EQ(0, seg_add(self->ctl, SEGB, &idb));
	EXPECT_NE(0, ida);
	EXPECT_NE(ida, idb);
	/* The same file again: its id. */
	memset(&ref, 0, sizeof(ref));
	ref.path = (uintptr_t)LOGF;
	EXPECT_EQ(0, seg_add_ref(self->ctl, &ref, SEGA, &again, &size));
	EXPECT_EQ(ida, again);
	EXPECT_EQ(SEG_SIZE, size);

	ASSERT_EQ(0, seg_info_id(self->ctl, LOGF, idb, &si));
	ASSERT_EQ(0, stat(SEGB, &st));
	EXPECT_EQ(RVM_SEGI_FILE, si.flags);
	EXPECT_EQ(SEG_SIZE, si.size);
	EXPECT_EQ(st.st_ino, si.ino);
	EXPECT_EQ(st.st_dev, si.dev);
	EXPECT_STREQ(SEGB, si.name);

	fd = rvm_ctl_open();
	ASSERT_EQ(0, rvm_bind_dev(fd, LOGF));
	a = map_seg(fd, ida, MAPLEN);
	b = map_seg(fd, idb, MAPLEN);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	/* Past the end of a segment; a segment that does not exist. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * SEG_SIZE, PROT_READ, MAP_SHARED,
				   fd, RVM_SEG_OFFSET(ida, 0)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
				   RVM_SEG_OFFSET(idb + 1, 0)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED,
		  mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, commit(fd, a, b));
	ASSERT_EQ(0, seg_info_id(self->ctl, LOGF, ida, &si));
	EXPECT_EQ(RVM_SEGI_FILE | RVM_SEGI_PENDING, si.flags);
	EXPECT_LT(0, si.resident_pages);
	EXPECT_FALSE(files_hold());
	ASSERT_EQ(0, rvm_sync(fd, true));
	EXPECT_TRUE(files_hold());
	ASSERT_EQ(0, seg_info_id(self->ctl, LOGF, ida, &si));
	EXPECT_EQ(RVM_SEGI_FILE, si.flags);

	/* Detach, attach: mapped again, the same bytes. */
	munmap(a, MAPLEN);
	munmap(b, MAPLEN);
	close(fd);
	ASSERT_EQ(0, rvm_detach_dev(self->ctl, LOGF));
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, LOGF, NULL));
	fd = rvm_ctl_open();
	ASSERT_EQ(0, rvm_bind_dev(fd, LOGF));
	b = map_seg(fd, idb, MAPLEN);
	ASSERT_NE(MAP_FAILED, b);
	EXPECT_TRUE(rvm_all_bytes(b, 0xb2, 5000));
	EXPECT_TRUE(rvm_all_bytes(b + 5000, 0, MAPLEN - 5004));
	munmap(b, MAPLEN);
	close(fd);
	EXPECT_TRUE(files_hold());
}

/*
 * Leave a crash image: the log copied live with a transaction across
 * both segments pending, the segments as they were before it (zeros).
 * The original log is detached (its truncation wrote the segments) and
 * the segments zeroed again in place: the bytes are only in LOGCOPY.
 */
static int crash_image(int ctl, uint32_t *ida, uint32_t *idb)
{
	static unsigned char zero[SEG_SIZE];
	unsigned char *a, *b;
	int fd, ret, sa, sb;

	if (seg_add(ctl, SEGA, ida) || seg_add(ctl, SEGB, idb))
		return -1;
	fd = rvm_ctl_open();
	if (fd < 0 || rvm_bind_dev(fd, LOGF))
		return -2;
	a = map_seg(fd, *ida, MAPLEN);
	b = map_seg(fd, *idb, MAPLEN);
	if (a == MAP_FAILED || b == MAP_FAILED)
		return -3;
	ret = commit(fd, a, b);
	if (ret)
		return -4;
	if (copy_file(LOGF, LOGCOPY))
		return -5;
	munmap(a, MAPLEN);
	munmap(b, MAPLEN);
	close(fd);
	if (rvm_detach_dev(ctl, LOGF))
		return -6;
	if (!files_hold())
		return -7;
	sa = open(SEGA, O_WRONLY);
	sb = open(SEGB, O_WRONLY);
	if (sa < 0 || sb < 0 || pwrite(sa, zero, SEG_SIZE, 0) != SEG_SIZE ||
	    pwrite(sb, zero, SEG_SIZE, 0) != SEG_SIZE || fsync(sa) ||
	    fsync(sb))
		return -8;
	close(sa);
	close(sb);
	return 0;
}

/* The crash image is refused while @why; nothing written; then recovered. */
static void refused_then_recovered(struct __test_metadata *_metadata,
				   int ctl, uint32_t idb, const char *why)
{
	char msg[64];

	ASSERT_EQ(0, copy_file(LOGCOPY, DIR "/log.before"));
	ASSERT_EQ(0, klog_mark());
	EXPECT_EQ(-ENODEV, rvm_attach_dev(ctl, LOGCOPY, NULL));
	snprintf(msg, sizeof(msg), "name segment %u (" SEGB ")", idb);
	EXPECT_TRUE(klog_has(msg, why)) TH_LOG("no '%s ... %s' in the kernel log", msg, why);
	EXPECT_TRUE(klog_has("the log is kept", ""));
	/* Nothing was written: not the log, not the other segment. */
	EXPECT_EQ(0, same_file(LOGCOPY, DIR "/log.before"));
	EXPECT_FALSE(files_hold());
	EXPECT_EQ(-ENODEV, rvm_attach_dev(ctl, LOGCOPY, NULL));
}

TEST_F(seg, missing_refused_then_recovered)
{
	struct rvm_status st;
	uint32_t ida, idb;

	ASSERT_EQ(0, crash_image(self->ctl, &ida, &idb));
	EXPECT_FALSE(files_hold());
	ASSERT_EQ(0, rename(SEGB, DIR "/b.away"));
	refused_then_recovered(_metadata, self->ctl, idb, "missing (ENOENT)");
	ASSERT_EQ(0, rename(DIR "/b.away", SEGB));
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, LOGCOPY, NULL));
	ASSERT_EQ(0, rvm_status_dev(self->ctl, LOGCOPY, &st));
	EXPECT_EQ(1, st.recovery_records);
	EXPECT_EQ(0, st.data_bytes);
	EXPECT_TRUE(files_hold());
	EXPECT_EQ(0, rvm_detach_dev(self->ctl, LOGCOPY));
	EXPECT_TRUE(files_hold());
}

TEST_F(seg, replaced_refused_then_recovered)
{
	uint32_t ida, idb;

	ASSERT_EQ(0, crash_image(self->ctl, &ida, &idb));
	ASSERT_EQ(0, rename(SEGB, DIR "/b.orig"));
	ASSERT_EQ(0, rvm_make_file(SEGB, SEG_SIZE, 0600));
	refused_then_recovered(_metadata, self->ctl, idb, "replaced: ");
	ASSERT_EQ(0, rename(DIR "/b.orig", SEGB));
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, LOGCOPY, NULL));
	EXPECT_TRUE(files_hold());
	EXPECT_EQ(0, rvm_detach_dev(self->ctl, LOGCOPY));
}

/* A segment shrunk under the table is absent too. */
TEST_F(seg, smaller_refused)
{
	uint32_t ida, idb;

	ASSERT_EQ(0, crash_image(self->ctl, &ida, &idb));
	ASSERT_EQ(0, truncate(SEGB, SEG_SIZE / 2));
	refused_then_recovered(_metadata, self->ctl, idb, "smaller than");
}

/* Absent, no pending record: attach works, the segment does not map. */
TEST_F(seg, absent_without_pending)
{
	struct rvm_seg_info si;
	uint32_t ida, idb, again;
	void *p;
	int fd;

	ASSERT_EQ(0, seg_add(self->ctl, SEGA, &ida));
	ASSERT_EQ(0, seg_add(self->ctl, SEGB, &idb));
	ASSERT_EQ(0, rvm_detach_dev(self->ctl, LOGF));
	ASSERT_EQ(0, rename(SEGB, DIR "/b.away"));
	ASSERT_EQ(0, klog_mark());
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, LOGF, NULL));
	EXPECT_TRUE(klog_has("segment", "(" SEGB ") is absent: missing (ENOENT)"));
	ASSERT_EQ(0, seg_info_id(self->ctl, LOGF, idb, &si));
	EXPECT_EQ(RVM_SEGI_FILE | RVM_SEGI_ABSENT, si.flags);
	ASSERT_EQ(0, seg_info_id(self->ctl, LOGF, ida, &si));
	EXPECT_EQ(RVM_SEGI_FILE, si.flags);
	fd = rvm_ctl_open();
	ASSERT_EQ(0, rvm_bind_dev(fd, LOGF));
	EXPECT_EQ(MAP_FAILED, map_seg(fd, idb, 4096));
	EXPECT_EQ(ENODEV, errno);
	p = map_seg(fd, ida, 4096);
	EXPECT_NE(MAP_FAILED, p);
	munmap(p, 4096);
	/* Back: adding it again opens it. */
	ASSERT_EQ(0, rename(DIR "/b.away", SEGB));
	EXPECT_EQ(0, seg_add(self->ctl, SEGB, &again));
	EXPECT_EQ(idb, again);
	ASSERT_EQ(0, seg_info_id(self->ctl, LOGF, idb, &si));
	EXPECT_EQ(RVM_SEGI_FILE, si.flags);
	p = map_seg(fd, idb, 4096);
	EXPECT_NE(MAP_FAILED, p);
	munmap(p, 4096);
	close(fd);
}

TEST_F(seg, bad_input)
{
	struct rvm_volume_ref ref;
	struct rvm_seg_add a;
	struct rvm_seg_ref r;
	struct rvm_seg_info si;
	char longpath[300];
	uint32_t id;
	void *p;
	int fd;

	memset(&ref, 0, sizeof(ref));
	ref.path = (uintptr_t)LOGF;
#define ADD_WITH(field, val, err)                                   \
	do {                                                        \
		memset(&a, 0, sizeof(a));                           \
		a.ref = ref;                                        \
		a.path = (uintptr_t)SEGA;                           \
		a.field = (val);                                    \
		EXPECT_EQ(err, rvm_do(self->ctl, RVM_IOC_SEG_ADD, &a)) \
			TH_LOG("seg_add with " #field);             \
	} while (0)
	ADD_WITH(flags, 1, -EINVAL);
	ADD_WITH(id, 1, -EINVAL);
	ADD_WITH(size, 4096, -EINVAL);
	ADD_WITH(reserved[3], 1, -EINVAL);
	ADD_WITH(path, 0, -EINVAL);
	ADD_WITH(path, 8, -EFAULT);
	ADD_WITH(path, (uintptr_t) "tmp/rvm-seg/a", -EINVAL);
	ADD_WITH(ref.flags, 0x80, -EINVAL);
	ADD_WITH(ref.path, (uintptr_t)SEGB, -ENOENT); /* not a volume */
	memset(longpath, 'x', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	ADD_WITH(path, (uintptr_t)longpath, -ENAMETOOLONG);
	ADD_WITH(path, (uintptr_t)DIR "/nope", -ENOENT);
	ADD_WITH(path, (uintptr_t)DIR, -EINVAL); /* a directory */
	ADD_WITH(path, (uintptr_t)LOGF, -EINVAL); /* the log itself */
	ASSERT_EQ(0, rvm_make_file(DIR "/tiny", 4000, 0600));
	ADD_WITH(path, (uintptr_t)DIR "/tiny", -EINVAL);
	/* Nothing was added. */
	EXPECT_EQ(-ENOENT, seg_info(self->ctl, LOGF, 0, &si));

	ASSERT_EQ(0, seg_add(self->ctl, SEGA, &id));
	memset(&r, 0, sizeof(r));
	r.ref = ref;
	r.id = id;
	r.flags = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->ctl, RVM_IOC_SEG_REMOVE, &r));
	r.flags = 0;
	r.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->ctl, RVM_IOC_SEG_REMOVE, &r));
	EXPECT_EQ(-ENOENT, seg_remove(self->ctl, id + 1));

	EXPECT_EQ(-ENOENT, seg_info(self->ctl, LOGF, 1, &si));
	memset(&si, 0, sizeof(si));
	si.ref = ref;
	si.flags = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->ctl, RVM_IOC_SEG_INFO, &si));
	memset(&si, 0, sizeof(si));
	si.ref = ref;
	si.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->ctl, RVM_IOC_SEG_INFO, &si));
	memset(&si, 0, sizeof(si));
	si.ref = ref;
	si.name[0] = 'x';
	EXPECT_EQ(-EINVAL, rvm_do(self->ctl, RVM_IOC_SEG_INFO, &si));
	EXPECT_EQ(-EFAULT, rvm_do(self->ctl, RVM_IOC_SEG_INFO, (void *)8));
	EXPECT_EQ(0, seg_info(self->ctl, LOGF, 0, &si));

	/* Removal: refused while mapped, then done; the id is not reused. */
	fd = rvm_ctl_open();
	ASSERT_EQ(0, rvm_bind_dev(fd, LOGF));
	p = map_seg(fd, id, 8192);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-EBUSY, seg_remove(self->ctl, id));
	munmap(p, 8192);
	EXPECT_EQ(0, seg_remove(self->ctl, id));
	EXPECT_EQ(-ENOENT, seg_info(self->ctl, LOGF, 0, &si));
	EXPECT_EQ(MAP_FAILED, map_seg(fd, id, 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ENOENT, seg_remove(self->ctl, id));
	close(fd);
	{
		uint32_t id2;

		EXPECT_EQ(0, seg_add(self->ctl, SEGA, &id2));
		EXPECT_LT(id, id2);
	}
	/* The table survives a detach and an attach. */
	ASSERT_EQ(0, rvm_detach_dev(self->ctl, LOGF));
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, LOGF, NULL));
	EXPECT_EQ(0, seg_info(self->ctl, LOGF, 0, &si));
	EXPECT_STREQ(SEGA, si.name);
	EXPECT_EQ(-ENOENT, seg_info(self->ctl, LOGF, 1, &si));
}

struct nobody_arg {
	int logfd;
	const char *path;
};

static int nobody_add(void *p)
{
	struct nobody_arg *na = p;
	struct rvm_volume_ref ref;
	int ctl = rvm_ctl_open(), ret;

	if (ctl < 0)
		return -errno;
	memset(&ref, 0, sizeof(ref));
	ref.flags = RVM_REF_FD;
	ref.fd = na->logfd;
	ret = seg_add_ref(ctl, &ref, na->path, NULL, NULL);
	close(ctl);
	return ret;
}

static int nobody_add_by_path(void *p)
{
	struct nobody_arg *na = p;
	struct rvm_volume_ref ref;
	int ctl = rvm_ctl_open(), ret;

	if (ctl < 0)
		return -errno;
	memset(&ref, 0, sizeof(ref));
	ref.path = (uintptr_t)LOGF;
	ret = seg_add_ref(ctl, &ref, na->path, NULL, NULL);
	close(ctl);
	return ret;
}

/* The module opens a segment with the caller's credentials. */
TEST_F(seg, unprivileged)
{
	struct nobody_arg na;
	struct rvm_seg_info si;

	/* nobody has bind rights through a read-write fd of the log. */
	na.logfd = open(LOGF, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, na.logfd);
	fcntl(na.logfd, F_SETFD, 0);
	na.path = SEGA; /* 0600 root */
	EXPECT_EQ(-EACCES, as_nobody(nobody_add, &na));
	EXPECT_EQ(-ENOENT, seg_info(self->ctl, LOGF, 0, &si));
	ASSERT_EQ(0, rvm_make_file(DIR "/open", SEG_SIZE, 0666));
	na.path = DIR "/open";
	EXPECT_EQ(0, as_nobody(nobody_add, &na));
	EXPECT_EQ(0, seg_info(self->ctl, LOGF, 0, &si));
	/* Without bind rights on the volume (its log is 0600 root). */
	EXPECT_EQ(-EACCES, as_nobody(nobody_add_by_path, &na));
	close(na.logfd);
}

TEST_HARNESS_MAIN
