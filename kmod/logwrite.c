// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: the log writer - batches planned, encoded, written, finished (log.c
 * tells how they fit together: the writer role, group commit, the spool;
 * log_priv.h how the log subsystem's files share the work).
 *
 * One batch is in flight at a time, and the one who holds the writer role
 * (log.busy) alone touches the writer's state log.lw: the taken entries,
 * the batch and the staging buffer. rvm_lw_run() starts a batch: it plans the longest prefix of
 * what is queued that fits in the free log space (rvm_lw_plan()),
 * encodes it into the staging buffer (logbuf.c) and starts its last write
 * (asynchronous, REQ_FUA); the batch then holds the role. When the write
 * completes, rvm_lw_end_io() wakes the batch's completer, a committer
 * waiting for one of its records (or queues log.done_work), which runs
 * rvm_lw_finish(): the tail moves, the next batch starts if anything
 * asks for one, and the finished batch's records are completed.
 */
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/wait.h>

#include "endpoint.h"
#include "log.h"
#include "log_priv.h"
#include "truncate.h"
#include "uring.h"
#include "volume.h"

/* The writer, waiting for space, re-checks and re-kicks truncation. */
#define RVM_LW_SPACE_SLICE HZ

/* Where a record of @size bytes goes when the log ends at @pos. */
static u64 rvm_lw_place(const struct rvm_geom *g, u64 pos, u64 size)
{
	u64 left = rvm_lap_left(g, pos);

	return size > left ? pos + left : pos;
}

/*
 * Does a batch ending at @end leave the head alone? Its last sector is
 * written whole, so that sector must not hold the head record.
 */
static bool rvm_lw_room(const struct rvm_geom *g, u64 head, u64 end)
{
	return round_up(end, RVM_SECTOR_SIZE) - head <= g->log_size;
}

/* The longest prefix of @take that fits in the free log space. */
static void rvm_lw_plan(struct rvm_volume *vol, struct list_head *take,
			struct rvm_lw_plan *p)
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
		if (!rvm_rec_is_marker(rec)) {
			u64 size = rvm_rec_size(rec);
			u64 at = rvm_lw_place(g, pos, size);

			if (!rvm_lw_room(g, head, at + size))
				break;
			pos = at + size;
			p->bytes += size;
			p->nrecs++;
		}
		p->count++;
	}
	p->end = pos;
}

/* Move the first @n entries of @from to the end of @to. */
static void rvm_lw_cut(struct list_head *from, unsigned long n,
		       struct list_head *to)
{
	while (n--)
		list_move_tail(from->next, to);
}

/* Encode a batch's records into the staging buffer, writing what fills. */
static int rvm_lw_encode(struct rvm_volume *vol, struct rvm_lw_batch *b)
{
	const struct rvm_geom *g = &vol->geom;
	struct rvm_lbuf *o = &vol->log.lw->out;
	u64 pos = b->plan.tail, seq = b->plan.seq;
	struct rvm_rec *rec;
	int err;

	if (o->start + o->fill != pos)
		return -EIO;
	list_for_each_entry(rec, &b->recs, node) {
		u64 size, at;

		if (rvm_rec_is_marker(rec))
			continue;
		size = rvm_rec_size(rec);
		at = rvm_lw_place(g, pos, size);
		if (at != pos) {
			err = rvm_lbuf_pad(o, pos, seq);
			if (err)
				return err;
			pos = at;
		}
		err = rvm_lbuf_rec(o, rec, pos, seq, size);
		if (err)
			return err;
		pos += size;
		seq++;
	}
	return pos == b->plan.end ? 0 : -EIO;
}

/* The batch's write completed (any context): have it finished. */
static void rvm_lw_end_io(struct rvm_bio_async *a, int err)
{
	struct rvm_lw_batch *b = container_of(a, struct rvm_lw_batch, io);
	struct rvm_lw *lw = container_of(b, struct rvm_lw, batch);
	struct rvm_log *log = &lw->vol->log;
	struct rvm_rec *c = b->completer;

	b->status = err;
	if (c)
		complete(&c->done); /* c->lead is set: it finishes the batch */
	else
		queue_work(log->wq, &log->done_work);
}

/*
 * Start writing the planned prefix of lw->taken as the batch in flight.
 * On success the batch owns the writer role and may be finished (and the
 * batch reused) before this returns: the caller must leave it alone.
 */
static int rvm_lw_submit(struct rvm_volume *vol, struct rvm_lw_batch *b)
{
	struct rvm_rec *rec;
	int err;

	INIT_LIST_HEAD(&b->recs);
	rvm_lw_cut(&vol->log.lw->taken, b->plan.count, &b->recs);
	err = rvm_lw_encode(vol, b);
	if (err)
		return err;
	b->completer = NULL;
	list_for_each_entry(rec, &b->recs, node) {
		if (rec->waited) {
			b->completer = rec;
			rec->lead = true;
			break;
		}
	}
	b->status = 0;
	b->io.done = rvm_lw_end_io;
	err = rvm_lbuf_submit(&vol->log.lw->out, &b->io);
	if (err && b->completer)
		b->completer->lead = false;
	return err;
}

/* Hand a record back: wake its committer, or complete its command, or free it. */
static void rvm_lw_done(struct rvm_rec *rec, int status, struct rvm_rec *self)
{
	if (rec == self) {
		rec->status = status; /* the caller's own, it is awake */
		return;
	}
	if (rec->waited) {
		rec->status = status;
		complete(&rec->done); /* the committer may free it now */
		return;
	}
	if (rec->ucmd)
		rvm_uring_complete(rec->ucmd, status);
	rvm_rec_free(rec);
}

static void rvm_lw_done_list(struct list_head *list, int status,
			     struct rvm_rec *self)
{
	struct rvm_rec *rec, *tmp;

	list_for_each_entry_safe(rec, tmp, list, node) {
		list_del(&rec->node);
		rvm_lw_done(rec, status, self);
	}
}

/**
 * rvm_lw_abort() - the writer gives up: the volume failed, or the log stops
 * @vol: the volume, failed (rvm_volume_fail()) or its log stopped
 *
 * Completes everything taken or queued with -EIO and gives up the writer
 * role (the caller holds it, or the log has stopped). It sets no state:
 * later commits get -EROFS because the volume is failed or the log stopped
 * (log_priv.h).
 */
void rvm_lw_abort(struct rvm_volume *vol)
{
	struct rvm_log *log = &vol->log;
	LIST_HEAD(left);

	spin_lock(&log->lock);
	list_splice_init(&log->lw->taken, &left);
	list_splice_tail_init(&log->queue, &left);
	log->queued_bytes = 0;
	log->busy = false;
	spin_unlock(&log->lock);

	rvm_lw_done_list(&left, -EIO, NULL);
	wake_up_all(&log->wait);
}

/*
 * The role holder, between batches: take what is queued, or give up the
 * role if there is nothing to write now. *@err is set if the log stopped.
 * (After a failed write the writer aborted: nothing is taken or queued,
 * and a failed volume takes no more commits.)
 */
static bool rvm_lw_take(struct rvm_volume *vol, int *err)
{
	struct rvm_log *log = &vol->log;
	struct rvm_lw *lw = log->lw;

	spin_lock(&log->lock);
	*err = log->stopped ? -ESHUTDOWN : 0;
	if (!*err && list_empty(&lw->taken) &&
	    (list_empty(&log->queue) || !log->kicked)) {
		log->busy = false;
		log->kicked = false;
		spin_unlock(&log->lock);
		wake_up_all(&log->wait); /* rvm_log_stop() waits for this */
		return false;
	}
	list_splice_tail_init(&log->queue, &lw->taken);
	log->kicked = false;
	spin_unlock(&log->lock);
	return true;
}

/* Space for a record of @size bytes at the tail, or a reason to stop. */
static bool rvm_lw_space_or_stop(struct rvm_volume *vol, u64 size)
{
	struct rvm_log *log = &vol->log;
	bool ret;

	spin_lock(&log->lock);
	ret = log->stopped || READ_ONCE(vol->failed) ||
	      rvm_lw_room(&vol->geom, log->head_lsn,
			  rvm_lw_place(&vol->geom, log->tail_lsn, size) + size);
	spin_unlock(&log->lock);
	return ret;
}

/* The log is full: wait until truncation frees room for @rec. */
static int rvm_lw_wait_space(struct rvm_volume *vol, const struct rvm_rec *rec)
{
	struct rvm_log *log = &vol->log;
	u64 size = rvm_rec_size(rec);
	int err;

	atomic64_inc(&vol->stats.log_full_waits);
	rvm_truncate_kick(vol);
	while (!wait_event_timeout(log->wait, rvm_lw_space_or_stop(vol, size),
				   RVM_LW_SPACE_SLICE))
		rvm_truncate_kick(vol);

	spin_lock(&log->lock);
	err = log->stopped ? -ESHUTDOWN : 0;
	spin_unlock(&log->lock);
	if (!err && READ_ONCE(vol->failed))
		err = -EIO;
	return err;
}

/**
 * rvm_lw_run() - the writer
 * @vol: the volume; the caller holds the writer role, no batch in flight
 * @worker: the caller is the writer's work, which may wait for log space
 * @done: the entries of the batch just finished, or NULL
 * @self: the caller's own record among them, or NULL
 *
 * Takes what is queued, merges the spool, and starts writing the longest
 * prefix that fits as the next batch, which then holds the role; or
 * completes flushes that have nothing to wait for; or gives the role up
 * when there is nothing to write. Only the work waits for log space; a
 * committer hands the role to it. The entries of @done are completed once
 * the next batch is on its way, or before anything that waits.
 */
void rvm_lw_run(struct rvm_volume *vol, bool worker, struct list_head *done,
		struct rvm_rec *self)
{
	struct rvm_log *log = &vol->log;
	struct rvm_lw *lw = log->lw;
	struct rvm_lw_batch *b = &lw->batch;
	LIST_HEAD(markers);
	LIST_HEAD(none);
	int err;

	if (!done)
		done = &none;
	while (rvm_lw_take(vol, &err)) {
		if (err) {
			rvm_lw_abort(vol);
			break;
		}
		rvm_spool_merge(vol, &lw->taken);
		rvm_lw_plan(vol, &lw->taken, &b->plan);
		if (b->plan.nrecs) {
			err = rvm_lw_submit(vol, b);
			if (!err) {
				rvm_lw_done_list(done, 0, self);
				return;
			}
			rvm_volume_fail(vol, err, "log write");
			rvm_lw_done_list(&b->recs, -EIO, NULL);
			rvm_lw_abort(vol);
			break;
		}
		if (b->plan.count) {
			/* Flushes with no record before them to wait for. */
			rvm_lw_cut(&lw->taken, b->plan.count, &markers);
			rvm_lw_done_list(&markers, 0, NULL);
			continue;
		}
		/* Not even the first record fits. */
		rvm_lw_done_list(done, 0, self);
		if (!worker) {
			spin_lock(&log->lock);
			log->busy = false;
			log->kicked = true;
			spin_unlock(&log->lock);
			queue_work(log->wq, &log->write_work);
			return;
		}
		err = rvm_lw_wait_space(vol,
					list_first_entry(&lw->taken,
							 struct rvm_rec, node));
		if (err) {
			rvm_lw_abort(vol);
			break;
		}
	}
	rvm_lw_done_list(done, 0, self);
}

/**
 * rvm_lw_finish() - the batch in flight completed: finish it
 * @vol: the volume; the caller (the batch's completer, or the work) holds
 *	the writer role now
 * @worker: the caller is the writer's work
 * @self: the caller's own record in the batch (the completer's), or NULL
 *
 * Moves the tail, goes on writing (rvm_lw_run()) and completes the
 * batch's entries: @self by its status alone, the caller being awake.
 */
void rvm_lw_finish(struct rvm_volume *vol, bool worker, struct rvm_rec *self)
{
	struct rvm_log *log = &vol->log;
	struct rvm_lw *lw = log->lw;
	struct rvm_lw_batch *b = &lw->batch;
	const struct rvm_lw_plan *p = &b->plan;
	LIST_HEAD(done);
	u64 used;

	list_splice_init(&b->recs, &done);
	if (b->status) {
		rvm_volume_fail(vol, b->status, "log write");
		rvm_lw_done_list(&done, -EIO, self);
		rvm_lw_abort(vol);
		return;
	}
	rvm_lbuf_done(&lw->out);

	spin_lock(&log->lock);
	log->tail_lsn = p->end;
	log->durable_lsn = p->end;
	log->next_seq = p->seq + p->nrecs;
	log->queued_bytes -= p->bytes;
	used = log->tail_lsn - log->head_lsn;
	spin_unlock(&log->lock);

	atomic64_inc(&vol->stats.log_writes);
	atomic64_inc(&vol->stats.log_flushes);
	atomic64_add(p->end - p->tail, &vol->stats.bytes_logged);
	wake_up_all(&log->wait); /* back-pressure */
	if (used > div_u64(vol->geom.log_size, 100) * vol->truncate_pct)
		rvm_truncate_kick(vol);
	rvm_lw_run(vol, worker, &done, self);
}

/**
 * rvm_lw_done_work() - log.done_work: finish a batch no committer waits for
 * @work: &rvm_log.done_work
 */
void rvm_lw_done_work(struct work_struct *work)
{
	struct rvm_log *log = container_of(work, struct rvm_log, done_work);
	struct rvm_volume *vol = container_of(log, struct rvm_volume, log);

	rvm_lw_finish(vol, true, NULL);
}
