/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmio.h: the few device-mapper operations the crash scenarios need, made
 * straight through /dev/mapper/control (the test VM has no dmsetup and no
 * udev): create a device with a one-target table, load a new table and
 * resume (swapping it under I/O in flight), send a target message (the
 * log-writes target's "mark NAME"), remove.
 */
#ifndef _DMIO_H
#define _DMIO_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/dm-ioctl.h>

/* One target of a table: @sectors sectors from @start. */
struct dmio_target {
	uint64_t start;
	uint64_t sectors;
	const char *type;
	const char *params;
};

/*
 * dmio_call() - one DM ioctl on device @name
 * @cmd: DM_* ioctl
 * @name: the device's name
 * @flags: dm_ioctl flags
 * @t: the table's targets (DM_TABLE_LOAD), else NULL
 * @n: their number
 * @msg: the message (DM_TARGET_MSG), else NULL
 * @devp: set to the device number (DM_DEV_CREATE), or NULL
 *
 * Return: 0 or -errno.
 */
static inline int dmio_call(unsigned long cmd, const char *name,
			    uint32_t flags, const struct dmio_target *t, int n,
			    const char *msg, uint64_t *devp)
{
	uint64_t buf[8192 / 8];
	struct dm_ioctl *io = (struct dm_ioctl *)buf;
	size_t off = sizeof(*io);
	int fd, ret;

	memset(buf, 0, sizeof(buf));
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = sizeof(buf);
	io->data_start = sizeof(*io);
	io->flags = flags;
	snprintf(io->name, sizeof(io->name), "%s", name);
	for (int i = 0; i < n; i++) {
		struct dm_target_spec *s = (void *)((char *)buf + off);
		size_t sz = sizeof(*s) + strlen(t[i].params) + 1;

		sz = (sz + 7) & ~(size_t)7;
		if (off + sz > sizeof(buf))
			return -E2BIG;
		s->sector_start = t[i].start;
		s->length = t[i].sectors;
		snprintf(s->target_type, sizeof(s->target_type), "%s",
			 t[i].type);
		strcpy((char *)(s + 1), t[i].params);
		s->next = sz;
		off += sz;
	}
	io->target_count = n;
	if (msg) {
		struct dm_target_msg *m = (void *)(io + 1);

		if (sizeof(*io) + sizeof(*m) + strlen(msg) + 1 > sizeof(buf))
			return -E2BIG;
		m->sector = 0;
		strcpy(m->message, msg);
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

/* Load a table of @n targets into @name and make it live. */
static inline int dmio_table(const char *name, const struct dmio_target *t,
			     int n)
{
	int ret = dmio_call(DM_TABLE_LOAD, name, 0, t, n, NULL, NULL);

	if (ret)
		return ret;
	return dmio_call(DM_DEV_SUSPEND, name, DM_SKIP_LOCKFS_FLAG, NULL, 0,
			 NULL, NULL);
}

/* Send @msg to the target of @name (sector 0). */
static inline int dmio_message(const char *name, const char *msg)
{
	return dmio_call(DM_TARGET_MSG, name, 0, NULL, 0, msg, NULL);
}

#endif /* _DMIO_H */
