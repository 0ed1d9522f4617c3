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
 * The writer role (log.busy), held by one at a time: whoever holds it
 * takes everything queued, and starts writing the longest prefix that
 * fits in the free log space as one batch: consecutive records at
 * consecutive positions (lsn = tail, seq = next_seq++), ending with one
 * asynchronous device write with REQ_FUA. One batch is in flight at a
 * time; commits that arrive meanwhile wait in the queue and share the
 * next write (group commit). A flush commit waits for the write that
 * carries its record; a no_flush commit returns at once and its record
 * waits in the queue (the spool) until a flush commit, rvm_log_flush() or
 * the spool delay (log.spool_work) asks for a write (log.kicked).
 *
 * Leader and followers. A flush commit that finds the role free takes it
 * and starts the batch itself, on its own thread; then it waits for its
 * record like everyone else. So a lone committer pays what a raw
 * O_DSYNC write pays: one write, one wait, no other thread to wake.
 * While the write is in flight the batch holds the role. When it
 * completes (rvm_lw_end_io(), in interrupt context), one committer
 * waiting for a record of the batch, chosen when it was started (its
 * "completer", rec->lead), is woken; it finishes the batch: moves the
 * tail, starts the next batch if anything asks for one (so the device is
 * busy again at once), then completes the others of its batch, and
 * returns. A batch no committer waits for (no_flush records, io_uring
 * commands) is finished by log.done_work. Asynchronous commits never take
 * the role themselves (a submitter must not block on the device): they
 * queue log.write_work if it is free, which runs the writer.
 *
 * Why a committer and not a high-priority work finishes a batch, when
 * others are waiting already: the work would preempt whoever runs and
 * start the next write sooner, but with fewer commits in it. Measured on
 * one vCPU with a virtio disk (a write and a flush per batch, costly for
 * the CPU too), that halved the commits per write and lost throughput
 * (8 threads: 2.0 instead of 3.8 commits per write); it won only on a
 * device whose writes cost the CPU nothing (null_blk).
 *
 * Layout of a batch, in log positions (lsn), one lap = geom.log_size:
 *
 *   tail                                       end of lap
 *    | rec | rec | rec |pad hdr|zero..| (skipped) |rec | rec |zero..|
 *    ^ any 64-byte     ^ sector boundary          ^ lap start ^ new tail,
 *      boundary                                                 any 64-byte
 *                                                               boundary
 *
 *  - A record never wraps: when the next one does not fit in the rest of
 *    the lap, a pad record (header only, carrying the seq of the record
 *    after it, consuming none) fills the rest of the lap. Only the pad's
 *    sector is written; the rest of the lap is skipped, so a batch that
 *    wraps is written in (at least) two device writes.
 *  - Records are packed: each one's @next is its length rounded up to 64
 *    bytes, the last one's too. The write of a batch goes from the start
 *    of the tail's sector to the end of the new tail's sector, zeros after
 *    the tail; so a batch rewrites the last sector of the batch before it,
 *    the bytes before the tail unchanged: the staging buffer kept them.
 *    That relies on 512-byte sector writes being atomic (the device's
 *    logical block size must be 512, checked at attach), as InnoDB's redo
 *    log and PostgreSQL's WAL rewrite their last partial block: a torn
 *    write leaves each sector old or new, and both hold the earlier
 *    records whole. (The first batch after attach starts inside a sector
 *    too: the bytes before the tail lie behind the head, written as zeros.)
 *  - The batch is encoded into a staging buffer (RVM_LOG_BUF_SIZE) and
 *    written whenever the buffer fills or a lap ends, always in whole
 *    sectors; those writes are synchronous and go without FUA, and the
 *    last write of the batch, asynchronous, carries REQ_FUA, plus
 *    REQ_PREFLUSH if an earlier write of the batch went without FUA, which
 *    makes those (completed) durable too. A torn batch is harmless:
 *    records are CRC-checked and recovery stops at the first one that is
 *    not complete. Records are encoded in place with rvm_rec_build(); one
 *    larger than the staging buffer is streamed through it
 *    (rvm_lbuf_stream()), so the writer needs no memory beyond its
 *    fixed buffer and never fails for lack of it.
 *
 * Why FUA alone is enough for a batch written in one write: a commit is
 * durable when every record from the durable head to its own is, and its
 * earlier records were made durable by the FUA (or preflush) of their own
 * batch, completed before this batch started; the superblock naming the
 * head is written with PREFLUSH | FUA before the head moves. The other
 * writes without FUA, data pages written back by truncation or recovery,
 * are nothing a log record depends on: they are flushed before the
 * superblock that moves the head past the records they came from, and
 * until then recovery writes them again. So a preflush is due only for
 * the batch's own earlier writes (log.lw->out.unflushed): on a disk without
 * FUA (virtio), a lone commit costs a write and one flush, not two.
 *
 * Space. A batch ending at lsn E fits iff round_up(E, 512) - head <=
 * log_size: then its zero-filled last sector never touches the sector
 * holding the head record. When even the first queued record does not
 * fit, the writer's work (never a committer: one hands the role over)
 * kicks truncation (truncate.c, on system_unbound_wq, not on this
 * workqueue), counts a log_full_wait and waits on log.wait until
 * truncation moves the head or the volume fails. Commits slow down; they
 * never fail for a full log. A record never wraps, so with an empty log at
 * lap offset o a record of S bytes fits iff S <= max(o, log_size - o):
 * every record of at most half the log fits sooner or later, which is what
 * rvm_log_capacity() promises and commits are checked against.
 *
 * Spool. No_flush records wait in the queue. Consecutive no_flush records
 * flagged RVM_END_COALESCE_TRANS are merged, when the writer takes them,
 * into one record in which each byte has its newest value
 * (rvm_spool_merge()): one record is written whole or not at all, so the
 * recovered state is still the state after a prefix of the commit order.
 * Back-pressure: a no_flush commit that finds more than
 * rvm_log_pressure_limit() bytes queued asks for a write and waits until
 * the queue drains below it.
 *
 * Asynchronous commits. A commit or flush submitted through io_uring
 * (uring.c) goes the same way, but its record or marker carries the
 * command (rec->ucmd) instead of a waiter: whoever finishes the batch
 * completes the command where it would have woken the waiter, and frees
 * the record. So a submitter keeps many commits in flight without a thread
 * each, and they share writes exactly as concurrent committers do.
 *
 * Flush. rvm_log_flush() queues a marker (a record with neither
 * RVM_END_FLUSH nor RVM_END_NO_FLUSH): the writer writes nothing for it
 * and completes it with the batch that carries the last record queued
 * before it, or at once if there is none.
 *
 * Failure. When a write fails the volume is failed (rvm_volume_fail(), the
 * one failure state: log_priv.h), every record of the batch and of the
 * queue is completed with -EIO (rvm_lw_abort()), and later commits and
 * flushes get -EROFS, as they do once the log is stopped.
 *
 * Locking. log.lock (a spinlock, never taken in interrupt context)
 * protects the queue, queued_bytes, the positions, stopped, busy and kicked;
 * nothing sleeps or allocates under it. The role holder alone changes
 * tail_lsn, next_seq and durable_lsn (under the lock), and uses log.lw (the
 * taken entries, the batch, the staging buffer); truncation owns head_lsn
 * and head_seq. A
 * committer waiting for its record frees it after completion: the writer
 * touches a waited record for the last time in rvm_lw_done().
 */
#include <linux/blk_types.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dseg.h"
#include "log.h"
#include "log_priv.h"
#include "volume.h"

/* The writer's staging buffer (a multiple of RVM_BLOCK_SIZE). */
#define RVM_LOG_BUF_SIZE (1024 * 1024)
/* Queued bytes beyond which no_flush commits wait (or a quarter log). */
#define RVM_LOG_PRESSURE_MAX (4ULL << 20)
/* Largest record: its @next must fit in 32 bits. */
#define RVM_LOG_REC_MAX ((u64)U32_MAX & ~(u64)(RVM_SECTOR_SIZE - 1))

static u64 rvm_log_pressure_limit(const struct rvm_volume *vol)
{
	return min_t(u64, RVM_LOG_PRESSURE_MAX, vol->geom.log_size / 4);
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
 * lap offset o a record of S bytes fits iff S <= max(o, log_size - o)
 * (with its last sector written whole: half the log area is a multiple of
 * the sector size, so that cannot push it over). Half the log area
 * therefore always fits once truncation has emptied the log, wherever the
 * tail is; the record header's 32-bit lengths bound it too. txn.c refuses
 * larger transactions with -E2BIG, at set_range and at end.
 *
 * Return: the capacity in bytes of encoded record (header, range
 * descriptors and data, rounded up to RVM_REC_ALIGN).
 */
u64 rvm_log_capacity(struct rvm_volume *vol)
{
	u64 cap = min_t(u64, vol->geom.log_size / 2, RVM_LOG_REC_MAX);

	return round_down(cap, RVM_REC_ALIGN);
}

/* Take the writer role if it is free and a write is wanted. */
static bool rvm_log_lead(struct rvm_volume *vol)
{
	struct rvm_log *log = &vol->log;
	bool ret;

	spin_lock(&log->lock);
	ret = !log->busy && log->kicked;
	if (ret)
		log->busy = true;
	spin_unlock(&log->lock);
	return ret;
}

static void rvm_log_write_work(struct work_struct *work)
{
	struct rvm_log *log = container_of(work, struct rvm_log, write_work);
	struct rvm_volume *vol = container_of(log, struct rvm_volume, log);

	if (rvm_log_lead(vol))
		rvm_lw_run(vol, true, NULL, NULL);
}

static void rvm_log_spool_work(struct work_struct *work)
{
	struct rvm_log *log =
		container_of(to_delayed_work(work), struct rvm_log, spool_work);
	struct rvm_volume *vol = container_of(log, struct rvm_volume, log);

	spin_lock(&log->lock);
	log->kicked = true;
	spin_unlock(&log->lock);
	if (rvm_log_lead(vol))
		rvm_lw_run(vol, true, NULL, NULL);
}

/*
 * Ask for what is queued to be written now. If no one holds the writer
 * role, a committer that may block (@can_lead) takes it and runs the
 * writer itself (it starts a batch and comes back); otherwise the work
 * does.
 */
static void rvm_log_kick(struct rvm_volume *vol, bool can_lead)
{
	struct rvm_log *log = &vol->log;
	bool free;

	spin_lock(&log->lock);
	log->kicked = true;
	free = !log->busy;
	if (free && can_lead)
		log->busy = true;
	spin_unlock(&log->lock);
	if (!free)
		return;
	if (can_lead)
		rvm_lw_run(vol, false, NULL, NULL);
	else
		queue_work(log->wq, &log->write_work);
}

/*
 * Wait for a waited record's completion, waking up now and then. Woken to
 * lead (@rec->lead), the committer finishes the batch holding its record
 * and goes on writing before it returns.
 */
static int rvm_log_wait(struct rvm_volume *vol, struct rvm_rec *rec)
{
	while (!wait_for_completion_timeout(&rec->done, RVM_LOG_WAIT_SLICE))
		;
	if (rec->lead)
		rvm_lw_finish(vol, false, rec);
	return rec->status;
}

/* Is the volume failed, or the log stopped? Called with log.lock held. */
static bool rvm_log_refuses(struct rvm_volume *vol)
{
	return vol->log.stopped || READ_ONCE(vol->failed);
}

/*
 * The spool is below the back-pressure limit, or the log stopped (a failed
 * write empties the spool: rvm_lw_abort()).
 */
static bool rvm_log_drained(struct rvm_volume *vol)
{
	struct rvm_log *log = &vol->log;
	bool ret;

	spin_lock(&log->lock);
	ret = log->stopped || log->queued_bytes <= rvm_log_pressure_limit(vol);
	spin_unlock(&log->lock);
	return ret;
}

/*
 * Sanity of a record built by txn.c (it should never fail), whose ranges'
 * @offset are volume offsets (RVM_SEG_OFFSET()): each must lie inside one
 * present segment. They are split here into the segment id (@seg) and the
 * offset in it, as the record names them: from here on (the spool, the
 * encoder) a range is (@seg, @offset).
 */
static int rvm_log_check_rec(struct rvm_volume *vol, struct rvm_rec *rec)
{
	u32 mode = rec->flags & (RVM_END_FLUSH | RVM_END_NO_FLUSH);
	u64 sum = 0;
	u32 i;

	if (mode != RVM_END_FLUSH && mode != RVM_END_NO_FLUSH)
		return -EINVAL;
	if (rec->nranges && !rec->ranges)
		return -EINVAL;
	for (i = 0; i < rec->nranges; i++) {
		struct rvm_range_src *r = &rec->ranges[i];

		if (!r->len || !r->data ||
		    rvm_dseg_check(vol, r->offset, r->len))
			return -EINVAL;
		sum += r->len;
	}
	for (i = 0; i < rec->nranges; i++) {
		struct rvm_range_src *r = &rec->ranges[i];

		r->seg = RVM_VOFF_SEG(r->offset);
		r->offset = RVM_VOFF_OFF(r->offset);
	}
	if (sum != rec->data_len)
		return -EINVAL;
	if (rvm_rec_size(rec) > rvm_log_capacity(vol))
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
	err = rvm_log_refuses(vol) ? -EROFS : 0;
	spin_unlock(&log->lock);
	if (!err)
		err = rvm_log_check_rec(vol, rec);
	if (err)
		goto free_rec;

	init_completion(&rec->done);
	rec->waited = flush && !ucmd;
	rec->lead = false;
	rec->ucmd = flush ? ucmd : NULL;
	rec->status = 0;

	spin_lock(&log->lock);
	if (rvm_log_refuses(vol)) {
		spin_unlock(&log->lock);
		err = -EROFS;
		goto free_rec;
	}
	rec->seq = atomic64_inc_return(&vol->stats.commits);
	if (seq)
		*seq = rec->seq;
	rvm_dseg_committed(vol, rec);
	log->queued_bytes += rvm_rec_size(rec);
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
			rvm_log_kick(vol, !ucmd);
			if (ucmd)
				return -EIOCBQUEUED;
			/* The record is committed: a fatal signal just stops the wait. */
			wait_event_killable(log->wait, rvm_log_drained(vol));
		}
		return 0;
	}

	atomic64_inc(&vol->stats.flush_commits);
	rvm_log_kick(vol, !ucmd);
	if (ucmd)
		return -EIOCBQUEUED;
	err = rvm_log_wait(vol, rec);
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
	marker->lead = false;
	marker->ucmd = ucmd;

	spin_lock(&log->lock);
	if (rvm_log_refuses(vol)) {
		spin_unlock(&log->lock);
		return -EROFS;
	}
	list_add_tail(&marker->node, &log->queue);
	spin_unlock(&log->lock);

	rvm_log_kick(vol, !ucmd);
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
		err = rvm_log_wait(vol, marker);
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
 * head. (Truncation's state, vol->trunc, is truncate.c's.)
 *
 * Return: 0, -EINVAL for an impossible geometry or head, or -ENOMEM.
 */
int rvm_log_start(struct rvm_volume *vol, u64 head_lsn, u64 head_seq)
{
	struct rvm_log *log = &vol->log;
	const struct rvm_geom *g = &vol->geom;
	struct rvm_lw *lw;
	size_t size;
	u8 *buf;

	log->wq = NULL;
	log->lw = NULL;
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
	log->stopped = false;
	log->busy = false;
	log->kicked = false;
	INIT_WORK(&log->write_work, rvm_log_write_work);
	INIT_WORK(&log->done_work, rvm_lw_done_work);
	INIT_DELAYED_WORK(&log->spool_work, rvm_log_spool_work);
	init_waitqueue_head(&log->wait);

	lw = kzalloc(sizeof(*lw), GFP_KERNEL);
	if (!lw)
		return -ENOMEM;
	lw->vol = vol;
	INIT_LIST_HEAD(&lw->taken);
	INIT_LIST_HEAD(&lw->batch.recs);
	size = min_t(u64, RVM_LOG_BUF_SIZE, g->log_size);
	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf)
		goto free_lw;
	rvm_lbuf_init(&lw->out, vol, buf, size, head_lsn);
	log->wq = alloc_ordered_workqueue("rvm%u-log", WQ_MEM_RECLAIM, vol->id);
	if (!log->wq)
		goto free_buf;
	log->lw = lw;
	return 0;

free_buf:
	kvfree(buf);
free_lw:
	kfree(lw);
	return -ENOMEM;
}

/* Nobody holds the writer role (nor will: the log has stopped). */
static bool rvm_log_idle(struct rvm_volume *vol)
{
	bool ret;

	spin_lock(&vol->log.lock);
	ret = !vol->log.busy;
	spin_unlock(&vol->log.lock);
	return ret;
}

/**
 * rvm_log_stop() - stop the log of a volume
 * @vol: the volume
 *
 * Called at detach, after the final flush and truncation, with no commit
 * running or to come. Stops the spool and the writer, waiting for a write
 * in flight; a record still queued (the final flush failed) is completed
 * with -EIO. Later commits and flushes get -EROFS. Does nothing if
 * rvm_log_start() failed (or was not called on a zeroed volume).
 */
void rvm_log_stop(struct rvm_volume *vol)
{
	struct rvm_log *log = &vol->log;

	if (!log->wq)
		return;
	spin_lock(&log->lock);
	log->stopped = true;
	spin_unlock(&log->lock);
	wake_up_all(&log->wait);

	cancel_delayed_work_sync(&log->spool_work);
	/* A batch in flight, or the writer: they see @stopped and stop. */
	while (!wait_event_timeout(log->wait, rvm_log_idle(vol),
				   RVM_LOG_WAIT_SLICE))
		;
	destroy_workqueue(log->wq);
	log->wq = NULL;
	rvm_lw_abort(vol);

	kvfree(log->lw->out.buf);
	kfree(log->lw);
	log->lw = NULL;
}
