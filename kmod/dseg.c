// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: a volume's data segments and its segment table (format.h).
 *
 * Every segment of the table is a struct rvm_dseg in vol->dsegs, by id:
 * segment 0 of a one-device volume is a range of the log's own device,
 * every other one a block device or regular file of its own, opened by
 * the module by the name (the absolute path) it was added by, with the
 * credentials of whoever attaches the volume or adds the segment, read
 * and write, O_DIRECT where the file system allows it (backing.c), a
 * block device exclusively. Nothing is ever written inside a segment but
 * the program's bytes.
 *
 * Identity. The table keeps each external segment's (device number,
 * inode); at attach the name is looked up and must still be that file or
 * device, at least as large as the table says. A segment that is not
 * (missing, replaced by another file of the same name, smaller, or that
 * cannot be opened) is absent: the kernel log says which and why, its
 * pages cannot be mapped (-ENODEV) nor read, and RVM_IOC_SEG_INFO shows
 * RVM_SEGI_ABSENT. Before recovery writes anything, the pending records
 * are walked (rvm_log_walk()) for the segments they name: if one of them
 * is absent, attach fails with -ENODEV and nothing is written, so that
 * the records stay for the attach after the right segment is back.
 *
 * Changes (RVM_IOC_SEG_ADD, RVM_IOC_SEG_REMOVE) are serialised by
 * vol->segtab_lock: the new table, generation one higher, is checked with
 * rvm_segtab_validate(), written to the copy not in force with a preflush
 * and FUA, and then a superblock naming it (FUA). The log writer reads
 * vol->geom.segtab without a lock, so a replaced table stays in memory
 * until the volume is released. Ids are never reused (next_id). Adding a
 * segment whose identity is in the table returns its id: the size grows
 * if the file or device grew (the table is written then), and an absent
 * one is opened again. Removing one truncates the log first, so no record
 * names it afterwards, and is refused while it is mapped.
 *
 * A segment's mappings are counted (@maps, under vol->maps_lock) by mmap
 * and the vmas' open and close; a segment being removed takes no new one.
 *
 * Users without a mapping. A transaction keeps its declared ranges after
 * the process unmaps them, and its end reads them and queues a record
 * naming the segment; a restore reads and writes them. Such a use runs
 * inside rvm_dseg_use_begin() and rvm_dseg_use_end() (an SRCU read side,
 * one for all volumes), and rvm_dseg_check_use() refuses a segment
 * being removed. Removal marks the segment @removing, then waits for every use
 * that may have looked before (synchronize_srcu()), and only then
 * truncates: a record that names the segment is queued before that
 * truncation's flush, and so applied by it, or not at all; nothing reads
 * or writes the segment's file once it is closed.
 *
 * Locks: segtab_lock > trunc.lock > sb_lock; maps_lock is a spinlock
 * taken alone. segtab_lock is never held around a copy from or to user
 * memory (mmap_lock > maps_lock only).
 */
#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>

#include "dseg.h"
#include "endpoint.h"
#include "log.h"
#include "segment.h"
#include "truncate.h"
#include "volume.h"

/* Uses of segments without a mapping, for removal to wait for. */
DEFINE_STATIC_SRCU(rvm_dseg_srcu);

/**
 * rvm_dseg_use_begin() - start using segments a mapping may not pin
 * @vol: the volume (the read side is one for all volumes: removals are
 *	rare)
 *
 * From the rvm_dseg_check() that finds a segment to the last read or
 * write of it, or until a record naming it is queued in the log: a
 * removal that began after the check waits for rvm_dseg_use_end().
 * Nests.
 *
 * Context: process context; the section may sleep.
 * Return: a cookie for rvm_dseg_use_end().
 */
int rvm_dseg_use_begin(struct rvm_volume *vol) __acquires(rvm_dseg_srcu)
{
	return srcu_read_lock(&rvm_dseg_srcu);
}

/**
 * rvm_dseg_use_end() - end a section of rvm_dseg_use_begin()
 * @vol: the volume
 * @cookie: what it returned
 */
void rvm_dseg_use_end(struct rvm_volume *vol, int cookie)
	__releases(rvm_dseg_srcu)
{
	srcu_read_unlock(&rvm_dseg_srcu, cookie);
}

/**
 * rvm_dseg_find() - a segment of a volume by id
 * @vol: the volume
 * @id: the segment id
 *
 * Return: the segment (it stays allocated until the volume is released),
 * or NULL if the table has none of that id.
 */
struct rvm_dseg *rvm_dseg_find(struct rvm_volume *vol, u32 id)
{
	return xa_load(&vol->dsegs, id);
}

/**
 * rvm_dseg_check() - does a range of volume offsets lie in one segment?
 * @vol: the volume
 * @voff: the volume offset of its first byte (RVM_SEG_OFFSET())
 * @len: its length
 *
 * Return: 0; -EINVAL if not inside one segment of the table; -ENODEV if
 * inside an absent one.
 */
int rvm_dseg_check(struct rvm_volume *vol, u64 voff, u64 len)
{
	struct rvm_dseg *d = rvm_dseg_find(vol, RVM_VOFF_SEG(voff));
	u64 off = RVM_VOFF_OFF(voff);

	if (!d || off > d->size || len > d->size - off)
		return -EINVAL;
	return d->absent ? -ENODEV : 0;
}

/**
 * rvm_dseg_check_use() - rvm_dseg_check() for a use that starts now
 * @vol: the volume
 * @voff: the volume offset of the range's first byte
 * @len: its length
 *
 * Inside rvm_dseg_use_begin(): a segment being removed is refused too. A
 * use that passed this check before may go on (the removal waits for it).
 *
 * Return: 0; -EINVAL if not inside one segment of the table, or inside one
 * being removed; -ENODEV if inside an absent one.
 */
int rvm_dseg_check_use(struct rvm_volume *vol, u64 voff, u64 len)
{
	int ret = rvm_dseg_check(vol, voff, len);

	if (!ret && READ_ONCE(rvm_dseg_find(vol, RVM_VOFF_SEG(voff))->removing))
		ret = -EINVAL;
	return ret;
}

static __printf(2, 3) void rvm_dseg_absent(struct rvm_dseg *d, const char *fmt,
					   ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
	d->absent = true;
}

/* open(2)'s may_open_dev(), as volume.c has it. */
static bool rvm_dseg_may_open_dev(const struct path *path)
{
	return !(path->mnt->mnt_flags & MNT_NODEV) &&
	       !(path->mnt->mnt_sb->s_iflags & SB_I_NODEV);
}

/*
 * The identity of the block device or regular file at @name; -EINVAL if
 * it is neither, -EACCES for a device node on a nodev mount.
 */
static int rvm_dseg_ident(const char *name, struct rvm_ident *id)
{
	struct path p;
	int ret;

	ret = kern_path(name, LOOKUP_FOLLOW, &p);
	if (ret)
		return ret;
	ret = rvm_backing_ident(&p, id);
	if (ret == -ENOTBLK)
		ret = -EINVAL;
	else if (!ret && !id->ino && !rvm_dseg_may_open_dev(&p))
		ret = -EACCES;
	path_put(&p);
	return ret;
}

/* Segment @d's name is another file or device now, @id. */
static void rvm_dseg_replaced(struct rvm_dseg *d, const struct rvm_ident *id)
{
	const struct rvm_ident *t = &d->ident;

	rvm_dseg_absent(d, "replaced: inode %llu of %u:%u, not %llu of %u:%u",
			id->ino, MAJOR(id->dev), MINOR(id->dev), t->ino,
			MAJOR(t->dev), MINOR(t->dev));
}

/*
 * Open segment @d of the table by its name, or mark it absent and say
 * why. Segment 0 inside the log is the log device's range.
 */
static void rvm_dseg_open(struct rvm_volume *vol, struct rvm_dseg *d)
{
	struct rvm_ident id;
	int ret;

	d->absent = false;
	d->why[0] = 0;
	if (d->flags & RVM_DSEG_INTERNAL) {
		rvm_ep_init(&d->ep, &vol->back, vol->geom.data_off, d->size,
			    "segment 0");
		return;
	}
	ret = rvm_dseg_ident(d->name, &id);
	if (ret == -ENOENT) {
		rvm_dseg_absent(d, "missing (ENOENT)");
		goto out;
	} else if (ret == -EINVAL) {
		rvm_dseg_absent(d, "not a block device or regular file");
		goto out;
	} else if (ret) {
		rvm_dseg_absent(d, "cannot be looked up (%d)", ret);
		goto out;
	}
	if (id.dev != d->ident.dev || id.ino != d->ident.ino) {
		rvm_dseg_replaced(d, &id);
		goto out;
	}
	ret = rvm_backing_open(&d->back, d->name, &id, vol);
	if (ret) {
		rvm_dseg_absent(d, "cannot be opened (%d)", ret);
		goto out;
	}
	if (d->back.size < d->size) {
		rvm_dseg_absent(d, "smaller than the table says (%llu bytes)",
				d->size);
		rvm_backing_close(&d->back);
		goto out;
	}
	rvm_ep_init(&d->ep, &d->back, 0, d->size, d->name);
out:
	if (d->absent)
		pr_warn("%s: segment %u (%s) is absent: %s\n", vol->path, d->id,
			d->name, d->why);
}

/* A segment from table entry @e. */
static struct rvm_dseg *rvm_dseg_new(const struct rvm_disk_seg *e)
{
	struct rvm_dseg *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return NULL;
	d->id = le32_to_cpu(e->id);
	d->flags = le32_to_cpu(e->flags);
	d->size = le64_to_cpu(e->size);
	d->ident.dev = huge_decode_dev(le64_to_cpu(e->dev));
	d->ident.ino = le64_to_cpu(e->ino);
	memcpy(d->name, e->name, sizeof(d->name));
	d->name[sizeof(d->name) - 1] = 0;
	INIT_LIST_HEAD(&d->node);
	return d;
}

static struct rvm_tabcopy *rvm_tab_alloc(size_t len)
{
	struct rvm_tabcopy *tc = kzalloc(sizeof(*tc), GFP_KERNEL);

	if (!tc)
		return NULL;
	INIT_LIST_HEAD(&tc->node);
	tc->len = len;
	tc->buf = kvzalloc(len, GFP_KERNEL);
	if (!tc->buf) {
		kfree(tc);
		return NULL;
	}
	return tc;
}

static void rvm_tab_free(struct rvm_tabcopy *tc)
{
	if (tc) {
		kvfree(tc->buf);
		kfree(tc);
	}
}

/* Where copy @gen & 1 of the table is in the log endpoint. */
static u64 rvm_tab_pos(const struct rvm_disk_super *sb, u64 gen)
{
	return (le64_to_cpu(sb->segtab_start) +
		(gen & 1) * le32_to_cpu(sb->segtab_blocks)) *
	       RVM_BLOCK_SIZE;
}

/**
 * rvm_dseg_load() - read the segment table and open every segment
 * @vol: the volume being attached, its superblock read
 *
 * Absent segments are noted (and logged), not an error.
 *
 * Return: 0; -EINVAL, -EBADMSG or -EOPNOTSUPP for a table copy that does
 * not validate; -ENOMEM; the read's error.
 */
int rvm_dseg_load(struct rvm_volume *vol)
{
	const struct rvm_disk_super *sb = &vol->sb;
	u64 gen = le64_to_cpu(sb->segtab_gen);
	struct rvm_tabcopy *tc;
	struct rvm_dseg *d;
	const char *why;
	u32 i;
	int ret;

	tc = rvm_tab_alloc(rvm_segtab_bytes(sb));
	if (!tc)
		return -ENOMEM;
	ret = rvm_ep_read(&vol->log_ep, rvm_tab_pos(sb, gen), tc->buf, tc->len);
	if (ret) {
		pr_err("%s: cannot read the segment table: %d\n", vol->path,
		       ret);
		goto err;
	}
	ret = rvm_segtab_validate(&tc->t, tc->buf, tc->len, sb, &why);
	if (ret) {
		pr_err("%s: segment table copy %c (generation %llu): %s\n",
		       vol->path, (gen & 1) ? 'B' : 'A', gen, why);
		goto err;
	}
	vol->tab = tc;
	vol->geom.segtab = &tc->t;
	for (i = 0; i < tc->t.nsegs; i++) {
		d = rvm_dseg_new(&tc->t.ent[i]);
		if (!d)
			return -ENOMEM;
		ret = xa_insert(&vol->dsegs, d->id, d, GFP_KERNEL);
		if (ret) {
			kfree(d);
			return ret;
		}
		rvm_dseg_open(vol, d);
	}
	return 0;
err:
	rvm_tab_free(tc);
	return ret;
}

/**
 * rvm_dseg_check_pending() - refuse a log whose records need an absent
 * segment
 * @vol: the volume being attached, its segments opened, nothing written
 *
 * Only if a segment is absent: the pending records are walked (read and
 * checked, nothing written, rvm_log_segments()) for the segments they
 * name.
 *
 * Return: 0; -ENODEV if a pending record names an absent segment (the
 * kernel log names it and why); -ENOMEM; the walk's error.
 */
int rvm_dseg_check_pending(struct rvm_volume *vol)
{
	struct rvm_recovery_stats st;
	struct rvm_dseg *d, *bad = NULL;
	unsigned long id, *ids;
	bool absent = false;
	int ret;

	xa_for_each(&vol->dsegs, id, d)
		absent |= d->absent;
	if (!absent)
		return 0;
	ids = bitmap_zalloc(RVM_SEG_ID_LIMIT, GFP_KERNEL);
	if (!ids)
		return -ENOMEM;
	ret = rvm_log_segments(&vol->sb, vol->geom.segtab, &rvm_ep_io_ops,
			       &vol->eps, ids, &st);
	if (ret) {
		pr_err("%s: cannot walk the log: %d\n", vol->path, ret);
		goto out;
	}
	xa_for_each(&vol->dsegs, id, d) {
		if (d->absent && test_bit(d->id, ids)) {
			bad = d;
			break;
		}
	}
	if (bad) {
		pr_err("%s: pending log records name segment %u (%s), which is absent: %s; attach refused, the log is kept as it is\n",
		       vol->path, bad->id, bad->name, bad->why);
		ret = -ENODEV;
	}
out:
	bitmap_free(ids);
	return ret;
}

/**
 * rvm_dseg_close_all() - close every segment's device or file
 * @vol: the volume being detached (or whose attach failed), nothing
 *	mapped, no I/O in flight
 */
void rvm_dseg_close_all(struct rvm_volume *vol)
{
	struct rvm_dseg *d;
	unsigned long id;

	xa_for_each(&vol->dsegs, id, d) {
		if (!(d->flags & RVM_DSEG_INTERNAL) && !d->absent)
			rvm_backing_close(&d->back);
		d->absent = true;
	}
}

/**
 * rvm_dseg_free_all() - free the segments and tables of a volume
 * @vol: the volume being released, its segments closed
 */
void rvm_dseg_free_all(struct rvm_volume *vol)
{
	struct rvm_tabcopy *tc, *tn;
	struct rvm_dseg *d, *dn;
	unsigned long id;

	xa_for_each(&vol->dsegs, id, d)
		kfree(d);
	xa_destroy(&vol->dsegs);
	list_for_each_entry_safe(d, dn, &vol->removed, node)
		kfree(d);
	list_for_each_entry_safe(tc, tn, &vol->old_tabs, node)
		rvm_tab_free(tc);
	rvm_tab_free(vol->tab);
	vol->tab = NULL;
}

/**
 * rvm_dseg_map() - a mapping of a range of volume offsets is made
 * @vol: the volume
 * @voff: the mapping's first volume offset
 * @len: its length
 *
 * Return: 0 (the segment counts it until rvm_dseg_unmap()); -EINVAL if
 * the range is not inside one segment (or it is being removed); -ENODEV
 * for an absent segment.
 */
int rvm_dseg_map(struct rvm_volume *vol, u64 voff, u64 len)
{
	struct rvm_dseg *d;
	int ret;

	spin_lock(&vol->maps_lock);
	ret = rvm_dseg_check(vol, voff, len);
	d = rvm_dseg_find(vol, RVM_VOFF_SEG(voff));
	if (!ret && d->removing)
		ret = -EINVAL;
	if (!ret)
		d->maps++;
	spin_unlock(&vol->maps_lock);
	return ret;
}

/**
 * rvm_dseg_unmap() - count a mapping of a segment out (or in)
 * @vol: the volume
 * @voff: a volume offset of the segment the mapping maps
 * @n: mappings gone (-1: a vma copied by split or fork)
 */
void rvm_dseg_unmap(struct rvm_volume *vol, u64 voff, long n)
{
	struct rvm_dseg *d;

	spin_lock(&vol->maps_lock);
	d = rvm_dseg_find(vol, RVM_VOFF_SEG(voff));
	if (!WARN_ON_ONCE(!d))
		d->maps -= n;
	spin_unlock(&vol->maps_lock);
}

/**
 * rvm_dseg_committed() - a record naming segments got its commit number
 * @vol: the volume
 * @rec: the record, its ranges split (rvm_log_check_rec()), @rec->seq set
 *
 * Called under log.lock, in commit order.
 */
void rvm_dseg_committed(struct rvm_volume *vol, const struct rvm_rec *rec)
{
	struct rvm_dseg *d;
	u32 i;

	for (i = 0; i < rec->nranges; i++) {
		d = rvm_dseg_find(vol, rec->ranges[i].seg);
		if (d)
			WRITE_ONCE(d->last_commit, rec->seq);
	}
}

/*
 * Make @nt (a changed copy of the table in force, its generation one
 * higher, not sealed) the table in force: checked, written durably to
 * its copy, then named by a superblock. Under segtab_lock. On error the
 * old table stays in force (if the superblock write failed, the volume
 * failed too) and @nt is freed.
 */
static int rvm_dseg_write_tab(struct rvm_volume *vol, struct rvm_tabcopy *nt)
{
	struct rvm_segtab_hdr *h = (void *)nt->buf;
	u64 gen = le64_to_cpu(h->gen);
	struct rvm_disk_super sb;
	const char *why;
	int ret;

	rvm_segtab_seal(nt->buf, nt->len);
	mutex_lock(&vol->sb_lock);
	sb = vol->sb;
	mutex_unlock(&vol->sb_lock);
	sb.segtab_gen = cpu_to_le64(gen);
	sb.segtab_crc = h->crc;
	ret = rvm_segtab_validate(&nt->t, nt->buf, nt->len, &sb, &why);
	if (WARN_ONCE(ret, "rvm: new segment table refused: %s\n", why))
		goto err;
	ret = rvm_ep_write(&vol->log_ep, rvm_tab_pos(&sb, gen), nt->buf,
			   nt->len, REQ_PREFLUSH | REQ_FUA);
	if (ret)
		goto err;
	ret = rvm_volume_write_segtab(vol, gen, le32_to_cpu(h->crc));
	if (ret)
		goto err;
	list_add(&vol->tab->node, &vol->old_tabs);
	vol->tab = nt;
	WRITE_ONCE(vol->geom.segtab, &nt->t);
	return 0;
err:
	rvm_tab_free(nt);
	return ret;
}

/* A copy of the table in force, generation one higher. */
static struct rvm_tabcopy *rvm_dseg_tab_next(struct rvm_volume *vol)
{
	struct rvm_tabcopy *nt = rvm_tab_alloc(vol->tab->len);
	struct rvm_segtab_hdr *h;

	if (!nt)
		return NULL;
	memcpy(nt->buf, vol->tab->buf, nt->len);
	h = (void *)nt->buf;
	h->gen = cpu_to_le64(le64_to_cpu(h->gen) + 1);
	return nt;
}

/* The table entry of segment @id in @tc, or NULL. */
static struct rvm_disk_seg *rvm_tab_entry(struct rvm_tabcopy *tc, u32 id)
{
	struct rvm_segtab_hdr *h = (void *)tc->buf;
	struct rvm_disk_seg *e = (void *)(h + 1);
	u32 i, n = le32_to_cpu(h->nsegs);

	for (i = 0; i < n; i++)
		if (le32_to_cpu(e[i].id) == id)
			return &e[i];
	return NULL;
}

/* Segment @d of the table is there again, maybe larger: under segtab_lock. */
static int rvm_dseg_again(struct rvm_volume *vol, struct rvm_dseg *d, u32 *id,
			  u64 *size)
{
	struct rvm_tabcopy *nt;
	u64 grown;
	int ret;

	if (d->absent) {
		rvm_dseg_open(vol, d);
		if (d->absent)
			return -ENODEV;
		pr_info("volume %u: segment %u (%s) is present again\n",
			vol->id, d->id, d->name);
	}
	grown = min_t(u64, round_down(d->back.size, RVM_BLOCK_SIZE),
		      RVM_SEG_MAX_SIZE);
	if (grown > d->size) {
		nt = rvm_dseg_tab_next(vol);
		if (!nt)
			return -ENOMEM;
		rvm_tab_entry(nt, d->id)->size = cpu_to_le64(grown);
		ret = rvm_dseg_write_tab(vol, nt);
		if (ret)
			return ret;
		rvm_ep_init(&d->ep, &d->back, 0, grown, d->name);
		WRITE_ONCE(d->size, grown);
	}
	*id = d->id;
	*size = d->size;
	return 0;
}

/**
 * rvm_dseg_add() - register a block device or regular file as a segment
 * @vol: the volume (the caller has bind rights on it)
 * @path: its absolute path, the segment's name
 * @id: set to its id
 * @size: set to its size
 *
 * Opened with the caller's credentials. A file or device registered
 * already gives its id (see above).
 *
 * Return: 0; -EINVAL (a relative path, neither a block device nor a
 * regular file, the log's own, smaller than RVM_BLOCK_SIZE or larger than
 * RVM_SEG_MAX_SIZE); -ENOSPC (the table is full, or no id is left);
 * -EROFS (the volume failed); -ENODEV (registered, absent, and still not
 * the right file); the lookup's and the open's errors (-ENOENT, -EACCES,
 * -EBUSY for a device in use, ...); the table write's.
 */
int rvm_dseg_add(struct rvm_volume *vol, const char *path, u32 *id, u64 *size)
{
	struct rvm_ident ident;
	struct rvm_backing b = { 0 };
	struct rvm_segtab_hdr *h;
	struct rvm_disk_seg *e;
	struct rvm_tabcopy *nt;
	struct rvm_dseg *d;
	unsigned long i;
	u64 bytes;
	u32 nid;
	int ret;

	if (path[0] != '/')
		return -EINVAL;
	if (strlen(path) >= RVM_SEG_NAME_LEN)
		return -ENAMETOOLONG;
	ret = rvm_dseg_ident(path, &ident);
	if (ret)
		return ret;
	if (ident.dev == vol->back.ident.dev &&
	    ident.ino == vol->back.ident.ino)
		return -EINVAL;

	mutex_lock(&vol->segtab_lock);
	ret = -EROFS;
	if (READ_ONCE(vol->failed))
		goto out;
	xa_for_each(&vol->dsegs, i, d) {
		if (d->flags & RVM_DSEG_INTERNAL || d->ident.dev != ident.dev ||
		    d->ident.ino != ident.ino)
			continue;
		ret = rvm_dseg_again(vol, d, id, size);
		goto out;
	}

	ret = rvm_backing_open(&b, path, &ident, vol);
	if (ret)
		goto out;
	bytes = round_down(b.size, RVM_BLOCK_SIZE);
	ret = -EINVAL;
	if (bytes < RVM_BLOCK_SIZE || bytes > RVM_SEG_MAX_SIZE)
		goto close;
	h = (void *)vol->tab->buf;
	nid = le32_to_cpu(h->next_id);
	ret = -ENOSPC;
	if (vol->tab->t.nsegs >= vol->tab->t.max_segs ||
	    nid >= RVM_SEG_ID_LIMIT)
		goto close;
	ret = -ENOMEM;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	nt = rvm_dseg_tab_next(vol);
	if (!d || !nt) {
		kfree(d);
		rvm_tab_free(nt);
		goto close;
	}
	h = (void *)nt->buf;
	e = (struct rvm_disk_seg *)(h + 1) + le32_to_cpu(h->nsegs);
	memset(e, 0, sizeof(*e));
	e->id = cpu_to_le32(nid);
	e->flags = cpu_to_le32(ident.ino ? RVM_DSEG_FILE : RVM_DSEG_BDEV);
	e->size = cpu_to_le64(bytes);
	e->dev = cpu_to_le64(huge_encode_dev(ident.dev));
	e->ino = cpu_to_le64(ident.ino);
	e->add_time = cpu_to_le64(ktime_get_real_seconds());
	strscpy(e->name, path, sizeof(e->name));
	h->nsegs = cpu_to_le32(le32_to_cpu(h->nsegs) + 1);
	h->next_id = cpu_to_le32(nid + 1);
	ret = rvm_dseg_write_tab(vol, nt);
	if (ret) {
		kfree(d);
		goto close;
	}

	d->id = nid;
	d->flags = le32_to_cpu(e->flags);
	d->size = bytes;
	d->ident = ident;
	strscpy(d->name, path, sizeof(d->name));
	INIT_LIST_HEAD(&d->node);
	d->back = b;
	rvm_ep_init(&d->ep, &d->back, 0, bytes, d->name);
	ret = xa_insert(&vol->dsegs, nid, d, GFP_KERNEL);
	if (WARN_ON_ONCE(ret)) {
		/* The table names it; the next attach opens it. */
		rvm_backing_close(&d->back);
		kfree(d);
		goto out;
	}
	pr_info("volume %u: segment %u is %s, %llu bytes%s\n", vol->id, nid,
		path, bytes, rvm_backing_kind(&d->back));
	*id = nid;
	*size = bytes;
	goto out;
close:
	rvm_backing_close(&b);
out:
	mutex_unlock(&vol->segtab_lock);
	return ret;
}

/**
 * rvm_dseg_remove() - remove a segment from the table
 * @vol: the volume (the caller has bind rights on it)
 * @id: the segment's id
 *
 * Uses without a mapping that began before are waited for, then the log
 * is truncated: no record names the segment afterwards. Its pages in
 * memory go.
 *
 * Return: 0; -ENOENT (no such segment); -EBUSY (mapped, or segment 0
 * inside the log); -EROFS; the truncation's and the table write's errors.
 */
int rvm_dseg_remove(struct rvm_volume *vol, u32 id)
{
	struct rvm_segtab_hdr *h;
	struct rvm_disk_seg *e, *first;
	struct rvm_tabcopy *nt;
	struct rvm_dseg *d;
	u32 n;
	int ret;

	mutex_lock(&vol->segtab_lock);
	ret = -EROFS;
	if (READ_ONCE(vol->failed))
		goto out;
	d = rvm_dseg_find(vol, id);
	ret = -ENOENT;
	if (!d)
		goto out;
	ret = -EBUSY;
	if (d->flags & RVM_DSEG_INTERNAL)
		goto out;
	spin_lock(&vol->maps_lock);
	if (!d->maps)
		WRITE_ONCE(d->removing, true);
	spin_unlock(&vol->maps_lock);
	if (!d->removing)
		goto out;

	/* Every use that found it before @removing is over (see above). */
	synchronize_srcu(&rvm_dseg_srcu);
	ret = rvm_truncate(vol);
	if (ret)
		goto undo;
	ret = -ENOMEM;
	nt = rvm_dseg_tab_next(vol);
	if (!nt)
		goto undo;
	h = (void *)nt->buf;
	first = (void *)(h + 1);
	n = le32_to_cpu(h->nsegs);
	e = rvm_tab_entry(nt, id);
	memmove(e, e + 1, (first + n - (e + 1)) * sizeof(*e));
	memset(first + n - 1, 0, sizeof(*e));
	h->nsegs = cpu_to_le32(n - 1);
	ret = rvm_dseg_write_tab(vol, nt);
	if (ret)
		goto undo;

	mutex_lock(&vol->trunc.lock);
	xa_erase(&vol->dsegs, id);
	mutex_unlock(&vol->trunc.lock);
	rvm_seg_forget(&vol->seg, RVM_SEG_OFFSET(id, 0), d->size);
	if (!d->absent) {
		d->absent = true;
		rvm_backing_close(&d->back);
	}
	list_add(&d->node, &vol->removed);
	pr_info("volume %u: segment %u (%s) removed\n", vol->id, id, d->name);
	goto out;
undo:
	spin_lock(&vol->maps_lock);
	WRITE_ONCE(d->removing, false);
	spin_unlock(&vol->maps_lock);
out:
	mutex_unlock(&vol->segtab_lock);
	return ret;
}

/* Pages of [first, last] in the page store. */
static u64 rvm_dseg_resident(struct rvm_volume *vol, unsigned long first,
			     unsigned long last)
{
	XA_STATE(xas, &vol->inode->i_mapping->i_pages, first);
	void *entry;
	u64 n = 0;

	rcu_read_lock();
	xas_for_each(&xas, entry, last) {
		if (xas_retry(&xas, entry) || xa_is_value(entry))
			continue;
		n++;
	}
	rcu_read_unlock();
	return n;
}

/**
 * rvm_dseg_info() - describe the @index-th segment of the table
 * @vol: the volume
 * @index: from 0
 * @si: the answer, zeroed but for its @ref
 *
 * RVM_SEGI_PENDING: a commit naming the segment is newer than the last
 * truncation that is known to have applied it (an explicit truncation
 * applies all of them).
 *
 * Return: 0, or -ENOENT past the last segment.
 */
int rvm_dseg_info(struct rvm_volume *vol, u32 index, struct rvm_seg_info *si)
{
	const struct rvm_disk_seg *e;
	struct rvm_dseg *d;
	unsigned long first, last;
	u64 trunc;
	int ret = -ENOENT;

	mutex_lock(&vol->segtab_lock);
	if (index >= vol->tab->t.nsegs)
		goto out;
	e = &vol->tab->t.ent[index];
	d = rvm_dseg_find(vol, le32_to_cpu(e->id));
	if (WARN_ON_ONCE(!d))
		goto out;
	si->index = index;
	si->id = d->id;
	if (d->flags & RVM_DSEG_INTERNAL)
		si->flags |= RVM_SEGI_INTERNAL;
	if (d->flags & RVM_DSEG_BDEV)
		si->flags |= RVM_SEGI_BDEV;
	if (d->flags & RVM_DSEG_FILE)
		si->flags |= RVM_SEGI_FILE;
	if (d->absent)
		si->flags |= RVM_SEGI_ABSENT;
	mutex_lock(&vol->seg.lock);
	trunc = vol->seg.trunc_commit;
	mutex_unlock(&vol->seg.lock);
	if (READ_ONCE(d->last_commit) > trunc)
		si->flags |= RVM_SEGI_PENDING;
	si->size = d->size;
	si->dev = le64_to_cpu(e->dev);
	si->ino = le64_to_cpu(e->ino);
	first = RVM_SEG_OFFSET(d->id, 0) >> PAGE_SHIFT;
	last = first + (d->size >> PAGE_SHIFT) - 1;
	si->resident_pages = rvm_dseg_resident(vol, first, last);
	strscpy(si->name, d->name, sizeof(si->name));
	ret = 0;
out:
	mutex_unlock(&vol->segtab_lock);
	return ret;
}
