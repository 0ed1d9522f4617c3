// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: attaching ("mounting") and detaching volumes, the superblock, and
 * the list of attached volumes.
 *
 * Attach opens the device exclusively, picks the valid superblock copy
 * with the higher sequence number, reads the segment table it names and
 * opens every data segment by its name (dseg.c), refuses the volume
 * (-ENODEV, writing nothing) if a pending record names a segment that is
 * absent, runs recovery (recovery.c: the log is replayed onto the
 * segments, each written one flushed), and writes a superblock whose
 * head is the end of the log: the log is then empty. A crash anywhere in
 * there leaves the old superblock in force and the log intact, so the next
 * attach does the same work again. Detach flushes the spool, truncates the
 * whole log, writes a clean superblock and closes the device.
 */
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/ktime.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "dseg.h"
#include "endpoint.h"
#include "log.h"
#include "params.h"
#include "region.h"
#include "sysfs.h"
#include "truncate.h"
#include "volume.h"

static LIST_HEAD(rvm_volumes);
/*
 * Volumes being attached, by their node, so that a second attach of the
 * same backing is refused before it opens it: a block device is opened
 * exclusively anyway, but two opens of a file would both recover it.
 */
static LIST_HEAD(rvm_attaching);
static DEFINE_MUTEX(rvm_volumes_lock);
static DEFINE_IDA(rvm_vol_ida);

static void rvm_volume_release(struct kref *kref)
{
	struct rvm_volume *vol = container_of(kref, struct rvm_volume, kref);

	rvm_dseg_free_all(vol);
	kfree(vol->path);
	kfree(vol);
}

/**
 * rvm_volume_put() - drop a reference to a volume
 * @vol: the volume
 */
void rvm_volume_put(struct rvm_volume *vol)
{
	kref_put(&vol->kref, rvm_volume_release);
}

/* In @list, by identity if @ident->dev is not 0, else by id. */
static struct rvm_volume *rvm_volume_find_in(struct list_head *list,
					     const struct rvm_ident *ident,
					     u32 id)
{
	const struct rvm_ident *v;
	struct rvm_volume *vol;

	lockdep_assert_held(&rvm_volumes_lock);
	list_for_each_entry(vol, list, node) {
		v = &vol->back.ident;
		if (ident->dev ? v->dev == ident->dev && v->ino == ident->ino :
				 vol->id == id)
			return vol;
	}
	return NULL;
}

/* An attached volume, by identity if @ident->dev is not 0, else by id. */
static struct rvm_volume *rvm_volume_find(const struct rvm_ident *ident, u32 id)
{
	return rvm_volume_find_in(&rvm_volumes, ident, id);
}

/* open(2)'s may_open_dev(): device nodes of a nodev mount do not open. */
static bool rvm_may_open_dev(const struct path *path)
{
	return !(path->mnt->mnt_flags & MNT_NODEV) &&
	       !(path->mnt->mnt_sb->s_iflags & SB_I_NODEV);
}

/*
 * The identity of the block device node or regular file at user path
 * @upath. A device node must be on a mount without nodev (as open(2)
 * wants); nodev does not concern a regular file, whose permission bits
 * alone say who may read and write it.
 */
static int rvm_volume_ident_of_path(u64 upath, bool need_rw,
				    struct rvm_ident *id)
{
	struct path path;
	char *name;
	int ret;

	name = strndup_user(u64_to_user_ptr(upath), RVM_PATH_MAX);
	if (IS_ERR(name))
		return PTR_ERR(name);
	ret = kern_path(name, LOOKUP_FOLLOW, &path);
	kfree(name);
	if (ret)
		return ret;
	ret = rvm_backing_ident(&path, id);
	if (!ret && need_rw && !id->ino && !rvm_may_open_dev(&path))
		ret = -EACCES;
	else if (!ret && need_rw)
		ret = path_permission(&path, MAY_READ | MAY_WRITE);
	path_put(&path);
	/* Device number 0 names no volume (and never falls back to an id). */
	if (!ret && !id->dev)
		ret = -ENOENT;
	return ret;
}

/* The identity of the block device or regular file open as @fd. */
static int rvm_volume_ident_of_fd(int fd, bool need_rw, struct rvm_ident *id)
{
	struct file *f = fget(fd);
	int ret;

	if (!f)
		return -EBADF;
	ret = rvm_backing_ident(&f->f_path, id);
	if (!ret && need_rw &&
	    (f->f_mode & (FMODE_READ | FMODE_WRITE)) !=
		    (FMODE_READ | FMODE_WRITE))
		ret = -EACCES;
	fput(f);
	if (!ret && !id->dev)
		ret = -ENOENT;
	return ret;
}

/*
 * The identity of the backing at kernel path @path, for attach: as
 * lookup_bdev() has it for a device node (one on a nodev mount is
 * refused), or a regular file's.
 */
static int rvm_volume_ident_of_kpath(const char *path, struct rvm_ident *id)
{
	struct path p;
	int ret;

	ret = kern_path(path, LOOKUP_FOLLOW, &p);
	if (ret)
		return ret;
	ret = rvm_backing_ident(&p, id);
	if (!ret && !id->ino && !rvm_may_open_dev(&p))
		ret = -EACCES;
	path_put(&p);
	if (!ret && !id->dev)
		ret = -ENODEV;
	return ret;
}

/**
 * rvm_volume_get() - find an attached volume and take a reference
 * @ref: names it by device path (a user pointer), by an open file
 *	descriptor of its device (RVM_REF_FD) or by id
 * @need_rw: the caller must be allowed to open the device for reading and
 *	writing: the file descriptor is open so; or the node (by path) is a
 *	block device on a mount without nodev that the caller may read and
 *	write; or (by id) the caller has CAP_SYS_ADMIN
 *
 * Return: the volume, or ERR_PTR(-EINVAL, -EFAULT, -ENAMETOOLONG, -ENOENT,
 * -ENOTBLK, -EACCES, -EBADF, -EPERM).
 */
struct rvm_volume *rvm_volume_get(const struct rvm_volume_ref *ref,
				  bool need_rw)
{
	struct rvm_ident ident = { 0 };
	struct rvm_volume *vol;
	int ret = 0;

	if ((ref->flags & ~RVM_REF_FD) || ref->pad || ref->reserved)
		return ERR_PTR(-EINVAL);
	if (ref->flags & RVM_REF_FD) {
		if (ref->path || ref->vol_id)
			return ERR_PTR(-EINVAL);
		ret = rvm_volume_ident_of_fd(ref->fd, need_rw, &ident);
	} else if (ref->fd) {
		return ERR_PTR(-EINVAL);
	} else if (ref->path) {
		ret = rvm_volume_ident_of_path(ref->path, need_rw, &ident);
	} else if (need_rw && !capable(CAP_SYS_ADMIN)) {
		ret = -EPERM;
	}
	if (ret)
		return ERR_PTR(ret);

	mutex_lock(&rvm_volumes_lock);
	vol = rvm_volume_find(&ident, ref->vol_id);
	if (vol)
		kref_get(&vol->kref);
	mutex_unlock(&rvm_volumes_lock);
	return vol ? vol : ERR_PTR(-ENOENT);
}

/**
 * rvm_volume_bind() - count a file as bound to a volume
 * @vol: the volume (the caller holds a reference)
 *
 * Return: 0, or -ENOENT if the volume is being detached.
 */
int rvm_volume_bind(struct rvm_volume *vol)
{
	int ret = -ENOENT;

	mutex_lock(&rvm_volumes_lock);
	if (!list_empty(&vol->node)) {
		atomic_inc(&vol->binders);
		ret = 0;
	}
	mutex_unlock(&rvm_volumes_lock);
	return ret;
}

/**
 * rvm_volume_unbind() - a bound file goes away
 * @vol: the volume
 */
void rvm_volume_unbind(struct rvm_volume *vol)
{
	atomic_dec(&vol->binders);
}

/**
 * rvm_volume_fail() - put a volume in the failed, read-only state
 * @vol: the volume
 * @err: the error that happened
 * @what: what failed, for the kernel log
 *
 * Commits are refused from now on; what was acknowledged stays on disk,
 * and the next attach recovers it. This is the one place a volume, and
 * its log with it, fails (log_priv.h).
 */
void rvm_volume_fail(struct rvm_volume *vol, int err, const char *what)
{
	if (READ_ONCE(vol->failed))
		return;
	WRITE_ONCE(vol->failed, true);
	wake_up_all(&vol->log.wait);
	pr_err("volume %u (%s): %s failed (%d): read-only until detached\n",
	       vol->id, vol->path, what, err);
}

static int rvm_volume_write_sb(struct rvm_volume *vol, const u64 *head_lsn,
			       u64 head_seq, u32 flags, u64 gen, u32 crc);

/**
 * rvm_volume_write_super() - write the next superblock copy
 * @vol: the volume
 * @head_lsn: the new log head
 * @head_seq: the sequence number of the record at @head_lsn
 * @flags: RVM_SB_* flags
 *
 * Copies alternate: the write goes to the copy not in force, with a
 * higher sb_seq, so a torn write leaves the current one valid. Written
 * with a preflush (everything it refers to is durable first) and FUA.
 *
 * Return: 0 or a negative errno (the volume is then failed).
 */
int rvm_volume_write_super(struct rvm_volume *vol, u64 head_lsn, u64 head_seq,
			   u32 flags)
{
	return rvm_volume_write_sb(vol, &head_lsn, head_seq, flags, 0, 0);
}

/**
 * rvm_volume_write_segtab() - write a superblock naming a new segment table
 * @vol: the volume
 * @gen: the new table's generation (written, durably, to copy @gen & 1)
 * @crc: its CRC (struct rvm_segtab_hdr.crc)
 *
 * The head and flags stay those of the superblock in force.
 *
 * Return: 0 or a negative errno (the volume is then failed).
 */
int rvm_volume_write_segtab(struct rvm_volume *vol, u64 gen, u32 crc)
{
	return rvm_volume_write_sb(vol, NULL, 0, 0, gen, crc);
}

/*
 * Write the next superblock copy: with a new head (@head_lsn, else the
 * head and flags in force) or naming a new segment table (@head_lsn NULL).
 */
static int rvm_volume_write_sb(struct rvm_volume *vol, const u64 *head_lsn,
			       u64 head_seq, u32 flags, u64 gen, u32 crc)
{
	struct rvm_disk_super *sb;
	u64 seq;
	int ret;

	sb = kzalloc(RVM_BLOCK_SIZE, GFP_KERNEL);
	if (!sb)
		return -ENOMEM;
	mutex_lock(&vol->sb_lock);
	*sb = vol->sb;
	seq = le64_to_cpu(sb->sb_seq) + 1;
	/* Never reached (record.h); never wrapped either. */
	if (seq > RVM_MAX_SB_SEQ) {
		mutex_unlock(&vol->sb_lock);
		kfree(sb);
		rvm_volume_fail(vol, -EOVERFLOW, "superblock sequence number");
		return -EOVERFLOW;
	}
	sb->sb_seq = cpu_to_le64(seq);
	if (head_lsn) {
		sb->head_lsn = cpu_to_le64(*head_lsn);
		sb->head_seq = cpu_to_le64(head_seq);
		sb->flags = cpu_to_le32(flags);
	} else {
		sb->segtab_gen = cpu_to_le64(gen);
		sb->segtab_crc = cpu_to_le32(crc);
	}
	rvm_super_seal(sb);
	ret = rvm_ep_write(&vol->log_ep,
			   (u64)rvm_super_slot(seq) * RVM_BLOCK_SIZE, sb,
			   RVM_BLOCK_SIZE, REQ_PREFLUSH | REQ_FUA);
	if (!ret)
		vol->sb = *sb;
	mutex_unlock(&vol->sb_lock);
	kfree(sb);
	if (ret)
		rvm_volume_fail(vol, ret, "superblock write");
	return ret;
}

/*
 * The log's endpoint, from the geometry: superblocks, segment table
 * copies and log area from offset 0. The segments' are dseg.c's.
 */
static void rvm_volume_endpoints(struct rvm_volume *vol)
{
	const struct rvm_geom *g = &vol->geom;

	rvm_ep_init(&vol->log_ep, &vol->back, 0, g->log_off + g->log_size,
		    "log");
	vol->eps.log = &vol->log_ep;
	vol->eps.segs = &vol->dsegs;
}

/* Both copies are of format version 1 (or older): say so plainly. */
static bool rvm_volume_old_format(const struct rvm_disk_super *a,
				  const struct rvm_disk_super *b, u32 *version)
{
	u32 va = le32_to_cpu(a->version), vb = le32_to_cpu(b->version);

	if (le64_to_cpu(a->magic) != RVM_SUPER_MAGIC &&
	    le64_to_cpu(b->magic) != RVM_SUPER_MAGIC)
		return false;
	if (le64_to_cpu(a->magic) == RVM_SUPER_MAGIC &&
	    (!va || va >= RVM_FORMAT_VERSION))
		return false;
	if (le64_to_cpu(b->magic) == RVM_SUPER_MAGIC &&
	    (!vb || vb >= RVM_FORMAT_VERSION))
		return false;
	*version = le64_to_cpu(a->magic) == RVM_SUPER_MAGIC ? va : vb;
	return true;
}

static int rvm_volume_read_super(struct rvm_volume *vol)
{
	const char *why_a, *why_b;
	struct rvm_disk_super *sb;
	u64 size = vol->back.size;
	u64 blocks = size / RVM_BLOCK_SIZE;
	int ret, pick;
	u32 version;

	sb = kmalloc(2 * RVM_BLOCK_SIZE, GFP_KERNEL);
	if (!sb)
		return -ENOMEM;
	if (size < 2 * RVM_BLOCK_SIZE) {
		pr_err("%s: %llu bytes: too small to hold an rvm volume\n",
		       vol->path, size);
		ret = -EINVAL;
		goto out;
	}
	/* All of it until the superblock says where the log ends. */
	rvm_ep_init(&vol->log_ep, &vol->back, 0, size, "log");
	ret = rvm_ep_read(&vol->log_ep, 0, sb, 2 * RVM_BLOCK_SIZE);
	if (ret) {
		pr_err("%s: cannot read the superblocks: %d\n", vol->path, ret);
		goto out;
	}
	if (rvm_volume_old_format(sb, (void *)sb + RVM_BLOCK_SIZE, &version)) {
		pr_err("%s: format version %u, this module reads version %u: reformat the volume (rvmctl format)\n",
		       vol->path, version, RVM_FORMAT_VERSION);
		ret = -EOPNOTSUPP;
		goto out;
	}
	pick = rvm_super_pick(sb, (void *)sb + RVM_BLOCK_SIZE, blocks, &why_a,
			      &why_b);
	if (pick < 0) {
		ret = pick;
		pr_err("%s: not a usable rvm volume: copy A: %s; copy B: %s\n",
		       vol->path, why_a, why_b);
		goto out;
	}
	if (why_a || why_b)
		pr_warn("%s: superblock copy %c is invalid (%s); using copy %c\n",
			vol->path, pick ? 'A' : 'B', pick ? why_a : why_b,
			pick ? 'B' : 'A');
	vol->sb =
		*(struct rvm_disk_super *)((void *)sb + pick * RVM_BLOCK_SIZE);
	rvm_geom_init(&vol->geom, &vol->sb);
	rvm_volume_endpoints(vol);
	ret = 0;
out:
	kfree(sb);
	return ret;
}

static int rvm_volume_recover(struct rvm_volume *vol)
{
	struct rvm_recovery_opts opts = { 0 };
	struct rvm_recovery_stats st;
	struct rvm_disk_super nsb;
	u64 t0 = ktime_get_ns(), t_sb = 0;
	int ret;

	ret = rvm_recover(&vol->sb, vol->geom.segtab, &rvm_ep_io_ops, &vol->eps,
			  &opts, &st);
	if (ret) {
		pr_err("%s: recovery failed: %d\n", vol->path, ret);
		return ret;
	}
	/*
	 * Always move the head past the end found, unless a clean volume
	 * had nothing in its log: rvm_super_after_recovery() moves it a
	 * whole lap on, so a record that survived behind a torn one can
	 * never line up with a new record and be taken as committed.
	 */
	if (!(le32_to_cpu(vol->sb.flags) & RVM_SB_CLEAN) || st.records ||
	    st.end_lsn != le64_to_cpu(vol->sb.head_lsn)) {
		ret = rvm_super_after_recovery(&vol->sb, &st, &nsb);
		t_sb = ktime_get_ns();
		if (ret >= 0)
			ret = rvm_volume_write_super(vol,
						     le64_to_cpu(nsb.head_lsn),
						     le64_to_cpu(nsb.head_seq),
						     0);
		t_sb = ktime_get_ns() - t_sb;
		if (ret < 0) {
			pr_err("%s: cannot reset the log after recovery: %d\n",
			       vol->path, ret);
			return ret;
		}
	}
	vol->stats.recovery_ns = ktime_get_ns() - t0;
	vol->stats.recovery_records = st.records;
	vol->stats.recovery_bytes = st.bytes;
	pr_info("%s: recovery replayed %llu records (%llu bytes, %llu pages) in %llu us; log ends: %s\n",
		vol->path, st.records, st.bytes, st.pages,
		vol->stats.recovery_ns / 1000, st.end_why);
	if (st.records)
		pr_info("%s: recovery took %llu us walking the log (%llu waiting for reads), %llu reading %llu pages, %llu writing, %llu flushing, %llu in the superblock\n",
			vol->path, st.ns_walk / 1000, st.ns_log_read / 1000,
			st.ns_data_read / 1000, st.pages_read,
			st.ns_write / 1000, st.ns_flush / 1000, t_sb / 1000);
	return 0;
}

/**
 * rvm_volume_attach() - attach a volume: open, recover, make usable
 * @path: the block device or regular file
 * @truncate_pct: background truncation threshold, 0 for the default
 * @spool_delay_ms: longest no_flush delay, 0 for the default
 * @id: set to the new volume's id
 *
 * Return: 0 or a negative errno (the kernel log says why).
 */
int rvm_volume_attach(const char *path, u32 truncate_pct, u32 spool_delay_ms,
		      u32 *id)
{
	struct rvm_ident ident;
	struct rvm_volume *vol;
	int ret;

	if (truncate_pct > 99 || spool_delay_ms > 60000)
		return -EINVAL;
	ret = rvm_volume_ident_of_kpath(path, &ident);
	if (ret)
		return ret;

	vol = kzalloc(sizeof(*vol), GFP_KERNEL);
	if (!vol)
		return -ENOMEM;
	kref_init(&vol->kref);
	INIT_LIST_HEAD(&vol->node);
	mutex_init(&vol->sb_lock);
	mutex_init(&vol->segtab_lock);
	spin_lock_init(&vol->maps_lock);
	xa_init(&vol->dsegs);
	INIT_LIST_HEAD(&vol->old_tabs);
	INIT_LIST_HEAD(&vol->removed);
	rvm_truncate_init(vol);
	vol->truncate_pct = truncate_pct ?: READ_ONCE(rvm_param_truncate);
	vol->spool_delay_ms = spool_delay_ms ?:
				      READ_ONCE(rvm_param_spool_delay_ms);
	vol->path = kstrdup(path, GFP_KERNEL);
	if (!vol->path) {
		ret = -ENOMEM;
		goto err_free;
	}

	/* Claim an id and the identity before the slow part. */
	mutex_lock(&rvm_volumes_lock);
	if (rvm_volume_find(&ident, 0) ||
	    rvm_volume_find_in(&rvm_attaching, &ident, 0)) {
		mutex_unlock(&rvm_volumes_lock);
		ret = -EBUSY;
		goto err_free;
	}
	ret = ida_alloc_min(&rvm_vol_ida, 1, GFP_KERNEL);
	if (ret >= 0) {
		vol->back.ident = ident; /* what rvm_attaching matches */
		list_add_tail(&vol->node, &rvm_attaching);
	}
	mutex_unlock(&rvm_volumes_lock);
	if (ret < 0)
		goto err_free;
	vol->id = ret;

	ret = rvm_backing_open(&vol->back, path, &ident, vol);
	if (ret)
		goto err_unclaim;
	ret = rvm_volume_read_super(vol);
	if (ret)
		goto err_close;
	ret = rvm_dseg_load(vol);
	if (ret)
		goto err_close;
	ret = rvm_dseg_check_pending(vol);
	if (ret)
		goto err_close;
	ret = rvm_volume_recover(vol);
	if (ret)
		goto err_close;
	ret = rvm_region_vol_init(vol);
	if (ret)
		goto err_close;
	ret = rvm_log_start(vol, le64_to_cpu(vol->sb.head_lsn),
			    le64_to_cpu(vol->sb.head_seq));
	if (ret)
		goto err_region;

	mutex_lock(&rvm_volumes_lock);
	list_move_tail(&vol->node, &rvm_volumes);
	mutex_unlock(&rvm_volumes_lock);
	*id = vol->id;
	pr_info("attached %s as volume %u: %u segments, segment 0 %llu bytes, log %llu bytes%s\n",
		path, vol->id, vol->tab->t.nsegs, vol->geom.data_size,
		vol->geom.log_size, rvm_backing_kind(&vol->back));
	return 0;

err_region:
	rvm_region_vol_destroy(vol);
err_close:
	rvm_dseg_close_all(vol);
	rvm_backing_close(&vol->back);
err_unclaim:
	mutex_lock(&rvm_volumes_lock);
	list_del_init(&vol->node);
	mutex_unlock(&rvm_volumes_lock);
	ida_free(&rvm_vol_ida, vol->id);
err_free:
	rvm_volume_put(vol);
	return ret;
}

/* Flush, truncate, release; the volume is off the list already. */
static int rvm_volume_teardown(struct rvm_volume *vol)
{
	int ret = 0;

	if (!READ_ONCE(vol->failed)) {
		ret = rvm_truncate(vol);
		if (!ret)
			ret = rvm_volume_write_super(vol, vol->log.head_lsn,
						     vol->log.head_seq,
						     RVM_SB_CLEAN);
	}
	if (READ_ONCE(vol->failed) && !ret)
		ret = -EIO;
	rvm_region_vol_quiesce(vol);
	rvm_log_stop(vol);
	rvm_truncate_stop(vol);
	rvm_region_vol_destroy(vol);
	rvm_dseg_close_all(vol);
	rvm_backing_close(&vol->back);
	ida_free(&rvm_vol_ida, vol->id);
	pr_info("detached volume %u (%s)%s\n", vol->id, vol->path,
		ret ? ": the log was not emptied, the next attach replays it" :
		      "");
	rvm_volume_put(vol);
	return ret;
}

/**
 * rvm_volume_detach() - flush, truncate and release a volume
 * @vol: the volume (the caller holds a reference, which stays its own)
 *
 * Return: 0; -EBUSY if a file is bound to it; -ENOENT if it is being
 * detached already; -EIO if the final flush failed (it is released anyway).
 */
int rvm_volume_detach(struct rvm_volume *vol)
{
	mutex_lock(&rvm_volumes_lock);
	if (list_empty(&vol->node)) {
		mutex_unlock(&rvm_volumes_lock);
		return -ENOENT;
	}
	if (atomic_read(&vol->binders)) {
		mutex_unlock(&rvm_volumes_lock);
		return -EBUSY;
	}
	list_del_init(&vol->node);
	mutex_unlock(&rvm_volumes_lock);
	return rvm_volume_teardown(vol);
}

/**
 * rvm_volume_detach_all() - detach every volume (module unload)
 *
 * Nothing can be bound at unload: every open file holds the module.
 */
void rvm_volume_detach_all(void)
{
	struct rvm_volume *vol;

	for (;;) {
		mutex_lock(&rvm_volumes_lock);
		vol = list_first_entry_or_null(&rvm_volumes, struct rvm_volume,
					       node);
		if (vol)
			list_del_init(&vol->node);
		mutex_unlock(&rvm_volumes_lock);
		if (!vol)
			break;
		rvm_volume_teardown(vol);
	}
}

/**
 * rvm_volume_list() - the attached volumes, for /sys/module/rvm/volumes
 * @buf: a sysfs buffer (PAGE_SIZE)
 *
 * One line a volume, in attach order: "ID MAJOR:MINOR PATH", PATH as
 * given to attach. Lines that do not fit in the page are left out.
 *
 * Return: the bytes written.
 */
ssize_t rvm_volume_list(char *buf)
{
	struct rvm_volume *vol;
	int len = 0;

	mutex_lock(&rvm_volumes_lock);
	list_for_each_entry(vol, &rvm_volumes, node) {
		int n = snprintf(NULL, 0, "%u %u:%u %s\n", vol->id,
				 MAJOR(vol->back.ident.dev),
				 MINOR(vol->back.ident.dev), vol->path);

		if (len + n >= PAGE_SIZE)
			break;
		len += sysfs_emit_at(buf, len, "%u %u:%u %s\n", vol->id,
				     MAJOR(vol->back.ident.dev),
				     MINOR(vol->back.ident.dev), vol->path);
	}
	mutex_unlock(&rvm_volumes_lock);
	return len;
}

/**
 * rvm_volume_status() - fill a status answer
 * @vol: the volume
 * @st: the answer (the caller zeroed it)
 */
void rvm_volume_status(struct rvm_volume *vol, struct rvm_status *st)
{
	struct rvm_stats *s = &vol->stats;
	struct rvm_log *log = &vol->log;

	st->flags = READ_ONCE(vol->failed) ? RVM_STATUS_FAILED : 0;
	st->vol_id = vol->id;
	st->data_bytes = vol->geom.data_size;
	st->log_bytes = vol->geom.log_size;
	spin_lock(&log->lock);
	st->head_lsn = log->head_lsn;
	st->tail_lsn = log->tail_lsn;
	st->next_seq = log->next_seq;
	spin_unlock(&log->lock);
	st->log_used = st->tail_lsn - st->head_lsn;
	st->commits = atomic64_read(&s->commits);
	st->flush_commits = atomic64_read(&s->flush_commits);
	st->aborts = atomic64_read(&s->aborts);
	st->log_writes = atomic64_read(&s->log_writes);
	st->log_flushes = atomic64_read(&s->log_flushes);
	st->log_preflushes = atomic64_read(&s->log_preflushes);
	st->flush_calls = atomic64_read(&s->flush_calls);
	st->bytes_declared = atomic64_read(&s->bytes_declared);
	st->bytes_logged = atomic64_read(&s->bytes_logged);
	st->bytes_coalesced = atomic64_read(&s->bytes_coalesced);
	st->truncations = atomic64_read(&s->truncations);
	st->bytes_truncated = atomic64_read(&s->bytes_truncated);
	st->log_full_waits = atomic64_read(&s->log_full_waits);
	st->recovery_ns = s->recovery_ns;
	st->recovery_records = s->recovery_records;
	st->recovery_bytes = s->recovery_bytes;
	st->mapped_pages = rvm_region_resident(vol);
}
