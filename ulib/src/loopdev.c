// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * librvm: loop devices for volumes kept in regular files.
 *
 * The module attaches block devices only, so librvm puts a regular file
 * named as log_dev behind a loop device. A loop device already bound to
 * the same file (same st_dev and st_ino, from LOOP_GET_STATUS64) is
 * reused, so that every process, and every run, finds the one attached
 * volume. Otherwise a free one is configured with LO_FLAGS_AUTOCLEAR: it
 * unbinds itself when its last opener closes it, that is, when the volume
 * is detached (or when the attach fails and librvm lets go of it). Direct
 * I/O is asked for where the file's file system supports it (the kernel
 * falls back to buffered I/O otherwise; flushes reach the file either
 * way).
 *
 * The caller serialises find-or-create with an flock(2) on the file, so
 * that two processes never bind two loop devices to one file. The lock
 * must be on an open file other than the one given to the loop device,
 * which keeps that one open (and any flock on it held) while bound.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/loop.h>

#include "classic_impl.h"

#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A
struct loop_config {
	__u32 fd;
	__u32 block_size;
	struct loop_info64 info;
	__u64 __reserved[8];
};
#endif

#define LRVM_LOOP_WAIT_MS	5000	/* for udev/devtmpfs to make the node */
#define LRVM_LOOP_TRIES		16	/* racing for a free device */

/* Is /dev/loop<n> bound to the file with identity @st? */
static bool lrvm_loop_matches(unsigned int n, const struct stat *st)
{
	struct loop_info64 info;
	char dev[32];
	bool match;
	int fd;

	snprintf(dev, sizeof(dev), "/dev/loop%u", n);
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	/* ENXIO: not bound. lo_device is encoded as glibc's dev_t is. */
	match = !ioctl(fd, LOOP_GET_STATUS64, &info) &&
		info.lo_device == (__u64)st->st_dev &&
		info.lo_inode == (__u64)st->st_ino;
	close(fd);
	return match;
}

/* "loop<n>" -> n */
static bool lrvm_loop_number(const char *name, unsigned int *n)
{
	char *end;
	unsigned long v;

	if (strncmp(name, "loop", 4) || name[4] < '0' || name[4] > '9')
		return false;
	v = strtoul(name + 4, &end, 10);
	if (*end || v > UINT_MAX)
		return false;
	*n = v;
	return true;
}

/**
 * lrvm_loop_find() - a loop device bound to a file
 * @file: the regular file
 * @dev: out: "/dev/loop<n>"
 * @devlen: room in @dev
 *
 * Looks at the loop devices in /sys/block (or, without sysfs, /dev).
 *
 * Return: 0, -ENOENT if none is bound to @file, or the errno of stat().
 */
int lrvm_loop_find(const char *file, char *dev, size_t devlen)
{
	struct dirent *de;
	struct stat st;
	unsigned int n;
	DIR *d;
	int err = -ENOENT;

	if (stat(file, &st))
		return -errno;
	d = opendir("/sys/block");
	if (!d)
		d = opendir("/dev");
	if (!d)
		return -ENOENT;
	while ((de = readdir(d)) != NULL) {
		if (!lrvm_loop_number(de->d_name, &n) ||
		    !lrvm_loop_matches(n, &st))
			continue;
		snprintf(dev, devlen, "/dev/loop%u", n);
		err = 0;
		break;
	}
	closedir(d);
	return err;
}

/* open(@dev), waiting a while for its node to appear. */
static int lrvm_loop_open(const char *dev)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int waited, fd;

	for (waited = 0;; waited += 10) {
		fd = open(dev, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || waited >= LRVM_LOOP_WAIT_MS)
			return fd < 0 ? -errno : fd;
		nanosleep(&ts, NULL);
	}
}

/* Bind @loop_fd to @file_fd: LOOP_CONFIGURE, or the old two-step way. */
static int lrvm_loop_bind(int loop_fd, int file_fd, const char *file)
{
	struct loop_config cfg;
	struct loop_info64 info;

	/*
	 * block_size 0: 512-byte logical blocks, the loop default (the
	 * module takes only those).
	 */
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = file_fd;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | LO_FLAGS_DIRECT_IO;
	snprintf((char *)cfg.info.lo_file_name, LO_NAME_SIZE, "%s", file);
	if (!ioctl(loop_fd, LOOP_CONFIGURE, &cfg))
		return 0;
	if (errno == EBUSY)
		return -EBUSY;
	/* Perhaps direct I/O: try without. */
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
	if (!ioctl(loop_fd, LOOP_CONFIGURE, &cfg))
		return 0;
	if (errno == EBUSY)
		return -EBUSY;
	if (errno != EINVAL && errno != ENOTTY)
		return -errno;

	/* Before Linux 5.8. */
	if (ioctl(loop_fd, LOOP_SET_FD, file_fd))
		return -errno;
	memset(&info, 0, sizeof(info));
	info.lo_flags = LO_FLAGS_AUTOCLEAR;
	snprintf((char *)info.lo_file_name, LO_NAME_SIZE, "%s", file);
	if (ioctl(loop_fd, LOOP_SET_STATUS64, &info)) {
		int err = -errno;

		ioctl(loop_fd, LOOP_CLR_FD, 0);
		return err;
	}
	ioctl(loop_fd, LOOP_SET_DIRECT_IO, 1UL);	/* best effort */
	return 0;
}

/**
 * lrvm_loop_attach() - find or make the loop device of a file
 * @file: the regular file (for its identity and the loop's file name)
 * @file_fd: it, open read-write (not the open file the caller holds its
 *	flock on: the loop device keeps this one)
 * @dev: out: "/dev/loop<n>"
 * @devlen: room in @dev
 * @hold_fd: out: a descriptor of a loop device made here, which keeps it
 *	bound (autoclear) until the caller has attached it; -1 if reused
 *
 * Return: 0, or a negative errno (from /dev/loop-control, the loop
 * device, or the binding).
 */
int lrvm_loop_attach(const char *file, int file_fd, char *dev, size_t devlen,
		     int *hold_fd)
{
	int ctl, n, fd, err = -EBUSY, tries;

	*hold_fd = -1;
	if (!lrvm_loop_find(file, dev, devlen))
		return 0;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -errno;
	for (tries = 0; tries < LRVM_LOOP_TRIES && err == -EBUSY; tries++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			err = -errno;
			break;
		}
		snprintf(dev, devlen, "/dev/loop%d", n);
		fd = lrvm_loop_open(dev);
		if (fd < 0) {
			err = fd;
			break;
		}
		err = lrvm_loop_bind(fd, file_fd, file);
		if (err) {
			close(fd);
			continue;	/* -EBUSY: someone took it; others end */
		}
		*hold_fd = fd;
	}
	close(ctl);
	return err;
}
