// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Offline access to an rvm volume, its I/O: the volume's device or file
 * and its external segments, opened by name when first used, read and
 * written whole (through a bounce buffer where O_DIRECT needs alignment),
 * and the endpoints recovery works through (rvm_vol_io_ops), with its
 * read-ahead in a thread of its own.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>		/* BLKGETSIZE64 */

#include "volume_priv.h"

/* ---- raw I/O ---------------------------------------------------------- */

static int vol_pread_full(int fd, void *buf, size_t len, u64 off, size_t *got)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += n;
	}
	if (got) {
		*got = done;
		return 0;
	}
	return done == len ? 0 : -EIO;
}

static int vol_pwrite_full(int fd, const void *buf, size_t len, u64 off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done,
				   off + done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		done += n;
	}
	return 0;
}

static bool vol_aligned(bool direct, u64 off, const void *buf, size_t len)
{
	return !direct || !((off | len | (uintptr_t)buf) & (VOL_ALIGN - 1));
}

int vol_bounce(struct rvm_vol *vol)
{
	if (!vol->bounce && posix_memalign(&vol->bounce, VOL_ALIGN, VOL_BOUNCE))
		return -ENOMEM;
	return 0;
}

/*
 * Unaligned access under O_DIRECT: through the bounce buffer, one aligned
 * piece at a time; writes read-modify-write the blocks they share.
 */
static int vol_rw_bounce(struct rvm_vol *vol, int fd, u64 off, void *rbuf,
			 const void *wbuf, size_t len)
{
	int err = vol_bounce(vol);

	while (!err && len) {
		u64 astart = off & ~(u64)(VOL_ALIGN - 1);
		size_t lead = off - astart;
		size_t chunk = min_t(size_t, len, VOL_BOUNCE - lead);
		size_t alen = rvm_align_up(lead + chunk, VOL_ALIGN);
		size_t got;

		if (rbuf || lead || chunk != alen) {
			err = vol_pread_full(fd, vol->bounce, alen, astart,
					     &got);
			if (err)
				break;
			/* Past the end of a regular file: zeroes. */
			memset((char *)vol->bounce + got, 0, alen - got);
		}
		if (rbuf) {
			memcpy(rbuf, (char *)vol->bounce + lead, chunk);
			rbuf = (char *)rbuf + chunk;
		} else {
			memcpy((char *)vol->bounce + lead, wbuf, chunk);
			err = vol_pwrite_full(fd, vol->bounce, alen, astart);
			wbuf = (const char *)wbuf + chunk;
		}
		off += chunk;
		len -= chunk;
	}
	return err;
}

static int vol_fd_read(struct rvm_vol *vol, int fd, bool direct, u64 off,
		       void *buf, size_t len)
{
	if (!vol_aligned(direct, off, buf, len))
		return vol_rw_bounce(vol, fd, off, buf, NULL, len);
	return vol_pread_full(fd, buf, len, off, NULL);
}

static int vol_fd_write(struct rvm_vol *vol, int fd, bool direct, u64 off,
			const void *buf, size_t len)
{
	if (vol->rdonly)
		return -EBADF;
	if (!vol_aligned(direct, off, buf, len))
		return vol_rw_bounce(vol, fd, off, NULL, buf, len);
	return vol_pwrite_full(fd, buf, len, off);
}

int vol_raw_read(struct rvm_vol *vol, u64 off, void *buf, size_t len)
{
	if (off > vol->size || len > vol->size - off)
		return -EIO;
	return vol_fd_read(vol, vol->fd, vol->direct, off, buf, len);
}

int vol_raw_write(struct rvm_vol *vol, u64 off, const void *buf,
			 size_t len)
{
	if (vol->rdonly)
		return -EBADF;
	if (off > vol->size || len > vol->size - off)
		return -EIO;
	return vol_fd_write(vol, vol->fd, vol->direct, off, buf, len);
}

const struct rvm_disk_seg *vol_seg_entry(const struct rvm_vol *vol,
						u32 id, struct vol_seg **sp)
{
	u32 i;

	for (i = 0; vol->have_sb && i < vol->segtab.nsegs; i++)
		if (le32_to_cpu(vol->segtab.ent[i].id) == id) {
			if (sp)
				*sp = &vol->segs[i];
			return &vol->segtab.ent[i];
		}
	return NULL;
}

/*
 * Open external segment @e at @path, a copy of it that
 * rvm_vol_seg_redirect() named: only its kind and size are checked.
 */
static int vol_seg_open_at(struct rvm_vol *vol, const struct rvm_disk_seg *e,
			   struct vol_seg *s, const char *path)
{
	bool bdev = le32_to_cpu(e->flags) & RVM_DSEG_BDEV;
	u64 size = le64_to_cpu(e->size), have;
	struct stat st;
	int fd;

	fd = open(path, (vol->rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		snprintf(s->why, sizeof(s->why), "cannot open %s: %s", path,
			 strerror(errno));
		return s->err = -ENODEV;
	}
	have = 0;
	if (fstat(fd, &st) == 0)
		have = S_ISBLK(st.st_mode) ? 0 : (u64)st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &have))
		have = 0;
	/* A block device's copy may be an image file: the size decides. */
	if ((!bdev && !S_ISREG(st.st_mode)) || have < size) {
		close(fd);
		snprintf(s->why, sizeof(s->why),
			 "%s: not a %s of at least %llu bytes", path,
			 bdev ? "device or image" : "regular file",
			 (unsigned long long)size);
		return s->err = -ENODEV;
	}
	s->direct = false;
	s->fd = fd;
	return 0;
}

/*
 * Open external segment @e by its name and check that it is the one the
 * table names: the same kind, (dev, ino), and at least its size. 0, or
 * -ENODEV with @s->why saying "missing (...)", "replaced: ..." or why not.
 */
int vol_seg_open(struct rvm_vol *vol, const struct rvm_disk_seg *e,
			struct vol_seg *s)
{
	u64 dev = le64_to_cpu(e->dev), ino = le64_to_cpu(e->ino);
	u64 size = le64_to_cpu(e->size), have;
	bool bdev = le32_to_cpu(e->flags) & RVM_DSEG_BDEV;
	int oflags = (vol->rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	struct stat st;
	int fd;

	if (s->fd >= 0 || s->err)
		return s->err;
	for (u32 i = 0; i < vol->nredir; i++)
		if (vol->redir[i].id == le32_to_cpu(e->id))
			return vol_seg_open_at(vol, e, s, vol->redir[i].path);
	if (stat(e->name, &st)) {
		snprintf(s->why, sizeof(s->why), "missing (%s)",
			 strerrorname_np(errno) ? strerrorname_np(errno) :
						  strerror(errno));
		return s->err = -ENODEV;
	}
	if (bdev ? (!S_ISBLK(st.st_mode) || (u64)st.st_rdev != dev) :
		   (!S_ISREG(st.st_mode) || (u64)st.st_dev != dev ||
		    (u64)st.st_ino != ino)) {
		if (!bdev && S_ISREG(st.st_mode) && (u64)st.st_dev == dev)
			snprintf(s->why, sizeof(s->why),
				 "replaced: inode %llu, table says %llu",
				 (unsigned long long)st.st_ino,
				 (unsigned long long)ino);
		else
			snprintf(s->why, sizeof(s->why),
				 "replaced: device %llx inode %llu, table says device %llx inode %llu",
				 (unsigned long long)(bdev ? st.st_rdev : st.st_dev),
				 (unsigned long long)(bdev ? 0 : st.st_ino),
				 (unsigned long long)dev,
				 (unsigned long long)ino);
		return s->err = -ENODEV;
	}
	if (bdev && !vol->rdonly)
		oflags |= O_EXCL;
	fd = open(e->name, oflags | O_DIRECT);
	s->direct = fd >= 0;
	if (fd < 0 && errno == EINVAL)
		fd = open(e->name, oflags);
	if (fd < 0) {
		snprintf(s->why, sizeof(s->why), "cannot open: %s",
			 strerror(errno));
		return s->err = -ENODEV;
	}
	if (fstat(fd, &st) || (bdev ? (u64)st.st_rdev != dev :
				      (u64)st.st_ino != ino)) {
		close(fd);
		snprintf(s->why, sizeof(s->why), "replaced while opened");
		return s->err = -ENODEV;
	}
	have = st.st_size;
	if (bdev && ioctl(fd, BLKGETSIZE64, &have))
		have = 0;
	if (have < size) {
		close(fd);
		snprintf(s->why, sizeof(s->why),
			 "smaller than the table says: %llu bytes, not %llu",
			 (unsigned long long)have, (unsigned long long)size);
		return s->err = -ENODEV;
	}
	s->fd = fd;
	return 0;
}

/*
 * The endpoints (recovery.h): the log from device offset 0 (the whole
 * device until the superblocks are read), segment 0 of a one-device volume
 * at data_start once they are, an external segment in its own file or
 * device. *@off, inside the endpoint on entry, becomes the offset in
 * *@fdp (and *@direct says whether it is O_DIRECT).
 */
static int vol_ep_fd(struct rvm_vol *vol, u32 ep, u64 *off, size_t len,
		     int *fdp, bool *direct)
{
	const struct rvm_disk_seg *e = NULL;
	struct vol_seg *sg = NULL;
	u64 base = 0, size;
	int err;

	*fdp = vol->fd;
	*direct = vol->direct;
	if (ep == RVM_IO_LOG && !vol->have_sb) {
		size = vol->size;
	} else if (ep == RVM_IO_LOG) {
		size = (le64_to_cpu(vol->sb.log_start) +
			le64_to_cpu(vol->sb.log_blocks)) * RVM_BLOCK_SIZE;
	} else if ((e = vol_seg_entry(vol, ep, &sg)) &&
		   le32_to_cpu(e->flags) == RVM_DSEG_INTERNAL) {
		base = le64_to_cpu(vol->sb.data_start) * RVM_BLOCK_SIZE;
		size = le64_to_cpu(vol->sb.data_blocks) * RVM_BLOCK_SIZE;
	} else if (e) {
		err = vol_seg_open(vol, e, sg);
		if (err)
			return err;
		size = le64_to_cpu(e->size);
		*fdp = sg->fd;
		*direct = sg->direct;
	} else {
		return -EINVAL;
	}
	if (*off > size || len > size - *off)
		return -EIO;
	*off += base;
	return 0;
}

/*
 * Read-ahead for recovery: the read runs in a thread of its own, so the
 * log's next window arrives while the current one is checked. Only for
 * aligned reads, which need no bounce buffer (the handle's alone);
 * recovery's always are.
 */
struct vol_ahead {
	pthread_t thread;
	int fd;
	u64 off;
	void *buf;
	size_t len;
	int err;
};

static void *vol_ahead_run(void *arg)
{
	struct vol_ahead *a = arg;

	a->err = vol_pread_full(a->fd, a->buf, a->len, a->off, NULL);
	return NULL;
}

static int vol_io_read_start(void *ctx, u32 ep, u64 off, void *buf,
			     size_t len, void **handle)
{
	struct rvm_vol *vol = ctx;
	struct vol_ahead *a;
	bool direct;
	int fd, err;

	err = vol_ep_fd(vol, ep, &off, len, &fd, &direct);
	if (err)
		return err;
	if ((off | len | (uintptr_t)buf) & (VOL_ALIGN - 1))
		return -EINVAL;
	a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->fd = fd;
	a->off = off;
	a->buf = buf;
	a->len = len;
	a->err = 0;
	if (pthread_create(&a->thread, NULL, vol_ahead_run, a)) {
		free(a);
		return -EAGAIN;
	}
	*handle = a;
	return 0;
}

static int vol_io_read_end(void *ctx, void *handle)
{
	struct vol_ahead *a = handle;
	int err;

	pthread_join(a->thread, NULL);
	err = a->err;
	free(a);
	return err;
}

int vol_raw_flush(struct rvm_vol *vol)
{
	if (vol->rdonly)
		return 0;
	return fdatasync(vol->fd) ? -errno : 0;
}

static int vol_io_read(void *ctx, u32 ep, u64 off, void *buf, size_t len)
{
	bool direct;
	int fd, err = vol_ep_fd(ctx, ep, &off, len, &fd, &direct);

	return err ? err : vol_fd_read(ctx, fd, direct, off, buf, len);
}

static int vol_io_write(void *ctx, u32 ep, u64 off, const void *buf,
			size_t len)
{
	bool direct;
	int fd, err = vol_ep_fd(ctx, ep, &off, len, &fd, &direct);

	return err ? err : vol_fd_write(ctx, fd, direct, off, buf, len);
}

/* The log and segment 0 share the log's device; a segment has its own. */
static int vol_io_flush(void *ctx, u32 ep)
{
	struct rvm_vol *vol = ctx;
	bool direct;
	u64 off = 0;
	int fd, err = vol_ep_fd(vol, ep, &off, 0, &fd, &direct);

	if (err)
		return err;
	if (vol->rdonly)
		return 0;
	return fdatasync(fd) ? -errno : 0;
}

const struct rvm_io_ops rvm_vol_io_ops = {
	.read = vol_io_read,
	.write = vol_io_write,
	.flush = vol_io_flush,
	.read_start = vol_io_read_start,
	.read_end = vol_io_read_end,
};
