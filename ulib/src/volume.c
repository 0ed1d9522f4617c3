// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Offline access to an rvm volume: see <rvm/volume.h>.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>		/* BLKGETSIZE64 */
#include <linux/rvm.h>		/* RVM_IOC_STATUS */

#include "volume_priv.h"

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

/* Forget the segment table (closing the segments it opened). */
static void vol_drop_segtab(struct rvm_vol *vol)
{
	u32 i;

	for (i = 0; i < vol->nsegs; i++)
		if (vol->segs[i].fd >= 0)
			close(vol->segs[i].fd);
	free(vol->segs);
	free(vol->segtab_buf);
	vol->segs = NULL;
	vol->segtab_buf = NULL;
	vol->nsegs = 0;
	memset(&vol->segtab, 0, sizeof(vol->segtab));
}

/*
 * Read and validate the segment table copy @sb names: 0, or an error
 * with the message set.
 */
static int vol_load_segtab(struct rvm_vol *vol, const struct rvm_disk_super *sb)
{
	size_t bytes = rvm_segtab_bytes(sb);
	u64 gen = le64_to_cpu(sb->segtab_gen);
	u64 at = (le64_to_cpu(sb->segtab_start) +
		  (gen & 1) * le32_to_cpu(sb->segtab_blocks)) * RVM_BLOCK_SIZE;
	struct rvm_segtab t;
	const char *why;
	void *buf;
	u32 i;
	int err;

	vol_drop_segtab(vol);
	if (posix_memalign(&buf, VOL_ALIGN, bytes))
		return vol_err(-ENOMEM, "%s: out of memory", vol->path);
	err = vol_raw_read(vol, at, buf, bytes);
	if (err) {
		free(buf);
		return vol_err(err, "%s: reading segment table copy %c: %s",
			       vol->path, 'A' + (int)(gen & 1), strerror(-err));
	}
	err = rvm_segtab_validate(&t, buf, bytes, sb, &why);
	if (err) {
		free(buf);
		return vol_err(err, "%s: segment table copy %c (generation %llu): %s",
			       vol->path, 'A' + (int)(gen & 1),
			       (unsigned long long)gen, why);
	}
	vol->segs = calloc(t.nsegs ? t.nsegs : 1, sizeof(*vol->segs));
	if (!vol->segs) {
		free(buf);
		return vol_err(-ENOMEM, "%s: out of memory", vol->path);
	}
	for (i = 0; i < t.nsegs; i++) {
		vol->segs[i].id = le32_to_cpu(t.ent[i].id);
		vol->segs[i].fd = -1;
	}
	vol->nsegs = t.nsegs;
	vol->segtab_buf = buf;
	vol->segtab = t;
	return 0;
}

void rvm_vol_close(struct rvm_vol *vol)
{
	if (!vol)
		return;
	vol_drop_segtab(vol);
	if (vol->fd >= 0)
		close(vol->fd);
	for (u32 i = 0; i < vol->nredir; i++)
		free(vol->redir[i].path);
	free(vol->redir);
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
			u32 v = va > vb ? va : vb;

			if (v > RVM_FORMAT_VERSION)
				return vol_err(err, "%s: format version %u is newer than this rvm supports (%u)",
					       vol->path, v, RVM_FORMAT_VERSION);
			if (le64_to_cpu(a->magic) == RVM_SUPER_MAGIC &&
			    le64_to_cpu(b->magic) == RVM_SUPER_MAGIC &&
			    va == vb && va < RVM_FORMAT_VERSION)
				return vol_err(err, "%s: format version %u is no longer supported (this rvm reads version %u): reformat the volume (rvmctl format)",
					       vol->path, va, RVM_FORMAT_VERSION);
		}
		return vol_err(err, "%s: no valid superblock: copy A: %s; copy B: %s",
			       vol->path, vol->copy_why[0], vol->copy_why[1]);
	}
	vol->slot = err;
	err = vol_load_segtab(vol, &vol->copy[vol->slot]);
	if (err)
		return err;
	vol->sb = vol->copy[vol->slot];
	vol->have_sb = true;
	if (sb)
		*sb = vol->sb;
	return vol->slot;
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

/* ---- format and the segment table ------------------------------------ */

static int vol_need_sb_early(struct rvm_vol *vol)
{
	if (!vol->have_sb)
		return vol_err(-EINVAL, "%s: no valid superblock read", vol->path);
	return 0;
}

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

/*
 * A new segment table copy in @buf (@bytes): generation @gen, @vol's
 * nonce, @nsegs entries from @ent, next id @next_id; sealed.
 */
static void vol_segtab_make(void *buf, size_t bytes, u64 nonce, u64 gen,
			    const struct rvm_disk_seg *ent, u32 nsegs,
			    u32 next_id)
{
	struct rvm_segtab_hdr *h = buf;

	memset(buf, 0, bytes);
	h->magic = cpu_to_le64(RVM_SEGTAB_MAGIC);
	h->gen = cpu_to_le64(gen);
	h->vol_nonce = cpu_to_le64(nonce);
	h->nsegs = cpu_to_le32(nsegs);
	h->next_id = cpu_to_le32(next_id);
	if (nsegs)
		memcpy(h + 1, ent, (size_t)nsegs * sizeof(*ent));
	rvm_segtab_seal(buf, bytes);
}

int rvm_vol_format(const char *path, u64 log_bytes, unsigned int flags)
{
	const u64 min_log = (u64)RVM_MIN_LOG_BLOCKS * RVM_BLOCK_SIZE;
	const u64 st_blocks = RVM_SEGTAB_DEFAULT_BLOCKS;
	const u64 log_start = RVM_SUPER_COPIES + 2 * st_blocks;
	const size_t st_bytes = st_blocks * RVM_BLOCK_SIZE;
	bool log_only = flags & RVM_VOL_FORMAT_LOG_ONLY;
	struct rvm_disk_super sb;
	struct rvm_disk_seg seg0;
	struct rvm_vol *vol;
	u64 blocks, log_blocks, data_start, data_blocks = 0, nonce;
	void *st = NULL;
	int err;

	if (flags & ~RVM_VOL_FORMAT_LOG_ONLY)
		return vol_err(-EINVAL, "%s: unknown format flags", path);
	if (log_bytes && log_bytes < min_log)
		return vol_err(-EINVAL, "%s: log size %llu is too small (minimum %llu bytes)",
			       path, (unsigned long long)log_bytes,
			       (unsigned long long)min_log);
	err = rvm_vol_open(path, 0, &vol);
	if (err)
		return err;
	blocks = vol_blocks(vol);
	if (!log_bytes && log_only) {
		/* A log of its own: all of it (but what the format bounds). */
		log_bytes = blocks > log_start ?
				    (blocks - log_start) * RVM_BLOCK_SIZE : 0;
		log_bytes = min_t(u64, log_bytes,
				  RVM_MAX_BLOCKS * RVM_BLOCK_SIZE / 2);
		log_bytes = max_t(u64, log_bytes, min_log);
	} else if (!log_bytes) {
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
	data_start = log_start + log_blocks;
	if (blocks < data_start + (log_only ? 0 : RVM_MIN_DATA_BLOCKS)) {
		err = vol_err(-ENOSPC, "%s: too small: %llu bytes, a %llu-byte log needs at least %llu",
			      path, (unsigned long long)vol->size,
			      (unsigned long long)log_blocks * RVM_BLOCK_SIZE,
			      (unsigned long long)(data_start +
						   (log_only ? 0 : RVM_MIN_DATA_BLOCKS)) *
			      RVM_BLOCK_SIZE);
		goto out;
	}
	if (!log_only)
		data_blocks = min_t(u64, blocks - data_start,
				    RVM_SEG_MAX_SIZE / RVM_BLOCK_SIZE);

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
	sb.segtab_start = cpu_to_le64(RVM_SUPER_COPIES);
	sb.segtab_blocks = cpu_to_le32(st_blocks);
	sb.log_start = cpu_to_le64(log_start);
	sb.log_blocks = cpu_to_le64(log_blocks);
	sb.data_start = cpu_to_le64(data_blocks ? data_start : 0);
	sb.data_blocks = cpu_to_le64(data_blocks);
	sb.head_lsn = cpu_to_le64(0);
	sb.head_seq = cpu_to_le64(1);
	sb.format_time = cpu_to_le64((u64)time(NULL));
	sb.flags = cpu_to_le32(RVM_SB_CLEAN);

	/* Segment table generation 0, in copy A: segment 0, or nothing. */
	memset(&seg0, 0, sizeof(seg0));
	seg0.id = cpu_to_le32(0);
	seg0.flags = cpu_to_le32(RVM_DSEG_INTERNAL);
	seg0.size = cpu_to_le64(data_blocks * RVM_BLOCK_SIZE);
	seg0.add_time = sb.format_time;
	if (posix_memalign(&st, VOL_ALIGN, st_bytes)) {
		err = vol_err(-ENOMEM, "%s: out of memory", path);
		goto out;
	}
	vol_segtab_make(st, st_bytes, nonce, 0, &seg0, data_blocks ? 1 : 0, 1);
	sb.segtab_gen = cpu_to_le64(0);
	sb.segtab_crc = ((struct rvm_segtab_hdr *)st)->crc;

	/*
	 * Old superblocks, both table copies and the start of the log go
	 * first, then table copy A, durably; the superblocks last.
	 */
	err = vol_zero(vol, 0, (log_start + RVM_MIN_LOG_BLOCKS) * RVM_BLOCK_SIZE);
	if (!err)
		err = vol_raw_flush(vol);
	if (!err)
		err = vol_raw_write(vol, RVM_SUPER_COPIES * RVM_BLOCK_SIZE, st,
				    st_bytes);
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
	free(st);
	rvm_vol_close(vol);
	return err;
}

int rvm_vol_seg_redirect(struct rvm_vol *vol, u32 id, const char *path)
{
	struct vol_redir *r;
	char *p;

	if (!path || !*path)
		return vol_err(-EINVAL, "segment %u: no path", id);
	p = strdup(path);
	r = realloc(vol->redir, (vol->nredir + 1) * sizeof(*r));
	if (!p || !r) {
		free(p);
		if (r)
			vol->redir = r;
		return vol_err(-ENOMEM, "%s: out of memory", vol->path);
	}
	vol->redir = r;
	r[vol->nredir].id = id;
	r[vol->nredir].path = p;
	vol->nredir++;
	/* A segment opened already is opened again, at @path. */
	for (u32 i = 0; i < vol->nsegs; i++)
		if (vol->segs[i].id == id) {
			if (vol->segs[i].fd >= 0)
				close(vol->segs[i].fd);
			vol->segs[i].fd = -1;
			vol->segs[i].err = 0;
		}
	return 0;
}

const struct rvm_segtab *rvm_vol_segtab(const struct rvm_vol *vol)
{
	return vol->have_sb ? &vol->segtab : NULL;
}

int rvm_vol_seg_state(struct rvm_vol *vol, u32 id, const char **why)
{
	const struct rvm_disk_seg *e;
	struct vol_seg *sg;
	int err;

	*why = "no such segment in the table";
	e = vol_seg_entry(vol, id, &sg);
	if (!e)
		return -ENOENT;
	*why = NULL;
	if (le32_to_cpu(e->flags) == RVM_DSEG_INTERNAL)
		return 0;
	err = vol_seg_open(vol, e, sg);
	if (err)
		*why = sg->why;
	return err;
}

int rvm_vol_pending_segs(struct rvm_vol *vol, unsigned long *ids,
			 struct rvm_recovery_stats *st)
{
	int err = vol->have_sb ? 0 :
		  vol_err(-EINVAL, "%s: no valid superblock read", vol->path);

	if (err)
		return err;
	err = rvm_log_segments(&vol->sb, &vol->segtab, &rvm_vol_io_ops, vol,
			       ids, st);
	if (err)
		return vol_err(err, "%s: reading the log: %s", vol->path,
			       strerror(-err));
	return 0;
}

/*
 * Make @buf (a sealed table copy of generation gen(sb) + 1) the table in
 * force: write it to its copy and flush, then a superblock naming it.
 */
static int vol_segtab_commit(struct rvm_vol *vol, const void *buf)
{
	const struct rvm_segtab_hdr *h = buf;
	struct rvm_disk_super sb = vol->sb;
	size_t bytes = rvm_segtab_bytes(&sb);
	u64 gen = le64_to_cpu(h->gen);
	u64 at = (le64_to_cpu(sb.segtab_start) +
		  (gen & 1) * le32_to_cpu(sb.segtab_blocks)) * RVM_BLOCK_SIZE;
	int err;

	err = vol_raw_write(vol, at, buf, bytes);
	if (!err)
		err = vol_raw_flush(vol);
	if (err)
		return vol_err(err, "%s: writing segment table copy %c: %s",
			       vol->path, 'A' + (int)(gen & 1), strerror(-err));
	sb.sb_seq = cpu_to_le64(le64_to_cpu(sb.sb_seq) + 1);
	sb.segtab_gen = h->gen;
	sb.segtab_crc = h->crc;
	rvm_super_seal(&sb);
	err = rvm_vol_write_super(vol, &sb);
	if (err)
		return err;
	return vol_load_segtab(vol, &sb);
}

int rvm_vol_seg_add(struct rvm_vol *vol, const char *path, u32 *idp)
{
	const struct rvm_segtab *t = &vol->segtab;
	struct rvm_disk_seg *ent;
	size_t bytes;
	struct stat st;
	u64 size;
	void *buf;
	u32 n, next_id, i;
	int fd, err;

	err = vol_need_sb_early(vol);
	if (err)
		return err;
	if (vol->rdonly)
		return vol_err(-EBADF, "%s: opened read-only", vol->path);
	if (path[0] != '/' || strlen(path) >= RVM_SEG_NAME_LEN)
		return vol_err(-EINVAL, "%s: segment name must be an absolute path shorter than %d bytes",
			       path, RVM_SEG_NAME_LEN);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return vol_err(err, "%s: %s", path, strerror(-err));
	}
	size = st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &size))
		size = 0;
	close(fd);
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
		return vol_err(-EINVAL, "%s: not a block device or regular file",
			       path);
	size = min_t(u64, size - size % RVM_BLOCK_SIZE, RVM_SEG_MAX_SIZE);
	if (!size)
		return vol_err(-EINVAL, "%s: smaller than %d bytes", path,
			       RVM_BLOCK_SIZE);
	for (i = 0; i < t->nsegs; i++) {
		const struct rvm_disk_seg *e = &t->ent[i];

		if (le32_to_cpu(e->flags) == RVM_DSEG_INTERNAL)
			continue;
		if (S_ISBLK(st.st_mode) ? le64_to_cpu(e->dev) == (u64)st.st_rdev :
		    le64_to_cpu(e->dev) == (u64)st.st_dev &&
		    le64_to_cpu(e->ino) == (u64)st.st_ino) {
			*idp = le32_to_cpu(e->id);
			return 0;	/* (offline: its size is not grown) */
		}
	}
	n = t->nsegs;
	next_id = le32_to_cpu(t->hdr->next_id);
	if (n >= t->max_segs || next_id >= RVM_SEG_ID_LIMIT)
		return vol_err(-ENOSPC, "%s: segment table full", vol->path);
	bytes = rvm_segtab_bytes(&vol->sb);
	if (posix_memalign(&buf, VOL_ALIGN, bytes))
		return vol_err(-ENOMEM, "%s: out of memory", vol->path);
	ent = calloc(n + 1, sizeof(*ent));
	if (!ent) {
		free(buf);
		return vol_err(-ENOMEM, "%s: out of memory", vol->path);
	}
	memcpy(ent, t->ent, n * sizeof(*ent));
	ent[n].id = cpu_to_le32(next_id);
	ent[n].flags = cpu_to_le32(S_ISBLK(st.st_mode) ? RVM_DSEG_BDEV :
							RVM_DSEG_FILE);
	ent[n].size = cpu_to_le64(size);
	ent[n].dev = cpu_to_le64(S_ISBLK(st.st_mode) ? (u64)st.st_rdev :
						       (u64)st.st_dev);
	ent[n].ino = cpu_to_le64(S_ISBLK(st.st_mode) ? 0 : (u64)st.st_ino);
	ent[n].add_time = cpu_to_le64((u64)time(NULL));
	strcpy(ent[n].name, path);
	vol_segtab_make(buf, bytes, le64_to_cpu(vol->sb.vol_nonce),
			le64_to_cpu(t->hdr->gen) + 1, ent, n + 1, next_id + 1);
	free(ent);
	err = vol_segtab_commit(vol, buf);
	free(buf);
	if (!err)
		*idp = next_id;
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
	err = rvm_log_walk(&vol->sb, &vol->segtab, &rvm_vol_io_ops, vol,
			   buf_len, fn, arg, st);
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
	err = rvm_recover(&vol->sb, &vol->segtab, &rvm_vol_io_ops, vol, &opts,
			  st);
	if (err)
		return vol_err(err, "%s: recovery check failed: %s", vol->path,
			       strerror(-err));
	return 0;
}

/*
 * Before anything is written: every segment the pending records name must
 * be there, and be the one the table names. -ENODEV naming the first that
 * is not (its id, its name, why); the log is kept.
 */
static int vol_pending_present(struct rvm_vol *vol,
			       struct rvm_recovery_stats *st)
{
	unsigned long ids[BITS_TO_LONGS(RVM_SEG_ID_LIMIT)];
	const struct rvm_disk_seg *e;
	const char *why;
	u32 id;
	int err;

	err = rvm_vol_pending_segs(vol, ids, st);
	if (err)
		return err;
	for (id = find_next_bit(ids, RVM_SEG_ID_LIMIT, 0); id < RVM_SEG_ID_LIMIT;
	     id = find_next_bit(ids, RVM_SEG_ID_LIMIT, id + 1)) {
		if (!rvm_vol_seg_state(vol, id, &why))
			continue;
		e = vol_seg_entry(vol, id, NULL);
		return vol_err(-ENODEV, "%s: pending records name segment %u (%s), which is %s: the log is kept",
			       vol->path, id, e ? e->name : "?", why);
	}
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
	err = vol_pending_present(vol, st);
	if (err)
		return err;
	err = rvm_recover(&vol->sb, &vol->segtab, &rvm_vol_io_ops, vol, opts,
			  st);
	if (err)
		return vol_err(err, "%s: recovery failed: %s", vol->path,
			       strerror(-err));
	err = rvm_super_after_recovery(&vol->sb, st, &sb);
	if (err < 0)
		return vol_err(err, "%s: log positions exhausted", vol->path);
	return rvm_vol_write_super(vol, &sb);
}
