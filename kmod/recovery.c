// SPDX-License-Identifier: GPL-2.0
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
 * It runs in passes, like jbd2's:
 *
 * PASS_SCAN:      walk the log from the head, validating every record,
 *                 until the first one that is not committed. This finds
 *                 the end of the log and counts what is there; it writes
 *                 nothing, and is all a dry run (rvmctl check) needs
 *                 besides the page count.
 *
 * PASS_REPLAY:    walk the same records again, up to the end PASS_SCAN
 *                 found, and copy each transaction record's ranges, in
 *                 order, into in-memory images of the data segment pages
 *                 they touch (read from the device on first touch, unless
 *                 a range covers the whole page). A later record overwrites
 *                 an earlier one's bytes in memory, so the newest value
 *                 wins and each page is written once. If the images would
 *                 use more than the memory limit, the ones held so far are
 *                 written back first (PASS_WRITEBACK early): that is safe,
 *                 as every record applied is committed and the data pages
 *                 hold nothing but committed values, and a crash then just
 *                 makes the next recovery start over from the same head.
 *
 * PASS_WRITEBACK: write the dirty page images in ascending order, then
 *                 flush.
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
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#endif
#include "recovery.h"

/* The log read buffer: a window on the log, refilled in big reads. */
struct rvm_logbuf {
	const struct rvm_io_ops *ops;
	void *ctx;
	const struct rvm_geom *g;
	u8 *buf;
	size_t cap;
	u64 start; /* lsn of buf[0] */
	size_t fill; /* bytes valid at buf */
};

static int rvm_logbuf_init(struct rvm_logbuf *lb, const struct rvm_io_ops *ops,
			   void *ctx, const struct rvm_geom *g, size_t buf_len)
{
	if (!buf_len)
		buf_len = RVM_RECOVERY_BUF_DEFAULT;
	buf_len = max_t(size_t, buf_len, RVM_RECOVERY_BUF_MIN);
	buf_len = rvm_align_up(buf_len, RVM_BLOCK_SIZE);
	lb->ops = ops;
	lb->ctx = ctx;
	lb->g = g;
	lb->start = 0;
	lb->fill = 0;
	lb->cap = min_t(u64, buf_len, g->log_size);
	lb->buf = kvmalloc(lb->cap, GFP_KERNEL);
	return lb->buf ? 0 : -ENOMEM;
}

static void rvm_logbuf_free(struct rvm_logbuf *lb)
{
	kvfree(lb->buf);
	lb->buf = NULL;
}

/*
 * Point *out at @len bytes of the log at @lsn. The caller guarantees that
 * they do not cross the end of the log area, so one read from @lsn's block
 * to at most the end of the area holds them.
 */
static int rvm_logbuf_get(struct rvm_logbuf *lb, u64 lsn, size_t len,
			  const u8 **out)
{
	const struct rvm_geom *g = lb->g;
	u64 off = rvm_lap_off(g, lsn);
	u64 boff = off - off % RVM_BLOCK_SIZE;
	u64 first = lsn - (off - boff);
	size_t need = (size_t)(lsn - first) + len;
	size_t rd;
	int err;

	if (lb->fill && lsn >= lb->start && lsn - lb->start <= lb->fill &&
	    len <= lb->fill - (lsn - lb->start)) {
		*out = lb->buf + (lsn - lb->start);
		return 0;
	}
	if (len > g->log_size - off)
		return -EINVAL; /* callers never ask this */
	lb->fill = 0;
	if (need > lb->cap) {
		size_t cap = rvm_align_up(need, RVM_BLOCK_SIZE);

		kvfree(lb->buf);
		lb->buf = kvmalloc(cap, GFP_KERNEL);
		if (!lb->buf) {
			lb->cap = 0;
			return -ENOMEM;
		}
		lb->cap = cap;
	}
	rd = min_t(u64, lb->cap, g->log_size - boff);
	err = lb->ops->read(lb->ctx, g->log_off + boff, lb->buf, rd);
	if (err)
		return err;
	lb->start = first;
	lb->fill = rd;
	*out = lb->buf + (lsn - first);
	return 0;
}

/* One walk over the log: PASS_SCAN, PASS_REPLAY and rvm_log_walk(). */
struct rvm_walk {
	const struct rvm_geom *g;
	struct rvm_logbuf lb;
	u64 stop_lsn; /* end found by an earlier pass, or U64_MAX */
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

static int rvm_walk(struct rvm_walk *w, u64 head_lsn, u64 head_seq,
		    struct rvm_recovery_stats *st)
{
	const struct rvm_geom *g = w->g;
	u64 lsn = head_lsn, seq = head_seq;
	const struct rvm_rec_hdr *h;
	struct rvm_rec_info ri;
	const char *why;
	const u8 *p;
	u32 len, next, nranges;
	int err;

	st->head_lsn = head_lsn;
	st->head_seq = head_seq;
	for (;;) {
		if (lsn == w->stop_lsn)
			break;
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
		err = rvm_logbuf_get(&w->lb, lsn, RVM_REC_HDR_SIZE, &p);
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
		err = rvm_logbuf_get(&w->lb, lsn, len, &p);
		if (err)
			return err;
		/* A refill re-read the header: check what is now in memory. */
		err = rvm_rec_check_hdr((const void *)p, g, lsn, seq, &why);
		if (!err &&
		    le32_to_cpu(((const struct rvm_rec_hdr *)p)->len) != len) {
			why = "record changed while being read";
			err = -EINVAL;
		}
		if (!err)
			err = rvm_rec_check_body(p, g, &why);
		if (err)
			goto end;
		h = (const void *)p;
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
	/* Reached the end an earlier pass found. */
	return 0;
end:
	if (w->stop_lsn != U64_MAX)
		return -EIO; /* the log changed between passes */
	rvm_walk_end(st, lsn, seq, err, why);
	return 0;
}

/**
 * rvm_log_walk() - hand every committed record of the log to a callback
 * @sb: the superblock in force (validated by rvm_super_pick())
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
int rvm_log_walk(const struct rvm_disk_super *sb, const struct rvm_io_ops *ops,
		 void *ctx, size_t buf_len,
		 int (*fn)(void *arg, const struct rvm_rec_info *ri), void *arg,
		 struct rvm_recovery_stats *st)
{
	struct rvm_geom g;
	struct rvm_walk w = {
		.g = &g, .stop_lsn = U64_MAX, .fn = fn, .arg = arg
	};
	const char *why;
	int err;

	memset(st, 0, sizeof(*st));
	err = rvm_super_validate(sb, 0, &why);
	if (err)
		return err;
	rvm_geom_init(&g, sb);
	err = rvm_logbuf_init(&w.lb, ops, ctx, &g, buf_len);
	if (err)
		return err;
	err = rvm_walk(&w, le64_to_cpu(sb->head_lsn), le64_to_cpu(sb->head_seq),
		       st);
	rvm_logbuf_free(&w.lb);
	return err;
}

/* PASS_REPLAY's page images: a hash table of data segment page numbers. */
struct rvm_rpage {
	u64 pgno;
	struct rvm_rpage *hnext;
	u8 *data; /* RVM_BLOCK_SIZE bytes; NULL in a dry run */
};

struct rvm_replay {
	const struct rvm_io_ops *ops;
	void *ctx;
	const struct rvm_geom *g;
	struct rvm_recovery_stats *st;
	bool dry;
	u64 span; /* PASS_SCAN: pages the ranges span, summed */
	struct rvm_rpage *pages;
	size_t npages; /* in use */
	size_t max_pages;
	struct rvm_rpage **hash;
	unsigned int hash_bits;
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

/* PASS_WRITEBACK: write the images held, in ascending order, and drop them. */
static int rvm_writeback(struct rvm_replay *r)
{
	const struct rvm_geom *g = r->g;
	size_t i;
	int err;

	if (!r->npages)
		return 0;
	sort(r->pages, r->npages, sizeof(*r->pages), rvm_rpage_cmp, NULL);
	for (i = 0; i < r->npages && !r->dry; i++) {
		u64 off = g->data_off + r->pages[i].pgno * RVM_BLOCK_SIZE;

		err = r->ops->write(r->ctx, off, r->pages[i].data,
				    RVM_BLOCK_SIZE);
		if (err)
			return err;
		cond_resched();
	}
	r->st->pages += r->npages;
	r->st->writebacks++;
	r->npages = 0;
	memset(r->hash, 0, sizeof(*r->hash) << r->hash_bits);
	return 0;
}

/* The image of page @pgno, read in unless @whole (about to be overwritten). */
static int rvm_rpage_get(struct rvm_replay *r, u64 pgno, bool whole,
			 struct rvm_rpage **out)
{
	size_t slot = rvm_hash_slot(r, pgno);
	struct rvm_rpage *e;
	int err;

	for (e = r->hash[slot]; e; e = e->hnext) {
		if (e->pgno == pgno) {
			*out = e;
			return 0;
		}
	}
	if (r->npages == r->max_pages) {
		err = rvm_writeback(r);
		if (err)
			return err;
	}
	e = &r->pages[r->npages];
	if (!r->dry) {
		if (!e->data) {
			e->data = kvmalloc(RVM_BLOCK_SIZE, GFP_KERNEL);
			if (!e->data)
				return -ENOMEM;
		}
		if (!whole) {
			u64 off = r->g->data_off + pgno * RVM_BLOCK_SIZE;

			err = r->ops->read(r->ctx, off, e->data,
					   RVM_BLOCK_SIZE);
			if (err)
				return err;
		}
	}
	r->npages++;
	e->pgno = pgno;
	e->hnext = r->hash[slot];
	r->hash[slot] = e;
	*out = e;
	return 0;
}

/* PASS_SCAN callback: an upper bound on the pages replay will touch. */
static int rvm_scan_rec(void *arg, const struct rvm_rec_info *ri)
{
	struct rvm_replay *r = arg;
	u32 i, n = le32_to_cpu(ri->hdr->nranges);

	if (le16_to_cpu(ri->hdr->type) != RVM_REC_TXN)
		return 0;
	for (i = 0; i < n; i++) {
		u64 off = le64_to_cpu(ri->ranges[i].offset);
		u64 end = off + le32_to_cpu(ri->ranges[i].len);

		r->span +=
			(end - 1) / RVM_BLOCK_SIZE - off / RVM_BLOCK_SIZE + 1;
	}
	return 0;
}

/* PASS_REPLAY callback: copy a record's ranges into the page images. */
static int rvm_replay_rec(void *arg, const struct rvm_rec_info *ri)
{
	struct rvm_replay *r = arg;
	u32 i, n = le32_to_cpu(ri->hdr->nranges);
	const u8 *src = ri->data;
	struct rvm_rpage *e;
	int err;

	if (le16_to_cpu(ri->hdr->type) != RVM_REC_TXN)
		return 0;
	for (i = 0; i < n; i++) {
		u64 off = le64_to_cpu(ri->ranges[i].offset);
		u32 left = le32_to_cpu(ri->ranges[i].len);

		while (left) {
			u32 in = off % RVM_BLOCK_SIZE;
			u32 chunk = min_t(u32, left, RVM_BLOCK_SIZE - in);

			err = rvm_rpage_get(r, off / RVM_BLOCK_SIZE,
					    chunk == RVM_BLOCK_SIZE, &e);
			if (err)
				return err;
			if (e->data)
				memcpy(e->data + in, src, chunk);
			src += chunk;
			off += chunk;
			left -= chunk;
		}
	}
	return 0;
}

static int rvm_replay_init(struct rvm_replay *r, size_t mem_limit)
{
	u64 max = mem_limit ? mem_limit / RVM_BLOCK_SIZE :
			      RVM_RECOVERY_MEM_DEFAULT / RVM_BLOCK_SIZE;

	max = min_t(u64, max, r->span);
	max = min_t(u64, max, r->g->data_size / RVM_BLOCK_SIZE);
	max = max_t(u64, max, 1);
	r->max_pages = max;
	r->hash_bits = 4;
	while ((1ULL << r->hash_bits) < max && r->hash_bits < 30)
		r->hash_bits++;
	r->pages = kvcalloc(r->max_pages, sizeof(*r->pages), GFP_KERNEL);
	if (!r->pages)
		return -ENOMEM;
	r->hash = kvcalloc((size_t)1 << r->hash_bits, sizeof(*r->hash),
			   GFP_KERNEL);
	if (!r->hash) {
		kvfree(r->pages);
		r->pages = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void rvm_replay_free(struct rvm_replay *r)
{
	size_t i;

	for (i = 0; i < r->max_pages; i++)
		kvfree(r->pages[i].data);
	kvfree(r->pages);
	kvfree(r->hash);
}

/**
 * rvm_recover() - replay the committed records of the log into the data segment
 * @sb: the superblock in force (validated by rvm_super_pick())
 * @ops: device access
 * @ctx: passed to @ops
 * @opts: flags, buffer and memory sizes; NULL for the defaults
 * @st: zeroed, then filled with what was found and done
 *
 * Runs PASS_SCAN, PASS_REPLAY and PASS_WRITEBACK (see the top of this file)
 * and flushes. With @opts->limit_lsn it replays only the records that end
 * at or before that position; the module's truncation uses this on a live
 * log, writing the superblock itself (head at @st->end_lsn, no lap jump:
 * nothing was torn). With RVM_RECOVER_DRY_RUN it reads the log only and fills
 * @st as a real run would, data pages included. It does not write the
 * superblock: on success the caller writes the one
 * rvm_super_after_recovery() prepares, and flushes.
 *
 * Return: 0 on success; -EINVAL if @sb is not valid or @opts has unknown
 * flags, -ENOMEM, -EIO if the log changed between passes, or an error
 * from @ops. After an error the data segment may hold some replayed
 * pages; running recovery again from the same superblock is safe.
 */
int rvm_recover(const struct rvm_disk_super *sb, const struct rvm_io_ops *ops,
		void *ctx, const struct rvm_recovery_opts *opts,
		struct rvm_recovery_stats *st)
{
	static const struct rvm_recovery_opts defaults;
	struct rvm_recovery_stats scan;
	struct rvm_geom g;
	struct rvm_replay r = { .ops = ops, .ctx = ctx, .g = &g, .st = st };
	struct rvm_walk w = { .g = &g,
			      .stop_lsn = U64_MAX,
			      .limit_lsn = opts ? opts->limit_lsn : 0,
			      .fn = rvm_scan_rec,
			      .arg = &r };
	u64 head_lsn = le64_to_cpu(sb->head_lsn);
	u64 head_seq = le64_to_cpu(sb->head_seq);
	const char *why;
	int err;

	memset(st, 0, sizeof(*st));
	if (!opts)
		opts = &defaults;
	if (opts->flags & ~RVM_RECOVER_KNOWN_FLAGS)
		return -EINVAL;
	r.dry = opts->flags & RVM_RECOVER_DRY_RUN;
	err = rvm_super_validate(sb, 0, &why);
	if (err)
		return err;
	rvm_geom_init(&g, sb);
	err = rvm_logbuf_init(&w.lb, ops, ctx, &g, opts->buf_len);
	if (err)
		return err;

	/* PASS_SCAN */
	err = rvm_walk(&w, head_lsn, head_seq, st);
	if (err || !st->records)
		goto out_buf;
	scan = *st;

	/* PASS_REPLAY */
	err = rvm_replay_init(&r, opts->mem_limit);
	if (err)
		goto out_buf;
	w.stop_lsn = scan.end_lsn;
	w.fn = rvm_replay_rec;
	memset(st, 0, sizeof(*st));
	err = rvm_walk(&w, head_lsn, head_seq, st);
	if (err)
		goto out_replay;
	if (st->records != scan.records || st->bytes != scan.bytes) {
		err = -EIO;
		goto out_replay;
	}

	/* PASS_WRITEBACK */
	err = rvm_writeback(&r);
	if (err)
		goto out_replay;
	if (!r.dry)
		err = ops->flush(ctx);
	scan.pages = st->pages;
	scan.writebacks = st->writebacks;
	*st = scan;
out_replay:
	rvm_replay_free(&r);
out_buf:
	rvm_logbuf_free(&w.lb);
	return err;
}

/**
 * rvm_super_after_recovery() - the superblock to write after a recovery
 * @old: the superblock recovery started from
 * @st: what rvm_recover() returned for it (successfully, not a dry run)
 * @sb: filled with the new superblock, sealed
 *
 * The new superblock has the next sb_seq (so it goes to the other copy),
 * the flags of @old without RVM_SB_CLEAN (the caller sets it if it wants),
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
