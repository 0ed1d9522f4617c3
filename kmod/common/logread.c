// SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later
/*
 * rvm: reading the log from its head on, for recovery and truncation
 * (recovery.c), shared with userspace like it.
 *
 * The reader holds a window on the log and refills it in big reads, from
 * the block holding the position asked for. Windows start at
 * RVM_RECOVERY_BUF_MIN and double up to the length asked for, so a short
 * or empty log costs little. If the device can read asynchronously
 * (rvm_io_ops.read_start), the window after the current one is read into
 * a second buffer while the current one is checked. A record that
 * straddles the two is copied into room kept in front of the second
 * (RVM_LOGREAD_HEAD), just before the bytes that continue it; a longer one
 * is read again from its own block. Nothing past the stop position given
 * at init (rounded up to a block) is read.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/string.h>
#endif
#include "logread.h"

/* Make @w hold @cap bytes (after the room in front); unchanged on failure. */
static int rvm_logread_win_alloc(struct rvm_logread_win *w, size_t cap)
{
	u8 *mem = kvmalloc(RVM_LOGREAD_HEAD + cap, GFP_KERNEL);

	if (!mem)
		return -ENOMEM;
	kvfree(w->mem);
	w->mem = mem;
	w->cap = cap;
	return 0;
}

/**
 * rvm_logread_init() - set up sequential reading of a log
 * @lb: the reader
 * @ops: device access (read-ahead if it has @read_start)
 * @ctx: passed to @ops
 * @g: the volume's geometry
 * @buf_len: longest read in bytes, 0 for RVM_RECOVERY_BUF_DEFAULT
 * @stop: no byte at or past this lsn is needed
 * @ns: nanoseconds spent waiting for reads are added here
 *
 * Return: 0 or -ENOMEM; call rvm_logread_free() in either case.
 */
int rvm_logread_init(struct rvm_logread *lb, const struct rvm_io_ops *ops,
		     void *ctx, const struct rvm_geom *g, size_t buf_len,
		     u64 stop, u64 *ns)
{
	if (!buf_len)
		buf_len = RVM_RECOVERY_BUF_DEFAULT;
	buf_len = max_t(size_t, buf_len, RVM_RECOVERY_BUF_MIN);
	buf_len = rvm_align_up(buf_len, RVM_BLOCK_SIZE);
	memset(lb, 0, sizeof(*lb));
	lb->ops = ops;
	lb->ctx = ctx;
	lb->g = g;
	lb->ns = ns;
	lb->stop = stop;
	lb->max = min_t(u64, buf_len, g->log_size);
	lb->len = min_t(size_t, RVM_RECOVERY_BUF_MIN, lb->max);
	return rvm_logread_win_alloc(&lb->win[0], lb->len);
}

/* The next window is twice as long, up to the buffer size asked for. */
static void rvm_logread_grow(struct rvm_logread *lb)
{
	lb->len = min(2 * lb->len, lb->max);
}

/* Wait for the read-ahead, if any; its bytes are not wanted. */
static void rvm_logread_drop_ahead(struct rvm_logread *lb)
{
	u64 t;

	if (!lb->ra)
		return;
	t = rvm_now();
	lb->ops->read_end(lb->ctx, lb->ra);
	*lb->ns += rvm_now() - t;
	lb->ra = NULL;
}

/**
 * rvm_logread_free() - wait for the read-ahead, if any, and free
 * @lb: the reader (set up by rvm_logread_init(), even if that failed)
 */
void rvm_logread_free(struct rvm_logread *lb)
{
	rvm_logread_drop_ahead(lb);
	kvfree(lb->win[0].mem);
	kvfree(lb->win[1].mem);
	lb->win[0].mem = NULL;
	lb->win[1].mem = NULL;
}

/**
 * rvm_logread_take() - keep the larger window's memory, free the rest
 * @lb: the reader
 * @len: set to the bytes of memory handed over
 *
 * For PASS_WRITEBACK's runs, once the log has been walked.
 *
 * Return: the memory (kvmalloc()ed, free it with kvfree()), or NULL.
 */
u8 *rvm_logread_take(struct rvm_logread *lb, size_t *len)
{
	unsigned int i = lb->win[1].cap > lb->win[0].cap;
	u8 *mem = lb->win[i].mem;

	rvm_logread_drop_ahead(lb);
	*len = RVM_LOGREAD_HEAD + lb->win[i].cap;
	lb->win[i].mem = NULL;
	rvm_logread_free(lb);
	return mem;
}

/* Start reading the bytes after the window into the other window. */
static void rvm_logread_ahead(struct rvm_logread *lb)
{
	const struct rvm_geom *g = lb->g;
	struct rvm_logread_win *w = &lb->win[!lb->cur];
	u64 next = lb->start + lb->fill, off;
	size_t len;

	if (!lb->ops->read_start || lb->ra || next >= lb->stop)
		return;
	if (w->cap < lb->len)
		rvm_logread_win_alloc(w, lb->len); /* or keep a smaller one */
	if (!w->mem)
		return;
	off = rvm_lap_off(g, next);
	len = min_t(u64, w->cap, g->log_size - off);
	len = min_t(u64, len, rvm_align_up(lb->stop - next, RVM_BLOCK_SIZE));
	if (lb->ops->read_start(lb->ctx, RVM_IO_LOG, g->log_off + off,
				w->mem + RVM_LOGREAD_HEAD, len, &lb->ra)) {
		lb->ra = NULL; /* read when needed, and see the error then */
		return;
	}
	lb->ra_lsn = next;
	lb->ra_len = len;
	rvm_logread_grow(lb);
}

/*
 * Move to the read-ahead window if it holds the block at @first and what
 * follows: 1 if so, 0 if not (the read-ahead is dropped), or the read's
 * error.
 */
static int rvm_logread_take_ahead(struct rvm_logread *lb, u64 first)
{
	struct rvm_logread_win *w = &lb->win[!lb->cur];
	u64 end = lb->start + lb->fill, t;
	size_t keep = 0, skip = 0;
	u8 *dst;
	int err;

	if (lb->fill && first >= lb->start && first <= end &&
	    end - first <= RVM_LOGREAD_HEAD && lb->ra_lsn == end) {
		keep = end - first;
	} else if (first >= lb->ra_lsn && first - lb->ra_lsn < lb->ra_len) {
		skip = first - lb->ra_lsn;
	} else {
		rvm_logread_drop_ahead(lb);
		return 0;
	}
	t = rvm_now();
	err = lb->ops->read_end(lb->ctx, lb->ra);
	*lb->ns += rvm_now() - t;
	lb->ra = NULL;
	if (err)
		return err;
	dst = w->mem + RVM_LOGREAD_HEAD - keep + skip;
	if (keep)
		memcpy(dst, lb->data + (first - lb->start), keep);
	lb->data = dst;
	lb->start = first;
	lb->fill = keep + lb->ra_len - skip;
	lb->cur = !lb->cur;
	lb->refills++;
	return 1;
}

/**
 * rvm_logread_get() - the log's bytes at a position
 * @lb: the reader
 * @lsn: the position, at or after the one asked for before
 * @len: how many bytes, none of them past the end of the log area
 * @out: set to them, valid until the next call
 *
 * Reads from @lsn's block on as much as a window takes (the windows grow
 * from RVM_RECOVERY_BUF_MIN to the longest asked for), and starts reading
 * the next window ahead if the device can.
 *
 * Return: 0, -ENOMEM, -EINVAL (@len crosses the end of the log area), or
 * the read's error.
 */
int rvm_logread_get(struct rvm_logread *lb, u64 lsn, size_t len, const u8 **out)
{
	const struct rvm_geom *g = lb->g;
	u64 off = rvm_lap_off(g, lsn);
	u64 boff = off - off % RVM_BLOCK_SIZE;
	u64 first = lsn - (off - boff);
	size_t need = (size_t)(lsn - first) + len;
	struct rvm_logread_win *w;
	size_t rd;
	u64 t;
	int err;

	if (lb->fill && lsn >= lb->start && lsn - lb->start <= lb->fill &&
	    len <= lb->fill - (lsn - lb->start))
		goto hit;
	if (len > g->log_size - off)
		return -EINVAL; /* callers never ask this */
	if (lb->ra) {
		err = rvm_logread_take_ahead(lb, first);
		if (err < 0)
			return err;
		if (err && need <= lb->fill)
			goto ahead;
	}

	/* Read from @lsn's block, as much as the window takes. */
	rvm_logread_drop_ahead(lb);
	lb->fill = 0;
	lb->refills++;
	w = &lb->win[lb->cur];
	rd = max_t(size_t, rvm_align_up(need, RVM_BLOCK_SIZE), lb->len);
	if (rd > w->cap && rvm_logread_win_alloc(w, rd) && need > w->cap)
		return -ENOMEM;
	if (!lb->ops->read_start)
		rvm_logread_grow(lb);
	rd = min_t(u64, w->cap, g->log_size - boff);
	if (lb->stop > first)
		rd = min_t(u64, rd,
			   rvm_align_up(lb->stop - first, RVM_BLOCK_SIZE));
	rd = max_t(size_t, rd, rvm_align_up(need, RVM_BLOCK_SIZE));
	t = rvm_now();
	err = lb->ops->read(lb->ctx, RVM_IO_LOG, g->log_off + boff,
			    w->mem + RVM_LOGREAD_HEAD, rd);
	*lb->ns += rvm_now() - t;
	if (err)
		return err;
	lb->data = w->mem + RVM_LOGREAD_HEAD;
	lb->start = first;
	lb->fill = rd;
ahead:
	rvm_logread_ahead(lb);
hit:
	*out = lb->data + (lsn - lb->start);
	return 0;
}
