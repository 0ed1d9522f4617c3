/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: the redo log (log.c): records on their way to it, the log as a
 * volume holds it, and what the rest of the module asks of it.
 */
#ifndef _RVM_LOG_H
#define _RVM_LOG_H

#include <linux/completion.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/rvm.h>

#include "record.h"

struct rvm_volume;
struct rvm_lw;
struct io_uring_cmd;

/**
 * struct rvm_rec - a committed transaction on its way to the log
 * @node: in the log's queue, in commit order
 * @ranges: the ranges (offset in the data segment, length), in log order
 * @nranges: their number
 * @data: their new bytes, concatenated in range order
 * @data_len: sum of the ranges' lengths
 * @declared: bytes the transaction declared (before coalescing)
 * @tid: the transaction's id, written in the record header
 * @flags: RVM_END_* flags of the commit
 * @seq: sequence number given when the record was written
 * @status: 0 once durable, or a negative errno
 * @done: completed when @status is final (flush commits wait on it)
 * @waited: a committer waits on @done and frees the record
 * @lead: (waited only) @done was completed to make the committer finish
 *	the batch in flight, which holds the record
 * @ucmd: an io_uring command (uring.c) to complete with @status instead;
 *	the writer frees the record then
 */
struct rvm_rec {
	struct list_head node;
	struct rvm_range_src *ranges;
	u32 nranges;
	u8 *data;
	u64 data_len;
	u64 declared;
	u64 tid;
	u32 flags;
	u64 seq;
	int status;
	struct completion done;
	bool waited;
	bool lead;
	struct io_uring_cmd *ucmd;
};

/**
 * struct rvm_log - the redo log of a volume (log.c; truncation moves the
 *	head, truncate.c)
 * @lock: protects the queue, the positions, @stopped, @busy and @kicked
 * @queue: committed records not yet taken by the writer, in commit order
 * @queued_bytes: their data bytes, and those taken but not yet durable
 *	(back-pressure for no_flush commits)
 * @head_lsn: oldest record still needed (moved by truncation)
 * @head_seq: its sequence number
 * @tail_lsn: where the next record goes
 * @next_seq: sequence number of the next record
 * @durable_lsn: everything before it is durable
 * @stopped: rvm_log_stop() was called (detach): commits get -EROFS. Not a
 *	failure: the one failure state is the volume's (log_priv.h)
 * @busy: the writer role is taken: by a committer, the work, or a batch
 *	in flight (one at a time)
 * @kicked: something queued wants to be written now (a flush commit, a
 *	flush, back-pressure, the spool delay)
 * @lw: the writer's own state (log_priv.h), allocated by rvm_log_start()
 * @wq: ordered workqueue of the writer's works and the spool
 * @write_work: the writer run by a work: for asynchronous commits, and
 *	when the log is full (only the work waits for space)
 * @done_work: finishes a batch that no committer waits for
 * @spool_work: drains the spool at the latest spool_delay_ms after a
 *	no_flush commit
 * @wait: the writer waiting for space, committers waiting for the spool,
 *	detach waiting for the writer
 */
struct rvm_log {
	spinlock_t lock; /* see above */
	struct list_head queue;
	u64 queued_bytes;
	u64 head_lsn;
	u64 head_seq;
	u64 tail_lsn;
	u64 next_seq;
	u64 durable_lsn;
	bool stopped;
	bool busy;
	bool kicked;
	struct rvm_lw *lw;
	struct workqueue_struct *wq;
	struct work_struct write_work;
	struct work_struct done_work;
	struct delayed_work spool_work;
	wait_queue_head_t wait;
};

/* A record queued by rvm_log_flush(): no data, only a place in the order. */
static inline bool rvm_rec_is_marker(const struct rvm_rec *rec)
{
	return !(rec->flags & (RVM_END_FLUSH | RVM_END_NO_FLUSH));
}

/* Log bytes a record takes (its @next); 0 for a marker. */
static inline u64 rvm_rec_size(const struct rvm_rec *rec)
{
	if (rvm_rec_is_marker(rec))
		return 0;
	return rvm_align_up(rvm_rec_len(rec->nranges, rec->data_len),
			    RVM_REC_ALIGN);
}

int rvm_log_start(struct rvm_volume *vol, u64 head_lsn, u64 head_seq);
void rvm_log_stop(struct rvm_volume *vol);
int rvm_log_commit(struct rvm_volume *vol, struct rvm_rec *rec, u64 *seq,
		   struct io_uring_cmd *ucmd);
int rvm_log_flush(struct rvm_volume *vol);
int rvm_log_flush_async(struct rvm_volume *vol, struct io_uring_cmd *ucmd);
void rvm_rec_free(struct rvm_rec *rec);
u64 rvm_log_capacity(struct rvm_volume *vol);

#endif /* _RVM_LOG_H */
