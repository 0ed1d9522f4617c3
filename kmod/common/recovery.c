// SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later
/*
 * rvm: recovery, shared by the module (at attach) and by userspace.
 *
 * The superblock in force names the log head: head_lsn, where the oldest
 * record still needed lies, and head_seq, its sequence number. Every
 * record from there on that is committed (rvm_rec_validate(): the
 * expected lsn, seq and nonce, sane lengths, a matching CRC) is the next
 * transaction in commit order; the first position that does not hold one
 * ends the log. Recovery therefore always applies a prefix of the commit
 * order, and never a record after a torn or missing one.
 *
 * It runs in passes, like jbd2's, but reads the log once:
 *
 * PASS_REPLAY:    walk the log from the head in big sequential reads (the
 *                 next window is read ahead while the current one is
 *                 checked), validate each record, and copy each committed
 *                 transaction record's ranges, in order, into in-memory
 *                 images of the segment pages they touch (keyed by volume
 *                 offset, RVM_SEG_OFFSET(seg, off), so that the pages of
 *                 all segments sort into one order), noting
 *                 which bytes of each page the log wrote. The walk stops at
 *                 the first record that is not committed. A record is
 *                 applied only once it is validated, so what the images
 *                 hold is always the state after a prefix of the commit
 *                 order: the same as scanning to the end first and
 *                 replaying afterwards, with half the reading and
 *                 checking. A later record overwrites an earlier one's
 *                 bytes in memory, so the newest value wins and each page
 *                 is written once. If the images would use more than the
 *                 memory limit, the ones held so far go through
 *                 PASS_WRITEBACK first: that is safe, as every record
 *                 applied is committed and the data pages hold nothing but
 *                 committed values, and a crash then just makes the next
 *                 recovery start over from the same head.
 *
 * PASS_WRITEBACK: take the page images in ascending order, in runs of
 *                 consecutive pages of one segment; read each run from
 *                 its segment's endpoint (the segment id) in one read,
 *                 unless the log wrote every byte of it, lay the replayed
 *                 bytes over it, and write it back in one write. Then
 *                 flush every segment written.
 *
 * A dry run (rvmctl check) walks and counts the same way, and holds no
 * images and reads no data page.
 *
 * Afterwards the caller writes a new superblock, prepared by
 * rvm_super_after_recovery(), and flushes: only then is the log empty.
 * Until then a crash leaves the old superblock in force and recovery, being
 * a redo of absolute values in commit order, gives the same result again.
 *
 * Robustness: every length is checked by rvm_rec_check_hdr() before it is
 * used to read, a record never crosses the end of the log area nor reaches
 * past one lap from the head, and each step moves at least RVM_REC_ALIGN
 * bytes forward, so a walk ends after at most one lap whatever the device
 * holds. A read or write error is returned, never taken for the end of the
 * log.
 */
#ifdef __KERNEL__
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#endif
#include "logread.h"

/* Longest run of pages PASS_WRITEBACK reads and writes at once. */
#define RVM_RECOVERY_RUN (1024 * 1024)

/*
 * Which bytes of a page image the log wrote: one bit per 64-byte unit
 * while every write covered whole units (ranges of whole records, whole
 * cache lines, whole pages), else one bit per byte.
 */
#define RVM_UNIT (RVM_BLOCK_SIZE / 64)
#define RVM_DONE_LONGS BITS_TO_LONGS(RVM_BLOCK_SIZE)

/*
 * Page images are allocated this many at a time (64 KiB, from the page
 * allocator rather than one 4 KiB slab object each), with their bitmaps.
 */
#define RVM_IMAGE_CHUNK 16

/* One walk over the log: PASS_REPLAY, rvm_log_walk(), rvm_log_segments(). */
struct rvm_walk {
	const struct rvm_geom *g;
	struct rvm_logread lb;
	u64 limit_lsn; /* no record reaching past this, or 0 */
	int (*fn)(void *arg, const struct rvm_rec_info *ri);
	void *arg;
};

static void rvm_walk_end(struct rvm_recovery_stats *st, u64 lsn, u64 seq,
			 int err, const char *why)
{
	st->end_lsn = lsn;
	st->next_seq = seq;
	st->end_err = err;
	st->end_why = why;
}

/* Where a walk from @head_lsn stops reading: one lap on, or the limit. */
static u64 rvm_walk_stop(const struct rvm_geom *g, u64 head_lsn, u64 limit_lsn)
{
	u64 stop = head_lsn + g->log_size;

	return limit_lsn && limit_lsn < stop ? limit_lsn : stop;
}

static int rvm_walk(struct rvm_walk *w, u64 head_lsn, u64 head_seq,
		    struct rvm_recovery_stats *st)
{
	const struct rvm_geom *g = w->g;
	u64 lsn = head_lsn, seq = head_seq;
	const struct rvm_rec_hdr *h;
	struct rvm_rec_info ri;
	unsigned long refills;
	const char *why;
	const u8 *p;
	u32 len, next, nranges;
	int err;

	st->head_lsn = head_lsn;
	st->head_seq = head_seq;
	for (;;) {
		if (lsn - head_lsn >= g->log_size) {
			why = "the log area is full";
			err = 0;
			goto end;
		}
		if (w->limit_lsn && lsn >= w->limit_lsn) {
			why = "reached the limit asked for";
			err = 0;
			goto end;
		}
		err = rvm_logread_get(&w->lb, lsn, RVM_REC_HDR_SIZE, &p);
		if (err)
			return err;
		err = rvm_rec_check_hdr((const void *)p, g, lsn, seq, &why);
		if (err)
			goto end;
		h = (const void *)p;
		len = le32_to_cpu(h->len);
		next = le32_to_cpu(h->next);
		if (lsn - head_lsn + next > g->log_size) {
			why = "record overlaps the log head";
			err = -EINVAL;
			goto end;
		}
		if (w->limit_lsn && lsn + next > w->limit_lsn) {
			why = "record reaches past the limit asked for";
			err = 0;
			goto end;
		}
		refills = w->lb.refills;
		err = rvm_logread_get(&w->lb, lsn, len, &p);
		if (err)
			return err;
		/* A refill read the header again: check what is in memory now. */
		h = (const void *)p;
		if (refills != w->lb.refills) {
			err = rvm_rec_check_hdr(h, g, lsn, seq, &why);
			if (!err && le32_to_cpu(h->len) != len) {
				why = "record changed while being read";
				err = -EINVAL;
			}
			if (err)
				goto end;
		}
		err = rvm_rec_check_body(p, g, &why);
		if (err)
			goto end;
		nranges = le32_to_cpu(h->nranges);
		if (le16_to_cpu(h->type) == RVM_REC_TXN) {
			st->records++;
			st->ranges += nranges;
			st->bytes += len - RVM_REC_HDR_SIZE -
				     (u64)nranges * RVM_REC_RANGE_SIZE;
		} else {
			st->pads++;
		}
		if (w->fn) {
			ri.lsn = lsn;
			ri.hdr = h;
			ri.ranges = (const void *)(h + 1);
			ri.data = p + RVM_REC_HDR_SIZE +
				  (size_t)nranges * RVM_REC_RANGE_SIZE;
			err = w->fn(w->arg, &ri);
			if (err)
				return err;
		}
		if (le16_to_cpu(h->type) == RVM_REC_TXN)
			seq++;
		lsn += next;
		cond_resched();
	}
end:
	rvm_walk_end(st, lsn, seq, err, why);
	return 0;
}

/**
 * rvm_log_walk() - hand every committed record of the log to a callback
 * @sb: the superblock in force (validated by rvm_super_pick())
 * @segtab: its segment table (rvm_segtab_validate()): a record with a
 *	    range naming a segment it does not hold, or reaching past one's
 *	    end, is not committed (the log ends there)
 * @ops: device access
 * @ctx: passed to @ops
 * @buf_len: log read buffer size, 0 for the default
 * @fn: called for each committed record, pad records included, in log
 *	order; a non-zero return stops the walk and is returned
 * @arg: passed to @fn
 * @st: zeroed, then filled with what was found and where and why the log
 *	ends
 *
 * Reads the log only; this is what rvmctl dump shows.
 *
 * Return: 0 on success (whatever ended the log is in @st), -EINVAL if @sb
 * is not valid, -ENOMEM, an error from @ops->read, or @fn's return value.
 */
int rvm_log_walk(const struct rvm_disk_super *sb,
		 const struct rvm_segtab *segtab, const struct rvm_io_ops *ops,
		 void *ctx, size_t buf_len,
		 int (*fn)(void *arg, const struct rvm_rec_info *ri), void *arg,
		 struct rvm_recovery_stats *st)
{
	struct rvm_geom g;
	struct rvm_walk w = { .g = &g, .fn = fn, .arg = arg };
	u64 head_lsn = le64_to_cpu(sb->head_lsn);
	const char *why;
	int err;

	memset(st, 0, sizeof(*st));
	err = rvm_super_validate(sb, 0, &why);
	if (err)
		return err;
	rvm_geom_init(&g, sb);
	g.segtab = segtab;
	err = rvm_logread_init(&w.lb, ops, ctx, &g, buf_len,
			       rvm_walk_stop(&g, head_lsn, 0),
			       &st->ns_log_read);
	if (!err)
		err = rvm_walk(&w, head_lsn, le64_to_cpu(sb->head_seq), st);
	rvm_logread_free(&w.lb);
	return err;
}

struct rvm_segs_arg {
	unsigned long *ids;
};

static int rvm_segs_rec(void *arg, const struct rvm_rec_info *ri)
{
	struct rvm_segs_arg *a = arg;
	u32 i, n = le32_to_cpu(ri->hdr->nranges);

	if (le16_to_cpu(ri->hdr->type) != RVM_REC_TXN)
		return 0;
	/* rvm_rec_check_body() saw each seg in the table: below the limit. */
	for (i = 0; i < n; i++)
		bitmap_set(a->ids, le32_to_cpu(ri->ranges[i].seg), 1);
	return 0;
}

/**
 * rvm_log_segments() - which segments the pending records of the log name
 * @sb: the superblock in force (validated by rvm_super_pick())
 * @segtab: its segment table (rvm_segtab_validate())
 * @ops: device access (the log only is read)
 * @ctx: passed to @ops
 * @ids: a bitmap of RVM_SEG_ID_LIMIT bits (DECLARE_BITMAP()); zeroed, then
 *	 bit id is set for every segment a committed record's range names
 * @st: filled as by rvm_log_walk()
 *
 * A walk of the log, nothing written, no data page read: what attach runs
 * before recovery, to refuse a log whose pending records name an absent
 * segment (missing, or replaced by another file) before anything is
 * written; rvmctl check reports the same. The records it sees are the ones
 * rvm_recover() would replay from the same superblock.
 *
 * Return: 0, or an error of rvm_log_walk().
 */
int rvm_log_segments(const struct rvm_disk_super *sb,
		     const struct rvm_segtab *segtab,
		     const struct rvm_io_ops *ops, void *ctx,
		     unsigned long *ids, struct rvm_recovery_stats *st)
{
	struct rvm_segs_arg a = { .ids = ids };

	bitmap_zero(ids, RVM_SEG_ID_LIMIT);
	return rvm_log_walk(sb, segtab, ops, ctx, 0, rvm_segs_rec, &a, st);
}

/* PASS_REPLAY's page images: a hash table of volume page numbers. */
struct rvm_rpage {
	u64 pgno; /* RVM_SEG_OFFSET(seg, off) / RVM_BLOCK_SIZE */
	struct rvm_rpage *hnext;
	u8 *data; /* RVM_BLOCK_SIZE bytes; NULL in a dry run */
	u64 units; /* the units of @data the log wrote, unless @bytes */
	bool bytes; /* @done, not @units, says what the log wrote */
	unsigned long *done; /* the bytes of @data the log wrote, if @bytes */
};

struct rvm_replay {
	const struct rvm_io_ops *ops;
	void *ctx;
	const struct rvm_geom *g;
	struct rvm_recovery_stats *st;
	bool dry;
	size_t mem_limit;
	struct rvm_rpage *pages; /* cap of them, growing up to max_pages */
	size_t npages; /* in use */
	size_t cap;
	size_t max_pages;
	struct rvm_rpage **hash; /* 1 << hash_bits slots, about cap */
	unsigned int hash_bits;
	struct rvm_rpage *last; /* the page found last, or NULL */
	void **chunks; /* image and bitmap chunks, in pairs */
	size_t nchunks;
	size_t images_left; /* unused images in the last chunk */
	u8 *run; /* PASS_WRITEBACK: run_pages blocks */
	unsigned long *written; /* segment ids written to: flush them */
	size_t run_pages;
	u64 ns_writeback; /* time of the writebacks, early ones included */
};

static size_t rvm_hash_slot(const struct rvm_replay *r, u64 pgno)
{
	return (size_t)((pgno * 0x9E3779B97F4A7C15ULL) >> (64 - r->hash_bits));
}

static int rvm_rpage_cmp(const void *a, const void *b)
{
	const struct rvm_rpage *x = a, *y = b;

	if (x->pgno != y->pgno)
		return x->pgno < y->pgno ? -1 : 1;
	return 0;
}

/* Units @u .. @u + @n - 1 as a mask. */
static u64 rvm_units(unsigned int u, unsigned int n)
{
	return (n >= 64 ? ~0ULL : (1ULL << n) - 1) << u;
}

/* Note that the log wrote @len bytes at @in of page @e. */
static void rvm_rpage_mark(struct rvm_rpage *e, u32 in, u32 len)
{
	u64 m;

	if (!e->bytes && !(in % RVM_UNIT) && !(len % RVM_UNIT)) {
		e->units |= rvm_units(in / RVM_UNIT, len / RVM_UNIT);
		return;
	}
	if (!e->bytes) {
		/* From units to bytes: the units written so far. */
		bitmap_zero(e->done, RVM_BLOCK_SIZE);
		for (m = e->units; m; m &= m - 1)
			bitmap_set(e->done, __ffs64(m) * RVM_UNIT, RVM_UNIT);
		e->bytes = true;
	}
	bitmap_set(e->done, in, len);
}

static bool rvm_rpage_full(const struct rvm_rpage *e)
{
	return e->bytes ? bitmap_full(e->done, RVM_BLOCK_SIZE) :
			  e->units == ~0ULL;
}

/* Copy the bytes the log wrote into page @e's image to @dst. */
static void rvm_rpage_lay(const struct rvm_rpage *e, u8 *dst)
{
	unsigned long a, b;
	u64 m = e->units;

	if (rvm_rpage_full(e)) {
		memcpy(dst, e->data, RVM_BLOCK_SIZE);
		return;
	}
	if (!e->bytes) {
		while (m) {
			a = __ffs64(m);
			b = ~(m >> a) ? a + __ffs64(~(m >> a)) : 64;
			memcpy(dst + a * RVM_UNIT, e->data + a * RVM_UNIT,
			       (b - a) * RVM_UNIT);
			m &= ~rvm_units(a, b - a);
		}
		return;
	}
	for (a = find_next_bit(e->done, RVM_BLOCK_SIZE, 0); a < RVM_BLOCK_SIZE;
	     a = find_next_bit(e->done, RVM_BLOCK_SIZE, b)) {
		b = find_next_zero_bit(e->done, RVM_BLOCK_SIZE, a);
		memcpy(dst + a, e->data + a, b - a);
	}
}

/*
 * Write @n images of consecutive pages: read them from the device unless
 * the log wrote every byte, lay the replayed bytes over them, write.
 */
static int rvm_write_run(struct rvm_replay *r, const struct rvm_rpage *e,
			 size_t n)
{
	struct rvm_recovery_stats *st = r->st;
	u64 voff = e->pgno * RVM_BLOCK_SIZE;
	u32 ep = rvm_voff_seg(voff);
	u64 off = rvm_voff_off(voff);
	size_t len = n * RVM_BLOCK_SIZE, i;
	u64 t;
	int err;

	for (i = 0; i < n; i++)
		if (!rvm_rpage_full(&e[i]))
			break;
	if (i < n) {
		t = rvm_now();
		err = r->ops->read(r->ctx, ep, off, r->run, len);
		st->ns_data_read += rvm_now() - t;
		if (err)
			return err;
		st->pages_read += n;
	}
	for (i = 0; i < n; i++)
		rvm_rpage_lay(&e[i], r->run + i * RVM_BLOCK_SIZE);
	bitmap_set(r->written, ep, 1);
	t = rvm_now();
	err = r->ops->write(r->ctx, ep, off, r->run, len);
	st->ns_write += rvm_now() - t;
	return err;
}

/* PASS_WRITEBACK: write the images held, in ascending order, and drop them. */
static int rvm_writeback(struct rvm_replay *r)
{
	u64 t = rvm_now();
	size_t i, j;
	int err = 0;

	if (!r->npages)
		return 0;
	sort(r->pages, r->npages, sizeof(*r->pages), rvm_rpage_cmp, NULL);
	if (!r->dry && !r->run) {
		r->run_pages = min_t(size_t, r->max_pages,
				     RVM_RECOVERY_RUN / RVM_BLOCK_SIZE);
		r->run = kvmalloc(r->run_pages * RVM_BLOCK_SIZE, GFP_KERNEL);
		if (!r->run)
			return -ENOMEM;
	}
	for (i = 0; i < r->npages && !r->dry; i = j) {
		j = i + 1;
		while (j < r->npages && j - i < r->run_pages &&
		       r->pages[j].pgno == r->pages[j - 1].pgno + 1 &&
		       rvm_voff_seg(r->pages[j].pgno * RVM_BLOCK_SIZE) ==
			       rvm_voff_seg(r->pages[i].pgno * RVM_BLOCK_SIZE))
			j++;
		err = rvm_write_run(r, &r->pages[i], j - i);
		if (err)
			return err;
		cond_resched();
	}
	r->st->pages += r->npages;
	r->st->writebacks++;
	r->npages = 0;
	r->last = NULL;
	memset(r->hash, 0, sizeof(*r->hash) << r->hash_bits);
	r->ns_writeback += rvm_now() - t;
	return 0;
}

/* Descriptors for the first pages; they double as more are needed. */
#define RVM_RPAGE_FIRST 256

/* Make room for more page descriptors (their images move with them). */
static int rvm_replay_grow(struct rvm_replay *r)
{
	size_t cap = r->cap ? min(2 * r->cap, r->max_pages) :
			      min_t(size_t, RVM_RPAGE_FIRST, r->max_pages);
	unsigned int bits = 4;
	struct rvm_rpage *pages, **hash;
	size_t i, slot;

	while ((1UL << bits) < cap && bits < 30)
		bits++;
	pages = kvmalloc_array(cap, sizeof(*pages), GFP_KERNEL);
	hash = kvcalloc((size_t)1 << bits, sizeof(*hash), GFP_KERNEL);
	if (!pages || !hash) {
		kvfree(pages);
		kvfree(hash);
		return -ENOMEM;
	}
	if (r->cap)
		memcpy(pages, r->pages, r->cap * sizeof(*pages));
	memset(pages + r->cap, 0, (cap - r->cap) * sizeof(*pages));
	kvfree(r->pages);
	kvfree(r->hash);
	r->pages = pages;
	r->cap = cap;
	r->hash = hash;
	r->hash_bits = bits;
	r->last = NULL;
	for (i = 0; i < r->npages; i++) {
		slot = rvm_hash_slot(r, pages[i].pgno);
		pages[i].hnext = hash[slot];
		hash[slot] = &pages[i];
	}
	return 0;
}

/* The pages of all the segments of @t (each at most RVM_SEG_MAX_SIZE). */
static u64 rvm_segtab_pages(const struct rvm_segtab *t)
{
	u64 pages = 0;
	u32 i;

	for (i = 0; t && i < t->nsegs; i++)
		pages += le64_to_cpu(t->ent[i].size) / RVM_BLOCK_SIZE;
	return pages;
}

static int rvm_replay_init(struct rvm_replay *r)
{
	u64 max = r->mem_limit ? r->mem_limit / RVM_BLOCK_SIZE :
				 RVM_RECOVERY_MEM_DEFAULT / RVM_BLOCK_SIZE;

	max = min_t(u64, max, rvm_segtab_pages(r->g->segtab));
	max = max_t(u64, max, 1);
	r->max_pages = max;
	if (!r->dry) {
		r->written = kcalloc(BITS_TO_LONGS(RVM_SEG_ID_LIMIT),
				     sizeof(unsigned long), GFP_KERNEL);
		if (!r->written)
			return -ENOMEM;
		r->chunks = kvcalloc(2 * DIV_ROUND_UP(max, RVM_IMAGE_CHUNK),
				     sizeof(*r->chunks), GFP_KERNEL);
		if (!r->chunks)
			return -ENOMEM;
	}
	return rvm_replay_grow(r);
}

static void rvm_replay_free(struct rvm_replay *r)
{
	size_t i;

	for (i = 0; i < r->nchunks; i++)
		kvfree(r->chunks[i]);
	kvfree(r->chunks);
	kvfree(r->pages);
	kvfree(r->hash);
	kvfree(r->run);
	kfree(r->written);
}

/* Give @e an image and a bitmap; they stay with it from round to round. */
static int rvm_image_alloc(struct rvm_replay *r, struct rvm_rpage *e)
{
	u8 *img;
	unsigned long *done;
	size_t k;

	if (!r->images_left) {
		img = kvmalloc(RVM_IMAGE_CHUNK * RVM_BLOCK_SIZE, GFP_KERNEL);
		done = kvmalloc_array(RVM_IMAGE_CHUNK * RVM_DONE_LONGS,
				      sizeof(unsigned long), GFP_KERNEL);
		if (!img || !done) {
			kvfree(img);
			kvfree(done);
			return -ENOMEM;
		}
		r->chunks[r->nchunks++] = img;
		r->chunks[r->nchunks++] = done;
		r->images_left = RVM_IMAGE_CHUNK;
	}
	k = RVM_IMAGE_CHUNK - r->images_left--;
	img = r->chunks[r->nchunks - 2];
	done = r->chunks[r->nchunks - 1];
	e->data = img + k * RVM_BLOCK_SIZE;
	e->done = done + k * RVM_DONE_LONGS;
	return 0;
}

/* The image of page @pgno, made (not read: see PASS_WRITEBACK) if new. */
static int rvm_rpage_get(struct rvm_replay *r, u64 pgno, struct rvm_rpage **out)
{
	size_t slot;
	struct rvm_rpage *e = r->last;
	int err;

	if (e && e->pgno == pgno)
		goto found;
	slot = rvm_hash_slot(r, pgno);
	for (e = r->hash[slot]; e; e = e->hnext)
		if (e->pgno == pgno)
			goto found;
	if (r->npages == r->max_pages) {
		err = rvm_writeback(r);
		if (err)
			return err;
	} else if (r->npages == r->cap) {
		err = rvm_replay_grow(r);
		if (err)
			return err;
		slot = rvm_hash_slot(r, pgno);
	}
	e = &r->pages[r->npages];
	if (!r->dry) {
		if (!e->data) {
			err = rvm_image_alloc(r, e);
			if (err)
				return err;
		}
	}
	e->units = 0;
	e->bytes = false;
	r->npages++;
	e->pgno = pgno;
	e->hnext = r->hash[slot];
	r->hash[slot] = e;
found:
	r->last = e;
	*out = e;
	return 0;
}

/* PASS_REPLAY callback: copy a committed record's ranges into the images. */
static int rvm_replay_rec(void *arg, const struct rvm_rec_info *ri)
{
	struct rvm_replay *r = arg;
	u32 i, n = le32_to_cpu(ri->hdr->nranges);
	const u8 *src = ri->data;
	struct rvm_rpage *e;
	int err;

	if (le16_to_cpu(ri->hdr->type) != RVM_REC_TXN)
		return 0;
	if (!r->cap) {
		err = rvm_replay_init(r);
		if (err)
			return err;
	}
	for (i = 0; i < n; i++) {
		u64 off = RVM_SEG_OFFSET(le32_to_cpu(ri->ranges[i].seg),
					 le64_to_cpu(ri->ranges[i].offset));
		u32 left = le32_to_cpu(ri->ranges[i].len);

		while (left) {
			u32 in = off % RVM_BLOCK_SIZE;
			u32 chunk = min_t(u32, left, RVM_BLOCK_SIZE - in);

			err = rvm_rpage_get(r, off / RVM_BLOCK_SIZE, &e);
			if (err)
				return err;
			if (e->data) {
				memcpy(e->data + in, src, chunk);
				rvm_rpage_mark(e, in, chunk);
			}
			src += chunk;
			off += chunk;
			left -= chunk;
		}
	}
	return 0;
}

/**
 * rvm_recover() - replay the committed records of the log into the segments
 * @sb: the superblock in force (validated by rvm_super_pick())
 * @segtab: its segment table (rvm_segtab_validate()); ranges are checked
 *	    against it (see rvm_log_walk()), and each segment is written as
 *	    endpoint (its id) of @ops
 * @ops: device access
 * @ctx: passed to @ops
 * @opts: flags, buffer and memory sizes; NULL for the defaults
 * @st: zeroed, then filled with what was found and done
 *
 * Runs PASS_REPLAY and PASS_WRITEBACK (see the top of this file) and
 * flushes every segment it wrote to. With @opts->limit_lsn it replays only the records that end
 * at or before that position; the module's truncation uses this on a live
 * log, writing the superblock itself (head at @st->end_lsn, no lap jump:
 * nothing was torn). With RVM_RECOVER_DRY_RUN it reads the log only and fills
 * @st as a real run would, data pages included. It does not write the
 * superblock: on success the caller writes the one
 * rvm_super_after_recovery() prepares, and flushes.
 *
 * Return: 0 on success; -EINVAL if @sb is not valid or @opts has unknown
 * flags, -ENOMEM, or an error from @ops. After an error the segments
 * may hold some replayed pages; running recovery again from the same
 * superblock is safe.
 */
int rvm_recover(const struct rvm_disk_super *sb,
		const struct rvm_segtab *segtab, const struct rvm_io_ops *ops,
		void *ctx, const struct rvm_recovery_opts *opts,
		struct rvm_recovery_stats *st)
{
	static const struct rvm_recovery_opts defaults;
	struct rvm_geom g;
	struct rvm_replay r = { .ops = ops, .ctx = ctx, .g = &g, .st = st };
	struct rvm_walk w = { .g = &g, .fn = rvm_replay_rec, .arg = &r };
	u64 head_lsn = le64_to_cpu(sb->head_lsn);
	const char *why;
	u64 t;
	int err;

	memset(st, 0, sizeof(*st));
	if (!opts)
		opts = &defaults;
	if (opts->flags & ~RVM_RECOVER_KNOWN_FLAGS)
		return -EINVAL;
	r.dry = opts->flags & RVM_RECOVER_DRY_RUN;
	r.mem_limit = opts->mem_limit;
	w.limit_lsn = opts->limit_lsn;
	err = rvm_super_validate(sb, 0, &why);
	if (err)
		return err;
	rvm_geom_init(&g, sb);
	g.segtab = segtab;
	err = rvm_logread_init(&w.lb, ops, ctx, &g, opts->buf_len,
			       rvm_walk_stop(&g, head_lsn, w.limit_lsn),
			       &st->ns_log_read);
	if (err)
		goto out;

	/* PASS_REPLAY */
	t = rvm_now();
	err = rvm_walk(&w, head_lsn, le64_to_cpu(sb->head_seq), st);
	st->ns_walk = rvm_now() - t - r.ns_writeback;
	if (err)
		goto out;
	if (!r.run && r.npages && !r.dry) {
		/* The log's window is free now: PASS_WRITEBACK's buffer. */
		r.run = rvm_logread_take(&w.lb, &r.run_pages);
		r.run_pages /= RVM_BLOCK_SIZE;
	}
	rvm_logread_free(&w.lb);

	/* PASS_WRITEBACK */
	err = rvm_writeback(&r);
	if (!err && r.written) {
		u32 id;

		t = rvm_now();
		for (id = find_next_bit(r.written, RVM_SEG_ID_LIMIT, 0);
		     !err && id < RVM_SEG_ID_LIMIT;
		     id = find_next_bit(r.written, RVM_SEG_ID_LIMIT, id + 1))
			err = ops->flush(ctx, id);
		st->ns_flush = rvm_now() - t;
	}
out:
	rvm_logread_free(&w.lb);
	rvm_replay_free(&r);
	return err;
}

/**
 * rvm_super_after_recovery() - the superblock to write after a recovery
 * @old: the superblock recovery started from
 * @st: what rvm_recover() returned for it (successfully, not a dry run)
 * @sb: filled with the new superblock, sealed
 *
 * The new superblock has the next sb_seq (so it goes to the other copy),
 * the segment table of @old (segtab_* unchanged: recovery never changes
 * the table), the flags of @old without RVM_SB_CLEAN (the caller sets it
 * if it wants),
 * head_seq = @st->next_seq, and head_lsn = @st->end_lsn plus one whole
 * lap: the same place in the log area, but a position no record written
 * before can carry. Records past the end of the log (written after a torn
 * one, never acknowledged) may still be intact there; were the head left
 * at @st->end_lsn, new records of the same lengths would line up with
 * them, and a crash could let one of them pass for the next transaction.
 *
 * Return: the copy to write it to (0 for A, 1 for B), or -EOVERFLOW if
 * the log positions ran out (after 2^62 bytes of log).
 */
int rvm_super_after_recovery(const struct rvm_disk_super *old,
			     const struct rvm_recovery_stats *st,
			     struct rvm_disk_super *sb)
{
	u64 lap = le64_to_cpu(old->log_blocks) * RVM_BLOCK_SIZE;
	u64 head = st->end_lsn + lap;

	if (st->end_lsn > RVM_MAX_LSN || head > RVM_MAX_LSN ||
	    st->next_seq > RVM_MAX_SEQ)
		return -EOVERFLOW;
	*sb = *old;
	sb->sb_seq = cpu_to_le64(le64_to_cpu(old->sb_seq) + 1);
	sb->head_lsn = cpu_to_le64(head);
	sb->head_seq = cpu_to_le64(st->next_seq);
	sb->flags = cpu_to_le32(le32_to_cpu(old->flags) & ~RVM_SB_CLEAN);
	rvm_super_seal(sb);
	return rvm_super_slot(le64_to_cpu(sb->sb_seq));
}
