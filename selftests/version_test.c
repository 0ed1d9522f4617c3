// SPDX-License-Identifier: GPL-2.0
/*
 * RVM_IOC_GET_VERSION and the ioctl ABI rules of /dev/rvm: unknown flags,
 * non-zero reserved fields, bad pointers and unknown commands are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/rvm.h>

#include "kselftest_harness.h"

FIXTURE(rvm) {
	int fd;
};

FIXTURE_SETUP(rvm)
{
	self->fd = open("/dev/rvm", O_RDWR | O_CLOEXEC);
	/* Our VM loads rvm.ko: a missing /dev/rvm fails, it is no skip. */
	ASSERT_LE(0, self->fd) TH_LOG("/dev/rvm: %s: is rvm.ko loaded?", strerror(errno));
}

FIXTURE_TEARDOWN(rvm)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(rvm, version)
{
	struct rvm_version v;

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, ioctl(self->fd, RVM_IOC_GET_VERSION, &v));
	EXPECT_EQ(RVM_ABI_MAJOR, v.abi_major);
	EXPECT_EQ(RVM_ABI_MINOR, v.abi_minor);
	EXPECT_EQ((unsigned int)sysconf(_SC_PAGESIZE), v.page_size);
	EXPECT_EQ(0, v.flags);
	for (unsigned int i = 0; i < sizeof(v.reserved) / sizeof(v.reserved[0]); i++)
		EXPECT_EQ(0, v.reserved[i]);
}

TEST_F(rvm, version_unknown_flags)
{
	struct rvm_version v;

	for (unsigned int bit = 0; bit < 32; bit++) {
		memset(&v, 0, sizeof(v));
		v.flags = 1U << bit;
		EXPECT_EQ(-1, ioctl(self->fd, RVM_IOC_GET_VERSION, &v));
		EXPECT_EQ(EINVAL, errno);
		/* Nothing was written back on failure. */
		EXPECT_EQ(0, v.abi_major);
	}
}

TEST_F(rvm, version_reserved_nonzero)
{
	struct rvm_version v;

	for (unsigned int i = 0; i < sizeof(v.reserved) / sizeof(v.reserved[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.reserved[i] = 1ULL << 63;
		EXPECT_EQ(-1, ioctl(self->fd, RVM_IOC_GET_VERSION, &v));
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST_F(rvm, version_bad_pointer)
{
	void *ro;

	EXPECT_EQ(-1, ioctl(self->fd, RVM_IOC_GET_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, RVM_IOC_GET_VERSION, (void *)-4096L));
	EXPECT_EQ(EFAULT, errno);

	/* Readable but not writable: the answer cannot be written back. */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-1, ioctl(self->fd, RVM_IOC_GET_VERSION, ro));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, 4096);
}

TEST_F(rvm, unknown_commands)
{
	struct rvm_version v;
	unsigned long bad[] = {
		_IOWR(RVM_IOC_MAGIC, 0x7f, struct rvm_version),
		_IOWR(RVM_IOC_MAGIC, 0x00, __u64),	/* right nr, wrong size */
		_IOR(RVM_IOC_MAGIC, 0x00, struct rvm_version),	/* wrong dir */
		_IOWR(RVM_IOC_MAGIC + 1, 0x00, struct rvm_version),
		0,
		~0UL,
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&v, 0, sizeof(v));
		EXPECT_EQ(-1, ioctl(self->fd, bad[i], &v));
		EXPECT_EQ(ENOTTY, errno);
	}
}

TEST_F(rvm, many_opens)
{
	int fds[64];
	struct rvm_version v;

	for (unsigned int i = 0; i < 64; i++) {
		fds[i] = open("/dev/rvm", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fds[i]);
	}
	memset(&v, 0, sizeof(v));
	EXPECT_EQ(0, ioctl(fds[63], RVM_IOC_GET_VERSION, &v));
	for (unsigned int i = 0; i < 64; i++)
		close(fds[i]);
}

TEST_HARNESS_MAIN
