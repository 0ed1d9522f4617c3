// SPDX-License-Identifier: GPL-2.0
/*
 * Volumes: attach (with recovery), detach, status, bind, and their errors:
 * foreign and corrupt on-disk data, double attach, detach while bound,
 * bad paths and fields.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "rvm_selftest.h"

FIXTURE(vol) {
	int ctl;
};

FIXTURE_SETUP(vol)
{
	self->ctl = rvm_ctl_open();
	/* Our VM loads rvm.ko and attaches the disks: a missing one fails. */
	ASSERT_LE(0, self->ctl) TH_LOG("/dev/rvm missing: is rvm.ko loaded?");
	ASSERT_EQ(0, access(RVM_DISK, F_OK)) TH_LOG("no scratch disk " RVM_DISK);
	rvm_detach_dev(self->ctl, RVM_DISK);
	rvm_detach_dev(self->ctl, RVM_DISK2);
	ASSERT_EQ(0, rvm_vol_format(RVM_DISK, 1 << 20, 0));
}

FIXTURE_TEARDOWN(vol)
{
	if (self->ctl >= 0) {
		rvm_detach_dev(self->ctl, RVM_DISK);
		rvm_detach_dev(self->ctl, RVM_DISK2);
		close(self->ctl);
	}
}

TEST_F(vol, attach_detach)
{
	struct rvm_status st;
	uint32_t id = 0;

	ASSERT_EQ(0, rvm_attach_dev(self->ctl, RVM_DISK, &id));
	EXPECT_NE(0, id);
	ASSERT_EQ(0, rvm_status_dev(self->ctl, RVM_DISK, &st));
	EXPECT_EQ(id, st.vol_id);
	EXPECT_EQ(1 << 20, st.log_bytes);
	EXPECT_LT(200 << 20, st.data_bytes);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0, st.log_used);
	EXPECT_EQ(0, st.recovery_records);
	/* By id too. */
	memset(&st, 0, sizeof(st));
	st.ref.vol_id = id;
	EXPECT_EQ(0, rvm_do(self->ctl, RVM_IOC_STATUS, &st));
	EXPECT_EQ(1 << 20, st.log_bytes);

	EXPECT_EQ(-EBUSY, rvm_attach_dev(self->ctl, RVM_DISK, NULL));
	EXPECT_EQ(0, rvm_detach_dev(self->ctl, RVM_DISK));
	EXPECT_EQ(-ENOENT, rvm_detach_dev(self->ctl, RVM_DISK));
	EXPECT_EQ(-ENOENT, rvm_status_dev(self->ctl, RVM_DISK, &st));
	/* Attach again: a clean volume, nothing to replay. */
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, RVM_DISK, NULL));
	ASSERT_EQ(0, rvm_status_dev(self->ctl, RVM_DISK, &st));
	EXPECT_EQ(0, st.recovery_records);
}

TEST_F(vol, two_volumes)
{
	uint32_t a, b;

	ASSERT_EQ(0, rvm_vol_format(RVM_DISK2, 0, 0));
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, RVM_DISK, &a));
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, RVM_DISK2, &b));
	EXPECT_NE(a, b);
	EXPECT_EQ(0, rvm_detach_dev(self->ctl, RVM_DISK2));
	EXPECT_EQ(0, rvm_detach_dev(self->ctl, RVM_DISK));
}

TEST_F(vol, foreign_data_refused)
{
	char buf[4096], zero[4096] = { 0 };
	int fd;

	/* A zeroed device is not an rvm volume. */
	ASSERT_EQ(0, rvm_zero_dev(RVM_DISK, 0, 2 * 4096));
	EXPECT_EQ(-EINVAL, rvm_attach_dev(self->ctl, RVM_DISK, NULL));
	/* Nothing was written: still all zeros. */
	fd = open(RVM_DISK, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4096, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, zero, sizeof(buf)));
	close(fd);
}

TEST_F(vol, one_bad_superblock_copy)
{
	struct rvm_status st;

	/* Copy A (block 0) destroyed: copy B is still in force. */
	ASSERT_EQ(0, rvm_zero_dev(RVM_DISK, 0, 4096));
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, RVM_DISK, NULL));
	EXPECT_EQ(0, rvm_status_dev(self->ctl, RVM_DISK, &st));
	EXPECT_EQ(0, rvm_detach_dev(self->ctl, RVM_DISK));
}

TEST_F(vol, corrupt_superblocks_refused)
{
	int fd = open(RVM_DISK, O_RDWR);
	char b = 0x5a;

	ASSERT_LE(0, fd);
	/* Flip a byte inside each copy: both CRCs fail. */
	ASSERT_EQ(1, pwrite(fd, &b, 1, 100));
	ASSERT_EQ(1, pwrite(fd, &b, 1, 4096 + 100));
	fsync(fd);
	close(fd);
	EXPECT_EQ(-EBADMSG, rvm_attach_dev(self->ctl, RVM_DISK, NULL));
}

TEST_F(vol, bad_attach_arguments)
{
	struct rvm_attach a;
	char longpath[RVM_PATH_MAX + 16];

	memset(&a, 0, sizeof(a));
	a.path = (uintptr_t)RVM_DISK;
	a.flags = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->ctl, RVM_IOC_ATTACH, &a));
	a.flags = 0;
	a.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, rvm_do(self->ctl, RVM_IOC_ATTACH, &a));
	a.reserved[3] = 0;
	a.truncate_pct = 100;
	EXPECT_EQ(-EINVAL, rvm_do(self->ctl, RVM_IOC_ATTACH, &a));
	a.truncate_pct = 0;
	a.spool_delay_ms = 60001;
	EXPECT_EQ(-EINVAL, rvm_do(self->ctl, RVM_IOC_ATTACH, &a));
	a.spool_delay_ms = 0;
	a.path = 0;
	EXPECT_EQ(-EINVAL, rvm_do(self->ctl, RVM_IOC_ATTACH, &a));
	a.path = 8;
	EXPECT_EQ(-EFAULT, rvm_do(self->ctl, RVM_IOC_ATTACH, &a));
	EXPECT_EQ(-EFAULT, rvm_do(self->ctl, RVM_IOC_ATTACH, NULL));

	EXPECT_EQ(-ENOENT, rvm_attach_dev(self->ctl, "/dev/nonexistent", NULL));
	EXPECT_EQ(-ENOTBLK, rvm_attach_dev(self->ctl, "/dev/null", NULL));
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	EXPECT_EQ(-ENAMETOOLONG, rvm_attach_dev(self->ctl, longpath, NULL));
}

TEST_F(vol, bind_rules)
{
	int fd = rvm_ctl_open();
	struct rvm_bind b;

	ASSERT_LE(0, fd);
	/* Not attached yet. */
	EXPECT_EQ(-ENOENT, rvm_bind_dev(fd, RVM_DISK));
	ASSERT_EQ(0, rvm_attach_dev(self->ctl, RVM_DISK, NULL));
	memset(&b, 0, sizeof(b));
	b.ref.path = (uintptr_t)RVM_DISK;
	b.ref.flags = 2;
	EXPECT_EQ(-EINVAL, rvm_do(fd, RVM_IOC_BIND, &b));
	EXPECT_EQ(-ENOTBLK, rvm_bind_dev(fd, "/dev/null"));
	ASSERT_EQ(0, rvm_bind_dev(fd, RVM_DISK));
	EXPECT_EQ(-EBUSY, rvm_bind_dev(fd, RVM_DISK));
	/* Bound: detach is refused, and works once the file is closed. */
	EXPECT_EQ(-EBUSY, rvm_detach_dev(self->ctl, RVM_DISK));
	close(fd);
	EXPECT_EQ(0, rvm_detach_dev(self->ctl, RVM_DISK));
}

TEST_F(vol, unbound_file_refuses_work)
{
	int fd = rvm_ctl_open();
	uint64_t tid;
	void *p;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENXIO, rvm_begin(fd, RVM_TXN_RESTORE, &tid));
	EXPECT_EQ(-ENXIO, rvm_sync(fd, false));
	EXPECT_EQ(-ENXIO, rvm_sync(fd, true));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENXIO, errno);
	close(fd);
}

TEST_F(vol, attach_as_unprivileged_refused)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, rvm_attach_dev(self->ctl, RVM_DISK, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setuid(65534))
			_exit(2);
		_exit(rvm_attach_dev(self->ctl, RVM_DISK, NULL) == -EPERM &&
		      rvm_detach_dev(self->ctl, RVM_DISK) == -EPERM &&
		      rvm_bind_dev(self->ctl, RVM_DISK) == -EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
