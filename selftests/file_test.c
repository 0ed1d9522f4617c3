// SPDX-License-Identifier: GPL-2.0
/*
 * Volumes in regular files (RVM_FEAT_FILE): the module opens the file
 * itself. On tmpfs (buffered: it does not say that it takes 512-byte
 * aligned direct I/O, STATX_DIOALIGN) and on ext2 made on the second
 * scratch disk (O_DIRECT), each mode checked in the kernel log: format
 * a file, attach it by path, bind by path and by fd, commit, detach,
 * read the file with read(2), attach again and find every committed byte;
 * a copy of the live file (a crash image) recovers them too. Bad input:
 * a file too small, foreign bytes, a directory, a read-only fd, the same
 * file attached twice (by another name), formatting an attached file. A
 * file on a nodev mount is fine: nodev concerns device nodes only.
 */
#include <stdio.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "rvm_selftest.h"

#define FILE_SIZE (8 << 20)
#define LOG_BYTES (1 << 20)
#define MAPLEN (256 << 10)
#define TMPDIR "/tmp/rvm-file"
#define EXTDIR "/tmp/rvm-ext2"

FIXTURE(file) {
	int ctl;
	char path[128];
	char copy[128];
	bool ext2;
};

FIXTURE_VARIANT(file) {
	bool ext2;
};

FIXTURE_VARIANT_ADD(file, tmpfs) {
	.ext2 = false,
};

FIXTURE_VARIANT_ADD(file, ext2) {
	.ext2 = true,
};

FIXTURE_SETUP(file)
{
	const char *dir = variant->ext2 ? EXTDIR : TMPDIR;

	mkdir(TMPDIR, 0755);
	self->ctl = rvm_ctl_open();
	ASSERT_LE(0, self->ctl) TH_LOG("/dev/rvm missing: is rvm.ko loaded?");
	mkdir(dir, 0755);
	if (variant->ext2) {
		umount(EXTDIR);
		ASSERT_EQ(0, system("mke2fs -q " RVM_DISK2 " >/dev/null 2>&1"));
		ASSERT_EQ(0, mount(RVM_DISK2, EXTDIR, "ext2", 0, NULL))
			TH_LOG("mount ext2: %s", strerror(errno));
	}
	snprintf(self->path, sizeof(self->path), "%s/vol", dir);
	snprintf(self->copy, sizeof(self->copy), "%s/copy", dir);
	rvm_detach_dev(self->ctl, self->path);
	rvm_detach_dev(self->ctl, self->copy);
	ASSERT_EQ(0, rvm_make_file(self->path, FILE_SIZE, 0600));
	ASSERT_EQ(0, rvm_vol_format(self->path, LOG_BYTES, 0))
		TH_LOG("%s", rvm_vol_last_error());
}

FIXTURE_TEARDOWN(file)
{
	if (self->ctl < 0)
		return;
	rvm_detach_dev(self->ctl, self->path);
	rvm_detach_dev(self->ctl, self->copy);
	unlink(self->path);
	unlink(self->copy);
	if (variant->ext2)
		umount(EXTDIR);
	close(self->ctl);
}

/* The data segment's byte offset in the file, from its superblock. */
static off_t data_start(const char *path)
{
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	off_t off = -1;

	if (rvm_vol_open(path, RVM_VOL_RDONLY, &vol))
		return -1;
	if (rvm_vol_read_super(vol, &sb) >= 0)
		off = le64_to_cpu(sb.data_start) * RVM_BLOCK_SIZE;
	rvm_vol_close(vol);
	return off;
}

/* Bytes 0..@len of pattern @seed. */
static void pattern(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 31 + seed + (i >> 9));
}

/* Commit @len bytes of pattern @seed at @off of the mapping @p. */
static int commit_pattern(int fd, unsigned char *p, size_t off, size_t len,
			  unsigned int seed, uint32_t flags)
{
	uint64_t tid;
	int ret = rvm_begin(fd, RVM_TXN_RESTORE, &tid);

	if (ret)
		return ret;
	ret = rvm_range(fd, tid, p + off, len);
	if (ret)
		return ret;
	pattern(p + off, len, seed);
	return rvm_end(fd, tid, flags);
}

/* What the first MAPLEN bytes of the data segment must hold. */
static void expected(unsigned char *img)
{
	memset(img, 0, MAPLEN);
	pattern(img + 100, 5000, 1);
	pattern(img + 70000, 60000, 2);
	pattern(img + MAPLEN - 512, 512, 3);
}

static void *map_path(const char *path, int *fdp)
{
	return rvm_map_dev(path, 0, MAPLEN, fdp);
}

/* Commit the expected bytes through a file bound to @path. */
static void commit_all(struct __test_metadata *_metadata, const char *path,
		       bool keep_bound, int *fdp, unsigned char **pp)
{
	unsigned char *p;
	int fd;

	p = map_path(path, &fd);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, commit_pattern(fd, p, 100, 5000, 1, RVM_END_FLUSH));
	ASSERT_EQ(0, commit_pattern(fd, p, 70000, 60000, 2, RVM_END_NO_FLUSH));
	ASSERT_EQ(0, commit_pattern(fd, p, MAPLEN - 512, 512, 3,
				    RVM_END_FLUSH));
	if (keep_bound) {
		*fdp = fd;
		*pp = p;
		return;
	}
	munmap(p, MAPLEN);
	close(fd);
}

/* The data segment as read(2) sees it in @path equals what was committed. */
static void check_file(struct __test_metadata *_metadata, const char *path)
{
	unsigned char *img = malloc(MAPLEN), *want = malloc(MAPLEN);
	off_t off = data_start(path);
	int fd = open(path, O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_LT(0, off);
	ASSERT_NE(NULL, img);
	ASSERT_NE(NULL, want);
	ASSERT_EQ(MAPLEN, pread(fd, img, MAPLEN, off));
	expected(want);
	EXPECT_EQ(0, memcmp(img, want, MAPLEN));
	close(fd);
	free(img);
	free(want);
}

/* Mapped through a new binding of @path: every committed byte. */
static void check_mapped(struct __test_metadata *_metadata, const char *path)
{
	unsigned char *want = malloc(MAPLEN), *p;
	int fd;

	ASSERT_NE(NULL, want);
	p = map_path(path, &fd);
	ASSERT_NE(MAP_FAILED, p);
	expected(want);
	EXPECT_EQ(0, memcmp(p, want, MAPLEN));
	munmap(p, MAPLEN);
	close(fd);
	free(want);
}

TEST_F(file, commit_detach_reattach)
{
	struct rvm_status st;
	struct rvm_version v;
	char mode[200];
	uint32_t id;

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, rvm_do(self->ctl, RVM_IOC_GET_VERSION, &v));
	ASSERT_TRUE(v.features & RVM_FEAT_FILE);
	/* The data segment starts out as zeros (fallocate). */
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, self->path, &id));
	/* The I/O mode the module chose. */
	snprintf(mode, sizeof(mode), "attached %s as volume", self->path);
	EXPECT_TRUE(klog_has(mode, variant->ext2 ?
				   "; a regular file, O_DIRECT" :
				   "; a regular file, buffered I/O"))
		TH_LOG("no \"%s\" line with the mode in the kernel log", mode);
	ASSERT_EQ(0, rvm_status_dev(self->ctl, self->path, &st));
	EXPECT_EQ(id, st.vol_id);
	EXPECT_EQ(LOG_BYTES, st.log_bytes);
	/* Superblocks, two segment table copies, the log, then segment 0. */
	EXPECT_EQ(FILE_SIZE - LOG_BYTES -
			  (2 + 2 * RVM_SEGTAB_DEFAULT_BLOCKS) * RVM_BLOCK_SIZE,
		  st.data_bytes);
	commit_all(_metadata, self->path, false, NULL, NULL);
	ASSERT_EQ(0, rvm_status_dev(self->ctl, self->path, &st));
	EXPECT_EQ(3, st.commits);
	/* Detach truncates: the bytes are in the file, read(2) sees them. */
	ASSERT_EQ(0, rvm_detach_dev(self->ctl, self->path));
	check_file(_metadata, self->path);
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, self->path, NULL));
	ASSERT_EQ(0, rvm_status_dev(self->ctl, self->path, &st));
	EXPECT_EQ(0, st.recovery_records);
	check_mapped(_metadata, self->path);
}

TEST_F(file, crash_image_recovers)
{
	struct rvm_status st;
	unsigned char *p;
	char cmd[300];
	int fd;

	ASSERT_EQ(0, rvm_attach_dev(self->ctl, self->path, NULL));
	commit_all(_metadata, self->path, true, &fd, &p);
	ASSERT_EQ(0, rvm_sync(fd, false));
	/*
	 * A copy of the live file: what a crash would leave, the committed
	 * records in the log, the data segment not yet written.
	 */
	snprintf(cmd, sizeof(cmd), "cp %s %s", self->path, self->copy);
	ASSERT_EQ(0, system(cmd));
	munmap(p, MAPLEN);
	close(fd);
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, self->copy, NULL));
	ASSERT_EQ(0, rvm_status_dev(self->ctl, self->copy, &st));
	EXPECT_EQ(3, st.recovery_records);
	check_mapped(_metadata, self->copy);
	ASSERT_EQ(0, rvm_detach_dev(self->ctl, self->copy));
	check_file(_metadata, self->copy);
	/* The original, detached, holds them as well. */
	ASSERT_EQ(0, rvm_detach_dev(self->ctl, self->path));
	check_file(_metadata, self->path);
}

TEST_F(file, bind_by_fd)
{
	struct rvm_status st;
	struct rvm_bind b;
	int rw, ro, fd;

	ASSERT_EQ(0, rvm_attach_dev(self->ctl, self->path, NULL));
	rw = open(self->path, O_RDWR);
	ro = open(self->path, O_RDONLY);
	ASSERT_LE(0, rw);
	ASSERT_LE(0, ro);
	fd = rvm_ctl_open();
	ASSERT_LE(0, fd);
	memset(&b, 0, sizeof(b));
	b.ref.flags = RVM_REF_FD;
	/* Read-only: whoever binds must be able to write the file anyway. */
	b.ref.fd = ro;
	EXPECT_EQ(-EACCES, rvm_do(fd, RVM_IOC_BIND, &b));
	b.ref.fd = rw;
	EXPECT_EQ(0, rvm_do(fd, RVM_IOC_BIND, &b));
	close(fd);
	/* An fd of a character device names no volume. */
	memset(&st, 0, sizeof(st));
	st.ref.flags = RVM_REF_FD;
	st.ref.fd = self->ctl;
	EXPECT_EQ(-ENOTBLK, rvm_do(self->ctl, RVM_IOC_STATUS, &st));
	st.ref.fd = rw;
	EXPECT_EQ(0, rvm_do(self->ctl, RVM_IOC_STATUS, &st));
	close(rw);
	close(ro);
}

TEST_F(file, bad_files)
{
	char lnk[160], small[160], dir[160], zero[160];
	unsigned char buf[4096];
	int fd;

	/* The same file under another name is the same volume. */
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, self->path, NULL));
	snprintf(lnk, sizeof(lnk), "%s.link", self->path);
	unlink(lnk);
	ASSERT_EQ(0, link(self->path, lnk));
	EXPECT_EQ(-EBUSY, rvm_attach_dev(self->ctl, lnk, NULL));
	EXPECT_EQ(0, rvm_status_dev(self->ctl, lnk, &(struct rvm_status){}));
	unlink(lnk);
	/* Formatting it while attached is refused, and nothing is written. */
	EXPECT_EQ(-EBUSY, rvm_vol_format(self->path, LOG_BYTES, 0));
	EXPECT_EQ(0, rvm_detach_dev(self->ctl, self->path));
	EXPECT_LT(0, data_start(self->path));

	/* Too small for the superblocks. */
	snprintf(small, sizeof(small), "%s.small", self->path);
	ASSERT_EQ(0, rvm_make_file(small, 4096, 0600));
	EXPECT_EQ(-EINVAL, rvm_attach_dev(self->ctl, small, NULL));
	unlink(small);
	/* Zeros: not an rvm volume, and nothing written. */
	snprintf(zero, sizeof(zero), "%s.zero", self->path);
	ASSERT_EQ(0, rvm_make_file(zero, 1 << 20, 0600));
	EXPECT_EQ(-EINVAL, rvm_attach_dev(self->ctl, zero, NULL));
	fd = open(zero, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4096, pread(fd, buf, sizeof(buf), 0));
	EXPECT_TRUE(rvm_all_bytes(buf, 0, sizeof(buf)));
	close(fd);
	unlink(zero);
	/* A directory is neither a device nor a regular file. */
	snprintf(dir, sizeof(dir), "%s.dir", self->path);
	mkdir(dir, 0755);
	EXPECT_EQ(-ENOTBLK, rvm_attach_dev(self->ctl, dir, NULL));
	EXPECT_EQ(-ENOTBLK, rvm_status_dev(self->ctl, dir,
					   &(struct rvm_status){}));
	rmdir(dir);
	/* A file the superblock says is longer than it is. */
	ASSERT_EQ(0, truncate(self->path, FILE_SIZE - 8192));
	EXPECT_EQ(-EINVAL, rvm_attach_dev(self->ctl, self->path, NULL));
}

/* nodev keeps device nodes shut; a regular file there attaches and binds. */
TEST_F(file, nodev_mount_is_fine)
{
	const char *dir = TMPDIR "/nodev", *path = TMPDIR "/nodev/vol";
	unsigned char *p;
	int fd;

	mkdir(dir, 0755);
	ASSERT_EQ(0, mount("tmpfs", dir, "tmpfs", MS_NODEV, "size=16m"));
	ASSERT_EQ(0, rvm_make_file(path, FILE_SIZE, 0600));
	ASSERT_EQ(0, rvm_vol_format(path, LOG_BYTES, 0));
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, path, NULL));
	p = map_path(path, &fd);
	EXPECT_NE(MAP_FAILED, p);
	if (p != MAP_FAILED) {
		EXPECT_EQ(0, commit_pattern(fd, p, 0, 4096, 7, RVM_END_FLUSH));
		munmap(p, MAPLEN);
		close(fd);
	}
	EXPECT_EQ(0, rvm_detach_dev(self->ctl, path));
	umount(dir);
	rmdir(dir);
}

TEST_HARNESS_MAIN
