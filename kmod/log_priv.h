/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: the log writer's insides, private to the log subsystem:
 *
 *   log.c       the API (log.h: rvm_log_*): commit, flush, start, stop;
 *               the writer role, group commit, the spool's delay
 *   logwrite.c  the writer (rvm_lw_*): batches planned, encoded, written,
 *               finished; completion of records; the writer's abort
 *   logbuf.c    the staging buffer (rvm_lbuf_*): encoding into it, its
 *               writes to the log endpoint
 *   spool.c     coalescing of no_flush records (rvm_spool_*)
 *
 * Only these four files include this header.
 *
 * One failure state. A volume fails, and stays read-only until detached,
 * when a log write, a truncation, or a superblock or segment table write
 * fails: the state is rvm_volume.failed, and rvm_volume_fail() is the one
 * function that sets it; the log has no failure state of its own, it reads
 * the volume's (under log.lock, READ_ONCE()). Every consequence is the
 * volume's (dev.c, txn.c, uring.c, dseg.c and truncate.c refuse work on a
 * failed volume), and a failure comes from three places of which the log
 * is one, so the log's failure derives from the volume's and not the
 * reverse. (Before, the log kept an error of its own, set beside the
 * volume's on a failed write and on stop, and tested together with it.)
 * When a write of the log fails, the writer fails the volume and then
 * aborts (rvm_lw_abort()): everything taken or queued is completed with
 * -EIO and the role is given up; that is an action, not a state. Commits
 * and flushes of a failed volume get -EROFS. What does not fail the log is
 * rvm_log.stopped, set by rvm_log_stop() at detach: commits and flushes
 * get -EROFS then too, and the writer aborts, but the volume is not failed.
 */
#ifndef _RVM_LOG_PRIV_H
#define _RVM_LOG_PRIV_H

#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/types.h>

#include "endpoint.h"
#include "log.h"

struct rvm_volume;
struct work_struct;

/* Long waits wake up this often (and so never look like hung tasks). */
#define RVM_LOG_WAIT_SLICE (10 * HZ)

/**
 * struct rvm_lbuf - the log writer's staging buffer (logbuf.c)
 * @vol: the volume
 * @buf: bytes of the log from lsn @start (sector aligned) on; it never
 *	holds bytes of two laps
 * @size: its size, a multiple of RVM_BLOCK_SIZE
 * @start: the lsn of @buf[0]
 * @fill: bytes valid at @buf; between batches, the part of the last one's
 *	last sector before the tail (rewritten, unchanged, by the next batch)
 * @unflushed: a write of the current batch went out without FUA
 */
struct rvm_lbuf {
	struct rvm_volume *vol;
	u8 *buf;
	size_t size;
	u64 start;
	size_t fill;
	bool unflushed;
};

/*
 * struct rvm_lw_plan - a batch: the first @count entries of the writer's
 * list (records and
 * markers), @nrecs of them records, to be written from @tail to @end with
 * sequence numbers from @seq on; @bytes is what they count for in
 * log.queued_bytes.
 */
struct rvm_lw_plan {
	u64 tail;
	u64 end;
	u64 seq;
	u64 bytes;
	unsigned long count;
	unsigned long nrecs;
};

/**
 * struct rvm_lw_batch - the log write in flight (logwrite.c)
 * @plan: what it writes
 * @recs: its records and markers, in commit order
 * @completer: a committer waiting for one of them, woken when the write
 *	completes to finish the batch; NULL if the writer's work does it
 * @status: the write's result
 * @io: the asynchronous write
 */
struct rvm_lw_batch {
	struct rvm_lw_plan plan;
	struct list_head recs;
	struct rvm_rec *completer;
	int status;
	struct rvm_bio_async io;
};

/**
 * struct rvm_lw - the writer's state (struct rvm_log.lw), the role holder's
 * @vol: the volume
 * @taken: entries the writer took from rvm_log.queue, not yet written
 * @batch: the batch in flight
 * @out: the staging buffer
 */
struct rvm_lw {
	struct rvm_volume *vol;
	struct list_head taken;
	struct rvm_lw_batch batch;
	struct rvm_lbuf out;
};

/* logwrite.c: the writer */
void rvm_lw_run(struct rvm_volume *vol, bool worker, struct list_head *done,
		struct rvm_rec *self);
void rvm_lw_finish(struct rvm_volume *vol, bool worker, struct rvm_rec *self);
void rvm_lw_abort(struct rvm_volume *vol);
void rvm_lw_done_work(struct work_struct *work);

/* logbuf.c: the staging buffer */
void rvm_lbuf_init(struct rvm_lbuf *o, struct rvm_volume *vol, u8 *buf,
		   size_t size, u64 tail);
int rvm_lbuf_write(struct rvm_lbuf *o);
int rvm_lbuf_rec(struct rvm_lbuf *o, const struct rvm_rec *rec, u64 lsn,
		 u64 seq, u32 next);
int rvm_lbuf_pad(struct rvm_lbuf *o, u64 lsn, u64 seq);
int rvm_lbuf_submit(struct rvm_lbuf *o, struct rvm_bio_async *a);
void rvm_lbuf_done(struct rvm_lbuf *o);

/* spool.c: inter-transaction coalescing */
void rvm_spool_merge(struct rvm_volume *vol, struct list_head *take);

#endif /* _RVM_LOG_PRIV_H */
