// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Offline access to an rvm volume: see <rvm/volume.h>.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>		/* BLKGETSIZE64 */
#include <linux/rvm.h>		/* RVM_IOC_STATUS */

#include "rvm/volume.h"

#define VOL_ALIGN	RVM_BLOCK_SIZE
#define VOL_BOUNCE	(1024 * 1024)

struct rvm_vol {
	int fd;
	char *path;
	bool rdonly;
	bool direct;
	u64 size;
	void *bounce;			/* VOL_BOUNCE bytes, VOL_ALIGN-aligned */
	bool have_copies;
	bool have_sb;
	struct rvm_disk_super copy[RVM_SUPER_COPIES];
	int copy_err[RVM_SUPER_COPIES];
	const char *copy_why[RVM_SUPER_COPIES];
	struct rvm_disk_super sb;	/* the copy in force */
	int slot;
};

static __thread char vol_errbuf[512];

static int vol_err(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int vol_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vol_errbuf, sizeof(vol_errbuf), fmt, ap);
	va_end(ap);
	return err;
}

const char *rvm_vol_last_error(void)
{
	return vol_errbuf;
}

u64 rvm_vol_size(const struct rvm_vol *vol)
{
	return vol->size;
}

const char *rvm_vol_path(const struct rvm_vol *vol)
{
	return vol->path;
}

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

static bool vol_aligned(const struct rvm_vol *vol, u64 off, const void *buf,
			size_t len)
{
	return !vol->direct ||
	       !((off | len | (uintptr_t)buf) & (VOL_ALIGN - 1));
}

static int vol_bounce(struct rvm_vol *vol)
{
	if (!vol->bounce && posix_memalign(&vol->bounce, VOL_ALIGN, VOL_BOUNCE))
		return -ENOMEM;
	return 0;
}

/*
 * Unaligned access under O_DIRECT: through the bounce buffer, one aligned
 * piece at a time; writes read-modify-write the blocks they share.
 */
static int vol_rw_bounce(struct rvm_vol *vol, u64 off, void *rbuf,
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
			err = vol_pread_full(vol->fd, vol->bounce, alen, astart,
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
			err = vol_pwrite_full(vol->fd, vol->bounce, alen, astart);
			wbuf = (const char *)wbuf + chunk;
		}
		off += chunk;
		len -= chunk;
	}
	return err;
}

static int vol_raw_read(struct rvm_vol *vol, u64 off, void *buf, size_t len)
{

	if (off > vol->size || len > vol->size - off)
		return -EIO;
	if (!vol_aligned(vol, off, buf, len))
		return vol_rw_bounce(vol, off, buf, NULL, len);
	return vol_pread_full(vol->fd, buf, len, off, NULL);
}

static int vol_raw_write(struct rvm_vol *vol, u64 off, const void *buf,
			 size_t len)
{

	if (vol->rdonly)
		return -EBADF;
	if (off > vol->size || len > vol->size - off)
		return -EIO;
	if (!vol_aligned(vol, off, buf, len))
		return vol_rw_bounce(vol, off, NULL, buf, len);
	return vol_pwrite_full(vol->fd, buf, len, off);
}

/*
 * The endpoints of a one-device volume (recovery.h): the log from device
 * offset 0 (the whole device until the superblocks are read), the data
 * segment at data_start once they are. *@off, inside the endpoint on
 * entry, becomes the device offset.
 */
static int vol_ep(const struct rvm_vol *vol, u32 ep, u64 *off, size_t len)
{
	u64 base = 0, size;

	if (ep == RVM_IO_LOG && !vol->have_sb) {
		size = vol->size;
	} else if (ep == RVM_IO_LOG) {
		size = (le64_to_cpu(vol->sb.log_start) +
			le64_to_cpu(vol->sb.log_blocks)) * RVM_BLOCK_SIZE;
	} else if (ep == RVM_IO_SEG0 && vol->have_sb) {
		base = le64_to_cpu(vol->sb.data_start) * RVM_BLOCK_SIZE;
		size = le64_to_cpu(vol->sb.data_blocks) * RVM_BLOCK_SIZE;
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
	struct rvm_vol *vol;
	u64 off;
	void *buf;
	size_t len;
	int err;
};

static void *vol_ahead_run(void *arg)
{
	struct vol_ahead *a = arg;

	a->err = vol_pread_full(a->vol->fd, a->buf, a->len, a->off, NULL);
	return NULL;
}

static int vol_io_read_start(void *ctx, u32 ep, u64 off, void *buf,
			     size_t len, void **handle)
{
	struct rvm_vol *vol = ctx;
	struct vol_ahead *a;
	int err;

	err = vol_ep(vol, ep, &off, len);
	if (err)
		return err;
	if ((off | len | (uintptr_t)buf) & (VOL_ALIGN - 1))
		return -EINVAL;
	a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->vol = vol;
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

static int vol_raw_flush(struct rvm_vol *vol)
{
	if (vol->rdonly)
		return 0;
	return fdatasync(vol->fd) ? -errno : 0;
}

static int vol_io_read(void *ctx, u32 ep, u64 off, void *buf, size_t len)
{
	int err = vol_ep(ctx, ep, &off, len);

	return err ? err : vol_raw_read(ctx, off, buf, len);
}

static int vol_io_write(void *ctx, u32 ep, u64 off, const void *buf,
			size_t len)
{
	int err = vol_ep(ctx, ep, &off, len);

	return err ? err : vol_raw_write(ctx, off, buf, len);
}

/* One device: a flush of either endpoint is a flush of both. */
static int vol_io_flush(void *ctx, u32 ep)
{
	if (ep != RVM_IO_LOG && ep != RVM_IO_SEG0)
		return -EINVAL;
	return vol_raw_flush(ctx);
}

const struct rvm_io_ops rvm_vol_io_ops = {
	.read = vol_io_read,
	.write = vol_io_write,
	.flush = vol_io_flush,
	.read_start = vol_io_read_start,
	.read_end = vol_io_read_end,
};

/* ---- open / close ----------------------------------------------------- */

/*
 * Is the regular file open as @fd a volume the module has attached? A
 * block device is kept from us by O_EXCL; a file the module holds is not,
 * so ask it (RVM_IOC_STATUS by fd, RVM_FEAT_FILE). No module, no answer:
 * not attached.
 */
static bool vol_file_attached(int fd)
{
	struct rvm_status st;
	int dev = open("/dev/rvm", O_RDWR | O_CLOEXEC);
	bool yes;

	if (dev < 0)
		return false;
	memset(&st, 0, sizeof(st));
	st.ref.flags = RVM_REF_FD;
	st.ref.fd = fd;
	yes = !ioctl(dev, RVM_IOC_STATUS, &st);
	close(dev);
	return yes;
}

int rvm_vol_open(const char *path, unsigned int flags, struct rvm_vol **volp)
{
	struct rvm_vol *vol;
	struct stat st;
	int oflags, err;

	*volp = NULL;
	if (flags & ~RVM_VOL_RDONLY)
		return vol_err(-EINVAL, "%s: unknown open flags", path);
	vol = calloc(1, sizeof(*vol));
	if (!vol)
		return vol_err(-ENOMEM, "%s: out of memory", path);
	vol->fd = -1;
	vol->rdonly = flags & RVM_VOL_RDONLY;
	vol->path = strdup(path);
	if (!vol->path) {
		err = vol_err(-ENOMEM, "%s: out of memory", path);
		goto out_free;
	}
	if (stat(path, &st)) {
		err = vol_err(-errno, "%s: %s", path, strerror(errno));
		goto out_free;
	}
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
		err = vol_err(-ENOTBLK, "%s: not a block device or regular file",
			      path);
		goto out_free;
	}
	oflags = (vol->rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	if (S_ISBLK(st.st_mode) && !vol->rdonly)
		oflags |= O_EXCL;
	vol->fd = open(path, oflags | O_DIRECT);
	vol->direct = vol->fd >= 0;
	if (vol->fd < 0 && errno == EINVAL)
		vol->fd = open(path, oflags);
	if (vol->fd < 0) {
		err = -errno;
		if (err == -EBUSY)
			vol_err(err, "%s: device is busy (attached, mounted or open elsewhere)",
				path);
		else
			vol_err(err, "%s: %s", path, strerror(-err));
		goto out_free;
	}
	if (fstat(vol->fd, &st)) {
		err = vol_err(-errno, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (S_ISBLK(st.st_mode)) {
		uint64_t bytes;

		if (ioctl(vol->fd, BLKGETSIZE64, &bytes)) {
			err = vol_err(-errno, "%s: cannot get device size: %s",
				      path, strerror(errno));
			goto out_close;
		}
		vol->size = bytes;
	} else {
		vol->size = st.st_size;
		if (!vol->rdonly && vol_file_attached(vol->fd)) {
			err = vol_err(-EBUSY, "%s: attached by rvm.ko (detach it first)",
				      path);
			goto out_close;
		}
	}
	*volp = vol;
	return 0;

out_close:
	close(vol->fd);
out_free:
	free(vol->path);
	free(vol);
	return err;
}

void rvm_vol_close(struct rvm_vol *vol)
{
	if (!vol)
		return;
	if (vol->fd >= 0)
		close(vol->fd);
	free(vol->bounce);
	free(vol->path);
	free(vol);
}

/* ---- superblocks ------------------------------------------------------ */

static u64 vol_blocks(const struct rvm_vol *vol)
{
	return vol->size / RVM_BLOCK_SIZE;
}

int rvm_vol_read_super(struct rvm_vol *vol, struct rvm_disk_super *sb)
{
	const struct rvm_disk_super *a = &vol->copy[0], *b = &vol->copy[1];
	unsigned int i;
	void *buf;
	int err;

	vol->have_sb = false;
	vol->have_copies = false;
	if (vol_blocks(vol) < RVM_SUPER_COPIES)
		return vol_err(-EINVAL, "%s: not an rvm volume (only %llu bytes)",
			       vol->path, (unsigned long long)vol->size);
	if (posix_memalign(&buf, VOL_ALIGN, RVM_SUPER_COPIES * RVM_BLOCK_SIZE))
		return vol_err(-ENOMEM, "%s: out of memory", vol->path);
	err = vol_raw_read(vol, 0, buf, RVM_SUPER_COPIES * RVM_BLOCK_SIZE);
	if (err) {
		free(buf);
		return vol_err(err, "%s: reading the superblocks: %s",
			       vol->path, strerror(-err));
	}
	for (i = 0; i < RVM_SUPER_COPIES; i++)
		memcpy(&vol->copy[i], (char *)buf + i * RVM_BLOCK_SIZE,
		       sizeof(vol->copy[i]));
	free(buf);
	vol->have_copies = true;

	for (i = 0; i < RVM_SUPER_COPIES; i++)
		vol->copy_err[i] = rvm_super_check_slot(&vol->copy[i], i,
							vol_blocks(vol),
							&vol->copy_why[i]);
	err = rvm_super_pick(a, b, vol_blocks(vol), NULL, NULL);
	if (err < 0) {
		if (vol->copy_err[0] == -EINVAL && vol->copy_err[1] == -EINVAL &&
		    le64_to_cpu(a->magic) != RVM_SUPER_MAGIC &&
		    le64_to_cpu(b->magic) != RVM_SUPER_MAGIC)
			return vol_err(err, "%s: not an rvm volume (no rvm superblock)",
				       vol->path);
		if (err == -EOPNOTSUPP) {
			u32 va = le32_to_cpu(a->version), vb = le32_to_cpu(b->version);

			return vol_err(err, "%s: format version %u is newer than this rvm supports (%u)",
				       vol->path, va > vb ? va : vb,
				       RVM_FORMAT_VERSION);
		}
		return vol_err(err, "%s: no valid superblock: copy A: %s; copy B: %s",
			       vol->path, vol->copy_why[0], vol->copy_why[1]);
	}
	vol->slot = err;
	vol->sb = vol->copy[err];
	vol->have_sb = true;
	if (sb)
		*sb = vol->sb;
	return err;
}

const struct rvm_disk_super *rvm_vol_copy(const struct rvm_vol *vol,
					  unsigned int slot, int *err,
					  const char **why)
{
	if (!vol->have_copies || slot >= RVM_SUPER_COPIES)
		return NULL;
	if (err)
		*err = vol->copy_err[slot];
	if (why)
		*why = vol->copy_why[slot];
	return &vol->copy[slot];
}

int rvm_vol_write_super(struct rvm_vol *vol, const struct rvm_disk_super *sb)
{
	unsigned int slot = rvm_super_slot(le64_to_cpu(sb->sb_seq));
	const char *why;
	void *buf;
	int err;

	if (vol->rdonly)
		return vol_err(-EBADF, "%s: opened read-only", vol->path);
	err = rvm_super_validate(sb, vol_blocks(vol), &why);
	if (err)
		return vol_err(err, "%s: refusing to write a bad superblock: %s",
			       vol->path, why);
	if (posix_memalign(&buf, VOL_ALIGN, RVM_BLOCK_SIZE))
		return vol_err(-ENOMEM, "%s: out of memory", vol->path);
	memset(buf, 0, RVM_BLOCK_SIZE);
	memcpy(buf, sb, sizeof(*sb));
	err = vol_raw_write(vol, (u64)slot * RVM_BLOCK_SIZE, buf, RVM_BLOCK_SIZE);
	free(buf);
	if (!err)
		err = vol_raw_flush(vol);
	if (err)
		return vol_err(err, "%s: writing superblock copy %c: %s",
			       vol->path, 'A' + slot, strerror(-err));
	vol->copy[slot] = *sb;
	vol->copy_err[slot] = 0;
	vol->copy_why[slot] = NULL;
	vol->sb = *sb;
	vol->slot = slot;
	vol->have_sb = true;
	return 0;
}

/* ---- format ----------------------------------------------------------- */

static int vol_random(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += n;
	}
	return 0;
}

static int vol_zero(struct rvm_vol *vol, u64 off, u64 len)
{
	int err = vol_bounce(vol);

	if (err)
		return err;
	memset(vol->bounce, 0, VOL_BOUNCE);
	while (!err && len) {
		size_t n = min_t(u64, len, VOL_BOUNCE);

		err = vol_raw_write(vol, off, vol->bounce, n);
		off += n;
		len -= n;
	}
	return err;
}

int rvm_vol_format(const char *path, u64 log_bytes, unsigned int flags)
{
	const u64 min_log = (u64)RVM_MIN_LOG_BLOCKS * RVM_BLOCK_SIZE;
	struct rvm_disk_super sb;
	struct rvm_vol *vol;
	u64 blocks, log_blocks, data_start, nonce;
	int err;

	if (flags)
		return vol_err(-EINVAL, "%s: unknown format flags", path);
	if (log_bytes && log_bytes < min_log)
		return vol_err(-EINVAL, "%s: log size %llu is too small (minimum %llu bytes)",
			       path, (unsigned long long)log_bytes,
			       (unsigned long long)min_log);
	err = rvm_vol_open(path, 0, &vol);
	if (err)
		return err;
	blocks = vol_blocks(vol);
	if (!log_bytes) {
		log_bytes = vol->size / 8;
		log_bytes = max_t(u64, log_bytes, min_log);
		log_bytes = min_t(u64, log_bytes, 64ULL << 20);
	}
	if (log_bytes > RVM_MAX_BLOCKS * RVM_BLOCK_SIZE / 2) {
		err = vol_err(-EINVAL, "%s: log size %llu is too large", path,
			      (unsigned long long)log_bytes);
		goto out;
	}
	log_blocks = rvm_align_up(log_bytes, RVM_BLOCK_SIZE) / RVM_BLOCK_SIZE;
	data_start = RVM_SUPER_COPIES + log_blocks;
	if (blocks < data_start + RVM_MIN_DATA_BLOCKS) {
		err = vol_err(-ENOSPC, "%s: too small: %llu bytes, a %llu-byte log needs at least %llu",
			      path, (unsigned long long)vol->size,
			      (unsigned long long)log_blocks * RVM_BLOCK_SIZE,
			      (unsigned long long)(data_start + RVM_MIN_DATA_BLOCKS) *
			      RVM_BLOCK_SIZE);
		goto out;
	}

	memset(&sb, 0, sizeof(sb));
	sb.magic = cpu_to_le64(RVM_SUPER_MAGIC);
	sb.version = cpu_to_le32(RVM_FORMAT_VERSION);
	sb.block_size = cpu_to_le32(RVM_BLOCK_SIZE);
	do {
		err = vol_random(&nonce, sizeof(nonce));
	} while (!err && !nonce);
	if (!err)
		err = vol_random(sb.uuid, sizeof(sb.uuid));
	if (err) {
		vol_err(err, "%s: getrandom: %s", path, strerror(-err));
		goto out;
	}
	sb.uuid[6] = (sb.uuid[6] & 0x0f) | 0x40;	/* RFC 4122 version 4 */
	sb.uuid[8] = (sb.uuid[8] & 0x3f) | 0x80;
	sb.vol_nonce = cpu_to_le64(nonce);
	sb.log_start = cpu_to_le64(RVM_SUPER_COPIES);
	sb.log_blocks = cpu_to_le64(log_blocks);
	sb.data_start = cpu_to_le64(data_start);
	sb.data_blocks = cpu_to_le64(min_t(u64, blocks - data_start,
					   RVM_MAX_BLOCKS - 1));
	sb.head_lsn = cpu_to_le64(0);
	sb.head_seq = cpu_to_le64(1);
	sb.format_time = cpu_to_le64((u64)time(NULL));
	sb.flags = cpu_to_le32(RVM_SB_CLEAN);

	/* Old superblocks and the start of the log go first, durably. */
	err = vol_zero(vol, 0, (RVM_SUPER_COPIES + RVM_MIN_LOG_BLOCKS) *
		       RVM_BLOCK_SIZE);
	if (!err)
		err = vol_raw_flush(vol);
	if (err) {
		vol_err(err, "%s: %s", path, strerror(-err));
		goto out;
	}
	sb.sb_seq = cpu_to_le64(1);
	rvm_super_seal(&sb);
	err = rvm_vol_write_super(vol, &sb);
	if (err)
		goto out;
	sb.sb_seq = cpu_to_le64(2);
	rvm_super_seal(&sb);
	err = rvm_vol_write_super(vol, &sb);
out:
	rvm_vol_close(vol);
	return err;
}

/* ---- log and recovery ------------------------------------------------- */

static int vol_need_sb(struct rvm_vol *vol)
{
	if (!vol->have_sb)
		return vol_err(-EINVAL, "%s: no valid superblock read", vol->path);
	return 0;
}

int rvm_vol_dump(struct rvm_vol *vol, size_t buf_len,
		 int (*fn)(void *arg, const struct rvm_rec_info *ri),
		 void *arg, struct rvm_recovery_stats *st)
{
	int err = vol_need_sb(vol);

	if (err)
		return err;
	err = rvm_log_walk(&vol->sb, &rvm_vol_io_ops, vol, buf_len, fn, arg, st);
	if (err)
		return vol_err(err, "%s: reading the log: %s", vol->path,
			       strerror(-err));
	return 0;
}

int rvm_vol_check(struct rvm_vol *vol, struct rvm_recovery_stats *st)
{
	struct rvm_recovery_opts opts = { .flags = RVM_RECOVER_DRY_RUN };
	int err = vol_need_sb(vol);

	if (err)
		return err;
	err = rvm_recover(&vol->sb, &rvm_vol_io_ops, vol, &opts, st);
	if (err)
		return vol_err(err, "%s: recovery check failed: %s", vol->path,
			       strerror(-err));
	return 0;
}

int rvm_vol_recover(struct rvm_vol *vol, const struct rvm_recovery_opts *opts,
		    struct rvm_recovery_stats *st)
{
	struct rvm_disk_super sb;
	int err = vol_need_sb(vol);

	if (err)
		return err;
	if (vol->rdonly)
		return vol_err(-EBADF, "%s: opened read-only", vol->path);
	if (opts && (opts->flags & RVM_RECOVER_DRY_RUN))
		return vol_err(-EINVAL, "%s: use rvm_vol_check() for a dry run",
			       vol->path);
	err = rvm_recover(&vol->sb, &rvm_vol_io_ops, vol, opts, st);
	if (err)
		return vol_err(err, "%s: recovery failed: %s", vol->path,
			       strerror(-err));
	err = rvm_super_after_recovery(&vol->sb, st, &sb);
	if (err < 0)
		return vol_err(err, "%s: log positions exhausted", vol->path);
	return rvm_vol_write_super(vol, &sb);
}
