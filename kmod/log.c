// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: the redo log writer - group commit and the no_flush spool.
 *
 * Commit order. rvm_log_commit() puts a record at the tail of log.queue
 * under log.lock and gives it the next commit number (rec->seq, written
 * in the record header's tid field): the queue order is the commit order,
 * and the log is written in that order, so what recovery finds is always
 * a prefix of it.
 *
 * The writer (log.write_work, on an ordered workqueue of its own, so one
 * write is in flight at a time) takes everything queued, and writes the
 * longest prefix that fits in the free log space as one batch: consecutive
 * records at consecutive positions (lsn = tail, seq = next_seq++), one
 * device write ending with REQ_PREFLUSH | REQ_FUA. Commits that arrive
 * while a batch is written wait in the queue and share the next write and
 * its flush (group commit). A flush commit waits for the write that
 * carries its record; a no_flush commit returns at once and its record
 * waits in the queue (the spool) until a flush commit, rvm_log_flush() or
 * the spool delay (log.spool_work) sends the writer.
 *
 * Layout of a batch, in log positions (lsn), one lap = geom.log_size:
 *
 *   tail                                       end of lap
 *    | rec | rec | rec |pad hdr|zero..| (skipped) |rec | rec |stretch|
 *    ^ sector aligned          ^ sector boundary  ^ lap start      ^ new tail,
 *                                                                    sector
 *                                                                    aligned
 *
 *  - A record never wraps: when the next one does not fit in the rest of
 *    the lap, a pad record (header only, carrying the seq of the record
 *    after it, consuming none) fills the rest of the lap. Only the pad's
 *    sector is written; the rest of the lap is skipped, so a batch that
 *    wraps is written in (at least) two device writes.
 *  - The last record of a batch is stretched: its @next (covered by its
 *    CRC) reaches the next 512-byte sector boundary, so every batch starts
 *    on a fresh sector and no write ever rewrites a sector holding
 *    committed records. (Only the first batch after attach may start
 *    inside a sector, if recovery ended on a torn record: the bytes before
 *    the tail in that sector lie behind the head and are written as zeros.)
 *  - The batch is encoded into a staging buffer (RVM_LOG_BUF_SIZE) and
 *    written whenever the buffer fills or a lap ends, always in whole
 *    sectors; only the last write of a batch carries PREFLUSH | FUA, which
 *    makes the earlier ones (completed, as rvm_bio_write() is synchronous)
 *    durable too. A torn batch is harmless: records are CRC-checked and
 *    recovery stops at the first one that is not complete. Records are
 *    encoded in place with rvm_rec_build(); one larger than the staging
 *    buffer is streamed through it (rvm_log_out_stream()), so the writer
 *    needs no memory beyond its fixed buffer and never fails for lack of
 *    it.
 *
 * Space. A batch ending at lsn E (stretched) fits iff E - head <= log_size:
 * then it never touches the sector holding the head record. When even the
 * first queued record does not fit, the writer kicks truncation
 * (truncate.c, on system_unbound_wq, not on this workqueue), counts a
 * log_full_wait and waits on log.wait until truncation moves the head or
 * the volume fails. Commits slow down; they never fail for a full log. A
 * record never wraps, so with an empty log at lap offset o a record of S
 * bytes (stretch included) fits iff S <= max(o, log_size - o): every record
 * of at most half the log fits sooner or later, which is what
 * rvm_log_capacity() promises and commits are checked against.
 *
 * Spool. No_flush records wait in the queue. Consecutive no_flush records
 * flagged RVM_END_COALESCE_TRANS are merged, when the writer takes them,
 * into one record in which each byte has its newest value
 * (rvm_log_merge()): one record is written whole or not at all, so the
 * recovered state is still the state after a prefix of the commit order.
 * Back-pressure: a no_flush commit that finds more than
 * rvm_log_pressure_limit() bytes queued sends the writer and waits until
 * the queue drains below it.
 *
 * Asynchronous commits. A commit or flush submitted through io_uring
 * (uring.c) goes the same way, but its record or marker carries the
 * command (rec->ucmd) instead of a waiter: the writer completes the
 * command where it would have woken the waiter, and frees the record.
 * So a submitter keeps many commits in flight without a thread each, and
 * they share writes and flushes exactly as concurrent committers do.
 *
 * Flush. rvm_log_flush() queues a marker (a record with neither
 * RVM_END_FLUSH nor RVM_END_NO_FLUSH): the writer writes nothing for it
 * and completes it with the status of the write that carried the last
 * record queued before it, or at once if there is none.
 *
 * Failure. When a write fails the volume is failed (rvm_volume_fail()),
 * log.error is set, every record of the batch and of the queue is
 * completed with -EIO, and later commits and flushes get -EROFS.
 *
 * Locking. log.lock (a spinlock) protects the queue, queued_bytes, the
 * positions and error; nothing sleeps or allocates under it. The writer
 * owns tail_lsn, next_seq and durable_lsn (it alone changes them, under
 * the lock); truncation owns head_lsn and head_seq. A committer waiting for
 * its record frees it after completion: the writer touches a waited record
 * for the last time in complete().
 */
#include <linux/blk_types.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "rvm.h"

/* The writer's staging buffer (a multiple of RVM_BLOCK_SIZE). */
#define RVM_LOG_BUF_SIZE (1024 * 1024)
/* Queued bytes beyond which no_flush commits wait (or a quarter log). */
#define RVM_LOG_PRESSURE_MAX (4ULL << 20)
/* Largest record: its stretched @next must still fit in 32 bits. */
#define RVM_LOG_REC_MAX ((u64)U32_MAX & ~(u64)(RVM_SECTOR_SIZE - 1))
/* Long waits wake up this often (and so never look like hung tasks). */
#define RVM_LOG_WAIT_SLICE (10 * HZ)
/* The writer, waiting for space, re-checks and re-kicks truncation. */
#define RVM_LOG_SPACE_SLICE HZ

/* A record queued by rvm_log_flush(): no data, only a place in the order. */
static bool rvm_log_is_marker(const struct rvm_rec *rec)
{
	return !(rec->flags & (RVM_END_FLUSH | RVM_END_NO_FLUSH));
}

/* Log bytes a record takes, before stretching; 0 for a marker. */
static u64 rvm_log_rec_size(const struct rvm_rec *rec)
{
	if (rvm_log_is_marker(rec))
		return 0;
	return rvm_align_up(rvm_rec_len(rec->nranges, rec->data_len),
			    RVM_REC_ALIGN);
}

static u64 rvm_log_pressure_limit(const struct rvm_volume *vol)
{
	return min_t(u64, RVM_LOG_PRESSURE_MAX, vol->geom.log_size / 4);
}

/* Where a record of @size bytes goes when the log ends at @pos. */
static u64 rvm_log_place(const struct rvm_geom *g, u64 pos, u64 size)
{
	u64 left = rvm_lap_left(g, pos);

	return size > left ? pos + left : pos;
}

/* Does a batch ending at @end (before stretching) leave the head alone? */
static bool rvm_log_room(const struct rvm_geom *g, u64 head, u64 end)
{
	return round_up(end, RVM_SECTOR_SIZE) - head <= g->log_size;
}

/**
 * rvm_rec_free() - free a record
 * @rec: the record, or NULL
 *
 * The allocation contract with txn.c: @rec itself comes from kzalloc(),
 * @rec->ranges and @rec->data from kvmalloc() (or kvzalloc()), either of
 * which may be NULL.
 */
void rvm_rec_free(struct rvm_rec *rec)
{
	if (!rec)
		return;
	kvfree(rec->ranges);
	kvfree(rec->data);
	kfree(rec);
}

/**
 * rvm_log_capacity() - the largest record the log can always take
 * @vol: the volume
 *
 * A record never wraps the end of the log area, so with an empty log at
 * lap offset o a record of S bytes fits iff S <= max(o, log_size - o).
 * Half the log area (a multiple of the sector size, so stretching the
 * record to a sector boundary cannot push it over) therefore always fits
 * once truncation has emptied the log, wherever the tail is; the record
 * header's 32-bit lengths bound it too. txn.c refuses larger transactions
 * with -E2BIG, at set_range and at end.
 *
 * Return: the capacity in bytes of encoded record (header, range
 * descriptors and data, rounded up to RVM_REC_ALIGN).
 */
u64 rvm_log_capacity(struct rvm_volume *vol)
{
	u64 cap = min_t(u64, vol->geom.log_size / 2, RVM_LOG_REC_MAX);

	return round_down(cap, RVM_REC_ALIGN);
}

/*
 * The staging buffer: bytes of the log from lsn @start (sector aligned) on.
 * It never holds bytes of two laps, and it is written in whole sectors.
 */
struct rvm_log_out {
	struct rvm_volume *vol;
	u8 *buf;
	size_t size;
	u64 start;
	size_t fill;
};

/* Write the whole sectors of the buffer; keep the partial one. */
static int rvm_log_out_write(struct rvm_log_out *o, blk_opf_t flags)
{
	size_t len = round_down(o->fill, RVM_SECTOR_SIZE);
	int err;

	if (!len)
		return 0;
	err = rvm_bio_write(o->vol, rvm_lsn_to_dev(&o->vol->geom, o->start),
			    o->buf, len, flags);
	if (err)
		return err;
	o->fill -= len;
	memmove(o->buf, o->buf + len, o->fill);
	o->start += len;
	return 0;
}

/*
 * Make room for @n contiguous bytes at the end of the buffer, n <= size -
 * RVM_SECTOR_SIZE, writing out what is there if need be (and always when
 * the lap is complete, as the next bytes go to the start of the log area).
 */
static int rvm_log_out_room(struct rvm_log_out *o, size_t n, u8 **p)
{
	int err;

	if (o->fill && !rvm_lap_off(&o->vol->geom, o->start + o->fill)) {
		err = rvm_log_out_write(o, 0);
		if (err)
			return err;
	}
	if (o->size - o->fill < n) {
		err = rvm_log_out_write(o, 0);
		if (err)
			return err;
	}
	if (o->size - o->fill < n)
		return -EIO;
	*p = o->buf + o->fill;
	return 0;
}

/* Append @n bytes from @src, or zeros if @src is NULL. */
static int rvm_log_out_bytes(struct rvm_log_out *o, const void *src, u64 n)
{
	const u8 *s = src;
	size_t k;
	u8 *p;
	int err;

	while (n) {
		err = rvm_log_out_room(o, 1, &p);
		if (err)
			return err;
		k = min_t(u64, n, o->size - o->fill);
		if (s) {
			memcpy(p, s, k);
			s += k;
		} else {
			memset(p, 0, k);
		}
		o->fill += k;
		n -= k;
	}
	return 0;
}

static void rvm_log_desc(struct rvm_rec_range *d, const struct rvm_range_src *r)
{
	d->offset = cpu_to_le64(r->offset);
	d->len = cpu_to_le32(r->len);
	d->reserved = 0;
}

/*
 * Encode a record larger than the staging buffer as rvm_rec_build() would
 * (same header, descriptors, data and zeros up to @next), computing the
 * CRC first and then streaming the bytes through the buffer.
 */
static int rvm_log_out_stream(struct rvm_log_out *o, const struct rvm_rec *rec,
			      u64 lsn, u64 seq, u32 next)
{
	u64 len = rvm_rec_len(rec->nranges, rec->data_len);
	struct rvm_rec_range d;
	struct rvm_rec_hdr h;
	u32 crc, i;
	int err;

	memset(&h, 0, sizeof(h));
	h.magic = cpu_to_le32(RVM_REC_MAGIC);
	h.type = cpu_to_le16(RVM_REC_TXN);
	h.hdr_len = cpu_to_le16(RVM_REC_HDR_SIZE);
	h.vol_nonce = cpu_to_le64(o->vol->geom.nonce);
	h.seq = cpu_to_le64(seq);
	h.lsn = cpu_to_le64(lsn);
	h.len = cpu_to_le32(len);
	h.next = cpu_to_le32(next);
	h.nranges = cpu_to_le32(rec->nranges);
	h.tid = cpu_to_le64(rec->seq);

	/* rvm_rec_crc(): the header with a zero crc field, then the body. */
	crc = crc32c(~0U, &h, sizeof(h));
	for (i = 0; i < rec->nranges; i++) {
		rvm_log_desc(&d, &rec->ranges[i]);
		crc = crc32c(crc, &d, sizeof(d));
	}
	for (i = 0; i < rec->nranges; i++)
		crc = crc32c(crc, rec->ranges[i].data, rec->ranges[i].len);
	h.crc = cpu_to_le32(~crc);

	err = rvm_log_out_bytes(o, &h, sizeof(h));
	for (i = 0; !err && i < rec->nranges; i++) {
		rvm_log_desc(&d, &rec->ranges[i]);
		err = rvm_log_out_bytes(o, &d, sizeof(d));
	}
	for (i = 0; !err && i < rec->nranges; i++)
		err = rvm_log_out_bytes(o, rec->ranges[i].data,
					rec->ranges[i].len);
	if (err)
		return err;
	return rvm_log_out_bytes(o, NULL, next - len);
}

/* Append a transaction record at @lsn, taking @next bytes of log. */
static int rvm_log_out_rec(struct rvm_log_out *o, const struct rvm_rec *rec,
			   u64 lsn, u64 seq, u32 next)
{
	ssize_t ret;
	u8 *p;
	int err;

	if (o->start + o->fill != lsn)
		return -EIO;
	if (next > o->size - RVM_SECTOR_SIZE)
		return rvm_log_out_stream(o, rec, lsn, seq, next);
	err = rvm_log_out_room(o, next, &p);
	if (err)
		return err;
	ret = rvm_rec_build(p, next, &o->vol->geom, lsn, seq, rec->seq,
			    rec->ranges, rec->nranges, next);
	if (ret < 0)
		return ret;
	o->fill += next;
	return 0;
}

/*
 * Append a pad record at @lsn, up to the end of its lap, carrying @seq.
 * Only the pad's sector is written; the rest of the lap is never read.
 */
static int rvm_log_out_pad(struct rvm_log_out *o, u64 lsn, u64 seq)
{
	u64 end = lsn + rvm_lap_left(&o->vol->geom, lsn);
	ssize_t ret;
	u8 *p;
	int err;

	if (o->start + o->fill != lsn)
		return -EIO;
	err = rvm_log_out_room(o, RVM_REC_HDR_SIZE, &p);
	if (err)
		return err;
	ret = rvm_rec_build_pad(p, RVM_REC_HDR_SIZE, &o->vol->geom, lsn, seq);
	if (ret < 0)
		return ret;
	o->fill += RVM_REC_HDR_SIZE;
	lsn += RVM_REC_HDR_SIZE;
	err = rvm_log_out_bytes(o, NULL, round_up(lsn, RVM_SECTOR_SIZE) - lsn);
	if (!err)
		err = rvm_log_out_write(o, 0);
	if (err)
		return err;
	if (o->fill)
		return -EIO;
	o->start = end;
	return 0;
}

/*
 * A batch: the first @count entries of the writer's list (records and
 * markers), @nrecs of them records, to be written from @tail to @end
 * (sector aligned) with sequence numbers from @seq on; @bytes is what they
 * count for in log.queued_bytes.
 */
struct rvm_log_plan {
	u64 tail;
	u64 end;
	u64 seq;
	u64 bytes;
	unsigned long count;
	unsigned long nrecs;
};

/* The longest prefix of @take that fits in the free log space. */
static void rvm_log_plan(struct rvm_volume *vol, struct list_head *take,
			 struct rvm_log_plan *p)
{
	const struct rvm_geom *g = &vol->geom;
	struct rvm_log *log = &vol->log;
	struct rvm_rec *rec;
	u64 head, pos;

	spin_lock(&log->lock);
	head = log->head_lsn;
	p->tail = log->tail_lsn;
	p->seq = log->next_seq;
	spin_unlock(&log->lock);

	p->bytes = 0;
	p->count = 0;
	p->nrecs = 0;
	pos = p->tail;
	list_for_each_entry(rec, take, node) {
		if (!rvm_log_is_marker(rec)) {
			u64 size = rvm_log_rec_size(rec);
			u64 at = rvm_log_place(g, pos, size);

			if (!rvm_log_room(g, head, at + size))
				break;
			pos = at + size;
			p->bytes += size;
			p->nrecs++;
		}
		p->count++;
	}
	p->end = p->nrecs ? round_up(pos, RVM_SECTOR_SIZE) : p->tail;
}

/* Encode and write a planned batch; durable once this returns 0. */
static int rvm_log_write_batch(struct rvm_volume *vol, struct list_head *take,
			       const struct rvm_log_plan *p)
{
	const struct rvm_geom *g = &vol->geom;
	struct rvm_log_out o = {
		.vol = vol,
		.buf = vol->log.buf,
		.size = vol->log.buf_size,
		.start = round_down(p->tail, RVM_SECTOR_SIZE),
	};
	unsigned long left = p->nrecs;
	u64 pos = p->tail, seq = p->seq;
	struct rvm_rec *rec;
	int err;

	o.fill = pos - o.start;
	memset(o.buf, 0, o.fill);
	list_for_each_entry(rec, take, node) {
		u64 size, at, next;

		if (!left)
			break;
		if (rvm_log_is_marker(rec))
			continue;
		size = rvm_log_rec_size(rec);
		at = rvm_log_place(g, pos, size);
		if (at != pos) {
			err = rvm_log_out_pad(&o, pos, seq);
			if (err)
				return err;
			pos = at;
		}
		next = --left ? size : p->end - pos;
		err = rvm_log_out_rec(&o, rec, pos, seq, next);
		if (err)
			return err;
		pos += next;
		seq++;
	}
	if (pos != p->end || o.fill % RVM_SECTOR_SIZE)
		return -EIO;
	return rvm_log_out_write(&o, REQ_PREFLUSH | REQ_FUA);
}

/* Hand a record back: wake its committer, or complete its command, or free it. */
static void rvm_log_done(struct rvm_rec *rec, int status)
{
	if (rec->waited) {
		rec->status = status;
		complete(&rec->done); /* the committer may free it now */
		return;
	}
	if (rec->ucmd)
		rvm_uring_complete(rec->ucmd, status);
	rvm_rec_free(rec);
}

/* A batch is durable: move the tail, complete its records. */
static void rvm_log_advance(struct rvm_volume *vol, struct list_head *take,
			    const struct rvm_log_plan *p)
{
	struct rvm_log *log = &vol->log;
	struct rvm_rec *rec, *tmp;
	unsigned long n = p->count;
	u64 used;

	spin_lock(&log->lock);
	log->tail_lsn = p->end;
	log->durable_lsn = p->end;
	log->next_seq = p->seq + p->nrecs;
	log->queued_bytes -= p->bytes;
	used = log->tail_lsn - log->head_lsn;
	spin_unlock(&log->lock);

	if (p->nrecs) {
		atomic64_inc(&vol->stats.log_writes);
		atomic64_inc(&vol->stats.log_flushes);
		atomic64_add(p->end - p->tail, &vol->stats.bytes_logged);
	}
	list_for_each_entry_safe(rec, tmp, take, node) {
		if (!n--)
			break;
		list_del(&rec->node);
		rvm_log_done(rec, 0);
	}
	wake_up_all(&log->wait);
	if (p->nrecs &&
	    used > div_u64(vol->geom.log_size, 100) * vol->truncate_pct)
		rvm_truncate_kick(vol);
}

/* The log failed: complete everything taken or queued with -EIO. */
static void rvm_log_fail(struct rvm_volume *vol, struct list_head *take,
			 int err)
{
	struct rvm_log *log = &vol->log;
	struct rvm_rec *rec, *tmp;

	spin_lock(&log->lock);
	if (!log->error)
		log->error = err;
	list_splice_tail_init(&log->queue, take);
	log->queued_bytes = 0;
	spin_unlock(&log->lock);

	list_for_each_entry_safe(rec, tmp, take, node) {
		list_del(&rec->node);
		rvm_log_done(rec, -EIO);
	}
	wake_up_all(&log->wait);
}

/* Space for a record of @size bytes at the tail, or a reason to stop. */
static bool rvm_log_space_or_error(struct rvm_volume *vol, u64 size)
{
	struct rvm_log *log = &vol->log;
	bool ret;

	spin_lock(&log->lock);
	ret = log->error || READ_ONCE(vol->failed) ||
	      rvm_log_room(&vol->geom, log->head_lsn,
			   rvm_log_place(&vol->geom, log->tail_lsn, size) +
				   size);
	spin_unlock(&log->lock);
	return ret;
}

/* The log is full: wait until truncation frees room for @rec. */
static int rvm_log_wait_space(struct rvm_volume *vol, const struct rvm_rec *rec)
{
	struct rvm_log *log = &vol->log;
	u64 size = rvm_log_rec_size(rec);
	int err;

	atomic64_inc(&vol->stats.log_full_waits);
	rvm_truncate_kick(vol);
	while (!wait_event_timeout(log->wait, rvm_log_space_or_error(vol, size),
				   RVM_LOG_SPACE_SLICE))
		rvm_truncate_kick(vol);

	spin_lock(&log->lock);
	err = log->error;
	spin_unlock(&log->lock);
	if (!err && READ_ONCE(vol->failed))
		err = -EIO;
	return err;
}

/* One piece of a merge: a range of a record, in commit order. */
struct rvm_log_piece {
	u64 off;
	u64 len;
};

static int rvm_log_piece_cmp(const void *a, const void *b)
{
	const struct rvm_log_piece *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return 0;
}

/* The range of a merged record that holds byte @off. */
static u32 rvm_log_find(const struct rvm_rec *m, u64 off)
{
	u32 lo = 0, hi = m->nranges;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (m->ranges[mid].offset <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Merge @n records from @first on (@nranges ranges in all) into a new
 * record: the union of their ranges (overlapping and adjacent ones joined),
 * each byte with its newest value. The union is found by sorting, and the
 * ranges are copied in commit order: linear in the bytes, however many
 * records. NULL if memory is short (the records are then written as they
 * are).
 */
static struct rvm_rec *rvm_log_merge_run(struct rvm_rec *first, unsigned long n,
					 u64 nranges)
{
	struct rvm_log_piece *pc;
	struct rvm_rec *m, *rec;
	u64 total = 0, pos = 0, k = 0, u = 0;
	unsigned long i;
	u32 j;

	pc = kvmalloc_array(nranges, sizeof(*pc), GFP_KERNEL | __GFP_NOWARN);
	if (!pc)
		return NULL;
	rec = first;
	for (i = 0; i < n; i++, rec = list_next_entry(rec, node))
		for (j = 0; j < rec->nranges; j++) {
			pc[k].off = rec->ranges[j].offset;
			pc[k++].len = rec->ranges[j].len;
		}
	sort(pc, k, sizeof(*pc), rvm_log_piece_cmp, NULL);
	for (i = 0; i < k; i++) {
		struct rvm_log_piece *last = u ? &pc[u - 1] : NULL;
		u64 end = pc[i].off + pc[i].len;

		if (last && pc[i].off <= last->off + last->len)
			last->len = max(last->off + last->len, end) - last->off;
		else
			pc[u++] = pc[i];
	}
	for (i = 0; i < u; i++)
		total += pc[i].len;

	m = kzalloc(sizeof(*m), GFP_KERNEL | __GFP_NOWARN);
	if (!m)
		goto free_pieces;
	m->ranges = kvmalloc_array(u, sizeof(*m->ranges),
				   GFP_KERNEL | __GFP_NOWARN);
	m->data = kvmalloc(max_t(u64, total, 1), GFP_KERNEL | __GFP_NOWARN);
	if (!m->ranges || !m->data)
		goto free_rec;
	for (i = 0; i < u; i++) {
		m->ranges[i].offset = pc[i].off;
		m->ranges[i].len = pc[i].len;
		m->ranges[i].data = m->data + pos;
		pos += pc[i].len;
	}
	m->nranges = u;
	m->data_len = total;
	kvfree(pc);

	/* Oldest first, so that each byte ends up with its newest value. */
	rec = first;
	for (i = 0; i < n; i++, rec = list_next_entry(rec, node)) {
		for (j = 0; j < rec->nranges; j++) {
			const struct rvm_range_src *r = &rec->ranges[j];
			u32 x = rvm_log_find(m, r->offset);
			u8 *dst = m->data +
				  ((const u8 *)m->ranges[x].data - m->data);

			memcpy(dst + (r->offset - m->ranges[x].offset), r->data,
			       r->len);
		}
		m->declared += rec->declared;
		/* The last one's commit number, flags and id. */
		m->seq = rec->seq;
		m->flags = rec->flags;
		m->tid = rec->tid;
	}
	init_completion(&m->done);
	return m;

free_rec:
	rvm_rec_free(m);
free_pieces:
	kvfree(pc);
	return NULL;
}

static bool rvm_log_can_merge(const struct rvm_rec *rec)
{
	return !rec->waited && !rec->ucmd && (rec->flags & RVM_END_NO_FLUSH) &&
	       (rec->flags & RVM_END_COALESCE_TRANS);
}

/*
 * Inter-transaction coalescing: merge each run of consecutive no_flush
 * records flagged RVM_END_COALESCE_TRANS into one record, as long as the
 * merged record stays within rvm_log_capacity().
 */
static void rvm_log_merge(struct rvm_volume *vol, struct list_head *take)
{
	u64 cap = rvm_log_capacity(vol), saved = 0;
	struct rvm_rec *first, *last, *m, *rec, *tmp;

	first = list_first_entry_or_null(take, struct rvm_rec, node);
	while (first) {
		u64 bytes = rvm_log_rec_size(first), nranges = first->nranges;
		unsigned long n = 1, i;

		last = first;
		while (rvm_log_can_merge(first) &&
		       !list_is_last(&last->node, take)) {
			rec = list_next_entry(last, node);
			if (!rvm_log_can_merge(rec) ||
			    bytes + rvm_log_rec_size(rec) > cap)
				break;
			bytes += rvm_log_rec_size(rec);
			nranges += rec->nranges;
			last = rec;
			n++;
		}
		tmp = list_is_last(&last->node, take) ?
			      NULL :
			      list_next_entry(last, node);
		m = n > 1 ? rvm_log_merge_run(first, n, nranges) : NULL;
		if (m) {
			list_add_tail(&m->node, &first->node);
			rec = first;
			for (i = 0; i < n; i++) {
				struct rvm_rec *nx = list_next_entry(rec, node);

				list_del(&rec->node);
				rvm_rec_free(rec);
				rec = nx;
			}
			saved += bytes - rvm_log_rec_size(m);
		}
		first = tmp;
	}
	if (saved) {
		spin_lock(&vol->log.lock);
		vol->log.queued_bytes -= saved;
		spin_unlock(&vol->log.lock);
		atomic64_add(saved, &vol->stats.bytes_coalesced);
	}
}

/*
 * The writer: takes what is queued, merges the spool, writes the longest
 * prefix that fits, completes it, and starts over until the queue is empty.
 * Records it has taken stay on its list, ahead of anything queued later.
 */
static void rvm_log_write_work(struct work_struct *work)
{
	struct rvm_log *log = container_of(work, struct rvm_log, write_work);
	struct rvm_volume *vol = container_of(log, struct rvm_volume, log);
	struct rvm_log_plan plan;
	struct rvm_rec *rec;
	LIST_HEAD(take);
	int err;

	for (;;) {
		spin_lock(&log->lock);
		list_splice_tail_init(&log->queue, &take);
		err = log->error;
		spin_unlock(&log->lock);
		if (list_empty(&take))
			return;
		if (err)
			break;

		rvm_log_merge(vol, &take);
		rvm_log_plan(vol, &take, &plan);
		if (plan.nrecs) {
			err = rvm_log_write_batch(vol, &take, &plan);
			if (err) {
				rvm_volume_fail(vol, err, "log write");
				break;
			}
		}
		if (plan.count)
			rvm_log_advance(vol, &take, &plan);
		rec = list_first_entry_or_null(&take, struct rvm_rec, node);
		if (!plan.nrecs && rec) {
			/* Not even the first record fits. */
			err = rvm_log_wait_space(vol, rec);
			if (err)
				break;
		}
	}
	rvm_log_fail(vol, &take, err);
}

static void rvm_log_spool_work(struct work_struct *work)
{
	struct rvm_log *log =
		container_of(to_delayed_work(work), struct rvm_log, spool_work);

	queue_work(log->wq, &log->write_work);
}

/* Wait for a record's completion, waking up now and then. */
static int rvm_log_wait_done(struct rvm_rec *rec)
{
	unsigned long left;

	do {
		left = wait_for_completion_timeout(&rec->done,
						   RVM_LOG_WAIT_SLICE);
	} while (!left);
	return rec->status;
}

/* Is the volume or the log failed? Called with log.lock held. */
static bool rvm_log_failed(struct rvm_volume *vol)
{
	return vol->log.error || READ_ONCE(vol->failed);
}

/* The spool is below the back-pressure limit, or the log failed. */
static bool rvm_log_drained(struct rvm_volume *vol)
{
	struct rvm_log *log = &vol->log;
	bool ret;

	spin_lock(&log->lock);
	ret = log->error || log->queued_bytes <= rvm_log_pressure_limit(vol);
	spin_unlock(&log->lock);
	return ret;
}

/* Sanity of a record built by txn.c (it should never fail). */
static int rvm_log_check_rec(struct rvm_volume *vol, const struct rvm_rec *rec)
{
	u32 mode = rec->flags & (RVM_END_FLUSH | RVM_END_NO_FLUSH);
	u64 sum = 0;
	u32 i;

	if (mode != RVM_END_FLUSH && mode != RVM_END_NO_FLUSH)
		return -EINVAL;
	if (rec->nranges && !rec->ranges)
		return -EINVAL;
	for (i = 0; i < rec->nranges; i++) {
		const struct rvm_range_src *r = &rec->ranges[i];

		if (!r->len || !r->data || r->offset > vol->geom.data_size ||
		    r->len > vol->geom.data_size - r->offset)
			return -EINVAL;
		sum += r->len;
	}
	if (sum != rec->data_len)
		return -EINVAL;
	if (rvm_log_rec_size(rec) > rvm_log_capacity(vol))
		return -E2BIG;
	return 0;
}

/**
 * rvm_log_commit() - commit a record to the log
 * @vol: the volume
 * @rec: the record, built by txn.c: @ranges pointing into @data, @nranges,
 *	 @data_len, @declared, @tid, and @flags with exactly one of
 *	 RVM_END_FLUSH and RVM_END_NO_FLUSH, maybe RVM_END_COALESCE_TRANS
 * @seq: set to the commit's number once it has one, or NULL
 * @ucmd: an io_uring command to complete instead of waiting, or NULL
 *
 * @rec takes its place in the commit order and gets its commit number,
 * @rec->seq and *@seq: 1, 2, 3... in the volume since attach, written as
 * the record header's tid (a merged record carries its last commit's).
 * Ownership of @rec passes to the log whatever the outcome: the caller
 * must not touch it after the call (it may already be freed).
 *
 * With RVM_END_FLUSH the call returns once the record is durable. With
 * RVM_END_NO_FLUSH it returns at once, the record being spooled until a
 * flush commit, rvm_log_flush() or the volume's spool delay writes it; if
 * the spool holds too much, it first waits (killable) for the writer to
 * drain it.
 *
 * With @ucmd the call never waits: where it would, it returns -EIOCBQUEUED
 * and the writer completes @ucmd (rvm_uring_complete()) with the record's
 * status once it is durable; @ucmd may be completed before the call
 * returns. A no_flush commit under back-pressure is such a case: its
 * command completes once the record is written, not the submitter waits.
 *
 * Return: 0; -EIOCBQUEUED (@ucmd only); -EROFS if the volume failed
 * before; -E2BIG if the record is larger than rvm_log_capacity(); -EINVAL
 * for a malformed record (a bug in the caller); -EIO if the write of a
 * flush commit failed (the volume is failed now).
 */
int rvm_log_commit(struct rvm_volume *vol, struct rvm_rec *rec, u64 *seq,
		   struct io_uring_cmd *ucmd)
{
	struct rvm_log *log = &vol->log;
	bool flush = rec->flags & RVM_END_FLUSH;
	u64 declared = rec->declared;
	bool pressure;
	int err;

	spin_lock(&log->lock);
	err = rvm_log_failed(vol) ? -EROFS : 0;
	spin_unlock(&log->lock);
	if (!err)
		err = rvm_log_check_rec(vol, rec);
	if (err)
		goto free_rec;

	init_completion(&rec->done);
	rec->waited = flush && !ucmd;
	rec->ucmd = flush ? ucmd : NULL;
	rec->status = 0;

	spin_lock(&log->lock);
	if (rvm_log_failed(vol)) {
		spin_unlock(&log->lock);
		err = -EROFS;
		goto free_rec;
	}
	rec->seq = atomic64_inc_return(&vol->stats.commits);
	if (seq)
		*seq = rec->seq;
	log->queued_bytes += rvm_log_rec_size(rec);
	pressure = log->queued_bytes > rvm_log_pressure_limit(vol);
	/* A no_flush command over the limit completes once written. */
	if (!flush && pressure)
		rec->ucmd = ucmd;
	list_add_tail(&rec->node, &log->queue);
	spin_unlock(&log->lock);
	/* From here on a no_flush @rec may be written and freed any time. */

	atomic64_add(declared, &vol->stats.bytes_declared);
	if (!flush) {
		queue_delayed_work(log->wq, &log->spool_work,
				   msecs_to_jiffies(vol->spool_delay_ms));
		if (pressure) {
			queue_work(log->wq, &log->write_work);
			if (ucmd)
				return -EIOCBQUEUED;
			/* The record is committed: a fatal signal just stops the wait. */
			wait_event_killable(log->wait, rvm_log_drained(vol));
		}
		return 0;
	}

	atomic64_inc(&vol->stats.flush_commits);
	queue_work(log->wq, &log->write_work);
	if (ucmd)
		return -EIOCBQUEUED;
	err = rvm_log_wait_done(rec);
	rvm_rec_free(rec);
	return err;

free_rec:
	rvm_rec_free(rec);
	return err;
}

/* Queue a flush marker: @ucmd, or a waiter if NULL (it owns the marker). */
static int rvm_log_queue_marker(struct rvm_volume *vol, struct rvm_rec *marker,
				struct io_uring_cmd *ucmd)
{
	struct rvm_log *log = &vol->log;

	atomic64_inc(&vol->stats.flush_calls);
	init_completion(&marker->done);
	marker->waited = !ucmd;
	marker->ucmd = ucmd;

	spin_lock(&log->lock);
	if (rvm_log_failed(vol)) {
		spin_unlock(&log->lock);
		return -EROFS;
	}
	list_add_tail(&marker->node, &log->queue);
	spin_unlock(&log->lock);

	queue_work(log->wq, &log->write_work);
	return 0;
}

/**
 * rvm_log_flush() - make every commit made so far durable
 * @vol: the volume
 *
 * Waits until every record committed before the call (no_flush ones in
 * the spool included) is durable in the log.
 *
 * Return: 0; -EROFS if the volume failed before the call; -EIO if a write
 * failed meanwhile; -ENOMEM.
 */
int rvm_log_flush(struct rvm_volume *vol)
{
	struct rvm_rec *marker;
	int err;

	marker = kzalloc(sizeof(*marker), GFP_KERNEL);
	if (!marker)
		return -ENOMEM;
	err = rvm_log_queue_marker(vol, marker, NULL);
	if (!err)
		err = rvm_log_wait_done(marker);
	rvm_rec_free(marker);
	return err;
}

/**
 * rvm_log_flush_async() - rvm_log_flush() completing an io_uring command
 * @vol: the volume
 * @ucmd: the command: the writer completes it (rvm_uring_complete()) once
 *	every commit made before the call is durable, maybe before the call
 *	returns
 *
 * Return: -EIOCBQUEUED (@ucmd will be completed), -EROFS if the volume
 * failed before the call, -ENOMEM.
 */
int rvm_log_flush_async(struct rvm_volume *vol, struct io_uring_cmd *ucmd)
{
	struct rvm_rec *marker;
	int err;

	marker = kzalloc(sizeof(*marker), GFP_KERNEL);
	if (!marker)
		return -ENOMEM;
	err = rvm_log_queue_marker(vol, marker, ucmd);
	if (err) {
		rvm_rec_free(marker);
		return err;
	}
	return -EIOCBQUEUED;
}

/**
 * rvm_log_start() - start the log of a volume
 * @vol: the volume, its geometry set
 * @head_lsn: the head of the (empty) log, as recovery left it
 * @head_seq: the sequence number of the first record to come
 *
 * Called at attach, after recovery has emptied the log and the superblock
 * naming @head_lsn is durable: tail and durable position start at the
 * head. (log.trunc_work and log.trunc_lock are volume.c's to set up.)
 *
 * Return: 0, -EINVAL for an impossible geometry or head, or -ENOMEM.
 */
int rvm_log_start(struct rvm_volume *vol, u64 head_lsn, u64 head_seq)
{
	struct rvm_log *log = &vol->log;
	const struct rvm_geom *g = &vol->geom;

	log->wq = NULL;
	log->buf = NULL;
	log->buf_size = 0;
	if (!g->log_size || g->log_size % RVM_BLOCK_SIZE ||
	    g->log_off % RVM_BLOCK_SIZE || head_lsn % RVM_REC_ALIGN ||
	    head_lsn > RVM_MAX_LSN || !head_seq || head_seq > RVM_MAX_SEQ)
		return -EINVAL;

	spin_lock_init(&log->lock);
	INIT_LIST_HEAD(&log->queue);
	log->queued_bytes = 0;
	log->head_lsn = head_lsn;
	log->head_seq = head_seq;
	log->tail_lsn = head_lsn;
	log->next_seq = head_seq;
	log->durable_lsn = head_lsn;
	log->error = 0;
	INIT_WORK(&log->write_work, rvm_log_write_work);
	INIT_DELAYED_WORK(&log->spool_work, rvm_log_spool_work);
	init_waitqueue_head(&log->wait);

	log->buf_size = min_t(u64, RVM_LOG_BUF_SIZE, g->log_size);
	log->buf = kvmalloc(log->buf_size, GFP_KERNEL);
	if (!log->buf)
		return -ENOMEM;
	log->wq = alloc_ordered_workqueue("rvm%u-log", WQ_MEM_RECLAIM, vol->id);
	if (!log->wq)
		goto free_buf;
	return 0;

free_buf:
	kvfree(log->buf);
	log->buf = NULL;
	log->buf_size = 0;
	return -ENOMEM;
}

/**
 * rvm_log_stop() - stop the log of a volume
 * @vol: the volume
 *
 * Called at detach, after the final flush and truncation, with no commit
 * running or to come. Stops the spool and the writer; a record still
 * queued (the final flush failed) is completed with -EIO. Later commits
 * and flushes get -EROFS. Does nothing if rvm_log_start() failed (or was
 * not called on a zeroed volume).
 */
void rvm_log_stop(struct rvm_volume *vol)
{
	struct rvm_log *log = &vol->log;
	LIST_HEAD(left);

	if (!log->wq)
		return;
	spin_lock(&log->lock);
	if (!log->error)
		log->error = -ESHUTDOWN;
	spin_unlock(&log->lock);
	wake_up_all(&log->wait);

	cancel_delayed_work_sync(&log->spool_work);
	destroy_workqueue(log->wq); /* drains the writer: it sees the error */
	log->wq = NULL;
	rvm_log_fail(vol, &left, -EIO);

	kvfree(log->buf);
	log->buf = NULL;
	log->buf_size = 0;
}
